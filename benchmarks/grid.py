"""Grid derivatives: dfdx.grid against numpy.gradient, findiff and scipy.ndimage.

Every time is a median; every ratio is time / time(np.copyto of the same
array), the copy being measured right before each case in the same process,
so the ratios say how close each method comes to the memory-bandwidth limit
(the ratio is the median over rounds of copy-then-case timings, robust to a
shared, noisy machine).
``peak/input`` is tracemalloc's peak during one dfdx call over the input's
size (the output itself counts 1).  The reference ``np.copyto`` writes into an
array allocated once, while ``diff`` (like ``np.gradient`` and findiff)
returns a fresh array whose pages the kernel must fault in and zero (about one
extra copy time on a 2-core VM).  Two rows make the comparison fair both
ways: ``y.copy()`` shows what a fresh output costs on its own (a copy that
allocates), and the ``out=buf`` rows reuse one buffer as ``np.copyto`` does.
With numba installed (the ``fast`` extra) the 1-D rows are shown twice: with
the compiled kernels dfdx then uses, and with ``DFDX_NUMBA=0`` (NumPy only).

The last table (skipped with --quick) runs the dask path out of core: a
lazily generated array twice as large as the memory given to two
worker processes, differentiated and reduced chunk by chunk.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

from benchmarks._harness import fmt_time, median_time, numpy_only, optional, table
from dfdx.grid import Diff, diff, laplacian
from dfdx.grid._compiled import kernels


def _peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _call(op, arr):
    return lambda: op(arr)


def _warm(op, arr):
    op(arr)  # builds and caches the per-point weights, as findiff's operator does
    return op


def _ratios(cases, ref_array, repeat):
    """Rows of (name, time, time / copy time, copy time), medians over rounds.

    Each round times the copy and then the case, so both see the same load
    on a shared machine; the ratio is the median of the per-round ratios.
    """
    out = np.empty_like(ref_array)
    rows = []
    for name, fn in cases:
        if fn is None:
            continue
        times, copies, ratios = [], [], []
        for _ in range(repeat):
            t_copy = median_time(lambda: np.copyto(out, ref_array), repeat=3)
            t = median_time(fn, repeat=3)
            times.append(t)
            copies.append(t_copy)
            ratios.append(t / t_copy)
        rows.append(
            (name, float(np.median(times)), float(np.median(ratios)), float(np.median(copies)))
        )
    return rows


def _dfdx_rows(fresh, into):
    """dfdx rows (fresh output and ``out=buf``), per kernel engine available."""
    rows = []
    if kernels() is not None:
        rows += [("dfdx.grid.diff [numba]", fresh), ("dfdx.grid.diff(out=buf) [numba]", into)]
    rows += [
        ("dfdx.grid.diff [NumPy only]", numpy_only(fresh)),
        ("dfdx.grid.diff(out=buf) [NumPy only]", numpy_only(into)),
    ]
    return rows


def _one_d(size: int, repeat: int) -> None:
    if kernels() is None:
        print("  [note] numba not installed: NumPy kernels only (pip install 'dfdx[fast]')")
    findiff = optional("findiff")
    rng = np.random.default_rng(0)
    y = rng.standard_normal(size)
    h = 1e-3
    x = np.cumsum(rng.uniform(0.5, 1.5, size)) * h
    buf = np.empty_like(y)
    fresh = ("y.copy() (fresh output)", y.copy)
    groups = {
        "1-D first derivative, acc=2": [
            fresh,
            *_dfdx_rows(lambda: diff(y, dx=h), lambda: diff(y, dx=h, out=buf)),
            ("numpy.gradient", lambda: np.gradient(y, h)),
            ("findiff.Diff", findiff and _call(findiff.Diff(0, h, acc=2), y)),
        ],
        "1-D first derivative, acc=6": [
            fresh,
            *_dfdx_rows(lambda: diff(y, dx=h, acc=6), lambda: diff(y, dx=h, acc=6, out=buf)),
            ("findiff.Diff", findiff and _call(findiff.Diff(0, h, acc=6), y)),
        ],
        "1-D first derivative, non-uniform x, acc=2": [
            fresh,
            *_dfdx_rows(lambda: diff(y, x), lambda: diff(y, x, out=buf)),
            ("numpy.gradient", lambda: np.gradient(y, x)),
            ("findiff.Diff", findiff and _call(findiff.Diff(0, x, acc=2), y)),
        ],
        "1-D second derivative, non-uniform x, acc=4": [
            ("dfdx.grid.diff", lambda: diff(y, x, n=2, acc=4)),
            ("dfdx.grid.Diff (reused)", _call(_warm(Diff(0, 2, x=x, acc=4), y), y)),
            ("findiff.Diff", findiff and _call(findiff.Diff(0, x, acc=4) ** 2, y)),
        ],
    }
    peaks = {
        "1-D first derivative, acc=2": lambda: diff(y, dx=h),
        "1-D first derivative, acc=6": lambda: diff(y, dx=h, acc=6),
        "1-D first derivative, non-uniform x, acc=2": lambda: diff(y, x),
        "1-D second derivative, non-uniform x, acc=4": lambda: diff(y, x, n=2, acc=4),
    }
    for title, cases in groups.items():
        rows = _ratios(cases, y, repeat)
        peak = _peak(peaks[title]) / y.nbytes
        table(
            f"{title}, {size:.0e} float64 (dfdx peak/input = {peak:.2f})",
            ["method", "time", "x copy", "copy time"],
            [[n, fmt_time(t), r, fmt_time(c)] for n, t, r, c in rows],
        )


def _nonuniform_sizes(sizes, repeat: int) -> None:
    """Fresh non-uniform calls (weights included) against findiff applying a prebuilt operator."""
    findiff = optional("findiff")
    for n, acc in ((1, 6), (2, 4), (3, 4)):
        rows = []
        for size in sizes:
            rng = np.random.default_rng(size)
            x = np.cumsum(rng.uniform(0.5, 1.5, size)) * 1e-3
            y = np.sin(x * 7.0)

            def fresh(y=y, x=x, n=n, acc=acc):
                return diff(y, x, n=n, acc=acc)

            cases = [("dfdx [NumPy only]", numpy_only(fresh))]
            if kernels() is not None:
                cases.insert(0, ("dfdx [numba]", fresh))
            if findiff is not None:
                op = findiff.Diff(0, x, acc=acc) ** n if n > 1 else findiff.Diff(0, x, acc=acc)
                op(y)  # built beforehand: only its application is timed
                cases.append(("findiff (prebuilt)", _call(op, y)))
            ratios = {name: r for name, _, r, _ in _ratios(cases, y, repeat)}
            ref = ratios.get("findiff (prebuilt)")
            row = [f"{size:.0e}"]
            for name in ("dfdx [numba]", "dfdx [NumPy only]", "findiff (prebuilt)"):
                row.append(ratios.get(name, float("nan")))
            for name in ("dfdx [numba]", "dfdx [NumPy only]"):
                mine = ratios.get(name)
                row.append(mine / ref if mine is not None and ref else float("nan"))
            rows.append(row)
        table(
            f"fresh non-uniform grid.diff, n={n}, acc={acc} (weights included): x copy",
            ["size", "numba", "NumPy only", "findiff prebuilt", "numba/findiff", "NumPy/findiff"],
            rows,
        )


def _three_d(side: int, repeat: int) -> None:
    findiff = optional("findiff")
    ndimage = optional("scipy.ndimage")
    f = np.random.default_rng(1).standard_normal((side, side, side))
    h = 0.1
    cases = [
        ("f.copy() (fresh output)", f.copy),
        ("dfdx.grid.laplacian", lambda: laplacian(f, h)),
        (
            "numpy.gradient twice",
            lambda: sum(np.gradient(np.gradient(f, h, axis=a), h, axis=a) for a in range(3)),
        ),
        ("findiff.Laplacian", findiff and _call(findiff.Laplacian(h=[h] * 3, acc=2), f)),
        ("scipy.ndimage.laplace", ndimage and (lambda: ndimage.laplace(f) / h**2)),
    ]
    rows = _ratios(cases, f, repeat)
    peak = _peak(lambda: laplacian(f, h)) / f.nbytes
    table(
        f"3-D Laplacian, acc=2, {side}^3 float64 (dfdx peak/input = {peak:.2f})",
        ["method", "time", "x copy", "copy time"],
        [[n, fmt_time(t), r, fmt_time(c)] for n, t, r, c in rows],
    )


def _out_of_core(size: int, chunk: int, memory_limit: str) -> None:
    distributed = optional("distributed")
    da = optional("dask.array")
    if distributed is None or da is None:
        return
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            memory_limit=memory_limit,
            dashboard_address=":0",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        x = da.linspace(0.0, 100.0, size, chunks=chunk)
        y = da.sin(x)
        h = 100.0 / (size - 1)
        worst = abs(diff(y, dx=h, acc=4) - da.cos(x)).max()
        t0 = time.perf_counter()
        err = float(client.compute(worst).result())
        elapsed = time.perf_counter() - t0
    gb = size * 8 / 1e9
    table(
        "dask out of core: max|diff(sin) - cos| over a lazily generated array",
        ["array size", "worker memory", "chunks", "time", "max error"],
        [[f"{gb:.1f} GB", f"2 x {memory_limit}", f"{size // chunk}", fmt_time(elapsed), err]],
    )


def run(quick: bool = False) -> None:
    repeat = 3 if quick else 7
    sizes = [10**3, 10**4, 10**5, 10**6] if quick else [10**3, 10**4, 10**5, 10**6, 10**7]
    _nonuniform_sizes(sizes, repeat)
    _one_d(10**6 if quick else 10**7, repeat)
    _three_d(96 if quick else 256, repeat)
    if not quick:
        _out_of_core(size=200_000_000, chunk=2_000_000, memory_limit="640MB")

"""Series by series bookkeeping: missing samples, a method per series, one result.

The methods work on ``(series, samples)`` arrays with one abscissa vector.
This module splits the user's series into groups that share their pattern of
finite samples (NaN and inf samples are dropped with their ``x``), lets
``"auto"`` choose a method per series, runs each group at once, and puts the
pieces back: NaN with status ``NONFINITE_INPUT`` where a sample was missing,
and the parameters of every series.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from dfdx._core.finite import pattern_groups
from dfdx._core.result import Status
from dfdx.noisy._auto import choose, label, prebin_factor, scale_up
from dfdx.noisy._binning import bin_data
from dfdx.noisy._registry import REGISTRY

__all__ = ["Fitted", "fit"]


@dataclass
class Fitted:
    """Results on the ``(series, samples)`` layout, before reshaping."""

    smooth: np.ndarray
    deriv: np.ndarray
    error: np.ndarray
    status: np.ndarray
    method: str
    message: str
    params: dict  # name -> per-series array; or "method"/"params" per series when mixed


def fit(method: str, y2: np.ndarray, x: np.ndarray, n: int, params: dict, minimum: int) -> Fitted:
    """Run ``method`` (or ``"auto"``) on every series of ``y2``, missing samples dropped."""
    rows, size = y2.shape
    finite = np.isfinite(y2)
    groups = pattern_groups(finite)
    smooth, deriv, error = (np.full((rows, size), np.nan) for _ in range(3))
    pieces: list[tuple[np.ndarray, str, dict]] = []
    notes: list[str] = []
    for idx, mask in groups:
        count = int(mask.sum())
        if count < minimum:
            raise ValueError(
                f"`y` must have at least {minimum} finite samples along `axis` for method "
                f"{method!r}, got {count}"
            )
        xg, yg = x[mask], y2[np.ix_(idx, mask)]
        if method == "auto":
            parts, note = _auto_parts(yg, xg, n)
            notes.append(note)
        else:
            parts = [(np.arange(idx.size), method, _rows_of(params, idx, rows))]
        for sub, name, given in parts:
            spec = REGISTRY[name]
            extra = {} if spec.non_uniform else {"uniform": _uniform(xg)}
            s, d, e, used = spec.func(yg[sub], xg, n, **given, **extra)
            sel = np.ix_(idx[sub], mask)
            smooth[sel], deriv[sel], error[sel] = s, d, e
            pieces.append((idx[sub], name, used))
    status = np.where(finite, Status.SUCCESS, Status.NONFINITE_INPUT).astype(np.int8)
    names = sorted({name for _, name, _ in pieces})
    missing = int(size * rows - finite.sum())
    message = _message(method, pieces, notes, missing)
    if len(names) == 1:
        return Fitted(smooth, deriv, error, status, names[0], message, _merge(pieces, rows))
    per = np.empty(rows, dtype=object)
    kinds = np.empty(rows, dtype=object)
    for idx, name, used in pieces:
        merged = _merge([(np.arange(idx.size), name, used)], idx.size)
        for j, r in enumerate(idx):
            kinds[r] = name
            per[r] = {k: _item(v, j) for k, v in merged.items()}
    return Fitted(smooth, deriv, error, status, "auto", message, {"method": kinds, "params": per})


def _auto_parts(yg: np.ndarray, xg: np.ndarray, n: int) -> tuple[list, str]:
    """Split the series by the candidate each chose; parameters to fit them with."""
    k = prebin_factor(xg.size)
    yc, xc = yg, xg
    if k > 1:
        yc, xc, counts = bin_data(yg, xg, k)
        if counts[-1] != k:  # equal bins keep uniform x uniform; the tail is not needed
            yc, xc = yc[:, :-1], xc[:-1]
    candidates, pick, scores = choose(yc, xc, n)
    parts = []
    how = []
    for c in np.unique(pick):
        sub = np.nonzero(pick == c)[0]
        name, fixed = candidates[c]
        if k == 1:
            parts.append((sub, name, fixed))
            continue
        given, finest = _parameters(name, fixed, yg[sub], xg, n, k, yc[sub], xc)
        parts.append((sub, name, given))
        how.append(f"{label(name, fixed)} at {finest} samples per average")
    if yg.shape[0] == 1:
        listed = ", ".join(f"{key}: {v[0]:.3g}" for key, v in scores.items())
        name, fixed = candidates[int(pick[0])]
        note = f"auto chose {name!r} {fixed} by 2-fold cross-validation"
        note += f" (scores {listed})" if listed else " (too few samples to cross-validate)"
    else:
        counts = [f"{label(*candidates[c])} x{int(np.sum(pick == c))}" for c in np.unique(pick)]
        note = f"auto chose per series by 2-fold cross-validation: {', '.join(counts)}"
    if k > 1:
        note += (
            f"; chosen on {xc.size} averages of {k} samples, then fitted to all "
            f"{xg.size} samples once ({'; '.join(how)})"
        )
    return parts, note


def _parameters(
    name: str,
    fixed: dict,
    yg: np.ndarray,
    xg: np.ndarray,
    n: int,
    k: int,
    yc: np.ndarray,
    xc: np.ndarray,
) -> tuple[dict, int]:
    """Parameters of ``name`` for every series, chosen on averages of ``k`` samples.

    A series whose smoothing spans too few averages is chosen again on
    averages four times finer (down to the samples themselves), on its own.
    Returns per-series parameters for all samples and the finest ``k`` used.
    """
    func = REGISTRY[name].func
    rows = yg.shape[0]
    given: dict[str, np.ndarray] = {}
    pending = np.arange(rows)
    finest = k
    while pending.size:
        used = func(yc, xc, n, **fixed)[3]
        scaled, coarse = scale_up(name, used, k)
        coarse = np.broadcast_to(coarse, (pending.size,))
        done = ~coarse if k > 1 else np.ones(pending.size, dtype=bool)
        for key, value in scaled.items():
            if np.ndim(value) == 0:
                given[key] = value
                continue
            if key not in given:
                given[key] = np.zeros(rows, dtype=np.asarray(value).dtype)
            given[key][pending[done]] = np.broadcast_to(value, (pending.size,))[done]
        finest = k
        pending = pending[~done]
        if pending.size:
            k = max(1, k // 4)
            yc, xc = (yg[pending], xg) if k == 1 else bin_data(yg[pending], xg, k)[:2]
    return given, finest


def _message(method: str, pieces: list, notes: list[str], missing: int) -> str:
    if method == "auto":
        text = "; ".join(dict.fromkeys(notes))
    else:
        text = f"{method}: {REGISTRY[method].summary}"
    if missing:
        text += f"; {missing} non-finite sample(s) dropped (status NONFINITE_INPUT, df NaN)"
    return text


def _merge(pieces: list[tuple[np.ndarray, str, dict]], rows: int) -> dict:
    """One array per parameter, one value per series (scalars broadcast)."""
    out: dict[str, Any] = {}
    for idx, _name, used in pieces:
        for key, value in used.items():
            arr = np.asarray(value)
            if key not in out:
                out[key] = np.zeros(rows, dtype=arr.dtype)
            elif np.result_type(out[key], arr) != out[key].dtype:
                out[key] = out[key].astype(np.result_type(out[key], arr))
            out[key][idx] = arr
    return out


def _item(values: np.ndarray, j: int) -> Any:
    return values[j].item()


def _rows_of(params: dict, idx: np.ndarray, rows: int) -> dict:
    """The given parameters restricted to the series ``idx`` (scalars stay scalars)."""
    out = {}
    for key, value in params.items():
        arr = np.asarray(value)
        if arr.ndim and arr.size == rows and rows > 1:
            out[key] = arr.reshape(-1)[idx]
        else:
            out[key] = value
    return out


def _uniform(x: np.ndarray) -> bool:
    steps = np.diff(x)
    return bool(np.ptp(steps) <= 1e-9 * np.abs(steps).max()) if steps.size else True

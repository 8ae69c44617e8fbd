"""Independent references for the rule tables' tests: mpmath, complex step, exact linearity.

``check_row`` runs the three checks every table row must pass:

* the value computed while tracing equals NumPy's/SciPy's on plain input;
* the forward-mode and the reverse-mode Jacobians agree to a few ulp
  (relative to the largest entry, 1e-14);
* both agree with an independent reference Jacobian at ``rtol`` (1e-13 where
  the function is well conditioned).

Outputs are flattened to real vectors (complex values as real and imaginary parts).
"""

from __future__ import annotations

import mpmath as mp
import numpy as np

from dfdx import ad
from dfdx.ad._tracer import raw

FWD_REV = 1e-14


def flat(out):
    """An output (array, scalar, tuple of them) as one real float vector."""
    if isinstance(out, tuple):
        return np.concatenate([flat(o) for o in out])
    a = np.asarray(out)
    if np.iscomplexobj(a):
        return np.concatenate([np.ravel(a.real), np.ravel(a.imag)])
    return np.ravel(a).astype(float)


def _flat_traced(out):
    if isinstance(out, tuple):
        return np.concatenate([_flat_traced(o) for o in out])
    parts = [np.ravel(np.real(out)), np.ravel(np.imag(out))] if _complex(out) else [np.ravel(out)]
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def _complex(out):
    return np.iscomplexobj(np.asarray(raw(out)))


def mp_jac(fmp, p, dps=40, h=1e-12):
    """Jacobian of the mpmath function ``fmp(list of mpf) -> list`` at ``p``: a five-point
    central difference at ``dps`` digits (truncation ~h^4, rounding ~10^-dps / h)."""
    p = np.asarray(p, dtype=float).ravel()
    with mp.workdps(dps):
        x0 = [mp.mpf(float(v)) for v in p]
        hh = mp.mpf(h)
        cplx = any(isinstance(mp.mpmathify(v), mp.mpc) for v in fmp(list(x0)))
        cols = []
        for i in range(len(p)):

            def at(k, i=i):
                x = list(x0)
                x[i] += k * hh
                return [mp.mpmathify(v) for v in fmp(x)]

            f2, f1, m1, m2 = at(2), at(1), at(-1), at(-2)
            col = [
                (-a + 8 * b - 8 * c + d) / (12 * hh)
                for a, b, c, d in zip(f2, f1, m1, m2, strict=True)
            ]
            cols.append(col)
        real = [[float(mp.re(c[j])) for c in cols] for j in range(len(cols[0]))]
        imag = [[float(mp.im(c[j])) for c in cols] for j in range(len(cols[0]))]
    out = np.array(real)
    return np.vstack([out, np.array(imag)]) if cplx else out


def cstep_jac(f, p, h=1e-30):
    """Complex-step Jacobian of a function that is holomorphic in ``p`` (real outputs)."""
    p = np.asarray(p, dtype=float)
    cols = [np.imag(f(p + 1j * h * e)) / h for e in np.eye(p.size).reshape(p.size, *p.shape)]
    return np.stack([np.ravel(c) for c in cols], axis=-1)


def linear_jac(f, p):
    """Jacobian of an affine ``f`` (exact up to rounding): ``f(e_i) - f(0)``."""
    p = np.asarray(p, dtype=float)
    zero = flat(f(np.zeros_like(p)))
    cols = [flat(f(e)) - zero for e in np.eye(p.size).reshape(p.size, *p.shape)]
    return np.stack(cols, axis=-1)


def check_row(f, p, ref=None, rtol=1e-13, value=None, vtol=1e-13):
    """The three checks of a table row; ``ref`` is the reference Jacobian (or None)."""
    p = np.asarray(p, dtype=float)
    expected = flat(f(p)) if value is None else flat(value)
    traced = ad.jvp(lambda q: _flat_traced(f(q)), (p,), (np.zeros_like(p),))[0]
    scale_v = max(np.max(np.abs(expected)), 1e-300)
    assert np.max(np.abs(np.asarray(traced) - expected)) <= vtol * scale_v
    g = lambda q: _flat_traced(f(q))  # noqa: E731
    jf = np.reshape(ad.jacobian(g, mode="forward")(p), (expected.size, p.size))
    jr = np.reshape(ad.jacobian(g, mode="reverse")(p), (expected.size, p.size))
    scale = max(np.max(np.abs(jf)), 1e-300)
    assert np.max(np.abs(jf - jr)) <= FWD_REV * scale, np.max(np.abs(jf - jr)) / scale
    if ref is not None:
        ref = np.reshape(ref, jf.shape)
        err = np.max(np.abs(jf - ref)) / max(np.max(np.abs(ref)), 1e-300)
        assert err <= rtol, err
    return jf

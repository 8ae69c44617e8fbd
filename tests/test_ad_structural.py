"""Reductions, shape/indexing and linear algebra: check_grads in both modes to second order.

One row per function (spec table): the callable under test and the shapes of
its random arguments; float64 and float32; complex rows where defined.
"""

from __future__ import annotations

import numpy as np
import pytest

from dfdx.testing import check_grads


def _sym_pd(a):
    return a @ np.swapaxes(a, -1, -2) + 3 * np.eye(a.shape[-1])


def _fix_sign(v):
    # eigenvectors/singular vectors are defined up to sign: fix it smoothly
    return v * np.sign(v[..., :1, :])


# name, function, argument shapes
REDUCTIONS = [
    ("sum", lambda x: np.sum(x), [(2, 3)]),
    ("sum_axis", lambda x: np.sum(x, axis=0), [(2, 3)]),
    ("sum_axes_keep", lambda x: np.sum(x, axis=(0, 2), keepdims=True), [(2, 3, 2)]),
    ("mean", lambda x: np.mean(x, axis=-1), [(2, 3)]),
    ("prod", lambda x: np.prod(x), [(2, 3)]),
    ("prod_axis", lambda x: np.prod(x, axis=1, keepdims=True), [(2, 3)]),
    ("max", lambda x: np.max(x, axis=0), [(2, 3)]),
    ("min", lambda x: np.min(x), [(2, 3)]),
    ("amax", lambda x: np.amax(x, axis=1), [(2, 3)]),
    ("std", lambda x: np.std(x, axis=0), [(3, 2)]),
    ("var_ddof", lambda x: np.var(x, ddof=1), [(4,)]),
    ("cumsum", lambda x: np.cumsum(x, axis=1), [(2, 3)]),
    ("cumsum_flat", lambda x: np.cumsum(x), [(2, 3)]),
    ("cumprod", lambda x: np.cumprod(x + 3, axis=0), [(3, 2)]),
    ("nansum", lambda x: np.nansum(x), [(2, 3)]),
    ("nanmean", lambda x: np.nanmean(x, axis=0), [(2, 3)]),
    ("average_w", lambda x, w: np.average(x, axis=0, weights=w * w + 1), [(3, 2), (3,)]),
    ("ptp", lambda x: np.ptp(x, axis=1), [(2, 3)]),
    ("median", lambda x: np.median(x, axis=0), [(3, 2)]),
    ("median_even", lambda x: np.median(x), [(4,)]),
    ("trapezoid", lambda y, x: np.trapezoid(y, np.cumsum(x * x + 1)), [(4,), (4,)]),
    ("diff", lambda x: np.diff(x, n=2), [(5,)]),
    ("ediff1d", lambda x: np.ediff1d(x), [(2, 3)]),
    ("add.reduce", lambda x: np.add.reduce(x, axis=0), [(2, 3)]),
    ("multiply.accumulate", lambda x: np.multiply.accumulate(x + 3), [(3,)]),
    ("method_sum", lambda x: x.sum(axis=1).mean(), [(2, 3)]),
    ("norm_vec", lambda x: np.linalg.norm(x), [(3,)]),
    ("norm_1", lambda x: np.linalg.norm(x, 1), [(3,)]),
    ("norm_inf", lambda x: np.linalg.norm(x, np.inf), [(3,)]),
    ("norm_p3", lambda x: np.linalg.norm(x, 3), [(3,)]),
    ("norm_axis", lambda x: np.linalg.norm(x, axis=1), [(2, 3)]),
    ("norm_fro", lambda x: np.linalg.norm(x, "fro"), [(2, 3)]),
    ("norm_mat1", lambda x: np.linalg.norm(x, 1, axis=(0, 1)), [(2, 3)]),
    ("vector_norm", lambda x: np.linalg.vector_norm(x, axis=0), [(2, 3)]),
    ("logsumexp_np", lambda x: np.log(np.sum(np.exp(x - np.max(x)))) + np.max(x), [(4,)]),
]

SHAPE = [
    ("reshape", lambda x: np.reshape(x, (3, 2)) * np.arange(6.0).reshape(3, 2), [(2, 3)]),
    ("method_reshape", lambda x: x.reshape(-1) ** 2, [(2, 3)]),
    ("ravel", lambda x: np.ravel(x) ** 2, [(2, 3)]),
    ("flatten", lambda x: x.flatten() ** 2, [(2, 3)]),
    ("transpose", lambda x: np.transpose(x, (1, 2, 0)) ** 2, [(2, 3, 2)]),
    ("T", lambda x: x.T @ x, [(2, 3)]),
    ("moveaxis", lambda x: np.moveaxis(x, 0, -1) ** 2, [(2, 3, 2)]),
    ("swapaxes", lambda x: np.swapaxes(x, 0, 1) ** 2, [(2, 3)]),
    ("rollaxis", lambda x: np.rollaxis(x, 2) ** 2, [(2, 3, 2)]),
    ("squeeze", lambda x: np.squeeze(x) ** 2, [(1, 3)]),
    ("expand_dims", lambda x: np.expand_dims(x, 1) * np.ones((2, 3, 2)), [(3,)]),
    ("broadcast_to", lambda x: np.broadcast_to(x, (2, 3)) ** 2, [(3,)]),
    ("broadcast_arrays", lambda x, y: np.broadcast_arrays(x, y)[0] * y, [(3,), (2, 3)]),
    ("atleast_2d", lambda x: np.atleast_2d(x) ** 2, [(3,)]),
    ("concatenate", lambda x, y: np.concatenate([x, y, x], axis=1) ** 2, [(2, 3), (2, 1)]),
    ("concatenate_none", lambda x, y: np.concatenate([x, y], axis=None) ** 2, [(2,), (2, 2)]),
    ("stack", lambda x, y: np.stack([x, y], axis=-1) ** 2, [(2, 3), (2, 3)]),
    ("hstack", lambda x, y: np.hstack([x, y]) ** 2, [(3,), (2,)]),
    ("vstack", lambda x, y: np.vstack([x, y]) ** 2, [(3,), (2, 3)]),
    ("dstack", lambda x, y: np.dstack([x, y]) ** 2, [(2, 3), (2, 3)]),
    ("column_stack", lambda x, y: np.column_stack([x, y]) ** 2, [(3,), (3, 2)]),
    ("append", lambda x, y: np.append(x, y) ** 2, [(3,), (2,)]),
    ("split", lambda x: np.split(x, 3)[1] ** 2, [(6,)]),
    ("array_split", lambda x: np.array_split(x, 2, axis=1)[0] ** 2, [(2, 3)]),
    ("hsplit", lambda x: np.hsplit(x, 2)[1] * 3, [(2, 4)]),
    ("vsplit", lambda x: np.vsplit(x, 2)[1] * 3, [(4, 2)]),
    ("tile", lambda x: np.tile(x, (2, 3)) ** 2, [(2, 2)]),
    ("repeat", lambda x: np.repeat(x, [1, 2, 3], axis=0) ** 2, [(3, 2)]),
    ("repeat_flat", lambda x: np.repeat(x, 2) ** 2, [(2, 2)]),
    ("flip", lambda x: np.flip(x, 0) * np.arange(6.0).reshape(2, 3), [(2, 3)]),
    ("fliplr", lambda x: np.fliplr(x) ** 2, [(2, 3)]),
    ("flipud", lambda x: np.flipud(x) ** 2, [(2, 3)]),
    ("roll", lambda x: np.roll(x, 1, axis=1) * np.arange(6.0).reshape(2, 3), [(2, 3)]),
    ("roll_flat", lambda x: np.roll(x, 2) * np.arange(6.0).reshape(2, 3), [(2, 3)]),
    ("rot90", lambda x: np.rot90(x) * np.arange(6.0).reshape(3, 2), [(2, 3)]),
    ("pad_constant", lambda x: np.pad(x, 1, constant_values=2.0) ** 2, [(2, 3)]),
    ("pad_edge", lambda x: np.pad(x, ((1, 2), (0, 1)), mode="edge") ** 2, [(2, 3)]),
    ("pad_reflect", lambda x: np.pad(x, 2, mode="reflect") ** 2, [(4,)]),
    ("where", lambda x, y: np.where(x > 0, x * y, y**2), [(2, 3), (3,)]),
    ("take", lambda x: np.take(x, [2, 0, 2], axis=1) ** 2, [(2, 3)]),
    ("take_flat", lambda x: np.take(x, [5, 0]) ** 2, [(2, 3)]),
    ("take_along_axis", lambda x: np.take_along_axis(x, np.array([[0], [2]]), 1) ** 2, [(2, 3)]),
    ("sort", lambda x: np.sort(x, axis=1) * np.arange(6.0).reshape(2, 3), [(2, 3)]),
    ("getitem_basic", lambda x: x[1:, ::2] ** 2, [(3, 4)]),
    ("getitem_int", lambda x: x[1] ** 2 + x[0, 2], [(3, 4)]),
    ("getitem_newaxis", lambda x: x[None, :, 1] ** 2, [(3, 4)]),
    ("getitem_ellipsis", lambda x: x[..., 1] ** 2, [(2, 3, 4)]),
    ("getitem_adv_dup", lambda x: x[[0, 2, 0]] ** 2, [(3, 2)]),
    ("getitem_adv_2", lambda x: x[[0, 2], [1, 1]] ** 2, [(3, 2)]),
    ("getitem_adv_mixed", lambda x: x[:, [1, 0, 1]] ** 2, [(2, 3)]),
    ("getitem_bool", lambda x: x[x > 0] ** 2, [(2, 3)]),
    ("getitem_adv_split", lambda x: x[[0, 2], :, [1, 1]] ** 2, [(3, 2, 3)]),
    ("setitem_adv_split", lambda x, v: _setitem_split(x, v) ** 2, [(3, 2, 3), (2, 2)]),
    ("astype_int_is_constant", lambda x: x.astype(int) * x + x.astype(np.complex128).real, [(3,)]),
    ("iter", lambda x: sum(r**2 for r in x), [(3, 2)]),
    ("setitem", lambda x, v: _setitem(x, v), [(3, 4), (4,)]),
    ("setitem_zeros_like", lambda x: _cumulative(x), [(4,)]),
    ("iadd", lambda x: _iadd(x), [(3,)]),
    ("diag_vec", lambda x: np.diag(x, 1) ** 2, [(3,)]),
    ("diag_mat", lambda x: np.diag(x) ** 2, [(3, 3)]),
    ("diagonal", lambda x: np.diagonal(x, 1, 1, 2) ** 2, [(2, 3, 3)]),
    ("triu", lambda x: np.triu(x, 1) ** 2, [(3, 3)]),
    ("tril", lambda x: np.tril(x) ** 2, [(3, 3)]),
    ("clip", lambda x: np.clip(x, -0.5, 0.5) * x, [(2, 3)]),
    ("clip_method", lambda x: x.clip(max=0.3) ** 2, [(2, 3)]),
    ("clip_traced_inside", lambda x, lo: np.clip(x, lo - 2, lo + 2) * lo, [(3,), (3,)]),
    ("clip_traced_above", lambda x, lo: np.clip(x + 5, lo, lo + 1) * x, [(3,), (3,)]),
    ("select", lambda x: np.select([x < -0.3, x < 0.3], [x**2, np.sin(x)], x**3), [(2, 3)]),
    (
        "interp_x",
        lambda x: np.interp(x, np.array([-1.0, -0.1, 0.2, 1.0]), [1.0, 3.0, 2.0, 5.0]),
        [(5,)],
    ),
    (
        "interp_fp",
        lambda fp: np.interp(np.array([-2.0, 0.1, 0.5, 3.0]), np.arange(4.0) - 1, fp),
        [(4,)],
    ),
    (
        "interp_xp",
        lambda xp: np.interp(np.array([0.5, 1.5]), np.cumsum(xp * xp + 1) - 1, np.arange(3.0) ** 2),
        [(3,)],
    ),
    ("copy", lambda x: np.copy(x) ** 2 + x.copy(), [(3,)]),
    ("astype", lambda x: x.astype(np.float64) ** 2, [(3,)]),
    ("real_imag", lambda x: np.real(x * (1 + 2j)) * np.imag(x * (2 - 1j)), [(3,)]),
    ("meshgrid", lambda x, y: np.meshgrid(x, y)[0] * np.meshgrid(x, y)[1], [(3,), (2,)]),
    ("sinc_zero", lambda x: np.sinc(x * 0), [(3,)]),
]

LINALG = [
    ("matmul_mm", lambda a, b: a @ b, [(2, 3), (3, 2)]),
    ("matmul_mv", lambda a, b: a @ b, [(2, 3), (3,)]),
    ("matmul_vm", lambda a, b: a @ b, [(3,), (3, 2)]),
    ("matmul_vv", lambda a, b: a @ b, [(3,), (3,)]),
    ("matmul_batch", lambda a, b: np.matmul(a, b), [(2, 2, 3), (3, 2)]),
    ("matmul_v_batch", lambda a, b: a @ b, [(3,), (2, 3, 2)]),
    ("matmul_batch_v", lambda a, b: a @ b, [(2, 2, 3), (3,)]),
    ("dot", lambda a, b: np.dot(a, b), [(2, 3), (3,)]),
    ("dot_scalar", lambda a, b: np.dot(a, b[0]), [(2, 3), (3,)]),
    ("dot_3d", lambda a, b: np.dot(a, b), [(2, 3), (2, 3, 2)]),
    ("method_dot", lambda a, b: a.dot(b), [(2, 3), (3,)]),
    ("vdot", lambda a, b: np.vdot(a, b), [(2, 3), (2, 3)]),
    ("inner", lambda a, b: np.inner(a, b), [(2, 3), (4, 3)]),
    ("outer", lambda a, b: np.outer(a, b), [(3,), (2,)]),
    ("multiply.outer", lambda a, b: np.multiply.outer(a, b), [(3,), (2,)]),
    ("tensordot", lambda a, b: np.tensordot(a, b, axes=([1, 0], [0, 1])), [(2, 3), (3, 2)]),
    ("tensordot_int", lambda a, b: np.tensordot(a, b, 1), [(2, 3), (3, 2)]),
    ("einsum", lambda a, b: np.einsum("ij,jk->ik", a, b), [(2, 3), (3, 2)]),
    ("einsum_sum", lambda a, b: np.einsum("ij,k->k", a, b), [(2, 3), (2,)]),
    ("einsum_ellipsis", lambda a, b: np.einsum("...ij,...j", a, b), [(2, 2, 3), (3,)]),
    ("einsum_3", lambda a, b, c: np.einsum("i,ij,j", a, b, c), [(2,), (2, 3), (3,)]),
    ("einsum_trace", lambda a: np.einsum("ii", a) * a, [(3, 3)]),
    ("einsum_diag", lambda a: np.einsum("ii->i", a) ** 2, [(3, 3)]),
    ("einsum_diag_mixed", lambda a, b: np.einsum("iij,jk->ik", a, b), [(2, 2, 3), (3, 2)]),
    ("einsum_diag_3", lambda a, b: np.einsum("iji,i->j", a, b) ** 2, [(2, 3, 2), (2,)]),
    ("einsum_diag_both", lambda a, b: np.einsum("ii,jj->ij", a, b), [(2, 2), (3, 3)]),
    ("einsum_diag_sum", lambda a: np.einsum("iij->", a * a), [(2, 2, 3)]),
    ("einsum_diag_ellipsis", lambda a: np.einsum("...ii->...i", a) ** 2, [(2, 3, 3)]),
    ("kron", lambda a, b: np.kron(a, b), [(2, 2), (2, 3)]),
    ("trace", lambda a: np.trace(a) * a, [(3, 3)]),
    ("cross", lambda a, b: np.cross(a, b), [(2, 3), (3,)]),
    ("multi_dot", lambda a, b: np.linalg.multi_dot([a, b, a.T]), [(2, 3), (3, 3)]),
    ("matrix_power", lambda a: np.linalg.matrix_power(a + 2 * np.eye(3), 3), [(3, 3)]),
    ("matrix_power_neg", lambda a: np.linalg.matrix_power(a + 3 * np.eye(3), -2), [(3, 3)]),
    ("inv", lambda a: np.linalg.inv(a + 3 * np.eye(3)), [(3, 3)]),
    ("inv_batch", lambda a: np.linalg.inv(a + 3 * np.eye(2)), [(2, 2, 2)]),
    ("solve_vec", lambda a, b: np.linalg.solve(a + 3 * np.eye(3), b), [(3, 3), (3,)]),
    ("solve_mat", lambda a, b: np.linalg.solve(a + 3 * np.eye(3), b), [(3, 3), (3, 2)]),
    ("det", lambda a: np.linalg.det(a + 3 * np.eye(3)), [(3, 3)]),
    ("slogdet", lambda a: np.linalg.slogdet(a + 3 * np.eye(3))[1], [(3, 3)]),
    ("cholesky", lambda a: np.linalg.cholesky(_sym_pd(a)), [(3, 3)]),
    ("cholesky_upper", lambda a: np.linalg.cholesky(_sym_pd(a), upper=True), [(3, 3)]),
    ("eigh_w", lambda a: np.linalg.eigh(_sym_pd(a))[0], [(3, 3)]),
    ("eigh_v", lambda a: _fix_sign(np.linalg.eigh(_sym_pd(a))[1]), [(3, 3)]),
    ("eigvalsh", lambda a: np.linalg.eigvalsh(_sym_pd(a)), [(3, 3)]),
    ("svd_s", lambda a: np.linalg.svd(a, compute_uv=False), [(3, 2)]),
    ("svd_u", lambda a: _fix_sign(np.linalg.svd(a, full_matrices=False)[0]), [(4, 3)]),
    ("svd_vh", lambda a: _svd_vh(a), [(3, 4)]),
    ("svdvals", lambda a: np.linalg.svdvals(a), [(3, 4)]),
    ("qr_q", lambda a: np.linalg.qr(a)[0], [(4, 3)]),
    ("qr_r", lambda a: np.linalg.qr(a)[1], [(3, 3)]),
    ("pinv", lambda a: np.linalg.pinv(a), [(4, 3)]),
    ("norm_2", lambda a: np.linalg.norm(a, 2), [(3, 3)]),
    ("norm_nuc", lambda a: np.linalg.norm(a, "nuc"), [(3, 2)]),
    ("matrix_norm", lambda a: np.linalg.matrix_norm(a), [(3, 2)]),
    ("vecdot", lambda a, b: np.vecdot(a, b), [(2, 3), (3,)]),
    ("fft", lambda a: np.abs(np.fft.fft(a, axis=0)) ** 2, [(4, 2)]),
    ("ifft_ortho", lambda a: np.real(np.fft.ifft(a * (1 + 1j), norm="ortho")), [(4,)]),
    ("fft2", lambda a: np.imag(np.fft.fft2(a)), [(2, 3, 4)]),
    ("fftn_ifftn", lambda a: np.real(np.fft.ifftn(np.fft.fftn(a) * a)), [(3, 2)]),
    ("fftshift", lambda a: np.fft.ifftshift(np.fft.fftshift(a) * np.arange(5.0)), [(5,)]),
]


def _svd_vh(a):
    u, _s, vh = np.linalg.svd(a, full_matrices=False)
    return vh * np.sign(u[:1, :]).T


def _setitem(x, v):
    y = x * 1.0
    y[1] = v * y[0]
    y[2, 1:3] = np.sin(v[:2])
    y[[0, 2], 0] = 5.0
    return y


def _setitem_split(x, v):
    y = x * 1.0
    y[[0, 2], :, [1, 1]] = v
    return y


def _cumulative(x):
    y = np.zeros_like(x)
    y[0] = x[0]
    for i in range(1, x.shape[0]):
        y[i] = y[i - 1] * x[i] + x[i]
    return y


def _iadd(x):
    y = x * 2
    y += x**2
    y *= x
    y -= 1.0
    y /= 2.0
    return y


def _args(shapes, dtype, seed=0):
    rng = np.random.default_rng(seed)
    return tuple((rng.random(s) * 1.6 - 0.8).astype(dtype) for s in shapes)


def _cases(table):
    return pytest.mark.parametrize(("name", "f", "shapes"), table, ids=[r[0] for r in table])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@_cases(REDUCTIONS)
def test_reductions(name, f, shapes, dtype):
    check_grads(f, _args(shapes, dtype))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@_cases(SHAPE)
def test_shape_and_indexing(name, f, shapes, dtype):
    check_grads(f, _args(shapes, dtype))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@_cases(LINALG)
def test_linalg(name, f, shapes, dtype):
    rtol = 1e-2 if dtype == np.float32 else None
    check_grads(f, _args(shapes, dtype), rtol=rtol)


COMPLEX = [
    ("sum", lambda z: np.sum(z**2), [(3,)]),
    ("abs", lambda z: np.abs(z) ** 2, [(3,)]),
    ("norm", lambda z: np.linalg.norm(z), [(3,)]),
    ("var", lambda z: np.var(z), [(3,)]),
    ("matmul", lambda a, b: a @ b, [(2, 3), (3,)]),
    ("inv", lambda a: np.linalg.inv(a + 3 * np.eye(3)), [(3, 3)]),
    ("solve", lambda a, b: np.linalg.solve(a + 3 * np.eye(3), b), [(3, 3), (3,)]),
    ("det", lambda a: np.linalg.det(a + 3 * np.eye(3)), [(3, 3)]),
    ("einsum", lambda a, b: np.einsum("ij,j->i", a, b), [(2, 3), (3,)]),
    ("einsum_diag", lambda a, b: np.einsum("iij,j->i", a, b), [(2, 2, 3), (3,)]),
    ("setitem", lambda x, v: _setitem(x, v), [(3, 4), (4,)]),
    ("real_imag_conj", lambda z: np.real(z) * np.imag(z) + np.conj(z), [(3,)]),
    ("angle", lambda z: np.arctan2(np.imag(z), np.real(z)), [(3,)]),
    ("fft", lambda z: np.fft.fft(z) * z, [(4,)]),
    ("ifft2", lambda z: np.fft.ifft2(z), [(2, 3)]),
    # non-holomorphic factorisations (see docs/ad.md): vectors only through gauge-invariant
    # functions (a phase fixed from the first row, or projectors)
    ("slogdet_logabs", lambda a: np.linalg.slogdet(a + 3 * np.eye(3))[1], [(3, 3)]),
    ("slogdet_sign", lambda a: np.linalg.slogdet(a + 3 * np.eye(3))[0], [(3, 3)]),
    ("cholesky", lambda a: np.linalg.cholesky(_herm_pd(a)), [(3, 3)]),
    ("cholesky_upper_batch", lambda a: np.linalg.cholesky(_herm_pd(a), upper=True), [(2, 3, 3)]),
    ("eigh_w", lambda a: np.linalg.eigh(_herm_pd(a))[0], [(3, 3)]),
    ("eigh_v", lambda a: _fix_phase(np.linalg.eigh(_herm_pd(a))[1]), [(3, 3)]),
    ("eigh_projector", lambda a: _projector(np.linalg.eigh(_herm_pd(a))[1][:, :2]), [(3, 3)]),
    ("svd_s", lambda a: np.linalg.svd(a, compute_uv=False), [(3, 2)]),
    ("svd_u_tall", lambda a: _fix_phase(np.linalg.svd(a, full_matrices=False)[0]), [(4, 3)]),
    ("svd_v_tall", lambda a: _fix_phase(_mh(np.linalg.svd(a, full_matrices=False)[2])), [(4, 3)]),
    ("svd_v_wide", lambda a: _fix_phase(_mh(np.linalg.svd(a, full_matrices=False)[2])), [(3, 4)]),
    ("svd_usv", lambda a: _usv(*np.linalg.svd(a, full_matrices=False)), [(3, 4)]),
    ("qr_q", lambda a: np.linalg.qr(a)[0], [(4, 3)]),
    ("qr_r", lambda a: np.linalg.qr(a)[1], [(3, 3)]),
    ("pinv", lambda a: np.linalg.pinv(a), [(4, 3)]),
    ("norm_nuc", lambda a: np.linalg.norm(a, "nuc"), [(3, 2)]),
]


def _mh(a):
    return np.conj(np.swapaxes(a, -1, -2))


def _herm_pd(a):
    return a @ _mh(a) + 3 * np.eye(a.shape[-1])


def _fix_phase(v):
    # columns are defined up to a phase each: fix it smoothly from the first row
    p = v[..., :1, :]
    return v * (np.conj(p) / np.abs(p))


def _projector(v):
    return v @ _mh(v)


def _usv(u, s, vh):
    return (u * s) @ vh


@_cases(COMPLEX)
def test_complex(name, f, shapes):
    rng = np.random.default_rng(3)
    args = tuple(rng.random(s) - 0.5 + 1j * (rng.random(s) - 0.5) for s in shapes)
    check_grads(f, args)

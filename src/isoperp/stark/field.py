"""BabyBear prime field and its quartic extension, vectorised over numpy ``uint64``.

Base-field elements are canonical integers in ``[0, P)`` stored in ``uint64`` arrays; the
product of two canonical elements is below ``2**62`` so it never overflows before reduction.
Extension elements of ``F[X]/(X^4 - 11)`` are arrays whose last axis has length 4
(coefficients of ``1, X, X^2, X^3``).  Source of the modulus and extension polynomial:
Plonky3 ``baby-bear/src/baby_bear.rs`` / ``extension.rs``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import numpy.typing as npt

Arr = npt.NDArray[np.uint64]
ArrLike = npt.NDArray[np.uint64] | np.uint64

P = 15 * (1 << 27) + 1  # 2013265921
P64 = np.uint64(P)
W_EXT = 11  # X^4 = 11 (a non-residue, so X^4 - 11 is irreducible over BabyBear)
TWO_ADICITY = 27
GENERATOR = 31  # a generator of the multiplicative group of BabyBear
BASE_BITS = math.log2(P)
EXT_DEGREE = 4
EXT_BITS = EXT_DEGREE * BASE_BITS


@lru_cache(maxsize=64)
def root_of_unity(log_n: int) -> int:
    """A primitive ``2**log_n``-th root of unity."""
    if not 0 <= log_n <= TWO_ADICITY:
        raise ValueError("no root of unity of that order in BabyBear")
    g = pow(GENERATOR, (P - 1) >> TWO_ADICITY, P)
    return pow(g, 1 << (TWO_ADICITY - log_n), P)


def inv(x: int) -> int:
    if x % P == 0:
        raise ZeroDivisionError("inverse of zero")
    return pow(x, P - 2, P)


def asarr(x: object) -> Arr:
    return np.asarray(x, dtype=np.uint64)


# ---------------------------------------------------------------- base field, vectorised


def add(a: ArrLike, b: ArrLike) -> Arr:
    s: Arr = np.add(a, b)
    return np.minimum(s, np.subtract(s, P64))


def sub(a: ArrLike, b: ArrLike) -> Arr:
    s: Arr = np.add(a, np.subtract(P64, b))
    return np.minimum(s, np.subtract(s, P64))


def neg(a: ArrLike) -> Arr:
    s: Arr = np.subtract(P64, a)
    return np.minimum(s, np.subtract(s, P64))


def mul(a: ArrLike, b: ArrLike) -> Arr:
    r: Arr = np.remainder(np.multiply(a, b), P64)
    return r


def _square_and_multiply(mul_fn: Callable[[Arr, Arr], Arr], one: Arr, a: Arr, e: int) -> Arr:
    """a^e elementwise for e >= 0, in whichever field ``mul_fn`` multiplies."""
    result = one
    base = a.copy()
    while e:
        if e & 1:
            result = mul_fn(result, base)
        e >>= 1
        if e:
            base = mul_fn(base, base)
    return result


def pow_arr(a: Arr, e: int) -> Arr:
    return _square_and_multiply(mul, np.ones_like(a), a, e)


def inv_arr(a: Arr) -> Arr:
    """Elementwise inverse (Fermat); zero maps to zero, callers must exclude it."""
    return pow_arr(a, P - 2)


def powers(x: int, n: int) -> Arr:
    """``[1, x, x^2, ..., x^(n-1)]`` computed by doubling (vectorised)."""
    out = np.empty(max(n, 1), dtype=np.uint64)
    out[0] = 1
    filled = 1
    step = x % P
    while filled < n:
        take = min(filled, n - filled)
        out[filled : filled + take] = (out[:take] * np.uint64(step)) % P64
        filled += take
        step = step * step % P
    return out[:n]


# ---------------------------------------------------------------- quartic extension

ExtLike = Arr  # shape (..., 4)


def ext(c0: int, c1: int = 0, c2: int = 0, c3: int = 0) -> Arr:
    return np.array([c0 % P, c1 % P, c2 % P, c3 % P], dtype=np.uint64)


def ext_from_base(a: Arr) -> Arr:
    out = np.zeros((*np.shape(a), 4), dtype=np.uint64)
    out[..., 0] = a
    return out


def ext_add(a: Arr, b: Arr) -> Arr:
    return add(a, b)


def ext_sub(a: Arr, b: Arr) -> Arr:
    return sub(a, b)


def ext_neg(a: Arr) -> Arr:
    return neg(a)


def ext_mul(a: Arr, b: Arr) -> Arr:
    a0, a1, a2, a3 = a[..., 0], a[..., 1], a[..., 2], a[..., 3]
    b0, b1, b2, b3 = b[..., 0], b[..., 1], b[..., 2], b[..., 3]
    w = np.uint64(W_EXT)
    # each pair of products is < 2**63, reduce before the next addition
    hi0 = ((a1 * b3 + a2 * b2) % P64 + a3 * b1) % P64
    hi1 = (a2 * b3 + a3 * b2) % P64
    hi2 = (a3 * b3) % P64
    shape = np.broadcast_shapes(a.shape, b.shape)
    out = np.empty(shape, dtype=np.uint64)
    out[..., 0] = (a0 * b0 + w * hi0) % P64
    out[..., 1] = ((a0 * b1 + a1 * b0) % P64 + w * hi1) % P64
    out[..., 2] = ((a0 * b2 + a1 * b1) % P64 + a2 * b0 + w * hi2) % P64
    out[..., 3] = ((a0 * b3 + a1 * b2) % P64 + (a2 * b1 + a3 * b0) % P64) % P64
    return out


def ext_scale(a: Arr, s: ArrLike) -> Arr:
    """Extension element(s) times base element(s)."""
    r: Arr = (a * np.asarray(s, dtype=np.uint64)[..., None]) % P64
    return r


def ext_square(a: Arr) -> Arr:
    return ext_mul(a, a)


def ext_pow(a: Arr, e: int) -> Arr:
    one = np.zeros_like(a)
    one[..., 0] = 1
    return _square_and_multiply(ext_mul, one, a, e)


def ext_inv(a: Arr) -> Arr:
    """Inverse via the norm: a(X)·a(-X) lies in F[X^2], whose norm lies in F. Vectorised."""
    a0, a1, a2, a3 = a[..., 0], a[..., 1], a[..., 2], a[..., 3]
    conj = np.stack([a0, neg(a1), a2, neg(a3)], axis=-1)
    b = ext_mul(a, conj)  # = b0 + b2 X^2
    b0, b2 = b[..., 0], b[..., 2]
    # (b0 + b2 Y)(b0 - b2 Y) = b0^2 - 11 b2^2 with Y = X^2, Y^2 = 11
    norm = sub(mul(b0, b0), mul(np.uint64(W_EXT), mul(b2, b2)))
    if np.any(norm == 0):
        raise ZeroDivisionError("inverse of zero in the extension field")
    ninv = inv_arr(norm)
    bconj = np.zeros_like(a)
    bconj[..., 0] = mul(b0, ninv)
    bconj[..., 2] = mul(neg(b2), ninv)
    return ext_mul(conj, bconj)


def ext_powers(x: Arr, n: int) -> Arr:
    out = np.empty((max(n, 1), 4), dtype=np.uint64)
    out[0] = ext(1)
    filled = 1
    step = x.copy()
    while filled < n:
        take = min(filled, n - filled)
        out[filled : filled + take] = ext_mul(out[:take], step[None, :])
        filled += take
        step = ext_mul(step, step)
    return out[:n]


def ext_is_zero(a: Arr) -> bool:
    return bool(np.all(a == 0))


def ext_eq(a: Arr, b: Arr) -> bool:
    return bool(np.array_equal(a, b))


def ext_eval_poly(coeffs: Arr, x: Arr) -> Arr:
    """Horner evaluation of an extension-coefficient polynomial at extension point(s)."""
    acc = np.zeros(np.broadcast_shapes(coeffs.shape[1:], x.shape), dtype=np.uint64)
    for c in coeffs[::-1]:
        acc = ext_add(ext_mul(acc, x), np.broadcast_to(c, acc.shape))
    return acc


# ---------------------------------------------------------------- fast linear combinations


def combine_base_ext(values: Arr, coeffs: Arr) -> Arr:
    """``sum_k values[k, i] * coeffs[k]`` for base ``values`` (K, N) with entries below
    2**31 (canonical) and coefficients ``coeffs`` (K, C) (C = 4 for one extension element);
    returns (N, C) reduced mod p.

    Exact with float64 BLAS: the coefficients are cut into L limbs of b bits with
    K·2^31·2^b < 2^53, so every dot product is an exact integer; the limb results are
    recombined modulo p.  The values are converted once, not split."""
    k, n = values.shape
    c = coeffs.shape[1]
    if k == 0:
        return np.zeros((n, c), dtype=np.uint64)
    if k > 1 << 21:
        raise ValueError("too many terms for an exact float64 combination")
    bits = min(16, 22 - max(0, (k - 1).bit_length()))  # K·2^31·2^bits <= 2^53
    limbs = -(-31 // bits)
    mask = np.uint64((1 << bits) - 1)
    parts = [((coeffs >> np.uint64(bits * j)) & mask) for j in range(limbs)]
    cmat = np.concatenate(parts, axis=1).astype(np.float64)  # (K, L·C)
    prod = cmat.T @ values.astype(np.float64)  # (L·C, N), exact integers < 2^53
    acc = np.zeros((c, n), dtype=np.uint64)
    for j in range(limbs):
        part = prod[j * c : (j + 1) * c].astype(np.uint64) % P64
        acc = (acc + part * np.uint64(pow(2, bits * j, P))) % P64
    r: Arr = np.ascontiguousarray(acc.T)
    return r

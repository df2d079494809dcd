"""Fast ECDSA verification for a few fixed public keys, with precomputed fixed-base tables.

Why: fast-stark-crypto verifies one STARK-curve signature in about 0.8 ms on this machine
(and crypto-cpp-py's ``cpp_verify`` in about 2.2 ms), short of the oracle's target of 2,000
verifications per second on one core. Oracle signers are a short whitelist, so each key's
multiples can be tabulated once: with w-bit windows, u·P is the sum of one table entry per
window, so a verification costs about 2·252/w mixed additions and no doublings. The field
arithmetic runs on GMP integers (gmpy2), which is what makes the Python loop fast enough.

The acceptance rule is StarkWare's [starkex-resources crypto/starkware/crypto/signature/
signature.py, ``verify``]: 1 <= r < 2^251, 1 <= s < EC_ORDER, w = s⁻¹ mod EC_ORDER with
1 <= w < 2^251, 0 <= msg_hash < 2^251, and x((msg_hash·G + r·Q)·w) == r, where the public key
is given by its x coordinate only, so both points ±Q with that x are tried. The tests check
this module against StarkWare's vectors and against fast-stark-crypto on random inputs.
"""

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

import gmpy2  # type: ignore[import-untyped]

from isoperp.crypto.curve import ALPHA, BETA, EC_ORDER, FIELD_PRIME, GENERATOR, SIGNATURE_BOUND

WINDOW_BITS = 8
SCALAR_BITS = 252

_mpz: Callable[[int], Any] = gmpy2.mpz
_P = _mpz(FIELD_PRIME)

Affine = tuple[Any, Any]  # (x, y) as gmpy2 integers; None is the point at infinity
Jacobian = tuple[Any, Any, Any]  # (X, Y, Z) with x = X/Z², y = Y/Z³


def _affine_add(a: Affine | None, b: Affine | None) -> Affine | None:
    if a is None:
        return b
    if b is None:
        return a
    (x1, y1), (x2, y2) = a, b
    if x1 == x2:
        if (y1 + y2) % _P == 0:
            return None
        slope = (3 * x1 * x1 + ALPHA) * gmpy2.invert(2 * y1, _P) % _P
    else:
        slope = (y2 - y1) * gmpy2.invert(x2 - x1, _P) % _P
    x3 = (slope * slope - x1 - x2) % _P
    return (x3, (slope * (x1 - x3) - y1) % _P)


def _double(a: Jacobian) -> Jacobian | None:
    x, y, z = a
    if y == 0:
        return None
    yy = y * y % _P
    s = 4 * x * yy % _P
    zz = z * z % _P
    m = (3 * x * x + ALPHA * zz * zz) % _P
    x3 = (m * m - 2 * s) % _P
    return (x3, (m * (s - x3) - 8 * yy * yy) % _P, 2 * y * z % _P)


def _add_affine(acc: Jacobian | None, q: Affine) -> Jacobian | None:
    """acc + q for a Jacobian accumulator and an affine point (mixed addition)."""
    if acc is None:
        return (q[0], q[1], _mpz(1))
    x1, y1, z1 = acc
    z1z1 = z1 * z1 % _P
    h = (q[0] * z1z1 - x1) % _P
    r = (q[1] * z1 * z1z1 - y1) % _P
    if h == 0:
        return _double(acc) if r == 0 else None
    hh = h * h % _P
    hhh = h * hh % _P
    v = x1 * hh % _P
    x3 = (r * r - hhh - 2 * v) % _P
    return (x3, (r * (v - x3) - y1 * hhh) % _P, z1 * h % _P)


class FixedBaseTable:
    """Multiples d·2^(w·i)·P for every window i and digit d, so u·P needs no doubling."""

    def __init__(self, point: tuple[int, int]) -> None:
        base: Affine | None = (_mpz(point[0]), _mpz(point[1]))
        rows: list[tuple[Affine | None, ...]] = []
        for _ in range(-(-SCALAR_BITS // WINDOW_BITS)):
            row: list[Affine | None] = [None]
            for _digit in range(1, 1 << WINDOW_BITS):
                row.append(_affine_add(row[-1], base))
            rows.append(tuple(row))
            base = _affine_add(row[-1], base)
        self._rows = tuple(rows)

    def multiply(self, scalar: int) -> Jacobian | None:
        """scalar·P for 0 <= scalar < 2^252, in Jacobian coordinates (None: infinity)."""
        acc: Jacobian | None = None
        mask = (1 << WINDOW_BITS) - 1
        for row in self._rows:
            digit = scalar & mask
            entry = row[digit]
            if entry is not None:
                acc = _add_affine(acc, entry)
            scalar >>= WINDOW_BITS
        return acc


def _sqrt_mod_prime(value: int) -> int | None:
    """A square root modulo FIELD_PRIME (Tonelli–Shanks), or None for a non-residue."""
    p = FIELD_PRIME
    if value % p == 0:
        return 0
    if pow(value, (p - 1) // 2, p) != 1:
        return None
    q, twos = p - 1, 0
    while q % 2 == 0:
        q, twos = q // 2, twos + 1
    non_residue = 3
    while pow(non_residue, (p - 1) // 2, p) != p - 1:
        non_residue += 1
    m, c, t, root = twos, pow(non_residue, q, p), pow(value, q, p), pow(value, (q + 1) // 2, p)
    while t != 1:
        i, t2 = 0, t
        while t2 != 1:
            t2, i = t2 * t2 % p, i + 1
        b = pow(c, 1 << (m - i - 1), p)
        m, c, t, root = i, b * b % p, t * b * b % p, root * b % p
    return root


@lru_cache(maxsize=1)
def _generator_table() -> FixedBaseTable:
    return FixedBaseTable(GENERATOR)


class PrecomputedKey:
    """A public key (x coordinate) ready for fast repeated verification."""

    def __init__(self, public_key_x: int, point: tuple[int, int]) -> None:
        self.public_key_x = public_key_x
        self._table = FixedBaseTable(point)

    def verify(self, msg_hash: int, r: int, s: int) -> bool:
        """StarkWare's ECDSA acceptance rule (see the module docstring)."""
        values = (msg_hash, r, s)
        if any(type(v) is not int for v in values):
            return False
        if not (1 <= r < SIGNATURE_BOUND and 1 <= s < EC_ORDER and 0 <= msg_hash < SIGNATURE_BOUND):
            return False
        w = pow(s, -1, EC_ORDER)
        if w >= SIGNATURE_BOUND:
            return False
        from_generator = _generator_table().multiply(msg_hash * w % EC_ORDER)
        from_key = self._table.multiply(r * w % EC_ORDER)
        if from_key is None:
            return False
        x, y, z = from_key
        z_inv = gmpy2.invert(z, _P)
        z_inv2 = z_inv * z_inv % _P
        kx, ky = x * z_inv2 % _P, y * z_inv2 * z_inv % _P
        for candidate in ((kx, ky), (kx, _P - ky)):
            total = _add_affine(from_generator, candidate)
            if total is not None and total[0] == r * total[2] * total[2] % _P:
                return True
        return False


def precomputed_key(public_key_x: int) -> PrecomputedKey | None:
    """The fast verifier of a public key, or None if no curve point has that x (cached)."""
    if type(public_key_x) is not int or not 0 <= public_key_x < FIELD_PRIME:
        return None
    return _precompute(public_key_x)


@lru_cache(maxsize=64)  # about 1.3 MB of table per key; oracle whitelists are short
def _precompute(public_key_x: int) -> PrecomputedKey | None:
    y = _sqrt_mod_prime((public_key_x**3 + ALPHA * public_key_x + BETA) % FIELD_PRIME)
    if y is None:
        return None
    return PrecomputedKey(public_key_x, (public_key_x, y))


def prepare_keys(public_keys_x: Iterable[int]) -> None:
    """Build the tables ``verify_fast`` needs for these keys, and the generator's, now
    (when the keys are whitelisted) rather than on each key's first signature."""
    _generator_table()
    for key in public_keys_x:
        precomputed_key(key)


def verify_fast(public_key_x: int, msg_hash: int, r: int, s: int) -> bool:
    """Same answers as ``isoperp.crypto.verify``; fast once a key's table is built (~50 ms)."""
    key = precomputed_key(public_key_x)
    return key is not None and key.verify(msg_hash, r, s)

import numpy as np
import pytest

from isoperp.stark import field as F
from isoperp.stark import ntt

P = F.P
rng = np.random.default_rng(11)


def _naive_dft(a: list[int], root: int) -> list[int]:
    n = len(a)
    return [sum(a[j] * pow(root, i * j, P) for j in range(n)) % P for i in range(n)]


def test_constants() -> None:
    assert P == 2013265921 == 15 * 2**27 + 1
    for q in (2, 3, 5):  # 31 generates the multiplicative group
        assert pow(F.GENERATOR, (P - 1) // q, P) != 1
    w = F.root_of_unity(27)
    assert pow(w, 1 << 27, P) == 1 and pow(w, 1 << 26, P) != 1
    # X^4 - 11 irreducible needs 11 to be a non-square (p = 1 mod 4)
    assert pow(11, (P - 1) // 2, P) == P - 1


@pytest.mark.parametrize("log_n", [0, 1, 2, 3, 5, 7])
def test_ntt_matches_naive_dft_and_inverts(log_n: int) -> None:
    n = 1 << log_n
    a = rng.integers(0, P, (3, n), dtype=np.uint64)
    out = ntt.ntt(a)
    for row in range(3):
        expect = _naive_dft([int(v) for v in a[row]], F.root_of_unity(log_n))
        assert [int(v) for v in out[row]] == expect
    assert np.array_equal(ntt.intt(out), a)


def test_coset_lde_evaluates_the_interpolant() -> None:
    n, log_b, shift = 16, 2, F.GENERATOR
    vals = rng.integers(0, P, (2, n), dtype=np.uint64)
    coeffs = ntt.intt(vals)
    lde = ntt.coset_lde(vals, log_b, shift)
    w = F.root_of_unity(6)
    for i in (0, 1, 17, 63):
        x = shift * pow(w, i, P) % P
        for c in range(2):
            expect = sum(int(coeffs[c, k]) * pow(x, k, P) for k in range(n)) % P
            assert int(lde[c, i]) == expect
    # and back: the coset inverse transform recovers degree < n coefficients
    back = ntt.coset_intt(lde, shift)
    assert np.array_equal(back[:, :n], coeffs) and not back[:, n:].any()


def test_extension_field_axioms() -> None:
    a, b, c = (rng.integers(0, P, (20, 4), dtype=np.uint64) for _ in range(3))
    assert np.array_equal(F.ext_mul(a, b), F.ext_mul(b, a))
    assert np.array_equal(F.ext_mul(F.ext_mul(a, b), c), F.ext_mul(a, F.ext_mul(b, c)))
    lhs = F.ext_mul(a, F.ext_add(b, c))
    assert np.array_equal(lhs, F.ext_add(F.ext_mul(a, b), F.ext_mul(a, c)))
    one = F.ext_mul(a, F.ext_inv(a))
    assert (one[:, 0] == 1).all() and not one[:, 1:].any()
    x = F.ext(0, 1)  # X^4 = 11
    assert np.array_equal(F.ext_pow(x, 4), F.ext(11))
    with pytest.raises(ZeroDivisionError):
        F.ext_inv(F.ext(0))


def test_combine_base_ext_is_exact() -> None:
    vals = rng.integers(0, P, (300, 50), dtype=np.uint64)
    vals[:, 0] = P - 1  # worst case magnitudes
    coeffs = rng.integers(0, P, (300, 4), dtype=np.uint64)
    coeffs[0] = P - 1
    got = F.combine_base_ext(vals, coeffs)
    ref = (vals.astype(object).T @ coeffs.astype(object)) % P
    assert (got.astype(object) == ref).all()

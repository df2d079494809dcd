import pytest
from hypothesis import given
from hypothesis import strategies as st

from isoperp.numeric import (
    MAX_SIZE_STEPS,
    OutOfBounds,
    ceil_div,
    check_range,
    check_wide_range,
    format_units,
    mul_ppm_ceil,
    mul_ppm_floor,
    parse_units,
)


@given(st.integers(-(10**18), 10**18), st.integers(0, 10**6))
def test_requirements_round_up_and_payouts_round_down(amount: int, ppm: int) -> None:
    exact_times_ppm = amount * ppm
    assert mul_ppm_ceil(amount, ppm) * 10**6 >= exact_times_ppm
    assert mul_ppm_floor(amount, ppm) * 10**6 <= exact_times_ppm
    assert 0 <= mul_ppm_ceil(amount, ppm) - mul_ppm_floor(amount, ppm) <= 1


@given(st.integers(-(2**122) + 1, 2**122 - 1), st.integers(-(2**24), 2**24))
def test_ppm_products_are_exact_over_the_whole_documented_range(amount: int, ppm: int) -> None:
    """Split at 1e6 (so the compiled form stays inside 128 bits), the products still equal
    the exact ceiling and floor of amount·ppm/1e6."""
    assert mul_ppm_ceil(amount, ppm) == -((-amount * ppm) // 10**6)
    assert mul_ppm_floor(amount, ppm) == (amount * ppm) // 10**6


EDGES = st.sampled_from([2**62 - 1, 2**62, 2**62 + 1, 2**63 - 1, 2**63, 10**6 - 1, 10**6, 1, 0])


@given(
    st.one_of(EDGES, EDGES.map(lambda x: -x), st.integers(-(2**64), 2**64)),
    st.one_of(
        st.sampled_from([2**24 - 1, 2**24, 2**24 + 1, -(2**24), -(2**24) - 1]),
        st.integers(-(2**25), 2**25),
    ),
)
def test_ppm_products_are_exact_where_the_64_bit_path_meets_the_128_bit_one(
    amount: int, ppm: int
) -> None:
    """Compiled, |amount| ≤ 2^62 with |ppm| ≤ 2^24 takes a 64-bit path; both sides of
    that edge give the exact ceiling and floor."""
    assert mul_ppm_ceil(amount, ppm) == -((-amount * ppm) // 10**6)
    assert mul_ppm_floor(amount, ppm) == (amount * ppm) // 10**6


def test_ceil_div_on_negative_numerators() -> None:
    assert ceil_div(7, 2) == 4
    assert ceil_div(-7, 2) == -3
    assert ceil_div(6, 3) == 2


def test_parse_units_is_exact_or_refuses() -> None:
    assert parse_units("12.5", "0.1") == 125
    assert parse_units("0.000001", "0.000001") == 1
    with pytest.raises(ValueError, match="whole multiple"):
        parse_units("12.55", "0.1")
    with pytest.raises(ValueError, match="not a decimal"):
        parse_units("twelve", "0.1")
    assert format_units(125, "0.1") == "12.5"
    assert format_units(0, "0.1") == "0"


def test_check_range_rejects_out_of_bounds_and_non_integers() -> None:
    assert check_range("size", MAX_SIZE_STEPS, 1, MAX_SIZE_STEPS) == MAX_SIZE_STEPS
    with pytest.raises(OutOfBounds, match="outside"):
        check_range("size", MAX_SIZE_STEPS + 1, 1, MAX_SIZE_STEPS)
    with pytest.raises(OutOfBounds, match="integer"):
        check_range("size", True, 0, 10)
    assert check_range("funding index", -1, -(2**63) + 1, 2**63 - 1) == -1


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 2**130, -(2**200)])
def test_check_range_refuses_ints_wider_than_its_64_bit_bounds(value: int) -> None:
    with pytest.raises(OutOfBounds, match=f"size={value} outside"):
        check_range("size", value, -(2**62), 2**62)


def test_check_wide_range_takes_field_elements() -> None:
    key = 2**251 + 17
    assert check_wide_range("owner", key, 0, 2**252) == key
    with pytest.raises(OutOfBounds, match="outside"):
        check_wide_range("owner", 2**252 + 1, 0, 2**252)
    with pytest.raises(OutOfBounds, match="integer"):
        check_wide_range("owner", "0x11", 0, 2**252)

"""The liquidation scan equals the exact brute-force margin check, however the book changes."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from risk_books import brute_force_liquidatable, spec

from isoperp.funding.index import settled_funding
from isoperp.numeric import OutOfBounds, mul_ppm_ceil
from isoperp.risk.scan import PositionTable

MARKETS = {
    m: spec(m, mmf, k)
    for m, mmf, k in [("A-USD", 30_000, 100), ("B-USD", 50_000, 1), ("C-USD", 1, 2**24)]
}
IDS = sorted(MARKETS)

sizes = st.one_of(
    st.integers(-(2**48), 2**48), st.integers(-1000, 1000), st.sampled_from([-1, 1, 2**48])
)
indexes = st.one_of(st.integers(-(10**15), 10**15), st.integers(-5, 5), st.just(2**62))
positions = st.dictionaries(st.sampled_from(IDS), st.tuples(sizes, indexes), max_size=3)
keys = st.tuples(st.integers(0, 5), st.integers(0, 2))
prices = st.fixed_dictionaries({m: st.integers(1, 2**40) for m in IDS})
index_now = st.fixed_dictionaries({m: indexes for m in IDS})


def exact_value_and_mmr(positions, prices, now):
    value = maintenance = 0
    for m, (size, entry) in positions.items():
        notional = size * prices[m] * MARKETS[m].quantums_per_step_tick
        value += notional + settled_funding(size, entry, now[m])
        maintenance += mul_ppm_ceil(abs(notional), MARKETS[m].maintenance_margin_ppm)
    return value, maintenance


@settings(max_examples=300, deadline=None)
@given(
    ops=st.lists(
        st.tuples(keys, st.integers(-(2**62), 2**62), positions, st.booleans()), max_size=25
    ),
    prices=prices,
    now=index_now,
    offsets=st.lists(st.integers(-3, 3), min_size=25, max_size=25),
)
def test_scan_equals_brute_force_after_any_updates(ops, prices, now, offsets):
    """Updates, removals and re-adds; collateral is often set to sit at TV == MMR + offset."""
    table = PositionTable(MARKETS.values())
    book = {}
    for (key, collateral, held, remove), offset in zip(ops, offsets, strict=False):
        if remove:
            table.remove(key)
            book.pop(key, None)
            continue
        if offset != 3:  # put the subaccount on the boundary: TV − MMR == offset
            value, maintenance = exact_value_and_mmr(held, prices, now)
            collateral = maintenance - value + offset
        table.update(key, collateral, held)
        if any(size for size, _ in held.values()):
            book[key] = (collateral, held)
        else:
            book.pop(key, None)
    expected = brute_force_liquidatable(book, MARKETS, prices, now)
    assert table.scan(prices, now) == expected
    assert table.last_candidates >= len(expected)
    assert len(table) == sum(1 for _, held in book.values() for s, _ in held.values() if s)


def test_boundary_tv_equal_to_mmr_is_safe_and_one_quantum_less_is_not():
    table = PositionTable(MARKETS.values())
    held = {"A-USD": (-7, 1_234_567), "B-USD": (3, -999)}
    prices, now = (
        {"A-USD": 1001, "B-USD": 77, "C-USD": 1},
        {"A-USD": 2_000_001, "B-USD": 5, "C-USD": 0},
    )
    value, maintenance = exact_value_and_mmr(held, prices, now)
    # A: notional −700,700, MMR ⌈21,021.0⌉; B: notional 231, MMR ⌈11.55⌉ = 12
    assert maintenance == 21_021 + 12
    table.update((1, 0), maintenance - value, held)
    table.update((2, 0), maintenance - value - 1, held)
    assert table.scan(prices, now) == [(2, 0)]


def test_a_flat_update_forgets_the_subaccount_and_rows_are_reused():
    table = PositionTable(MARKETS.values())
    table.update((1, 0), -(10**9), {"A-USD": (5, 0)})
    table.update((2, 1), 0, {"A-USD": (1, 0)})
    assert len(table) == 2
    table.update((1, 0), -(10**9), {"A-USD": (0, 0)})
    assert len(table) == 1
    table.update((3, 0), -(10**9), {"A-USD": (1, 0), "B-USD": (-1, 0)})
    assert len(table) == 3
    assert table.scan({m: 10 for m in IDS}, {m: 0 for m in IDS}) == [(3, 0)]


def test_recheck_decides_small_books_in_int64_and_hands_huge_ones_to_python():
    table = PositionTable(MARKETS.values())
    prices = {"A-USD": 10, "B-USD": 10, "C-USD": 2**40}
    now = {m: 0 for m in IDS}
    table.update((1, 0), -1, {"A-USD": (1, 0)})  # TV = 999, MMR = 30: safe
    table.update((2, 0), -1000, {"A-USD": (1, 0)})  # TV = 0 < 30: liquidatable, int64
    table.update((3, 0), -(2**80) * 10**9, {"C-USD": (2**40, 0)})  # TV = 0, Python ints
    table.update((4, 0), 2**70, {"B-USD": (-1, 0)})  # collateral beyond int64: Python ints
    assert table.scan(prices, now) == [(2, 0), (3, 0)]


def test_a_governance_change_of_mmf_takes_effect_at_the_next_scan():
    table = PositionTable(MARKETS.values())
    prices, now = {m: 1000 for m in IDS}, {m: 0 for m in IDS}
    # notional 100,000 at MMF 3%: MMR 3,000; TV = 3,500
    table.update((1, 0), -96_500, {"A-USD": (1, 0)})
    assert table.scan(prices, now) == []
    table.set_market(spec("A-USD", mmf=40_000))  # MMR 4,000 > TV
    assert table.scan(prices, now) == [(1, 0)]


def test_an_out_of_bounds_update_changes_nothing():
    table = PositionTable(MARKETS.values())
    table.update((1, 0), 5, {"A-USD": (3, 0)})
    with pytest.raises(OutOfBounds):
        table.update((1, 0), 5, {"B-USD": (1, 0), "A-USD": (2**48 + 1, 0)})
    with pytest.raises(OutOfBounds):
        table.update((2, 0), 5, {"A-USD": (1, 2**63)})
    assert len(table) == 1
    prices, now = {m: 10 for m in IDS}, {m: 0 for m in IDS}
    table.update((3, 0), -(10**6), {"A-USD": (3, 0)})
    assert table.scan(prices, now) == [(3, 0)]

"""Mark price: Hyperliquid's median of three with an integer basis EMA."""

from hypothesis import given
from hypothesis import strategies as st

from isoperp.oracle import MarkConfig, MarkMode, MarkState, book_price, mark_price, update_basis_ema
from isoperp.oracle.mark import EMA_SCALE

MEDIAN = MarkConfig(mode=MarkMode.MEDIAN, ema_period_ms=150_000)


def test_oracle_mode_is_the_oracle_price() -> None:
    assert mark_price(MarkConfig(), MarkState(), 2000, 2100, 2101, 2100) == 2000


def test_worked_example() -> None:
    state = update_basis_ema(MEDIAN, MarkState(), 2000, 2010, 2014, now_ms=0)
    assert state == MarkState(ema_basis_scaled=12 * EMA_SCALE, updated_ms=0)
    # median(2000, 2000 + 12, median(2010, 2014, 2020) = 2014) = 2012
    assert mark_price(MEDIAN, state, 2000, 2010, 2014, 2020) == 2012
    # One time constant later with a zero basis: α = 150000/300000 = 1/2, EMA 12 → 6.
    state = update_basis_ema(MEDIAN, state, 2000, 1999, 2001, now_ms=150_000)
    assert state == MarkState(ema_basis_scaled=6 * EMA_SCALE, updated_ms=150_000)
    # median(2000, 2006, 2000) = 2000
    assert mark_price(MEDIAN, state, 2000, 1999, 2001, 2000) == 2000
    # A one-sided book does not move the EMA.
    assert update_basis_ema(MEDIAN, state, 2000, None, 2001, now_ms=200_000) == state


def test_missing_inputs() -> None:
    assert book_price(10, 20, 30) == 20
    assert book_price(10, 20, None) == 15
    assert book_price(None, 20, 30) == 20  # missing bid is −∞: min(ask, last)
    assert book_price(None, 20, 5) == 5
    assert book_price(10, None, 5) == 10  # missing ask is +∞: max(bid, last)
    assert book_price(None, None, 7) == 7
    assert book_price(10, None, None) is None
    # No book price: it is replaced by the oracle, so only a basis EMA could move the mark,
    # and a median with two oracle prices is the oracle price.
    assert (
        mark_price(MEDIAN, MarkState(ema_basis_scaled=50 * EMA_SCALE), 2000, None, None, None)
        == 2000
    )


prices = st.integers(1, 10**6)
maybe = st.none() | prices


@given(st.lists(st.tuples(prices, prices, prices, st.integers(0, 10**6)), min_size=1, max_size=20))
def test_ema_stays_within_the_samples(samples: list[tuple[int, int, int, int]]) -> None:
    state, now = MarkState(), 0
    bases = []
    for oracle, bid, ask, gap in samples:
        now += gap
        state = update_basis_ema(MEDIAN, state, oracle, bid, ask, now)
        bases.append(((bid + ask) * EMA_SCALE) // 2 - oracle * EMA_SCALE)
        assert min(bases) <= state.ema_basis_scaled <= max(bases)


@given(prices, maybe, maybe, maybe, st.integers(-(10**5), 10**5))
def test_mark_lies_between_its_components(
    oracle: int, bid: int | None, ask: int | None, last: int | None, ema_ticks: int
) -> None:
    state = MarkState(ema_basis_scaled=ema_ticks * EMA_SCALE, updated_ms=0)
    mark = mark_price(MEDIAN, state, oracle, bid, ask, last)
    book = book_price(bid, ask, last)
    parts = [oracle, oracle + ema_ticks, oracle if book is None else book]
    assert max(1, min(parts)) <= mark <= max(1, max(parts))
    assert sorted(parts)[1] == mark or mark == 1

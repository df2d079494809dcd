"""Funding: worked numbers and the invariants that keep it from minting value."""

from hypothesis import given
from hypothesis import strategies as st

from isoperp.events.funding import FundingRateUpdated, FundingSampled
from isoperp.funding import (
    INDEX_SCALE,
    FundingConfig,
    FundingPoint,
    FundingState,
    funding_tick,
    hourly_rate_ppm,
    index_delta,
    premium_vote_ppm,
    sample_premium,
    settled_funding,
    within_tick_bound,
)

# ETH-USD: tick 0.01 USDC, step 0.001 ETH, so one step·tick is 1e-5 USDC = 10 quantums.
Q = 10
USDC_2000 = 200_000  # ticks
HOUR = 3_600_000


def test_premium_votes_from_impact_prices() -> None:
    clamp = 1_200_000
    assert premium_vote_ppm(USDC_2000, 200_200, 200_300, clamp) == 1_000  # bid 2002: +0.1 %
    assert premium_vote_ppm(USDC_2000, 198_000, 199_000, clamp) == -5_000  # ask 1990: −0.5 %
    assert premium_vote_ppm(USDC_2000, 199_990, 200_010, clamp) == 0  # index inside
    assert premium_vote_ppm(USDC_2000, None, None, clamp) == 0  # book too thin
    assert premium_vote_ppm(USDC_2000, None, 199_000, clamp) == -5_000
    assert premium_vote_ppm(USDC_2000, 600_000, None, clamp) == clamp  # +200 % clamped
    assert premium_vote_ppm(3, 4, None, clamp) == 333_333  # truncated toward zero
    assert premium_vote_ppm(3, None, 2, clamp) == -333_333


def test_hourly_rate_is_mean_plus_interest_clamped() -> None:
    assert hourly_rate_ppm((1_000,) * 60, 100, 120_000) == 1_100
    assert hourly_rate_ppm((), 100, 120_000) == 100
    assert hourly_rate_ppm((-1, -2), 0, 120_000) == -1  # −1.5 truncated toward zero
    assert hourly_rate_ppm((500_000,), 100, 120_000) == 120_000


def test_worked_hour_of_funding() -> None:
    config = FundingConfig()
    state = FundingState(last_tick_ms=0)
    for minute in range(60):
        state, events = sample_premium(
            "M3", config, state, USDC_2000, 200_200, 200_400, minute * 60_000
        )
        assert events == (FundingSampled(market="M3", premium_ppm=1_000, time_ms=minute * 60_000),)
    # A second call within the same minute does nothing.
    assert sample_premium("M3", config, state, USDC_2000, 200_200, None, 59 * 60_000 + 1) == (
        state,
        (),
    )
    assert funding_tick("M3", config, state, USDC_2000, Q, HOUR - 1) == (state, ())
    state, events = funding_tick("M3", config, state, USDC_2000, Q, HOUR)
    # rate 1,100 ppm per 8 h; per step 2 USDC · 0.0011 / 8 = 275 quantums
    assert events == (
        FundingRateUpdated(
            market="M3",
            rate_ppm=1_100,
            index=275 * INDEX_SCALE,
            index_delta=275 * INDEX_SCALE,
            price=USDC_2000,
            time_ms=HOUR,
        ),
    )
    assert state.samples == () and state.last_tick_ms == HOUR
    assert state.history == (
        FundingPoint(time_ms=HOUR, rate_ppm=1_100, index=275 * INDEX_SCALE, price=USDC_2000),
    )
    # 1 ETH long (1000 steps) pays 0.275 USDC; the matching short receives it.
    assert settled_funding(1_000, 0, state.index) == -275_000
    assert settled_funding(-1_000, 0, state.index) == 275_000


def test_rounding_goes_against_both_sides() -> None:
    assert settled_funding(1, 0, 1) == -1  # owes 1e-6 quantum: pays a whole one
    assert settled_funding(-1, 0, 1) == 0  # is owed 1e-6 quantum: gets nothing
    assert settled_funding(3, 10, 10) == 0


def test_history_is_bounded() -> None:
    config = FundingConfig(history_limit=2)
    state = FundingState(last_tick_ms=0)
    for hour in range(1, 4):
        state, _ = funding_tick("M0", config, state, USDC_2000, Q, hour * HOUR)
    assert [p.time_ms for p in state.history] == [2 * HOUR, 3 * HOUR]


sizes = st.integers(1, 2**48)
indices = st.integers(-(10**24), 10**24)


@given(sizes, indices, indices)
def test_an_equal_long_and_short_never_mint(size: int, entry: int, current: int) -> None:
    total = settled_funding(size, entry, current) + settled_funding(-size, entry, current)
    assert -1 <= total <= 0


@given(st.lists(st.tuples(st.integers(-(2**30), 2**30), indices), min_size=1, max_size=8), indices)
def test_settlements_of_a_flat_book_sum_to_at_most_zero(
    positions: list[tuple[int, int]], current: int
) -> None:
    entry = positions[0][1]
    net = sum(size for size, _ in positions)
    book = [*(size for size, _ in positions), -net]  # close the book with one more position
    total = sum(settled_funding(size, entry, current) for size in book)
    assert -len(book) < total <= 0


@given(
    st.lists(st.integers(-2_000_000, 2_000_000), max_size=60),
    st.integers(1, 2**40),
    st.integers(1, 10**6),
    st.integers(HOUR, 30 * HOUR),
)
def test_every_tick_respects_the_starkex_bound(
    samples: list[int], price: int, q: int, dt_ms: int
) -> None:
    config = FundingConfig()
    state = FundingState(last_tick_ms=0, samples=tuple(samples))
    new_state, events = funding_tick("M0", config, state, price, q, dt_ms)
    (event,) = events
    assert isinstance(event, FundingRateUpdated)
    assert abs(event.rate_ppm) <= config.rate_clamp_ppm
    assert new_state.index - state.index == event.index_delta
    assert within_tick_bound(event.index_delta, price, q, dt_ms, config.max_rate_ppm)
    limit = index_delta(config.max_rate_ppm, dt_ms, price, q)
    assert not within_tick_bound(limit + 1, price, q, dt_ms, config.max_rate_ppm)
    assert within_tick_bound(-limit, price, q, dt_ms, config.max_rate_ppm)

"""Funding over time: a premium sample each minute and a funding tick each hour.

The engine calls both with the current command time; a call before the interval has passed
does nothing, so calling them on every command is safe and deterministic.
"""

import msgspec

from isoperp.events import Event
from isoperp.events.funding import FundingRateUpdated, FundingSampled
from isoperp.funding.config import SAMPLE_INTERVAL_MS, TICK_INTERVAL_MS, FundingConfig
from isoperp.funding.index import index_delta
from isoperp.funding.premium import hourly_rate_ppm, premium_vote_ppm
from isoperp.funding.state import FundingPoint, FundingState

FundingOutcome = tuple[FundingState, tuple[Event, ...]]


def next_sample_ms(state: FundingState) -> int:
    """One sample per minute epoch (dYdX v4 samples on fixed epochs), so the schedule does
    not drift with the times commands happen to arrive: the next is due when the next
    epoch starts (at once if there was none)."""
    last = state.last_sample_ms
    return 0 if last is None else (last // SAMPLE_INTERVAL_MS + 1) * SAMPLE_INTERVAL_MS


def next_tick_ms(state: FundingState) -> int:
    """One tick per hour epoch; the tick covers the time actually elapsed since the last."""
    return (state.last_tick_ms // TICK_INTERVAL_MS + 1) * TICK_INTERVAL_MS


def sample_due(state: FundingState, now_ms: int) -> bool:
    return now_ms >= next_sample_ms(state)


def tick_due(state: FundingState, now_ms: int) -> bool:
    return now_ms >= next_tick_ms(state)


def sample_premium(
    market: str,
    config: FundingConfig,
    state: FundingState,
    index_price: int,
    impact_bid: int | None,
    impact_ask: int | None,
    now_ms: int,
) -> FundingOutcome:
    """Record this minute's premium vote (impact prices come from the book; None: too thin)."""
    if not sample_due(state, now_ms):
        return state, ()
    premium = premium_vote_ppm(index_price, impact_bid, impact_ask, config.premium_clamp_ppm)
    new_state = msgspec.structs.replace(
        state, samples=(*state.samples, premium), last_sample_ms=now_ms
    )
    return new_state, (FundingSampled(market=market, premium_ppm=premium, time_ms=now_ms),)


def funding_tick(
    market: str,
    config: FundingConfig,
    state: FundingState,
    index_price: int,
    quantums_per_step_tick: int,
    now_ms: int,
) -> FundingOutcome:
    """Apply the hour's rate over the time since the last tick and start a new hour."""
    if not tick_due(state, now_ms):
        return state, ()
    dt_ms = now_ms - state.last_tick_ms
    rate = hourly_rate_ppm(state.samples, config.interest_ppm, config.rate_clamp_ppm)
    delta = index_delta(rate, dt_ms, index_price, quantums_per_step_tick)
    index = state.index + delta
    point = FundingPoint(time_ms=now_ms, rate_ppm=rate, index=index, price=index_price)
    new_state = FundingState(
        last_tick_ms=now_ms,
        index=index,
        samples=(),
        last_sample_ms=state.last_sample_ms,
        history=(*state.history, point)[-config.history_limit :],
    )
    event = FundingRateUpdated(
        market=market,
        rate_ppm=rate,
        index=index,
        index_delta=delta,
        price=index_price,
        time_ms=now_ms,
    )
    return new_state, (event,)

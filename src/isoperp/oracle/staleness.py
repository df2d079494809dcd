"""Staleness: a market whose price is too old stops what its stale policy says.

The engine calls ``check_staleness`` with the current command time (for instance before
every command that reads the price); recovery happens when a fresh price is accepted
(``apply_price_report`` emits ``OracleRecovered``).
"""

import msgspec

from isoperp.events import Event
from isoperp.events.oracle import OracleStale
from isoperp.oracle.config import OracleConfig, StalePolicy
from isoperp.oracle.state import OracleState


def too_old_at(config: OracleConfig, state: OracleState) -> int:
    """The first time (ms) at which the price is too old: its age exceeds
    ``max_price_age_ms`` (at once when there is no price)."""
    if state.price_time_ms is None:
        return 0
    return state.price_time_ms + config.max_price_age_ms + 1


def is_too_old(config: OracleConfig, state: OracleState, now_ms: int) -> bool:
    return now_ms >= too_old_at(config, state)


def check_staleness(
    market: str, config: OracleConfig, state: OracleState, now_ms: int
) -> tuple[OracleState, tuple[Event, ...]]:
    """Mark the market stale (emitting OracleStale) the first time its price is too old."""
    if state.stale or not is_too_old(config, state, now_ms):
        return state, ()
    event = OracleStale(
        market=market,
        last_price=state.price,
        last_price_time_ms=state.price_time_ms,
        now_ms=now_ms,
        policy=config.stale_policy.value,
    )
    return msgspec.structs.replace(state, stale=True), (event,)


def liquidation_price(config: OracleConfig, state: OracleState) -> int | None:
    """The price liquidations use, or None when liquidations are halted."""
    if not state.stale or config.stale_policy is StalePolicy.LIQUIDATE_AT_LAST:
        return state.price
    return None


def risk_increasing_allowed(state: OracleState) -> bool:
    """Orders that increase risk need a fresh price under either policy."""
    return not state.stale

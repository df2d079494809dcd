"""Applying an admitted price report: the price band and its confirmation rule.

A report within ``band_ppm`` of the last accepted price is applied at once (and clears any
pending price). A report beyond it is held as pending. A later report confirms the pending
price, and is applied, when all three hold:

- it is at least ``confirm_delay_ms`` after the report that first moved the price;
- every one of its signed timestamps is strictly later than every signed timestamp seen for
  the pending price (fresh observations, not the same ones replayed);
- its price is within the band of the pending price.

A report beyond the band of both the last and the pending price replaces the pending price
and restarts the delay; one inside the pending band but too early updates the pending price
and keeps the delay running. Reports must also be strictly newer than the last accepted one,
so an old signed set cannot be replayed to move the price back.
"""

import msgspec

from isoperp.commands.oracle import PriceReport
from isoperp.crypto import verify_fast
from isoperp.events import Event, Rejected
from isoperp.events.oracle import OraclePricePending, OraclePriceUpdated, OracleRecovered
from isoperp.numeric import PPM
from isoperp.oracle.config import OracleConfig
from isoperp.oracle.state import OracleState, PendingPrice
from isoperp.oracle.validation import Verifier, cheap_problem, signature_problem

OracleOutcome = tuple[OracleState, tuple[Event, ...]]


def within_band(reference: int, price: int, band_ppm: int) -> bool:
    """|price − reference| <= band_ppm/1e6 · reference, exactly in integers."""
    return abs(price - reference) * PPM <= band_ppm * reference


def apply_price_report(
    market: str,
    config: OracleConfig | None,
    state: OracleState,
    report: PriceReport,
    verifier: Verifier = verify_fast,
) -> OracleOutcome:
    """Validate ``report`` and apply it to ``state``; a rejection leaves ``state`` unchanged."""
    if config is None or report.market != market:
        rejected = Rejected(code="unknown_market", message=f"no oracle for market {report.market}")
        return state, (rejected,)
    problem = cheap_problem(config, report)
    if problem is not None:
        return state, (problem,)
    report_ms = min(item.timestamp for item in report.signed_prices) * 1000
    latest_ms = max(item.timestamp for item in report.signed_prices) * 1000
    if state.price_time_ms is not None and report_ms <= state.price_time_ms:
        problem = Rejected(
            code="not_newer",
            message=f"report time {report_ms} ms is not after the last {state.price_time_ms} ms",
        )
    if problem is None:
        problem = signature_problem(config, report, verifier)
    if problem is not None:
        return state, (problem,)
    return _apply_admitted(market, config, state, report.price, report_ms, latest_ms)


def _apply_admitted(
    market: str,
    config: OracleConfig,
    state: OracleState,
    price: int,
    report_ms: int,
    latest_ms: int,
) -> OracleOutcome:
    last = state.price
    if last is None or within_band(last, price, config.band_ppm):
        return _accept(market, state, price, report_ms, confirmed=False)
    pending = state.pending
    if pending is not None and within_band(pending.price, price, config.band_ppm):
        if (
            report_ms > pending.latest_ms
            and report_ms >= pending.since_ms + config.confirm_delay_ms
        ):
            return _accept(market, state, price, report_ms, confirmed=True)
        pending = PendingPrice(
            price=price, since_ms=pending.since_ms, latest_ms=max(pending.latest_ms, latest_ms)
        )
    else:
        pending = PendingPrice(price=price, since_ms=report_ms, latest_ms=latest_ms)
    event = OraclePricePending(
        market=market,
        price=price,
        last_price=last,
        pending_since_ms=pending.since_ms,
        confirmable_from_ms=pending.since_ms + config.confirm_delay_ms,
    )
    return msgspec.structs.replace(state, pending=pending), (event,)


def _accept(
    market: str, state: OracleState, price: int, report_ms: int, *, confirmed: bool
) -> OracleOutcome:
    events: list[Event] = [
        OraclePriceUpdated(
            market=market,
            price=price,
            previous_price=state.price,
            price_time_ms=report_ms,
            confirmed=confirmed,
        )
    ]
    if state.stale:
        events.append(OracleRecovered(market=market, price=price, price_time_ms=report_ms))
    new_state = OracleState(price=price, price_time_ms=report_ms, pending=None, stale=False)
    return new_state, tuple(events)

"""Funding, dYdX v4 style: minute premium samples, hourly rates, a cumulative index.

Longs pay shorts when the rate is positive. Rates are ppm per 8 hours; the index unit and
the rounding of settlements are described in ``isoperp.funding.index`` and in
docs/oracle-and-funding.md.
"""

from isoperp.funding.config import (
    RATE_PERIOD_MS,
    SAMPLE_INTERVAL_MS,
    TICK_INTERVAL_MS,
    FundingConfig,
)
from isoperp.funding.index import INDEX_SCALE, index_delta, settled_funding, within_tick_bound
from isoperp.funding.premium import hourly_rate_ppm, impact_price, premium_vote_ppm
from isoperp.funding.schedule import (
    FundingOutcome,
    funding_tick,
    next_sample_ms,
    next_tick_ms,
    sample_due,
    sample_premium,
    tick_due,
)
from isoperp.funding.state import FundingPoint, FundingState

__all__ = [
    "INDEX_SCALE",
    "RATE_PERIOD_MS",
    "SAMPLE_INTERVAL_MS",
    "TICK_INTERVAL_MS",
    "FundingConfig",
    "FundingOutcome",
    "FundingPoint",
    "FundingState",
    "funding_tick",
    "hourly_rate_ppm",
    "impact_price",
    "index_delta",
    "next_sample_ms",
    "next_tick_ms",
    "premium_vote_ppm",
    "sample_due",
    "sample_premium",
    "settled_funding",
    "tick_due",
    "within_tick_bound",
]

"""Funding in the engine: minute premium samples from the book's impact prices and hourly
index ticks. Each new index goes to the native core (Market.funding), which settles a
position's funding whenever its size changes.

Margin counts unsettled funding (accounts.margin), so settling changes no subaccount's
value; it moves the amount between the subaccount and the funding pool, whose balance
(the rounding dust, since payers round up and receivers down) keeps collateral conserved.
"""

from typing import TYPE_CHECKING

from isoperp.funding import (
    FundingConfig,
    funding_tick,
    impact_price,
    sample_due,
    sample_premium,
    tick_due,
)
from isoperp.governance import ParameterRegistry

if TYPE_CHECKING:
    from isoperp.engine.core import Engine


def funding_config(registry: ParameterRegistry, market_id: str) -> FundingConfig:
    def get(field: str) -> int:
        return registry.get_int(f"funding.{market_id}.{field}")

    return FundingConfig(
        premium_clamp_ppm=get("premium_clamp_ppm"),
        rate_clamp_ppm=get("rate_clamp_ppm"),
        interest_ppm=get("interest_ppm"),
        max_rate_ppm=get("max_rate_ppm"),
    )


def advance_funding(eng: "Engine", ts: int) -> bool:
    """Take the funding tick and premium sample due at ``ts``: the tick first, so a new
    hour's first sample counts toward that hour. True if any index moved."""
    ticked = False
    for market_id, market in eng.markets.items():
        index_price = market.oracle.price
        if index_price is None:
            continue
        state = market.funding
        if tick_due(state, ts):
            state, events = funding_tick(
                market_id, market.funding_config, state, index_price, market.k, ts
            )
            eng.events.extend(events)
            ticked = True
        if sample_due(state, ts):
            book, k, notional = market.book, market.k, market.impact_notional
            state, events = sample_premium(
                market_id,
                market.funding_config,
                state,
                index_price,
                impact_price(book.depth(True), notional, k, is_bid=True),
                impact_price(book.depth(False), notional, k, is_bid=False),
                ts,
            )
            eng.events.extend(events)
        market.funding = state
    return ticked

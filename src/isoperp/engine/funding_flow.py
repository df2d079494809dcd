"""Funding in the engine: minute premium samples from the book's impact prices, hourly
index ticks, and settlement of a position's funding whenever its size changes.

Margin counts unsettled funding (accounts.margin), so settling changes no subaccount's
value; it moves the amount between the subaccount and the funding pool, whose balance
(the rounding dust, since payers round up and receivers down) keeps collateral conserved.
"""

from typing import TYPE_CHECKING

from isoperp.accounts.subaccount import Position, Subaccount
from isoperp.engine.market import Market
from isoperp.events.funding import FundingPaid
from isoperp.funding import (
    FundingConfig,
    funding_tick,
    sample_due,
    sample_premium,
    tick_due,
)
from isoperp.funding.index import settled_funding
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
                book.impact_price(True, notional, k),
                book.impact_price(False, notional, k),
                ts,
            )
            eng.events.extend(events)
        market.funding = state
    return ticked


def settle_funding(eng: "Engine", sub: Subaccount, market: Market) -> None:
    """Settle a position's funding into collateral and restart it at the current index."""
    position = sub.positions.get(market.market_id)
    if position is not None:
        settle_position_funding(eng, sub, market, position)


def settle_position_funding(
    eng: "Engine", sub: Subaccount, market: Market, position: Position
) -> None:
    """settle_funding for a position already looked up."""
    index = market.funding_index
    # Identity first: a position keeps the very index object it last settled at.
    if position.funding_index is index or position.funding_index == index:
        return
    amount = settled_funding(position.size, position.funding_index, index)
    position.funding_index = index
    if amount:
        sub.collateral += amount
        eng.funding_pool -= amount
        eng.touched.add(sub.key)
        eng.events.append(
            FundingPaid(
                owner=sub.owner, subaccount=sub.number, market=market.market_id, amount=amount
            )
        )

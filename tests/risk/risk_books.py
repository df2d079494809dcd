"""Shared test fixtures for risk: market specs and a brute-force margin check."""

from collections.abc import Mapping

from isoperp.accounts import Position, Pricing, Subaccount, health
from isoperp.markets import MarketSpec

PositionEntry = tuple[int, int]


def spec(market_id: str, mmf: int = 30_000, k: int = 100) -> MarketSpec:
    return MarketSpec(
        market_id=market_id,
        base_asset=market_id.split("-")[0],
        tick_size="0.1",
        step_size=str(k / 100_000),
        quantums_per_step_tick=k,
        min_order_steps=1,
        initial_margin_ppm=2 * mmf,
        maintenance_margin_ppm=mmf,
        baseline_position_steps=1_000_000,
        incremental_position_steps=100_000,
        incremental_initial_margin_ppm=10_000,
        max_position_steps=10**12,
        open_interest_cap_steps=10**13,
        maker_fee_ppm=0,
        taker_fee_ppm=500,
    )


def brute_force_liquidatable(
    book: Mapping[tuple[int, int], tuple[int, dict[str, PositionEntry]]],
    specs: Mapping[str, MarketSpec],
    prices: Mapping[str, int],
    indexes: Mapping[str, int],
) -> list[tuple[int, int]]:
    """accounts.margin.health (which counts unsettled funding) on each subaccount:
    TV < MMR, MMR > 0."""
    markets = {m: Pricing(s, prices[m], indexes[m]) for m, s in specs.items()}
    found = []
    for key, (collateral, positions) in book.items():
        sub = Subaccount(*key)
        sub.collateral = collateral
        for market_id, (size, entry) in positions.items():
            if size:
                sub.positions[market_id] = Position(size, entry)
        h = health(sub, markets)
        if h.maintenance > 0 and h.value < h.maintenance:
            found.append(key)
    return sorted(found)

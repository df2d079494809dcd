"""Shared market specs for the tests: BTC-USD and ETH-USD in dYdX v3-like parameters."""

import pytest

from isoperp.markets import MarketSpec

# dYdX v3 BTC-USD: IMF 5%, MMF 3%, baseline 9 BTC, +1% per 1.5 BTC, max 170 BTC (REFERENCES.md).
BTC = MarketSpec(
    market_id="BTC-USD",
    base_asset="BTC",
    tick_size="1",
    step_size="0.001",
    quantums_per_step_tick=1000,
    min_order_steps=1,
    initial_margin_ppm=50_000,
    maintenance_margin_ppm=30_000,
    baseline_position_steps=9_000,
    incremental_position_steps=1_500,
    incremental_initial_margin_ppm=10_000,
    max_position_steps=170_000,
    open_interest_cap_steps=1_000_000,
    maker_fee_ppm=-100,
    taker_fee_ppm=500,
)
ETH = MarketSpec(
    market_id="ETH-USD",
    base_asset="ETH",
    tick_size="0.1",
    step_size="0.01",
    quantums_per_step_tick=1000,
    min_order_steps=1,
    initial_margin_ppm=100_000,
    maintenance_margin_ppm=50_000,
    baseline_position_steps=100_000,
    incremental_position_steps=10_000,
    incremental_initial_margin_ppm=10_000,
    max_position_steps=1_000_000,
    open_interest_cap_steps=10_000_000,
    maker_fee_ppm=0,
    taker_fee_ppm=500,
)
BTC_PRICE = 50_000  # $50,000 in $1 ticks
ETH_PRICE = 30_000  # $3,000 in $0.1 ticks


@pytest.fixture
def markets() -> list[tuple[MarketSpec, int]]:
    return [(BTC, BTC_PRICE), (ETH, ETH_PRICE)]

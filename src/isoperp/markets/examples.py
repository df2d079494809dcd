"""Example markets for tests, benchmarks and demos.

BTC-USD uses dYdX v3's published BTC parameters (REFERENCES.md): IMF 5 %, MMF 3 %, baseline
9 BTC, +1 % per 1.5 BTC, max 170 BTC. ETH-USD is a 10 % / 5 % market.
"""

from isoperp.markets.spec import MarketSpec

BTC_USD = MarketSpec(
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
ETH_USD = MarketSpec(
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

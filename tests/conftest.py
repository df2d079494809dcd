"""Shared market specs for the tests: the example BTC-USD and ETH-USD markets."""

import pytest
from hypothesis import settings

from isoperp.markets import MarketSpec
from isoperp.markets.examples import BTC_USD, ETH_USD

BTC, ETH = BTC_USD, ETH_USD
BTC_PRICE = 50_000  # $50,000 in $1 ticks
ETH_PRICE = 30_000  # $3,000 in $0.1 ticks

# No per-example deadline: timing belongs to the benchmarks, and a busy machine (CI runs the
# suite on two workers) must not fail a property test.
settings.register_profile("isoperp", deadline=None)
settings.load_profile("isoperp")


@pytest.fixture
def markets() -> list[tuple[MarketSpec, int]]:
    return [(BTC, BTC_PRICE), (ETH, ETH_PRICE)]

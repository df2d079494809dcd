"""Shared market specs for the tests: the example BTC-USD and ETH-USD markets."""

import pytest

from isoperp.markets import MarketSpec
from isoperp.markets.examples import BTC_USD, ETH_USD

BTC, ETH = BTC_USD, ETH_USD
BTC_PRICE = 50_000  # $50,000 in $1 ticks
ETH_PRICE = 30_000  # $3,000 in $0.1 ticks


@pytest.fixture
def markets() -> list[tuple[MarketSpec, int]]:
    return [(BTC, BTC_PRICE), (ETH, ETH_PRICE)]

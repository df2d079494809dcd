"""Funding through the engine: samples from the book's impact prices, an hourly tick, and
settlement when a position changes — with figures worked by hand."""

from isoperp.accounts import free_collateral, health
from isoperp.commands.trading import TimeInForce, Withdraw
from isoperp.engine import Engine
from isoperp.events import Event
from isoperp.events.funding import FundingPaid, FundingRateUpdated, FundingSampled
from tests.conftest import BTC
from tests.engine.helpers import deposit, kinds, order, rejection, report

A, B, C = 0xA, 0xB, 0xC
MINUTE, HOUR = 60_000, 3_600_000


def an_hour_of_a_one_percent_premium() -> tuple[Engine, list[Event], int]:
    """A long 1 BTC for an hour while the book bids 1% over the index: the engine, the
    hour's events and A's value before it."""
    eng = Engine([(BTC, 50_000)])
    for owner in (A, B, C):
        deposit(eng, owner, 1_000_000)
    eng.apply(order(B, "sell", 50_000, 1_000, ts=1))
    eng.apply(order(A, "buy", 50_000, 1_000, ts=1, tif=TimeInForce.IOC))  # A long 1 BTC
    # C bids 1% over the index for far more than the 10,000 USDC impact notional, and
    # offers above it: the impact bid is 50,500 while the oracle says 50,000.
    eng.apply(order(C, "buy", 50_500, 10_000, ts=1, cid=1))
    eng.apply(order(C, "sell", 50_600, 10_000, ts=1, cid=2))
    a_value = health(eng.subaccounts[(A, 0)], eng.markets).value
    events: list[Event] = []
    for minute in range(1, 61):  # a fresh oracle price every minute, as signers would send
        events += eng.apply(report("BTC-USD", 50_000, minute * MINUTE)).events
    return eng, events, a_value


def test_longs_pay_an_hour_of_a_one_percent_premium() -> None:
    eng, events, a_value = an_hour_of_a_one_percent_premium()
    samples = [e.premium_ppm for e in events if isinstance(e, FundingSampled)]
    # Minute 0 was sampled by the first command, before any order rested: a zero vote.
    # Minutes 1–59 see the 50,500 impact bid: 50,500 / 50,000 − 1 = 10,000 ppm. The tick at
    # 60 min comes before minute 60's sample, which starts the next hour.
    assert samples == [10_000] * 60
    (tick,) = [e for e in events if isinstance(e, FundingRateUpdated)]
    rate = (0 + 59 * 10_000) // 60 + 100  # mean of the hour's votes + 100 ppm interest
    assert tick.rate_ppm == rate == 9_933
    # Δindex = rate·Δt·price·k / 8 h, in 1e-6 quantums per step: 9,933·50,000·1,000 / 8
    assert tick.index == 62_081_250_000
    owed = 62_081_250  # 1,000 steps · Δindex / 1e6 = 62.08125 USDC = 50,000 · 0.9933 % / 8
    # Unsettled funding already counts in margin: in the model and in the engine's core.
    assert a_value - health(eng.subaccounts[(A, 0)], eng.markets).value == owed
    assert a_value - eng.health((A, 0)).value == owed
    # Settlement happens when the position changes: A sells 0.1 BTC to C.
    fill = eng.apply(order(A, "sell", 50_500, 100, ts=HOUR + 1, cid=9, tif=TimeInForce.IOC))
    paid = [(e.owner, e.amount) for e in fill.events if isinstance(e, FundingPaid)]
    assert paid == [(A, -owed)]  # C, the buyer, had no position yet
    fill = eng.apply(order(B, "buy", 50_600, 1, ts=HOUR + 2, cid=3, tif=TimeInForce.IOC))
    paid = [(e.owner, e.amount) for e in fill.events if isinstance(e, FundingPaid)]
    assert paid == [(B, owed)]  # the short receives exactly what the long paid
    assert eng.funding_pool == 0
    total = sum(s.collateral for s in eng.subaccounts.values())
    assert total + eng.fee_collateral + eng.funding_pool == eng.deposited - eng.withdrawn


def test_a_withdrawal_is_judged_with_the_funding_it_owes() -> None:
    """After the tick A owes 62.08125 USDC, unsettled: the most it may withdraw is its free
    collateral with that counted (accounts.margin's model), to the quantum."""
    eng, _, _ = an_hour_of_a_one_percent_premium()
    free = free_collateral(eng.subaccounts[(A, 0)], eng.markets)
    ts = HOUR + 1
    too_much = eng.apply(Withdraw(ts=ts, owner=A, subaccount=0, amount=free + 1)).events
    assert rejection(too_much) == "insufficient_margin"
    assert too_much[0].message.endswith("would be 1 quantums below initial margin")
    assert kinds(eng.apply(Withdraw(ts=ts, owner=A, subaccount=0, amount=free)).events) == [
        "Withdrawn"
    ]

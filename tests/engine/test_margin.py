"""Margin: the worst case of open orders, the change rule, isolation, fees, liquidation price."""

from fractions import Fraction

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from isoperp.accounts import free_collateral, health, liquidation_price
from isoperp.commands.trading import TimeInForce, Transfer, Withdraw
from isoperp.engine import Engine
from isoperp.events.risk import Deleveraged, LiquidationStarted
from isoperp.events.trading import Fill, OrderCanceled
from isoperp.markets import initial_margin_ppm
from tests.conftest import BTC
from tests.engine.helpers import USDC, deposit, kinds, order, rejection, set_price

A, B, C = 0xA, 0xB, 0xC
IOC = TimeInForce.IOC


def test_size_dependent_initial_margin_follows_dydx_v3_steps() -> None:
    # 5% up to 9 BTC, then +1% per started 1.5 BTC (dYdX v3 BTC-USD).
    assert initial_margin_ppm(BTC, 9_000) == 50_000
    assert initial_margin_ppm(BTC, 9_001) == 60_000
    assert initial_margin_ppm(BTC, 10_500) == 60_000
    assert initial_margin_ppm(BTC, 10_501) == 70_000
    assert initial_margin_ppm(BTC, 10**9) == 1_000_000


def test_worked_example_isolated_long(markets) -> None:
    """The README's example: 1,000 USDC isolated, long 0.1 BTC at $50,000."""
    eng = Engine(markets)
    deposit(eng, A, 10_000)
    deposit(eng, B, 100_000)
    eng.apply(order(B, "sell", 50_000, 100))
    events = eng.apply(
        order(A, "buy", 50_000, 100, sub=1, tif=IOC, isolated_margin=1_000 * USDC, margin_source=0)
    ).events
    fill = next(e for e in events if isinstance(e, Fill))
    assert fill.taker_fee == 2_500_000  # 0.05% of $5,000
    isolated = eng.subaccounts[(A, 1)]
    assert isolated.collateral == -4_002_500_000  # 1,000 − 5,000 − 2.5 USDC
    h = health(isolated, eng.markets)
    assert (h.value, h.initial, h.maintenance) == (997_500_000, 250_000_000, 150_000_000)
    assert eng.subaccounts[(A, 0)].collateral == 9_000 * USDC
    assert liquidation_price(isolated, eng.markets, "BTC-USD") == Fraction(4_002_500, 97)
    assert 41_262 < Fraction(4_002_500, 97) < 41_263  # $41,262.89
    # A crash far below the liquidation price, with no bids to close into: the isolated
    # subaccount is liquidated by deleveraging B's short at its bankruptcy price. It loses
    # exactly the 1,000 USDC moved into it; the cross subaccount's 9,000 USDC is untouched.
    events = set_price(eng, "BTC-USD", 30_000, ts=5_000)
    started = [e for e in events if isinstance(e, LiquidationStarted)]
    assert [(e.owner, e.subaccount) for e in started] == [(A, 1)]
    (adl,) = [e for e in events if isinstance(e, Deleveraged)]
    assert (adl.owner, adl.size, adl.bankrupt_subaccount) == (B, 100, 1)
    isolated = eng.subaccounts[(A, 1)]  # a copy, read again
    assert isolated.positions == {} and isolated.collateral == 0
    assert eng.subaccounts[(A, 0)].collateral == 9_000 * USDC
    # B bought back at the bankruptcy price (≈ $40,025), not the $30,000 mark: the
    # profit it gave up is the isolated account's shortfall.
    assert adl.amount == 1_002_500_000


def test_open_orders_count_in_their_worst_case(markets) -> None:
    eng = Engine(markets)
    deposit(eng, A, 600)
    # Each 0.1 BTC buy at $50,000 needs $250 initial margin plus a $2.50 taker fee.
    assert kinds(eng.apply(order(A, "buy", 50_000, 100, cid=1)).events)[-1] == "OrderRested"
    assert kinds(eng.apply(order(A, "buy", 50_000, 100, cid=2)).events)[-1] == "OrderRested"
    assert free_collateral(eng.subaccounts[(A, 0)], eng.markets) == 95 * USDC
    assert rejection(eng.apply(order(A, "buy", 50_000, 100, cid=3)).events) == "insufficient_margin"
    # The sell side is a separate case: all sells filling leaves 600 − 152.55 free.
    assert kinds(eng.apply(order(A, "sell", 51_000, 100, cid=4)).events)[-1] == "OrderRested"


def test_withdrawal_must_leave_initial_margin(markets) -> None:
    eng = Engine(markets)
    deposit(eng, A, 600)
    eng.apply(order(A, "buy", 50_000, 100, cid=1))
    assert rejection(
        eng.apply(Withdraw(ts=3, owner=A, subaccount=0, amount=347_500_001)).events
    ) == ("insufficient_margin")
    assert kinds(eng.apply(Withdraw(ts=3, owner=A, subaccount=0, amount=347_500_000)).events) == [
        "Withdrawn"
    ]


def test_risk_reducing_order_is_accepted_while_under_margined(markets) -> None:
    eng = Engine(markets)
    deposit(eng, A, 300)
    deposit(eng, B, 100_000)
    eng.apply(order(B, "sell", 50_000, 100))
    eng.apply(order(A, "buy", 50_000, 100, cid=1, tif=IOC))
    set_price(eng, "BTC-USD", 49_000, ts=3_000)  # TV 197.5 < IMR 245
    sub = eng.subaccounts[(A, 0)]
    assert health(sub, eng.markets).value < health(sub, eng.markets).initial
    assert rejection(eng.apply(order(A, "buy", 40_000, 1, cid=2, ts=4_000)).events) == (
        "insufficient_margin"
    )
    events = eng.apply(order(A, "sell", 51_000, 50, cid=3, ts=4_000)).events
    assert kinds(events) == ["OrderAccepted", "OrderRested"]


def test_fill_that_would_break_the_change_rule_takes_the_maker_off(markets) -> None:
    eng = Engine(markets)
    deposit(eng, A, 300)
    deposit(eng, B, 100_000)
    deposit(eng, C, 100_000)
    eng.apply(order(A, "buy", 50_000, 100, cid=1))  # order 1, within margin at $50,000
    eng.apply(order(C, "buy", 49_000, 100, cid=1))  # order 2
    set_price(eng, "BTC-USD", 45_000, ts=3_000)
    events = eng.apply(order(B, "sell", 49_000, 100, ts=4_000, tif=IOC)).events
    canceled = [(e.order_id, e.reason) for e in events if isinstance(e, OrderCanceled)]
    assert canceled == [(1, "margin")]  # buying at $50,000 with the mark at $45,000
    assert [(e.maker_order_id, e.size) for e in events if isinstance(e, Fill)] == [(2, 100)]


def test_isolated_margin_moves_in_and_out_under_checks(markets) -> None:
    eng = Engine(markets)
    deposit(eng, A, 2_000)
    eng.advance(2)
    before = eng.state_digest()
    too_small = order(A, "buy", 50_000, 1_000, sub=3, isolated_margin=100 * USDC, margin_source=0)
    assert rejection(eng.apply(too_small).events) == "insufficient_margin"
    assert eng.state_digest() == before  # the margin move was unwound
    eng.apply(order(A, "buy", 50_000, 100, sub=3, isolated_margin=500 * USDC, margin_source=0))
    assert eng.subaccounts[(A, 0)].collateral == 1_500 * USDC
    eth = order(A, "buy", 30_000, 1, sub=3, cid=2, market="ETH-USD")
    assert rejection(eng.apply(eth).events) == "isolated_market_mismatch"
    # Removing isolated margin must leave the resting order's worst case covered.
    back = Transfer(ts=3, owner=A, subaccount=3, to_owner=A, to_subaccount=0, amount=247_500_000)
    assert kinds(eng.apply(back).events) == ["Transferred"]
    one_more = msgspec.structs.replace(back, amount=1)
    assert rejection(eng.apply(one_more).events) == "insufficient_margin"


def test_fees_go_to_the_fee_account_and_collateral_is_conserved(markets) -> None:
    eng = Engine(markets)
    deposit(eng, A, 100_000)
    deposit(eng, B, 100_000)
    eng.apply(order(A, "sell", 50_000, 1_000))  # maker: 0.01% rebate on $50,000 = $5
    events = eng.apply(order(B, "buy", 50_000, 1_000, tif=IOC)).events
    fill = next(e for e in events if isinstance(e, Fill))
    assert (fill.maker_fee, fill.taker_fee) == (-5 * USDC, 25 * USDC)
    assert eng.fee_collateral == 20 * USDC
    total = sum(s.collateral for s in eng.subaccounts.values()) + eng.fee_collateral
    assert total == eng.deposited - eng.withdrawn == 200_000 * USDC


@given(
    size=st.integers(1, 50_000).map(lambda s: s if s % 2 else -s),
    margin_usdc=st.integers(100, 200_000),
    price=st.integers(20_000, 80_000),
)
def test_liquidation_price_is_where_value_meets_maintenance(
    size: int, margin_usdc: int, price: int
) -> None:
    """Hyperliquid's isolated closed form: liquidatable exactly past the price, to a tick."""
    from tests.conftest import ETH, ETH_PRICE

    eng = Engine([(BTC, price), (ETH, ETH_PRICE)])
    deposit(eng, A, margin_usdc, sub=1)
    sub = eng.subaccounts[(A, 1)]
    from isoperp.accounts import Position

    sub.positions["BTC-USD"] = Position(size)
    sub.collateral -= size * price * 1000  # bought (or sold) at the mark
    liq = liquidation_price(sub, eng.markets, "BTC-USD")
    if liq is None:
        assert size < 0 or sub.collateral >= 0
        return

    def liquidatable_at(ticks: int) -> bool:
        eng.markets["BTC-USD"].price = ticks
        h = health(sub, eng.markets)
        return h.value < h.maintenance

    inside = int(liq) + (2 if size > 0 else -1)  # a tick on the safe side
    outside = int(liq) - 1 if size > 0 else int(liq) + 2
    if inside > 0:
        assert not liquidatable_at(inside)
    if outside > 0:
        assert liquidatable_at(outside)

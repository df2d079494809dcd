"""Liquidation through the engine: contagion, book steps, insurance, takeovers, losses."""

import msgspec

from isoperp.accounts import health
from isoperp.commands.trading import FundInsurance, TakeOver, TimeInForce
from isoperp.engine import Engine
from isoperp.events.risk import (
    InsuranceFeeReceived,
    InsurancePayout,
    LiquidationEnded,
    LiquidationStarted,
    LiquidationStep,
    SocializedLoss,
)
from tests.conftest import BTC, ETH
from tests.engine.helpers import USDC, deposit, order, rejection, set_price

TRADER, MAKER, LIQUIDATOR = 0xA, 0xB, 0xC
IOC = TimeInForce.IOC


def exchange() -> Engine:
    eng = Engine([(BTC, 50_000), (ETH, 30_000)])
    deposit(eng, TRADER, 10_000)
    deposit(eng, MAKER, 1_000_000)
    deposit(eng, LIQUIDATOR, 1_000_000)
    eng.apply(order(MAKER, "sell", 50_000, 100, cid=1))
    eng.apply(order(MAKER, "sell", 30_000, 100, cid=2, market="ETH-USD"))
    return eng


def open_positions(eng: Engine, btc_sub: int) -> None:
    """0.1 BTC long (isolated with 1,000 USDC when btc_sub is 1) and 1 ETH long, cross."""
    margin = {"isolated_margin": 1_000 * USDC, "margin_source": 0} if btc_sub else {}
    eng.apply(order(TRADER, "buy", 50_000, 100, sub=btc_sub, tif=IOC, **margin))
    eng.apply(order(TRADER, "buy", 30_000, 100, cid=2, market="ETH-USD", tif=IOC))


def events_of(events, kind):  # type: ignore[no-untyped-def]
    return [e for e in events if isinstance(e, kind)]


def test_isolation_contains_the_loss_and_cross_margin_shares_it() -> None:
    isolated = exchange()
    open_positions(isolated, btc_sub=1)
    cross_before = health(isolated.subaccounts[(TRADER, 0)], isolated.markets).value
    events = set_price(isolated, "BTC-USD", 30_000, ts=5_000)  # −40%: no bids, ADL
    assert [(e.owner, e.subaccount) for e in events_of(events, LiquidationStarted)] == [(TRADER, 1)]
    assert health(isolated.subaccounts[(TRADER, 0)], isolated.markets).value == cross_before
    assert isolated.subaccounts[(TRADER, 1)].collateral == 0  # lost exactly its 1,000 USDC

    shared = exchange()
    open_positions(shared, btc_sub=0)
    before = health(shared.subaccounts[(TRADER, 0)], shared.markets).value
    events = set_price(shared, "BTC-USD", 30_000, ts=5_000)
    assert not events_of(events, LiquidationStarted)  # still above maintenance ...
    after = health(shared.subaccounts[(TRADER, 0)], shared.markets).value
    assert before - after == 2_000 * USDC  # ... but the whole 0.1 BTC × $20,000 loss is shared


def test_book_liquidation_in_steps_pays_the_insurance_fee() -> None:
    eng = exchange()
    open_positions(eng, btc_sub=1)
    eng.apply(order(MAKER, "buy", 41_000, 100, cid=3, ts=3))  # bids to liquidate into
    events = set_price(eng, "BTC-USD", 41_000, ts=5_000)  # TV 97.5 < MMR 123
    steps = events_of(events, LiquidationStep)
    # Steps of at least $1,000 of notional (24 steps at $41,000), until healthy again.
    assert [s.size for s in steps][:1] == [-24] and all(s.by == "protocol" for s in steps)
    fees = events_of(events, InsuranceFeeReceived)
    assert [f.fund for f in fees] == ["BTC-USD"] * len(fees)  # the isolated market's fund
    assert [s.insurance_delta for s in steps] == [f.amount for f in fees]
    # The fee is 1.5% of each quote, capped by the surplus over bankruptcy.
    assert all(f.amount <= -(-s.quote * 15 // 1000) for f, s in zip(fees, steps, strict=True))
    (end,) = events_of(events, LiquidationEnded)
    assert end.reason == "healthy"
    h = health(eng.subaccounts[(TRADER, 1)], eng.markets)
    assert h.value >= h.maintenance > 0
    assert eng.insurance["BTC-USD"].balance == sum(f.amount for f in fees)


def test_the_fund_pays_a_deficit_below_bankruptcy_within_its_caps() -> None:
    eng = exchange()
    open_positions(eng, btc_sub=1)
    eng.apply(FundInsurance(ts=3, fund="BTC-USD", amount=500 * USDC))
    # At $40,000 the account is bankrupt (TV −2.50; bankruptcy ≈ $40,025) and the fillable
    # price is the mark less 1.5 × MMR: $38,200. Bids at $39,500 fill below bankruptcy.
    eng.apply(order(MAKER, "buy", 39_500, 100, cid=3, ts=3))
    events = set_price(eng, "BTC-USD", 40_000, ts=5_000)
    payouts = events_of(events, InsurancePayout)
    assert payouts and all(p.amount == p.requested for p in payouts)
    assert eng.insurance["BTC-USD"].balance == 500 * USDC - sum(p.amount for p in payouts)
    sub = eng.subaccounts[(TRADER, 1)]
    assert not sub.positions and sub.collateral >= 0  # made whole: no bad debt left


def test_an_external_liquidator_takes_over_at_the_mark_for_the_discount() -> None:
    eng = exchange()
    open_positions(eng, btc_sub=1)
    take = TakeOver(
        ts=4_000,
        owner=LIQUIDATOR,
        subaccount=0,
        target_owner=TRADER,
        target_subaccount=1,
        market="BTC-USD",
        size=50,
    )
    assert rejection(eng.apply(take).events) == "not_liquidatable"
    events = set_price(eng, "BTC-USD", 41_200, ts=5_000)  # liquidatable, no bids: waits
    assert events_of(events, LiquidationEnded)[0].reason == "no_liquidity"
    target_before = eng.subaccounts[(TRADER, 1)].collateral
    events = eng.apply(msgspec.structs.replace(take, ts=20_000)).events
    (step,) = events_of(events, LiquidationStep)
    notional = 50 * 41_200 * 1_000  # 0.05 BTC at the $41,200 mark
    assert (step.size, step.price, step.by) == (-50, 41_200, f"{LIQUIDATOR:#x}:0")
    # Defaults: the trader pays 1.5% of the notional, the liquidator keeps 1%, the fund 0.5%.
    assert (
        eng.subaccounts[(TRADER, 1)].collateral - target_before == notional - notional * 15 // 1000
    )
    assert eng.subaccounts[(LIQUIDATOR, 0)].positions["BTC-USD"].size == 50
    assert eng.insurance["BTC-USD"].balance == notional * 5 // 1000
    assert eng.markets["BTC-USD"].open_interest == 100


def test_socialised_loss_charges_every_open_position_through_funding() -> None:
    eng = exchange()
    registry = eng.gov.registry  # test setup: a market listed with the socialised-loss policy
    registry.commit({"risk.BTC-USD.loss_policy": 2}, by="test")
    eng._sync_markets()
    open_positions(eng, btc_sub=1)
    deposit(eng, LIQUIDATOR, 1, ts=3)
    eng.apply(order(MAKER, "sell", 50_000, 100, cid=4, ts=3))
    eng.apply(order(LIQUIDATOR, "buy", 50_000, 100, ts=3, tif=IOC))  # another long
    events = set_price(eng, "BTC-USD", 30_000, ts=5_000)
    (loss,) = events_of(events, SocializedLoss)
    assert loss.amount == 1_002_500_000  # the isolated account's shortfall at $30,000
    assert loss.charged >= loss.amount
    assert eng.subaccounts[(TRADER, 1)].collateral == 0
    total = sum(s.collateral for s in eng.subaccounts.values()) + eng.fee_collateral
    total += eng.funding_pool + sum(f.balance for f in eng.insurance.values())
    assert total == eng.deposited - eng.withdrawn


def test_socialised_loss_lands_even_when_the_only_counterparty_is_closed_out() -> None:
    """The maker's short is the only position facing the bankrupt long, and deleveraging
    takes all of it: the loss is charged before that trade-out, so the maker pays it and no
    flat account is left with negative collateral."""
    eng = exchange()
    registry = eng.gov.registry  # test setup: a market listed with the socialised-loss policy
    registry.commit({"risk.BTC-USD.loss_policy": 2}, by="test")
    eng._sync_markets()
    open_positions(eng, btc_sub=1)  # the maker's 0.1 BTC short is all the other side
    maker_before = health(eng.subaccounts[(MAKER, 0)], eng.markets).value
    events = set_price(eng, "BTC-USD", 30_000, ts=5_000)
    (loss,) = events_of(events, SocializedLoss)
    assert loss.amount == 1_002_500_000 and events_of(events, LiquidationEnded)[0].reason == (
        "socialized"
    )
    trader = eng.subaccounts[(TRADER, 1)]
    maker = eng.subaccounts[(MAKER, 0)]
    assert not trader.positions and trader.collateral == 0
    assert "BTC-USD" not in maker.positions
    # The short's gain from $50,000 to $30,000 on 0.1 BTC, less the loss it was charged.
    assert health(maker, eng.markets).value - maker_before == 2_000 * USDC - loss.charged
    assert eng.markets["BTC-USD"].open_interest == 0

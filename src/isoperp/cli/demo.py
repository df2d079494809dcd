"""``isoperp demo``: a seeded, scripted session showing what isolation contains.

One trader holds an isolated BTC long (its own 1,000 USDC) and a cross ETH long backed by
the rest of their collateral. Signed oracle prices arrive every minute for 70 minutes;
funding is sampled and ticks on the hour; BTC slides until the isolated subaccount is
liquidated through the book, paying the insurance fund, while the cross subaccount, moved
only by ETH, survives. Events are printed as they happen.
"""

import argparse
from decimal import Decimal
from typing import Any

from isoperp.accounts import Subaccount, health, liquidation_price
from isoperp.commands import Command
from isoperp.commands.oracle import PriceReport
from isoperp.commands.trading import Deposit, PlaceOrder, Side, TimeInForce
from isoperp.engine import Engine
from isoperp.engine.genesis import DEV_ORACLE_SECRET
from isoperp.engine.prices import asset_id
from isoperp.events import Event
from isoperp.events.funding import FundingPaid, FundingRateUpdated
from isoperp.events.risk import (
    Deleveraged,
    InsuranceFeeReceived,
    InsurancePayout,
    LiquidationEnded,
    LiquidationStarted,
    LiquidationStep,
)
from isoperp.events.trading import Fill
from isoperp.markets import MarketSpec
from isoperp.numeric import QUANTUMS_PER_USDC
from isoperp.oracle import sign_price

TRADER, MAKER = 0x7A11, 0x3A4E
USDC = QUANTUMS_PER_USDC


def _spec(market_id: str, tick: str, step: str, imf: int, mmf: int) -> MarketSpec:
    return MarketSpec(
        market_id=market_id,
        base_asset=market_id.split("-")[0],
        tick_size=tick,
        step_size=step,
        quantums_per_step_tick=1000,
        min_order_steps=1,
        initial_margin_ppm=imf,
        maintenance_margin_ppm=mmf,
        baseline_position_steps=10**6,
        incremental_position_steps=10**5,
        incremental_initial_margin_ppm=10_000,
        max_position_steps=10**7,
        open_interest_cap_steps=10**9,
        maker_fee_ppm=-100,
        taker_fee_ppm=500,
    )


BTC = _spec("BTC-USD", "1", "0.001", 50_000, 30_000)  # $1 ticks, 0.001 BTC steps
ETH = _spec("ETH-USD", "0.1", "0.01", 100_000, 50_000)  # $0.1 ticks, 0.01 ETH steps


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser("demo", help=__doc__.splitlines()[0])
    parser.set_defaults(run=run)


def usd(quantums: int) -> str:
    return f"{Decimal(quantums) / USDC:>12,.2f}"


def show_health(engine: Engine, title: str) -> None:
    print(f"\n  {title}")
    print(f"  {'subaccount':<22}{'collateral':>12}{'value':>13}{'maint.':>13}{'init.':>13}  status")
    for number, label in ((0, "trader cross (0)"), (1, "trader isolated (1)")):
        sub: Subaccount = engine.subaccounts[(TRADER, number)]
        h = health(sub, engine.markets)
        if h.value < 0:
            status = "BANKRUPT: loss stays here"
        elif h.value < h.maintenance:
            status = "LIQUIDATABLE"
        elif h.value < h.initial:
            status = "below initial margin"
        else:
            status = "healthy"
        amounts = f"{usd(sub.collateral)}{usd(h.value)} {usd(h.maintenance)} {usd(h.initial)}"
        print(f"  {label:<22}{amounts}  {status}")


def describe(event: Event) -> str | None:
    """One line for the events worth narrating; None for the rest."""
    who = {TRADER: "trader", MAKER: "maker"}
    match event:
        case Fill():
            taker = who.get(event.taker_owner, "?")
            return f"fill {event.market} {event.size} steps @ {event.price} ({taker} takes)"
        case FundingRateUpdated():
            return f"funding {event.market}: 8-hour rate {event.rate_ppm} ppm"
        case FundingPaid():
            account = f"({who[event.owner]}, {event.subaccount})"
            return f"funding settled for {account}: {usd(event.amount).strip()}"
        case LiquidationStarted():
            account = f"({who[event.owner]}, {event.subaccount})"
            value, mmr = usd(event.net_collateral).strip(), usd(event.maintenance).strip()
            return f"LIQUIDATION of {account}: value {value} < maintenance {mmr}"
        case LiquidationStep():
            quote = usd(event.quote).strip()
            return f"  step {event.size} {event.market} @ {event.price}: received {quote}"
        case InsuranceFeeReceived():
            fee, balance = usd(event.amount).strip(), usd(event.balance).strip()
            return f"  insurance fund {event.fund} +{fee} → {balance}"
        case InsurancePayout():
            return f"  insurance fund {event.fund} paid {usd(event.amount).strip()}"
        case Deleveraged():
            gave_up = usd(event.amount).strip()
            return (
                f"  deleveraged {who.get(event.owner, '?')}: {event.size} steps, gave up {gave_up}"
            )
        case LiquidationEnded():
            return f"  liquidation ended: {event.reason}"
    return None


def signed_report(market: str, price: int, ts: int) -> PriceReport:
    """A price signed by the demo's (development) oracle key."""
    signed = sign_price(DEV_ORACLE_SECRET, asset_id(market), price, ts // 1000)
    return PriceReport(ts=ts, market=market, price=price, signed_prices=(signed,))


def place(
    owner: int, sub: int, market: str, cid: int, side: Side, price: int, size: int, **extra: Any
) -> PlaceOrder:
    return PlaceOrder(
        ts=2,
        owner=owner,
        subaccount=sub,
        market=market,
        client_id=cid,
        side=side,
        price=price,
        size=size,
        **extra,
    )


OPENING: list[Command] = [
    Deposit(ts=1, owner=TRADER, subaccount=0, amount=10_000 * USDC),
    Deposit(ts=1, owner=MAKER, subaccount=0, amount=1_000_000 * USDC),
    place(MAKER, 0, "BTC-USD", 1, Side.SELL, 50_000, 100),
    place(MAKER, 0, "ETH-USD", 2, Side.SELL, 30_000, 1_000),
    # The trader: an isolated long of 0.1 BTC with 1,000 USDC moved in from cross ...
    place(
        TRADER,
        1,
        "BTC-USD",
        1,
        Side.BUY,
        50_000,
        100,
        tif=TimeInForce.IOC,
        isolated_margin=1_000 * USDC,
        margin_source=0,
    ),
    # ... and a cross long of 10 ETH.
    place(TRADER, 0, "ETH-USD", 2, Side.BUY, 30_000, 1_000, tif=TimeInForce.IOC),
    # The maker quotes ETH 0.1% over the oracle (longs will pay funding) and bids BTC
    # just under $41,200, where the trader's liquidation will need them.
    place(MAKER, 0, "ETH-USD", 3, Side.BUY, 30_030, 1_000),
    place(MAKER, 0, "ETH-USD", 4, Side.SELL, 30_100, 1_000),
    place(MAKER, 0, "BTC-USD", 5, Side.BUY, 41_100, 40),
    place(MAKER, 0, "BTC-USD", 6, Side.BUY, 40_900, 60),
]


def narrate(events: list[Event]) -> None:
    for event in events:
        line = describe(event)
        if line:
            print("  " + line)


def run(args: argparse.Namespace) -> int:
    engine = Engine([(BTC, 50_000), (ETH, 30_000)])
    print("isoperp demo: isolated versus cross margin, through a BTC slide\n")
    for cmd in OPENING:
        narrate(engine.apply(cmd).events)
    isolated = engine.subaccounts[(TRADER, 1)]
    liq = liquidation_price(isolated, engine.markets, "BTC-USD")
    assert liq is not None
    print(f"\n  isolated BTC liquidation price: ${Decimal(liq.numerator) / liq.denominator:,.2f}")
    show_health(engine, "after opening: BTC $50,000, ETH $3,000")
    # Signed oracle prices every minute for 70 minutes: BTC slides $150 a minute, ETH holds.
    for minute in range(1, 71):
        ts = minute * 60_000
        btc = max(50_000 - 150 * minute, 40_000)
        events = engine.apply(signed_report("BTC-USD", btc, ts)).events
        events += engine.apply(signed_report("ETH-USD", 30_000, ts)).events
        if any(describe(e) for e in events):
            print(f"\n  minute {minute}: BTC ${btc:,}")
            narrate(events)
        if minute in (30, 58, 59, 70):
            show_health(engine, f"minute {minute}: BTC ${btc:,}, ETH $3,000")
    cross = health(engine.subaccounts[(TRADER, 0)], engine.markets)
    print(
        f"\n  The isolated subaccount was liquidated on its own; the cross subaccount, backing"
        f"\n  only ETH, still holds {usd(cross.value).strip()} USDC of value."
        f"\n  insurance funds: "
        + ", ".join(f"{n} {usd(f.balance).strip()}" for n, f in sorted(engine.insurance.items()))
        + f"\n  state digest {engine.state_digest()}"
    )
    return 0

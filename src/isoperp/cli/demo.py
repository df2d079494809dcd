"""``isoperp demo``: a seeded, scripted session showing what isolation contains.

One trader holds an isolated BTC long (its own 1,000 USDC) and a cross ETH position backed
by the rest of their collateral. BTC crashes; the isolated subaccount goes under water
while the cross subaccount's value moves only with ETH.
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
from isoperp.events.oracle import OraclePricePending, OraclePriceUpdated
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
    if isinstance(event, Fill):
        who = "trader" if event.taker_owner == TRADER else "maker"
        fee = usd(event.taker_fee).strip()
        trade = f"{event.market} {event.size} steps @ {event.price} ticks"
        return f"fill {trade} ({who} takes, fee {fee})"
    return None


def signed_report(market: str, price: int, ts: int) -> PriceReport:
    """A price signed by the demo's (development) oracle key."""
    signed = sign_price(DEV_ORACLE_SECRET, asset_id(market), price, ts // 1000)
    return PriceReport(ts=ts, market=market, price=price, signed_prices=(signed,))


def run(args: argparse.Namespace) -> int:
    engine = Engine([(BTC, 50_000), (ETH, 30_000)])
    script: list[Command] = [
        Deposit(ts=1, owner=TRADER, subaccount=0, amount=10_000 * USDC),
        Deposit(ts=1, owner=MAKER, subaccount=0, amount=1_000_000 * USDC),
        PlaceOrder(
            ts=2,
            owner=MAKER,
            subaccount=0,
            market="BTC-USD",
            client_id=1,
            side=Side.SELL,
            price=50_000,
            size=100,
        ),
        PlaceOrder(
            ts=2,
            owner=MAKER,
            subaccount=0,
            market="ETH-USD",
            client_id=2,
            side=Side.SELL,
            price=30_000,
            size=1_000,
        ),
        # The trader opens an isolated long of 0.1 BTC with 1,000 USDC moved in from cross ...
        PlaceOrder(
            ts=3,
            owner=TRADER,
            subaccount=1,
            market="BTC-USD",
            client_id=1,
            side=Side.BUY,
            price=50_000,
            size=100,
            tif=TimeInForce.IOC,
            isolated_margin=1_000 * USDC,
            margin_source=0,
        ),
        # ... and a cross long of 10 ETH.
        PlaceOrder(
            ts=3,
            owner=TRADER,
            subaccount=0,
            market="ETH-USD",
            client_id=2,
            side=Side.BUY,
            price=30_000,
            size=1_000,
            tif=TimeInForce.IOC,
        ),
    ]
    print("isoperp demo: isolated versus cross margin\n")
    for cmd in script:
        for event in engine.apply(cmd).events:
            line = describe(event)
            if line:
                print("  " + line)
    isolated = engine.subaccounts[(TRADER, 1)]
    liq = liquidation_price(isolated, engine.markets, "BTC-USD")
    assert liq is not None
    print(f"\n  isolated BTC liquidation price: ${Decimal(liq.numerator) / liq.denominator:,.2f}")
    show_health(engine, "after opening: BTC $50,000, ETH $3,000")
    for minute, btc, eth in ((1, 45_000, 3_050), (2, 41_000, 3_020), (3, 35_000, 2_990)):
        ts = minute * 60_000
        held = []
        for market, price in (("BTC-USD", btc), ("ETH-USD", eth * 10)):
            events = engine.apply(signed_report(market, price, ts)).events
            if any(isinstance(e, OraclePricePending) for e in events):
                print(f"\n  {market} move to {price} ticks is beyond the price band: held")
                held.append((market, price))
        for market, price in held:
            confirm_at = ts + engine.markets[market].oracle_config.confirm_delay_ms
            for event in engine.apply(signed_report(market, price, confirm_at)).events:
                if isinstance(event, OraclePriceUpdated) and event.confirmed:
                    print(f"  {market} confirmed by a second report {confirm_at - ts} ms later")
        show_health(engine, f"BTC ${btc:,}, ETH ${eth:,}")
    cross = health(engine.subaccounts[(TRADER, 0)], engine.markets)
    print(
        f"\n  The isolated subaccount can lose at most the 1,000 USDC moved into it; the cross"
        f"\n  subaccount still holds {usd(cross.value).strip()} USDC of value, moved only by ETH."
        f"\n  state digest {engine.state_digest()}"
    )
    return 0

"""Small builders so tests read as trading sessions."""

from isoperp.commands.oracle import PriceReport
from isoperp.commands.trading import Deposit, PlaceOrder, Side, TimeInForce
from isoperp.engine import Engine
from isoperp.engine.genesis import DEV_ORACLE_SECRET
from isoperp.engine.prices import asset_id
from isoperp.events import Event, Rejected
from isoperp.events.oracle import OraclePricePending
from isoperp.oracle import sign_price

USDC = 1_000_000  # quantums


def deposit(eng: Engine, owner: int, usdc: int, sub: int = 0, ts: int = 1) -> None:
    events = eng.apply(Deposit(ts=ts, owner=owner, subaccount=sub, amount=usdc * USDC)).events
    assert not isinstance(events[0], Rejected), events


def order(
    owner: int,
    side: str,
    price: int,
    size: int,
    *,
    cid: int = 1,
    sub: int = 0,
    market: str = "BTC-USD",
    ts: int = 2,
    tif: TimeInForce = TimeInForce.GTC,
    **extra: object,
) -> PlaceOrder:
    return PlaceOrder(
        ts=ts,
        owner=owner,
        subaccount=sub,
        market=market,
        client_id=cid,
        side=Side(side),
        price=price,
        size=size,
        tif=tif,
        **extra,  # type: ignore[arg-type]
    )


def kinds(events: list[Event]) -> list[str]:
    return [type(e).__name__ for e in events]


def rejection(events: list[Event]) -> str:
    assert len(events) == 1 and isinstance(events[0], Rejected), events
    return events[0].code


def report(market: str, price: int, ts: int) -> PriceReport:
    """A price report signed by the development oracle key (quorum 1) at ``ts`` ms."""
    signed = sign_price(DEV_ORACLE_SECRET, asset_id(market), price, ts // 1000)
    return PriceReport(ts=ts, market=market, price=price, signed_prices=(signed,))


def set_price(eng: Engine, market: str, price: int, ts: int) -> list[Event]:
    """Move a market's oracle price at ``ts``; a move beyond the price band is confirmed by
    a second report after the confirmation delay. Returns the events."""
    events = eng.apply(report(market, price, ts)).events
    assert not any(isinstance(e, Rejected) for e in events), events
    if any(isinstance(e, OraclePricePending) for e in events):
        later = ts + eng.markets[market].oracle_config.confirm_delay_ms + 1_000
        events += eng.apply(report(market, price, later)).events
    assert eng.markets[market].oracle.price == price, events
    return events

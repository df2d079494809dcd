"""Small builders so tests read as trading sessions."""

from isoperp.commands.trading import Deposit, PlaceOrder, Side, TimeInForce
from isoperp.engine import Engine
from isoperp.events import Event, Rejected

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

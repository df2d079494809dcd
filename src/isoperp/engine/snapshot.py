"""Snapshots and the state digest: one canonical encoding of the whole exchange state.

The encoding is compact JSON (msgspec; JSON because owner keys are 252-bit integers, which
msgpack cannot carry) of nested lists in a fixed order (markets by id, subaccounts by
(owner, number), orders by id — which is also their time priority within a price level).
Derived bookkeeping (open-order exposure, the expiry heap, book indexes) is not encoded;
``restore`` rebuilds it, so equal states always have equal bytes and equal digests.
"""

import hashlib
from typing import TYPE_CHECKING, Any

import msgspec

from isoperp.accounts import Position, Subaccount
from isoperp.book import Order
from isoperp.commands.trading import PlaceOrder
from isoperp.engine.orders import add_exposure
from isoperp.markets import MarketSpec

if TYPE_CHECKING:
    from isoperp.engine.core import Engine

SNAPSHOT_VERSION = 1


def _order_row(order: Order) -> list[Any]:
    sub: Subaccount = order.account
    return [
        order.order_id,
        sub.owner,
        sub.number,
        order.client_id,
        order.is_buy,
        order.price,
        order.remaining,
        order.reduce_only,
        order.expires_at,
    ]


def canonical(eng: "Engine") -> list[Any]:
    markets = []
    for mid in sorted(eng.markets):
        market = eng.markets[mid]
        resting = sorted(market.book.orders.values(), key=lambda o: o.order_id)
        conditional = []
        for order_id in sorted(market.triggers):
            cmd = market.triggers[order_id]
            order = eng.subaccounts[(cmd.owner, cmd.subaccount)].orders[cmd.client_id]
            conditional.append([_order_row(order), msgspec.to_builtins(cmd)])
        markets.append(
            [
                msgspec.to_builtins(market.spec),
                market.price,
                market.open_interest,
                [_order_row(o) for o in resting],
                conditional,
            ]
        )
    subaccounts = [
        [
            sub.owner,
            sub.number,
            sub.collateral,
            sub.isolated_market,
            [[m, p.size, p.funding_index] for m, p in sorted(sub.positions.items())],
        ]
        for _, sub in sorted(eng.subaccounts.items())
    ]
    header = [
        SNAPSHOT_VERSION,
        eng.last_ts,
        eng.next_order_id,
        eng.fee_collateral,
        eng.deposited,
        eng.withdrawn,
        eng.max_open_orders,
    ]
    return [header, markets, subaccounts]


def snapshot(eng: "Engine") -> bytes:
    return msgspec.json.encode(canonical(eng))


def digest(eng: "Engine") -> str:
    return hashlib.blake2b(snapshot(eng), digest_size=32).hexdigest()


def restore(data: bytes) -> "Engine":
    from isoperp.engine.core import Engine

    header, markets, subaccounts = msgspec.json.decode(data)
    if header[0] != SNAPSHOT_VERSION:
        raise ValueError(f"snapshot version {header[0]} is not {SNAPSHOT_VERSION}")
    specs = [(msgspec.convert(row[0], MarketSpec), row[1]) for row in markets]
    eng = Engine(specs, max_open_orders=header[6])
    (_, eng.last_ts, eng.next_order_id, eng.fee_collateral, eng.deposited, eng.withdrawn, _) = (
        header
    )
    for owner, number, collateral, isolated_market, positions in subaccounts:
        sub = eng.subaccounts[(owner, number)] = Subaccount(owner, number)
        sub.collateral = collateral
        sub.isolated_market = isolated_market
        for mid, size, funding_index in positions:
            sub.positions[mid] = Position(size, funding_index)
    for row in markets:
        market = eng.markets[row[0]["market_id"]]
        market.open_interest = row[2]
        for order_row in row[3]:
            order = _revive(eng, market.spec.market_id, order_row)
            market.book.rest(order)
            sub = order.account
            if order.reduce_only:
                sub.reduce_only[order.client_id] = order
            add_exposure(sub, order.market, order.is_buy, order.remaining, order.price)
            if order.expires_at is not None:
                eng.schedule_expiry(order.expires_at, order.order_id, market.spec.market_id)
        for order_row, cmd in row[4]:
            order = _revive(eng, market.spec.market_id, order_row)
            market.triggers[order.order_id] = msgspec.convert(cmd, PlaceOrder)
    return eng


def _revive(eng: "Engine", market_id: str, row: list[Any]) -> Order:
    order_id, owner, number, client_id, is_buy, price, remaining, reduce_only, expires_at = row
    sub = eng.subaccounts[(owner, number)]
    order = Order(
        order_id, sub, market_id, client_id, is_buy, price, remaining, reduce_only, expires_at
    )
    sub.orders[client_id] = order
    return order

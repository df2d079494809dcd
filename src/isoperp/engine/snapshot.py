"""Snapshots and the state digest: one canonical encoding of the whole exchange state.

The snapshot is compact JSON (msgspec; JSON because owner keys are 252-bit integers, which
msgpack cannot carry) of nested lists in a fixed order (markets by id, subaccounts by
(owner, number), orders by id — which is also their time priority within a price level).
Derived bookkeeping (open-order exposure, the expiry heap, book indexes) is not encoded;
``restore`` rebuilds it, so equal states always have equal bytes and equal digests.
"""

import hashlib
from sys import intern
from typing import TYPE_CHECKING, Any

import msgspec

from isoperp.accounts import Position, Subaccount
from isoperp.book import Order, new_order
from isoperp.commands.trading import PlaceOrder
from isoperp.engine.orders import add_exposure
from isoperp.funding import FundingState
from isoperp.governance import decode_state, encode_state
from isoperp.oracle import MarkState, OracleState
from isoperp.risk import InsuranceFund

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


def canonical(eng: "Engine", governance: Any) -> list[Any]:
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
                mid,
                market.price,
                market.open_interest,
                market.last_trade,
                msgspec.to_builtins(market.oracle),
                msgspec.to_builtins(market.mark),
                msgspec.to_builtins(market.funding),
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
            [[m, p.size, p.funding_index, p.cost] for m, p in sorted(sub.positions.items())],
        ]
        for _, sub in sorted(eng.subaccounts.items())
    ]
    risk = [
        [msgspec.to_builtins(eng.insurance[name]) for name in sorted(eng.insurance)],
        [[*key, ts] for key, ts in sorted(eng.last_liquidation_step.items())],
    ]
    header = [
        SNAPSHOT_VERSION,
        eng.last_ts,
        eng.next_order_id,
        eng.fee_collateral,
        eng.funding_pool,
        eng.deposited,
        eng.withdrawn,
    ]
    return [header, governance, markets, subaccounts, risk]


def snapshot(eng: "Engine") -> bytes:
    """The whole state, governance included, as canonical JSON."""
    return msgspec.json.encode(canonical(eng, msgspec.json.decode(encode_state(eng.gov))))


def digest(eng: "Engine") -> str:
    """BLAKE2b-256 of the canonical encoding with the governance state stood in for by its
    own digest (cached by the engine, the only thing that changes it)."""
    encoded = msgspec.json.encode(canonical(eng, eng.governance_digest().hex()))
    return hashlib.blake2b(encoded, digest_size=32).hexdigest()


def restore(data: bytes) -> "Engine":
    from isoperp.engine.core import Engine

    header, governance, markets, subaccounts, risk = msgspec.json.decode(data)
    if header[0] != SNAPSHOT_VERSION:
        raise ValueError(f"snapshot version {header[0]} is not {SNAPSHOT_VERSION}")
    eng = Engine([])  # then its governance, markets and accounts are replaced
    eng.gov = decode_state(msgspec.json.encode(governance))
    eng._gov_digest = None
    eng.markets = {}
    eng._sync_markets()
    (
        _,
        eng.last_ts,
        eng.next_order_id,
        eng.fee_collateral,
        eng.funding_pool,
        eng.deposited,
        eng.withdrawn,
    ) = header
    for owner, number, collateral, isolated_market, positions in subaccounts:
        sub = Subaccount(owner, number)
        eng.add_subaccount(sub)
        sub.collateral = collateral
        sub.isolated_market = isolated_market
        for mid, size, funding_index, cost in positions:
            sub.positions[intern(mid)] = Position(size, funding_index, cost)
    for (
        mid,
        price,
        open_interest,
        last_trade,
        oracle,
        mark,
        funding,
        resting,
        conditional,
    ) in markets:
        market = eng.markets[mid]
        mid = market.market_id  # interned, as the keys it will be looked up by
        market.funding = msgspec.convert(funding, FundingState)
        market.price, market.open_interest, market.last_trade = price, open_interest, last_trade
        market.oracle = msgspec.convert(oracle, OracleState)
        market.mark = msgspec.convert(mark, MarkState)
        for order_row in resting:
            order = _revive(eng, mid, order_row)
            market.book.rest(order)
            sub = order.account
            if order.reduce_only:
                sub.reduce_only[order.client_id] = order
            add_exposure(sub, order.market, order.is_buy, order.remaining, order.price)
            if order.expires_at is not None:
                eng.schedule_expiry(order.expires_at, order.order_id, mid)
        for order_row, cmd in conditional:
            order = _revive(eng, mid, order_row)
            market.triggers[order.order_id] = msgspec.convert(cmd, PlaceOrder)
    funds, steps = risk
    eng.insurance = {f["fund"]: msgspec.convert(f, InsuranceFund) for f in funds}
    eng.last_liquidation_step = {(owner, number): ts for owner, number, ts in steps}
    eng._table_dirty = set(eng.subaccounts)
    eng.sync_position_table()
    return eng


def _revive(eng: "Engine", market_id: str, row: list[Any]) -> Order:
    order_id, owner, number, client_id, is_buy, price, remaining, reduce_only, expires_at = row
    sub = eng.subaccounts[(owner, number)]
    order = new_order(
        order_id, sub, market_id, client_id, is_buy, price, remaining, reduce_only, expires_at
    )
    sub.orders[client_id] = order
    return order

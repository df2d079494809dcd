"""Snapshots and the state digest: one canonical encoding of the whole exchange state.

The snapshot is compact JSON (msgspec; JSON because owner keys are 252-bit integers, which
msgpack cannot carry) of nested lists in a fixed order (markets by id, subaccounts by
(owner, number), orders by id — which is also their time priority within a price level).
Derived bookkeeping (open-order exposure, the expiry heap, book indexes) is not encoded;
``restore`` rebuilds it (NativeCore.load), so equal states always have equal bytes and
equal digests.
"""

import hashlib
from typing import TYPE_CHECKING, Any

import msgspec

from isoperp.funding import FundingState
from isoperp.governance import decode_state, encode_state
from isoperp.oracle import MarkState, OracleState
from isoperp.risk import InsuranceFund

if TYPE_CHECKING:
    from isoperp.engine.core import Engine

SNAPSHOT_VERSION = 1


def canonical(eng: "Engine", governance: Any) -> list[Any]:
    """The engine's state with the core's rows (NativeCore.canonical) in their places."""
    held = eng.core.canonical()
    markets = []
    for mid in sorted(eng.markets):
        market = eng.markets[mid]
        open_interest, last_trade, resting, conditional = held["markets"][mid]
        markets.append(
            [
                mid,
                market.price,
                open_interest,
                last_trade,
                msgspec.to_builtins(market.oracle),
                msgspec.to_builtins(market.mark),
                msgspec.to_builtins(market.funding),
                resting,
                conditional,
            ]
        )
    risk = [
        [msgspec.to_builtins(eng.insurance[name]) for name in sorted(eng.insurance)],
        [[*key, ts] for key, ts in sorted(eng.last_liquidation_step.items())],
    ]
    header = [SNAPSHOT_VERSION, eng.last_ts, *held["header"]]
    return [header, governance, markets, held["subaccounts"], risk]


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
    eng._sync_markets()
    eng.last_ts = header[1]
    held: dict[str, Any] = {"header": header[2:], "markets": {}, "subaccounts": subaccounts}
    for mid, price, open_interest, last_trade, oracle, mark, funding, *orders in markets:
        market = eng.markets[mid]
        market.funding = msgspec.convert(funding, FundingState)
        market.oracle = msgspec.convert(oracle, OracleState)
        market.mark = msgspec.convert(mark, MarkState)
        market.price = price
        eng.core.set_price(mid, price, eng.last_ts)  # no orders yet, so nothing fires
        held["markets"][mid] = [open_interest, last_trade, *orders]
    eng.core.load(held)
    funds, steps = risk
    eng.insurance = {f["fund"]: msgspec.convert(f, InsuranceFund) for f in funds}
    eng.last_liquidation_step = {(owner, number): ts for owner, number, ts in steps}
    eng.sync_position_table()
    return eng

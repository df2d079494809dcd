"""Prices in the engine: signed oracle reports, staleness, and the mark price.

Parameters come from the registry's ``oracle.<MARKET>.*`` family. A market's oracle asset
id is its id's UTF-8 bytes read as a big-endian integer (StarkEx asset ids likewise encode
names), so signers sign Pedersen(asset_id("BTC-USD"), price·2^32 + timestamp).
"""

from typing import TYPE_CHECKING

from isoperp.commands.oracle import PriceReport
from isoperp.crypto import prepare_keys
from isoperp.engine.market import Market
from isoperp.engine.rejections import Reject
from isoperp.events import Rejected
from isoperp.governance import ParameterRegistry, parse_key
from isoperp.oracle import (
    MarkConfig,
    MarkMode,
    OracleConfig,
    OracleState,
    StalePolicy,
    apply_price_report,
    check_staleness,
    mark_price,
    update_basis_ema,
)

if TYPE_CHECKING:
    from isoperp.engine.core import Engine


def asset_id(market_id: str) -> int:
    return int.from_bytes(market_id.encode(), "big")


def oracle_config(registry: ParameterRegistry, market_id: str) -> OracleConfig:
    def get(field: str) -> int:
        return registry.get_int(f"oracle.{market_id}.{field}")

    parsed = (parse_key(k) for k in registry.get_keys(f"oracle.{market_id}.signers"))
    signers = tuple(k for k in parsed if k is not None)
    prepare_keys(signers)
    return OracleConfig(
        asset_id=asset_id(market_id),
        signers=signers,
        quorum=get("quorum"),
        max_lag_ms=get("max_lag_ms"),
        max_lead_ms=get("max_lead_ms"),
        max_price_age_ms=get("max_price_age_ms"),
        band_ppm=get("band_ppm"),
        confirm_delay_ms=get("confirm_delay_ms"),
        stale_policy=StalePolicy(registry.get(f"oracle.{market_id}.stale_policy")),
    )


def mark_config(registry: ParameterRegistry, market_id: str) -> MarkConfig:
    return MarkConfig(
        mode=MarkMode(registry.get(f"oracle.{market_id}.mark_mode")),
        ema_period_ms=registry.get_int(f"oracle.{market_id}.mark_ema_period_ms"),
    )


def set_initial_price(eng: "Engine", market: Market, price: int, ts: int) -> None:
    """A genesis price counts as a fresh oracle price at the genesis time."""
    market.oracle = OracleState(price=price, price_time_ms=ts, stale=False)
    market.price = price
    eng.core.set_price(market.market_id, price, ts)  # no orders yet, so nothing fires


def apply_report(eng: "Engine", cmd: PriceReport) -> None:
    market = eng.market(cmd.market)
    state, events = apply_price_report(cmd.market, market.oracle_config, market.oracle, cmd)
    refused = next((e for e in events if isinstance(e, Rejected)), None)
    if refused is not None:
        raise Reject(refused.code, refused.message)
    market.oracle = state
    eng.time_effects_changed()
    eng.events.extend(events)
    update_mark(eng, market, cmd.ts)


def update_mark(eng: "Engine", market: Market, ts: int) -> None:
    """Recompute the mark from the oracle price (and, in median mode, the book)."""
    oracle_price = market.oracle.price
    if oracle_price is None:
        return
    book = market.book
    bid, ask = book.best_bid(), book.best_ask()
    market.mark = update_basis_ema(market.mark_config, market.mark, oracle_price, bid, ask, ts)
    mark = mark_price(market.mark_config, market.mark, oracle_price, bid, ask, market.last_trade)
    if mark != market.price:
        market.price = mark
        eng.on_mark_changed(market, ts)


def check_all_staleness(eng: "Engine", ts: int) -> None:
    for market_id, market in eng.markets.items():
        if market.oracle_stale:
            continue
        market.oracle, events = check_staleness(market_id, market.oracle_config, market.oracle, ts)
        eng.events.extend(events)

"""Shared builders for oracle tests: real signers and a standard market config."""

from isoperp.commands.oracle import PriceReport, SignedPrice
from isoperp.crypto import public_key
from isoperp.oracle import OracleConfig, StalePolicy, sign_price

ASSET_ID = 0x425443555344000000000000000000  # "BTCUSD" padded, as StarkEx asset ids look
PRIVATE_KEYS = sorted(range(1001, 1006), key=public_key)  # sorted by public key
SIGNERS = tuple(public_key(k) for k in PRIVATE_KEYS)
MARKET = "ETH-USD"


def make_config(**overrides: object) -> OracleConfig:
    fields: dict[str, object] = {
        "asset_id": ASSET_ID,
        "signers": SIGNERS,
        "quorum": 3,
        "max_lag_ms": 30_000,
        "max_lead_ms": 5_000,
        "max_price_age_ms": 60_000,
        "band_ppm": 50_000,  # 5 %
        "confirm_delay_ms": 10_000,
        "stale_policy": StalePolicy.HALT,
    }
    fields.update(overrides)
    return OracleConfig(**fields)  # type: ignore[arg-type]


def signed(prices: list[int], timestamp_s: int, keys: list[int] | None = None) -> list[SignedPrice]:
    keys = PRIVATE_KEYS[: len(prices)] if keys is None else keys
    return [sign_price(k, ASSET_ID, p, timestamp_s) for k, p in zip(keys, prices, strict=True)]


def report(claimed: int, items: list[SignedPrice], ts_ms: int, market: int = MARKET) -> PriceReport:
    return PriceReport(ts=ts_ms, market=market, price=claimed, signed_prices=tuple(items))

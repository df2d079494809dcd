"""Per-market oracle parameters (set by governance; read-only to the engine)."""

import enum

import msgspec

from isoperp.crypto.curve import SIGNATURE_BOUND
from isoperp.numeric import PPM


class StalePolicy(enum.Enum):
    """What a market does while its oracle price is stale."""

    HALT = "halt"  # no liquidations and no risk-increasing orders
    LIQUIDATE_AT_LAST = "liquidate_at_last"  # keep liquidating at the last accepted price


class OracleConfig(msgspec.Struct, frozen=True, kw_only=True):
    """How a market accepts price reports; times in milliseconds, fractions in ppm.

    A signed timestamp t (seconds) is inside the validity window of a command at ``ts`` when
    ts - max_lag_ms <= 1000·t <= ts + max_lead_ms. A price older than ``max_price_age_ms``
    makes the market stale. A move of more than ``band_ppm`` from the last price is held
    pending until a report at least ``confirm_delay_ms`` later confirms it (see
    docs/oracle-and-funding.md).
    """

    asset_id: int
    signers: tuple[int, ...]
    quorum: int
    max_lag_ms: int
    max_lead_ms: int
    max_price_age_ms: int
    band_ppm: int
    confirm_delay_ms: int
    stale_policy: StalePolicy = StalePolicy.HALT

    def __post_init__(self) -> None:
        if not 0 <= self.asset_id < SIGNATURE_BOUND:
            raise ValueError("asset_id must be a field element below 2^251")
        if not 1 <= self.quorum <= len(self.signers):
            raise ValueError("quorum must be between 1 and the number of signers")
        if len(set(self.signers)) != len(self.signers):
            raise ValueError("signer keys must be distinct")
        if not 0 < self.band_ppm < PPM:
            raise ValueError("band_ppm must be in (0, 1e6)")
        if min(self.max_lag_ms, self.max_lead_ms, self.confirm_delay_ms) < 0:
            raise ValueError("windows and delays must be non-negative")
        if not 0 <= self.max_lag_ms < self.max_price_age_ms:
            raise ValueError("max_lag_ms must be below max_price_age_ms, or prices arrive stale")

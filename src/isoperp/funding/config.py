"""Per-market funding parameters (dYdX v4 defaults where v4 has them)."""

import msgspec

SAMPLE_INTERVAL_MS = 60_000  # one premium sample a minute [V4]
TICK_INTERVAL_MS = 3_600_000  # one funding tick an hour [V4]
RATE_PERIOD_MS = 8 * 3_600_000  # rates are quoted per 8 hours [V4 funding.go: 60*60*8]


class FundingConfig(msgspec.Struct, frozen=True, kw_only=True):
    """Clamps and interest in ppm per 8 hours.

    dYdX v4 clamps each premium vote to ±60·(IMF − MMF) and the hourly rate to ±6·(IMF − MMF),
    and adds a default 100 ppm per 8 hours (0.01 %); for IMF 5 % and MMF 3 % the clamps are
    1,200,000 and 120,000 ppm. ``max_rate_ppm`` is StarkEx's funding-tick bound.
    """

    premium_clamp_ppm: int = 1_200_000
    rate_clamp_ppm: int = 120_000
    interest_ppm: int = 100
    max_rate_ppm: int = 120_000
    history_limit: int = 720  # hourly points kept: 30 days

    def __post_init__(self) -> None:
        if min(self.premium_clamp_ppm, self.rate_clamp_ppm, self.history_limit) <= 0:
            raise ValueError("clamps and history_limit must be positive")
        if abs(self.interest_ppm) > self.rate_clamp_ppm:
            raise ValueError("interest must lie inside the rate clamp")
        if self.max_rate_ppm < self.rate_clamp_ppm:
            raise ValueError("max_rate_ppm below rate_clamp_ppm would refuse legal ticks")

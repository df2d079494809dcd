"""The cumulative funding index and the exact settlement of a position against it.

Units: the index counts quantums owed per step of a long position, scaled by INDEX_SCALE.
A tick at 8-hour rate r (ppm) over dt ms at index price p (ticks) in a market with q
quantums per step·tick adds

    Δindex = r · dt · p · q · INDEX_SCALE / (1e6 · 8 h in ms), truncated toward zero

(dYdX v4 GetFundingIndexDelta, with its truncated division). A position of ``size`` steps
(negative: short) then owes −(index − entry_index)·size / INDEX_SCALE quantums. Settlement
rounds toward negative infinity: a payer pays the amount rounded up, a receiver gets it
rounded down, so the settlements of any set of positions with zero net size sum to at most
zero. The engine credits that dust (minus the sum of settlements) to its funding pool, which
conserves collateral exactly.
"""

from isoperp.funding.config import RATE_PERIOD_MS
from isoperp.numeric import PPM

INDEX_SCALE = 10**6


def index_delta(rate_ppm: int, dt_ms: int, price: int, quantums_per_step_tick: int) -> int:
    """The index change for one funding tick (see the module docstring)."""
    numerator = rate_ppm * dt_ms * price * quantums_per_step_tick * INDEX_SCALE
    magnitude = abs(numerator) // (PPM * RATE_PERIOD_MS)
    return magnitude if numerator >= 0 else -magnitude


def within_tick_bound(
    delta: int, price: int, quantums_per_step_tick: int, dt_ms: int, max_rate_ppm: int
) -> bool:
    """StarkEx's funding-tick bound |Δindex| <= max_funding_rate · price · Δt, exactly."""
    allowed = max_rate_ppm * dt_ms * price * quantums_per_step_tick * INDEX_SCALE
    return abs(delta) * PPM * RATE_PERIOD_MS <= allowed


def settled_funding(size: int, entry_index: int, current_index: int) -> int:
    """Collateral change in quantums for a position since ``entry_index`` (negative: pays)."""
    return -(current_index - entry_index) * size // INDEX_SCALE

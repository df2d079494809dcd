"""A perpetual market's specification (dYdX v3-style size-dependent initial margin).

Units: a price is a count of ticks (``tick_size`` USDC per base unit each), a size is a count
of steps (``step_size`` base units each). ``quantums_per_step_tick`` is the notional, in USDC
quantums, of one step at a price of one tick, so notional = size * price * that factor is an
exact integer; ``validate_spec`` checks that it equals tick_size * step_size * 1e6.
"""

from decimal import Decimal
from enum import StrEnum

import msgspec

from isoperp.numeric import MAX_QUANTUMS_PER_STEP_TICK, MAX_SIZE_STEPS, PPM, QUANTUMS_PER_USDC


class MarketStatus(StrEnum):
    ACTIVE = "active"  # all order types
    REDUCE_ONLY = "reduce_only"  # only orders that shrink |position|
    PAUSED = "paused"  # no matching; cancels only
    FINAL_SETTLEMENT = "final_settlement"  # positions are closed at the settlement price


class MarketSpec(msgspec.Struct, frozen=True, kw_only=True):
    market_id: str  # e.g. "BTC-USD"
    base_asset: str  # e.g. "BTC"
    tick_size: str  # USDC per base unit per tick, as a decimal string
    step_size: str  # base units per step, as a decimal string
    quantums_per_step_tick: int  # = tick_size * step_size * 1e6, a positive integer
    min_order_steps: int
    initial_margin_ppm: int  # IMF at or below the baseline position size
    maintenance_margin_ppm: int  # MMF
    baseline_position_steps: int  # IMF is flat up to this |size| ...
    incremental_position_steps: int  # ... then rises by incremental_initial_margin_ppm
    incremental_initial_margin_ppm: int  # per started increment beyond the baseline
    max_position_steps: int  # no position may exceed this |size|
    open_interest_cap_steps: int  # cap on the sum of long sizes
    maker_fee_ppm: int  # negative means a maker rebate
    taker_fee_ppm: int
    status: MarketStatus = MarketStatus.ACTIVE


def initial_margin_ppm(spec: MarketSpec, abs_size: int) -> int:
    """IMF(size) of a spec (see imf_ppm)."""
    return imf_ppm(
        spec.initial_margin_ppm,
        spec.baseline_position_steps,
        spec.incremental_position_steps,
        spec.incremental_initial_margin_ppm,
        abs_size,
    )


def imf_ppm(
    base_ppm: int, baseline_steps: int, increment_steps: int, increment_ppm: int, abs_size: int
) -> int:
    """IMF(size): the base fraction plus one increment per started block beyond the baseline.

    dYdX v3: initialMarginFraction + incrementalInitialMarginFraction *
    ceil((size - baselinePositionSize) / incrementalPositionSize), capped at 100%.
    """
    excess = abs_size - baseline_steps
    if excess <= 0:
        return base_ppm
    steps = -(-excess // increment_steps)
    return min(PPM, base_ppm + steps * increment_ppm)


def validate_spec(spec: MarketSpec) -> list[str]:
    """Every way a spec is inconsistent, as messages; empty when it is sound."""
    problems: list[str] = []
    try:
        exact = Decimal(spec.tick_size) * Decimal(spec.step_size) * QUANTUMS_PER_USDC
    except ArithmeticError:
        return [f"tick_size {spec.tick_size!r} or step_size {spec.step_size!r} is not a decimal"]
    if exact <= 0 or exact != spec.quantums_per_step_tick:
        problems.append(
            f"quantums_per_step_tick must equal tick_size*step_size*1e6 = {exact}, "
            f"got {spec.quantums_per_step_tick}"
        )
    if spec.quantums_per_step_tick > MAX_QUANTUMS_PER_STEP_TICK:
        problems.append(f"quantums_per_step_tick must be at most {MAX_QUANTUMS_PER_STEP_TICK}")
    if not 0 < spec.maintenance_margin_ppm < spec.initial_margin_ppm <= PPM:
        problems.append("need 0 < maintenance_margin_ppm < initial_margin_ppm <= 1e6")
    if not 0 <= spec.incremental_initial_margin_ppm <= PPM:
        problems.append("incremental_initial_margin_ppm must lie in [0, 1e6]")
    if spec.incremental_position_steps <= 0 or spec.baseline_position_steps < 0:
        problems.append("incremental_position_steps must be > 0, baseline >= 0")
    if not 0 < spec.min_order_steps <= spec.max_position_steps <= MAX_SIZE_STEPS:
        problems.append("need 0 < min_order_steps <= max_position_steps <= MAX_SIZE_STEPS")
    if not 0 < spec.open_interest_cap_steps <= MAX_SIZE_STEPS:
        problems.append("open_interest_cap_steps must lie in (0, MAX_SIZE_STEPS]")
    if not -PPM // 100 <= spec.maker_fee_ppm <= spec.taker_fee_ppm <= PPM // 10:
        problems.append("need -1% <= maker_fee_ppm <= taker_fee_ppm <= 10%")
    if spec.maker_fee_ppm + spec.taker_fee_ppm < 0:
        problems.append("a maker rebate may not exceed the taker fee (fees would mint value)")
    return problems

"""Integer money: units, bounds, rounding and conversion.

Every quantity in a state transition is a Python int in a fixed unit:

- collateral, fees, notionals: USDC quantums (1 quantum = 1e-6 USDC);
- order and position sizes: per-market steps (lots);
- prices: per-market ticks;
- fractions (margin fractions, fees, rewards): parts per million (ppm);
- times: integer milliseconds since the Unix epoch, carried by commands.

A market fixes ``quantums_per_step_tick`` so that notional = size * price * that factor
is exact. Rounding is one-sided: requirements and fees round against the account
(up), payouts round toward the exchange (down), so rounding can never mint value.
"""

from isoperp.numeric.bounds import (
    MAX_MARKETS,
    MAX_PRICE_TICKS,
    MAX_QUANTUMS,
    MAX_QUANTUMS_PER_STEP_TICK,
    MAX_SIZE_STEPS,
    MAX_TIMESTAMP_MS,
    PPM,
    QUANTUMS_PER_USDC,
    OutOfBounds,
    check_range,
    check_wide_range,
)
from isoperp.numeric.rounding import ceil_div, mul_ppm_ceil, mul_ppm_floor
from isoperp.numeric.units import format_units, parse_units

__all__ = [
    "MAX_MARKETS",
    "MAX_PRICE_TICKS",
    "MAX_QUANTUMS",
    "MAX_QUANTUMS_PER_STEP_TICK",
    "MAX_SIZE_STEPS",
    "MAX_TIMESTAMP_MS",
    "PPM",
    "QUANTUMS_PER_USDC",
    "OutOfBounds",
    "ceil_div",
    "check_range",
    "check_wide_range",
    "format_units",
    "mul_ppm_ceil",
    "mul_ppm_floor",
    "parse_units",
]

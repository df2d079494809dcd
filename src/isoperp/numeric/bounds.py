"""Documented bounds on every quantity; values beyond them are rejected, never wrapped.

The bounds keep every product the engine forms (size * price * quantums_per_step_tick,
times a ppm fraction) far inside what a signed 128-bit integer holds, so the settlement
AIR can range-check them, and so a canonical encoding has a fixed width.
"""

QUANTUMS_PER_USDC = 10**6
PPM = 10**6

MAX_QUANTUMS = 2**62  # |collateral|, |notional| and any transfer amount: ~4.6e12 USDC
MAX_SIZE_STEPS = 2**48  # |order size| and |position size| in steps
MAX_PRICE_TICKS = 2**40  # a price in ticks; prices are strictly positive
MAX_TIMESTAMP_MS = 2**53  # milliseconds since the epoch (well past year 200000)


class OutOfBounds(ValueError):
    """A quantity lies outside its documented bounds."""


def check_range(name: str, value: int, low: int, high: int) -> int:
    """Return ``value`` if ``low <= value <= high`` and it is a true int; raise otherwise."""
    if type(value) is not int:
        raise OutOfBounds(f"{name} must be an integer, got {type(value).__name__}")
    if not low <= value <= high:
        raise OutOfBounds(f"{name}={value} outside [{low}, {high}]")
    return value

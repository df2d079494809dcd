"""Documented bounds on every quantity; values beyond them are rejected, never wrapped.

The bounds keep every sum and product the engine forms inside what a signed 128-bit
integer holds, which the compiled engine relies on (setup.py) and the settlement AIR can
range-check. A position stays within its market's limit (≤ MAX_SIZE_STEPS), and one side of
a subaccount's open orders in a market within |position| plus that limit (the order rule in
engine.native_core), so a position with all its open orders filled stays below 2^50 steps; its
notional size·price·quantums_per_step_tick stays below 2^50·2^40·2^24 = 2^114 quantums, and
a sum over at most MAX_MARKETS markets below 2^122. Requirements multiply by a ppm fraction only
after splitting at 1e6 (numeric.rounding), so nothing grows past |notional|.
"""

QUANTUMS_PER_USDC = 10**6
PPM = 10**6

MAX_QUANTUMS = 2**62  # |collateral|, |notional| and any transfer amount: ~4.6e12 USDC
MAX_SIZE_STEPS = 2**48  # |order size| and |position size| in steps
MAX_PRICE_TICKS = 2**40  # a price in ticks; prices are strictly positive
MAX_TIMESTAMP_MS = 2**53  # milliseconds since the epoch (well past year 200000)
MAX_QUANTUMS_PER_STEP_TICK = 2**24  # a market's quantums per step·tick
MAX_MARKETS = 256  # markets listed at once


class OutOfBounds(ValueError):
    """A quantity lies outside its documented bounds."""


def check_range(name: str, value: int, low: int, high: int) -> int:
    """Return ``value`` if it is a true int and ``low <= value <= high``; raise otherwise.
    The bounds fit in 64 bits; compiled, the value is compared as a machine integer."""
    if type(value) is int:
        try:
            number = value  # compiled: an int64, and a wider int raises OverflowError
        except OverflowError:
            pass
        else:
            if low <= number <= high:
                return number
    raise _outside(name, value, low, high)


def check_wide_range(name: str, value: int, low: int, high: int) -> int:
    """``check_range`` for bounds wider than 64 bits (owner keys are field elements)."""
    if type(value) is int and low <= value <= high:
        return value
    raise _outside(name, value, low, high)


def _outside(name: str, value: object, low: int, high: int) -> OutOfBounds:
    if type(value) is not int:
        return OutOfBounds(f"{name} must be an integer, got {type(value).__name__}")
    return OutOfBounds(f"{name}={value} outside [{low}, {high}]")

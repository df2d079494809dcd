"""The only rounding rules in the system: up against the account, down toward payouts.

The ppm products split ``amount`` at 1e6 first (amount = whole·1e6 + rest), so no
intermediate grows past |amount|·|ppm|/1e6 + 1e6·|ppm|: compiled, they work in 128-bit
integers for every |amount| < 2^122 and |ppm| ≤ 2^24 (numeric.bounds keeps every notional
and sum below 2^122); larger inputs raise OverflowError rather than wrap.
"""

from isoperp.numeric.bounds import PPM


def ceil_div(a: int, b: int) -> int:
    """Ceiling of a / b for b > 0 and any integer a."""
    return -((-a) // b)


def mul_ppm_ceil(amount: int, ppm: int) -> int:
    """amount * ppm / 1e6 rounded up: requirements and fees owed by an account."""
    whole = amount // PPM
    return whole * ppm - (-(amount - whole * PPM) * ppm) // PPM


def mul_ppm_floor(amount: int, ppm: int) -> int:
    """amount * ppm / 1e6 rounded down: rebates, rewards and other payouts."""
    whole = amount // PPM
    return whole * ppm + ((amount - whole * PPM) * ppm) // PPM

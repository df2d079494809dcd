"""The only rounding rules in the system: up against the account, down toward payouts."""

from isoperp.numeric.bounds import PPM


def ceil_div(a: int, b: int) -> int:
    """Ceiling of a / b for b > 0 and any integer a."""
    return -((-a) // b)


def mul_ppm_ceil(amount: int, ppm: int) -> int:
    """amount * ppm / 1e6 rounded up: requirements and fees owed by an account."""
    return -((-amount * ppm) // PPM)


def mul_ppm_floor(amount: int, ppm: int) -> int:
    """amount * ppm / 1e6 rounded down: rebates, rewards and other payouts."""
    return (amount * ppm) // PPM

"""The only rounding rules in the system: up against the account, down toward payouts.

The ppm products split ``amount`` at 1e6 first (amount = whole·1e6 + rest), so no
intermediate grows past |amount|·|ppm|/1e6 + 1e6·|ppm|: compiled, they work in 128-bit
integers for every |amount| < 2^122 and |ppm| ≤ 2^24 (numeric.bounds keeps every notional
and sum below 2^122); larger inputs raise OverflowError rather than wrap.
"""

# The divisor is the literal 10**6 (= numeric.PPM) throughout: compiled, a constant divisor
# needs no zero check, so these functions cannot raise and are declared noexcept.

# Within these, mul_ppm_floor's split fits 64 bits: |rest·ppm| < 1e6·2^24 < 2^44.
FAST_AMOUNT = 2**62
FAST_PPM = 2**24


def ceil_div(a: int, b: int) -> int:
    """Ceiling of a / b for b > 0 and any integer a."""
    return -((-a) // b)


def mul_ppm_ceil(amount: int, ppm: int) -> int:
    """amount * ppm / 1e6 rounded up: requirements and fees owed by an account."""
    return -mul_ppm_floor(-amount, ppm)


def mul_ppm_floor(amount: int, ppm: int) -> int:
    """amount * ppm / 1e6 rounded down: rebates, rewards and other payouts."""
    if -FAST_AMOUNT <= amount <= FAST_AMOUNT and -FAST_PPM <= ppm <= FAST_PPM:
        return _mul_ppm_floor_fast(amount, ppm)
    whole = amount // 10**6
    return whole * ppm + ((amount - whole * 10**6) * ppm) // 10**6


def _mul_ppm_floor_fast(amount: int, ppm: int) -> int:
    """mul_ppm_floor for |amount| ≤ 2^62, |ppm| ≤ 2^24. Compiled, it divides 64-bit values
    by the constant 10**6, which the C compiler turns into a multiplication, where the
    general form calls a 128-bit division twice."""
    whole = amount // 10**6
    rest = amount - whole * 10**6
    return whole * ppm + (rest * ppm) // 10**6

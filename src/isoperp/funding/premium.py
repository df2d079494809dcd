"""Premium votes from impact prices against the index price [V4 memclob GetPricePremium]."""

from isoperp.numeric import PPM


def _clamp(value: int, bound: int) -> int:
    return max(-bound, min(bound, value))


def _ratio_ppm(numerator: int, denominator: int) -> int:
    """numerator/denominator in ppm, truncated toward zero (never overstates a premium)."""
    magnitude = abs(numerator) * PPM // denominator
    return magnitude if numerator >= 0 else -magnitude


def impact_price(depth: list[tuple[int, int]], notional: int, k: int, is_bid: bool) -> int | None:
    """Average price (ticks) of filling ``notional`` quantums against one side of a book,
    given as its (price, size) levels best first (the bids for the impact bid), rounded away
    from the trader; None if the side is thinner."""
    filled = cost = 0  # steps, and Σ steps·price
    for price, size in depth:
        wanted = -(-(notional - cost * k) // (price * k))  # steps still needed, rounded up
        take = min(size, wanted)
        filled += take
        cost += take * price
        if cost * k >= notional:
            return cost // filled if is_bid else -(-cost // filled)
    return None


def premium_vote_ppm(
    index_price: int, impact_bid: int | None, impact_ask: int | None, clamp_ppm: int
) -> int:
    """impact_bid/index − 1 when the impact bid is above the index, impact_ask/index − 1 when
    the impact ask is below it, else 0; a side too thin to fill (None) votes 0."""
    if impact_bid is not None and impact_bid > index_price:
        return _clamp(_ratio_ppm(impact_bid - index_price, index_price), clamp_ppm)
    if impact_ask is not None and impact_ask < index_price:
        return _clamp(_ratio_ppm(impact_ask - index_price, index_price), clamp_ppm)
    return 0


def hourly_rate_ppm(samples: tuple[int, ...], interest_ppm: int, clamp_ppm: int) -> int:
    """Mean premium (truncated toward zero; 0 without samples) plus interest, clamped."""
    mean = 0
    if samples:
        total = sum(samples)
        mean = abs(total) // len(samples) * (1 if total >= 0 else -1)
    return _clamp(mean + interest_ppm, clamp_ppm)

"""Margin: total value, initial and maintenance requirements, and the change rule.

For a subaccount at mark prices p_m (DESIGN.md "Margin, in one place"):
TV = collateral + Σ size_m·p_m·k_m + unsettled funding; IMR = Σ ⌈|size_m·p_m·k_m|·IMF_m(|size_m|)⌉;
MMR = Σ ⌈|size_m·p_m·k_m|·MMF_m⌉ (k_m: quantums per step·tick; requirements round up).
A state change is valid if TV' ≥ IMR', or if it shrinks the position and TV'/MMR' ≥ TV/MMR
(cross-multiplied; StarkEx position/validate_state_transition.cairo, dYdX v4
x/subaccounts/lib/updates.go).
"""

from collections.abc import Mapping
from fractions import Fraction
from typing import NamedTuple, Protocol

from isoperp.accounts.subaccount import Exposure, Subaccount
from isoperp.funding.index import settled_funding
from isoperp.markets import MarketSpec, initial_margin_ppm
from isoperp.numeric import PPM, mul_ppm_ceil


class Pricing(Protocol):
    """What margin needs to know of a market."""

    @property
    def spec(self) -> MarketSpec: ...
    @property
    def price(self) -> int: ...  # mark price in ticks
    @property
    def k(self) -> int: ...  # quantums per step·tick
    @property
    def funding_index(self) -> int: ...  # cumulative, see isoperp.funding.index


class Health(NamedTuple):
    value: int  # TV
    initial: int  # IMR
    maintenance: int  # MMR


def _terms(market: Pricing, size: int) -> tuple[int, int, int]:
    """(notional, initial requirement, maintenance requirement) of one position."""
    notional = size * market.price * market.k
    magnitude = notional if notional >= 0 else -notional
    spec = market.spec
    return (
        notional,
        -((-magnitude * initial_margin_ppm(spec, abs(size))) // PPM),
        -((-magnitude * spec.maintenance_margin_ppm) // PPM),
    )


def health_after(
    sub: Subaccount,
    markets: Mapping[str, Pricing],
    market_id: str,
    size_delta: int,
    collateral_delta: int,
) -> Health:
    """Health if ``size_delta`` steps of ``market_id`` and ``collateral_delta`` were added."""
    value = sub.collateral + collateral_delta
    initial = maintenance = 0
    seen = False
    for mid, position in sub.positions.items():
        market = markets[mid]
        size = position.size
        value += settled_funding(size, position.funding_index, market.funding_index)
        if mid == market_id:
            size += size_delta
            seen = True
        notional, imr, mmr = _terms(market, size)
        value += notional
        initial += imr
        maintenance += mmr
    if not seen and size_delta:
        notional, imr, mmr = _terms(markets[market_id], size_delta)
        value += notional
        initial += imr
        maintenance += mmr
    return Health(value, initial, maintenance)


def health(sub: Subaccount, markets: Mapping[str, Pricing]) -> Health:
    return health_after(sub, markets, "", 0, 0)


def change_allowed(before: Health, after: Health, shrinks: bool) -> bool:
    """The StarkEx / dYdX v4 rule: at or above initial margin, or a shrinking position
    that does not worsen value per unit of maintenance requirement."""
    if after.value >= after.initial:
        return True
    if not shrinks:
        return False
    if before.maintenance == 0:
        return after.value >= before.value
    return after.value * before.maintenance >= before.value * after.maintenance


def free_collateral(sub: Subaccount, markets: Mapping[str, Pricing]) -> int:
    """TV − IMR in the worst case of the subaccount's resting orders.

    Worst case, per market: the least of (no order fills), (every resting buy fills at its
    limit price) and (every resting sell fills at its limit price), each paying the larger
    of the two fees. Markets add independently because TV and IMR are sums over markets,
    so the sum of per-market minima is the global minimum over these cases.
    """
    free = sub.collateral
    exposures = sub.exposure
    for mid, position in sub.positions.items():
        market = markets[mid]
        free += settled_funding(position.size, position.funding_index, market.funding_index)
        free += _worst_case(market, position.size, exposures.get(mid))
    for mid, exposure in exposures.items():
        if mid not in sub.positions:
            free += _worst_case(markets[mid], 0, exposure)
    return free


def _worst_case(market: Pricing, size: int, exposure: Exposure | None) -> int:
    notional, imr, _ = _terms(market, size)
    worst = notional - imr
    if exposure is None:
        return worst
    spec, k = market.spec, market.k
    fee_ppm = max(spec.taker_fee_ppm, spec.maker_fee_ppm, 0)
    if exposure.buy_qty:
        paid = exposure.buy_value * k
        notional, imr, _ = _terms(market, size + exposure.buy_qty)
        worst = min(worst, notional - imr - paid - mul_ppm_ceil(paid, fee_ppm))
    if exposure.sell_qty:
        received = exposure.sell_value * k
        notional, imr, _ = _terms(market, size - exposure.sell_qty)
        worst = min(worst, notional - imr + received - mul_ppm_ceil(received, fee_ppm))
    return worst


def liquidation_price(
    sub: Subaccount, markets: Mapping[str, Pricing], market_id: str
) -> Fraction | None:
    """The mark price (in ticks) at which the subaccount becomes liquidatable (TV < MMR),
    the other positions held at their marks; None if no positive price does it.

    With V = collateral + Σ_{other} (notional − MMR), size s, side = sign(s):
    V + s·k·p·(1 − side·MMF) = 0  ⇒  p* = −V / (s·k·(1 − side·MMF)), the closed form
    Hyperliquid gives for isolated positions. A long is liquidatable below p*, a short above.
    """
    size = sub.size(market_id)
    if size == 0:
        return None
    rest = sub.collateral
    for mid, position in sub.positions.items():
        other = markets[mid]
        rest += settled_funding(position.size, position.funding_index, other.funding_index)
        if mid != market_id:
            notional, _, mmr = _terms(other, position.size)
            rest += notional - mmr
    market = markets[market_id]
    side = 1 if size > 0 else -1
    slope = Fraction(size * market.k * (PPM - side * market.spec.maintenance_margin_ppm), PPM)
    price = Fraction(-rest) / slope
    return price if price > 0 else None

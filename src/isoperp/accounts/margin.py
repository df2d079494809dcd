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
from sys import intern

from isoperp.accounts.subaccount import Exposure, Position, Subaccount
from isoperp.funding.index import settled_funding
from isoperp.markets.spec import MarketSpec, imf_ppm
from isoperp.numeric import PPM
from isoperp.numeric.rounding import mul_ppm_ceil


class Pricing:
    """What margin reads of a market: its spec, mark price (ticks), quantums per step·tick
    and funding index. The spec's numbers are also kept as plain attributes, read on every
    order and fill. The engine's Market extends it."""

    __slots__ = (
        "_spec",
        "baseline_position_steps",
        "funding_index",
        "incremental_initial_margin_ppm",
        "incremental_position_steps",
        "initial_margin_ppm",
        "k",
        "maintenance_margin_ppm",
        "maker_fee_ppm",
        "market_id",
        "max_position_steps",
        "min_order_steps",
        "open_interest_cap_steps",
        "price",
        "status",
        "taker_fee_ppm",
    )

    def __init__(self, spec: MarketSpec, price: int = 0, funding_index: int = 0) -> None:
        self.spec = spec
        self.price = price  # mark price in ticks; 0 until the first oracle price
        self.funding_index = funding_index  # cumulative, see isoperp.funding.index

    @property
    def spec(self) -> MarketSpec:
        return self._spec

    @spec.setter
    def spec(self, spec: MarketSpec) -> None:
        self._spec = spec
        # Interned: every dict keyed by market id (markets, positions, exposure) then holds
        # this one object, and lookups with it match by identity, not by comparing strings.
        self.market_id = intern(spec.market_id)
        self.status = spec.status
        self.k = spec.quantums_per_step_tick
        self.initial_margin_ppm = spec.initial_margin_ppm
        self.maintenance_margin_ppm = spec.maintenance_margin_ppm
        self.baseline_position_steps = spec.baseline_position_steps
        self.incremental_position_steps = spec.incremental_position_steps
        self.incremental_initial_margin_ppm = spec.incremental_initial_margin_ppm
        self.min_order_steps = spec.min_order_steps
        self.max_position_steps = spec.max_position_steps
        self.open_interest_cap_steps = spec.open_interest_cap_steps
        self.maker_fee_ppm = spec.maker_fee_ppm
        self.taker_fee_ppm = spec.taker_fee_ppm

    def imf_ppm(self, abs_size: int) -> int:
        """IMF at |size| (markets.imf_ppm)."""
        return imf_ppm(
            self.initial_margin_ppm,
            self.baseline_position_steps,
            self.incremental_position_steps,
            self.incremental_initial_margin_ppm,
            abs_size,
        )


class Health:
    """A subaccount's total value (TV) and initial and maintenance requirements (IMR,
    MMR), in quantums."""

    __slots__ = ("initial", "maintenance", "value")

    def __init__(self, value: int, initial: int, maintenance: int) -> None:
        self.value = value
        self.initial = initial
        self.maintenance = maintenance

    def __repr__(self) -> str:
        return f"Health(value={self.value}, initial={self.initial}, maintenance={self.maintenance})"


def notional(size: int, price: int, k: int) -> int:
    """The value in quantums of ``size`` steps at ``price`` ticks, k quantums per step·tick."""
    return size * price * k


def _health(value: int, initial: int, maintenance: int) -> Health:
    """A Health built field by field (cheaper than a constructor call where compiled)."""
    health = Health.__new__(Health)
    health.value, health.initial, health.maintenance = value, initial, maintenance
    return health


def _requirement(amount: int, fraction_ppm: int) -> int:
    """⌈|amount|·fraction⌉: requirements round up, against the account. (Not abs():
    compiled, abs() of a 128-bit value would go through a 64-bit one.)"""
    return mul_ppm_ceil(amount if amount >= 0 else -amount, fraction_ppm)


def _funding(market: Pricing, position: Position) -> int:
    """The position's unsettled funding (zero while the index has not moved)."""
    index = market.funding_index
    # Identity first: a position keeps the very index object it last settled at.
    if position.funding_index is index or position.funding_index == index:
        return 0
    return settled_funding(position.size, position.funding_index, index)


def health_after(
    sub: Subaccount,
    markets: Mapping[str, Pricing],
    market_id: str,
    size_delta: int,
    collateral_delta: int,
) -> Health:
    """Health if ``size_delta`` steps of ``market_id`` and ``collateral_delta`` were added."""
    value, initial, maintenance = sums_after(
        sub, markets, market_id, size_delta, collateral_delta, True
    )
    return _health(value, initial, maintenance)


def sums_after(
    sub: Subaccount,
    markets: Mapping[str, Pricing],
    market_id: str,
    size_delta: int,
    collateral_delta: int,
    with_maintenance: bool,
) -> tuple[int, int, int]:
    """(TV, IMR, MMR) as ``health_after`` has them, without building a Health; MMR is left
    at 0 unless asked for (a fill's first check reads only TV and IMR). Compiled, a C tuple."""
    value = sub.collateral + collateral_delta
    initial = maintenance = 0
    seen = False
    for mid, position in sub.positions.items():
        market = markets[mid]
        size = position.size
        value += _funding(market, position)
        if mid is market_id or mid == market_id:  # compiled, == alone is a full comparison
            size += size_delta
            seen = True
        amount = notional(size, market.price, market.k)
        value += amount
        initial += _requirement(amount, market.imf_ppm(abs(size)))
        if with_maintenance:
            maintenance += _requirement(amount, market.maintenance_margin_ppm)
    if not seen and size_delta:
        market = markets[market_id]
        amount = notional(size_delta, market.price, market.k)
        value += amount
        initial += _requirement(amount, market.imf_ppm(abs(size_delta)))
        if with_maintenance:
            maintenance += _requirement(amount, market.maintenance_margin_ppm)
    return value, initial, maintenance


def health(sub: Subaccount, markets: Mapping[str, Pricing]) -> Health:
    return health_after(sub, markets, "", 0, 0)


def free_collateral(sub: Subaccount, markets: Mapping[str, Pricing]) -> int:
    """TV − IMR in the worst case of the subaccount's resting orders.

    Worst case, per market: the least of (no order fills), (every resting buy fills at its
    limit price) and (every resting sell fills at its limit price), each paying the larger
    of the two fees. Markets add independently because TV and IMR are sums over markets,
    so the sum of per-market minima is the global minimum over these cases.
    """
    free = sub.collateral
    exposures = sub.exposure
    paired = 0  # exposures counted with their market's position
    for mid, position in sub.positions.items():
        market = markets[mid]
        exposure = exposures.get(mid)
        paired += exposure is not None
        free += _funding(market, position)
        free += _worst_case(market, position.size, exposure)
    if paired < len(exposures):
        for mid, exposure in exposures.items():
            if mid not in sub.positions:
                free += _worst_case(markets[mid], 0, exposure)
    return free


def _net_value(market: Pricing, size: int) -> int:
    """Notional minus initial requirement of ``size`` steps at the mark."""
    amount = notional(size, market.price, market.k)
    return amount - _requirement(amount, market.imf_ppm(abs(size)))


def _worst_case(market: Pricing, size: int, exposure: Exposure | None) -> int:
    worst = _net_value(market, size)
    if exposure is None:
        return worst
    k = market.k
    fee_ppm = max(market.taker_fee_ppm, market.maker_fee_ppm, 0)
    if exposure.buy_qty:
        paid = exposure.buy_value * k
        filled = _net_value(market, size + exposure.buy_qty)
        worst = min(worst, filled - paid - _requirement(paid, fee_ppm))
    if exposure.sell_qty:
        received = exposure.sell_value * k
        filled = _net_value(market, size - exposure.sell_qty)
        worst = min(worst, filled + received - _requirement(received, fee_ppm))
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
        rest += _funding(other, position)
        if mid != market_id:
            amount = notional(position.size, other.price, other.k)
            rest += amount - _requirement(amount, other.maintenance_margin_ppm)
    market = markets[market_id]
    side = 1 if size > 0 else -1
    slope = Fraction(size * market.k * (PPM - side * market.maintenance_margin_ppm), PPM)
    price = Fraction(-rest) / slope
    return price if price > 0 else None

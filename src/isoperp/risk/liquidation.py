"""Liquidation math after dYdX v4 (protocol/x/clob/keeper/liquidations.go), in integers.

Notation (v4's): PS position size, PNNV its net notional, PMMR its maintenance requirement,
TNC and TMMR the subaccount's totals (``totals.account_totals``), δ the size traded to
reduce the position (opposite sign to PS, |δ| ≤ |PS|), DNNV and DMMR the changes δ makes.

- Bankruptcy quote (GetBankruptcyPriceInQuoteQuantums): −DNNV − ⌊TNC·|DMMR| / TMMR⌋, the
  quote quantums the subaccount receives (negative: pays) for δ at its bankruptcy price; the
  floor makes the result round toward +∞, so a fill at it never needs the insurance fund.
- Fillable price (GetFillablePrice): (PNNV − ABR·SMMR·PMMR) / PS, ABR = clamp(BA·(1 −
  TNC/TMMR), 0, 1): the limit of the protocol's IOC liquidation order, at most SMMR·MMF away
  from the oracle (1.5 × MMF by default).
- Insurance-fund delta (GetLiquidationInsuranceFundDelta): quote − bankruptcy quote when that
  is ≤ 0 (the fund pays the deficit), else min(max fee·|quote|, the surplus).
"""

from fractions import Fraction
from typing import NamedTuple

from isoperp.numeric import PPM, ceil_div, mul_ppm_ceil, mul_ppm_floor
from isoperp.risk.config import RiskConfig
from isoperp.risk.totals import MarketMark, Totals, position_terms


def _check_reducing(size: int, delta: int) -> None:
    if size * delta >= 0 or abs(delta) > abs(size):
        raise ValueError(f"delta {delta} does not reduce position {size}")


def bankruptcy_quote(totals: Totals, size: int, delta: int, mark: MarketMark) -> int:
    """Quote quantums received for trading ``delta`` at the bankruptcy price (v4)."""
    _check_reducing(size, delta)
    if totals.maintenance <= 0:
        raise ValueError("bankruptcy price needs TMMR > 0")
    nnv_before, mmr_before = position_terms(size, mark)
    nnv_after, mmr_after = position_terms(size + delta, mark)
    released = mmr_before - mmr_after  # |DMMR|
    return -(nnv_after - nnv_before) - totals.net_collateral * released // totals.maintenance


def fillable_price(totals: Totals, size: int, mark: MarketMark, config: RiskConfig) -> Fraction:
    """The protocol liquidation order's limit price in ticks (v4 GetFillablePrice)."""
    if size == 0 or totals.maintenance <= 0:
        raise ValueError("a fillable price needs a position and TMMR > 0")
    pnnv, pmmr = position_terms(size, mark)
    unbounded = Fraction(config.bankruptcy_adjustment_ppm, PPM) * (
        1 - Fraction(totals.net_collateral, totals.maintenance)
    )
    abr = min(max(unbounded, Fraction(0)), Fraction(1))
    spread = abr * Fraction(config.spread_to_mmr_ratio_ppm, PPM) * pmmr
    return (pnnv - spread) / (size * mark.k)


def limit_ticks(fillable: Fraction, size: int) -> int:
    """The fillable price as a whole tick, rounded toward the oracle price so the order never
    trades beyond the fillable price: a closing sell (long position) rounds up, a buy down."""
    ticks = ceil_div(fillable.numerator, fillable.denominator) if size > 0 else int(fillable)
    return max(ticks, 1)


def insurance_fund_delta(
    totals: Totals, size: int, delta: int, fill_price: int, mark: MarketMark, max_fee_ppm: int
) -> int:
    """What the liquidated subaccount pays the insurance fund for a fill of ``delta`` at
    ``fill_price`` ticks: positive a fee, negative a payout covering the deficit (v4). The
    fee rounds up, against the account (isoperp's rule; v4 truncates)."""
    quote = -delta * fill_price * mark.k
    surplus = quote - bankruptcy_quote(totals, size, delta, mark)
    if surplus <= 0:
        return surplus
    return min(mul_ppm_ceil(abs(quote), max_fee_ppm), surplus)


def step_size(
    size: int, mark: MarketMark, config: RiskConfig, now_ms: int, last_step_ms: int | None
) -> int:
    """How many steps the next liquidation step closes (a magnitude; 0 while cooling down).

    The larger of ``min_liquidation_notional`` and ``max_liquidation_portion_ppm`` of the
    position, rounded down to whole steps and clamped to [1, |size|] (v4
    GetLiquidatablePositionSizeDelta); a position whose notional exceeds
    ``large_position_notional`` waits ``cooldown_ms`` between steps (Hyperliquid).
    """
    magnitude = abs(size)
    if magnitude == 0:
        return 0
    step_value = mark.price * mark.k
    notional = magnitude * step_value
    large = notional > config.large_position_notional
    if large and last_step_ms is not None and now_ms - last_step_ms < config.cooldown_ms:
        return 0
    target = max(
        config.min_liquidation_notional, mul_ppm_floor(notional, config.max_liquidation_portion_ppm)
    )
    if notional <= target:
        return magnitude
    return min(max(target // step_value, 1), magnitude)


class Takeover(NamedTuple):
    """An external liquidator takes ``size`` steps over at the mark price; the trader pays
    ``trader_pays`` for it, the liquidator keeps ``liquidator_reward`` and the insurance fund
    gets ``insurance_fee``. Equivalent to a transfer at mark·(1 − side·discount)."""

    size: int  # steps moved from the trader to the liquidator (signed like the position)
    price: int  # transfer price in ticks (the mark)
    trader_pays: int
    liquidator_reward: int
    insurance_fee: int


def takeover_terms(size: int, delta_abs: int, mark: MarketMark, config: RiskConfig) -> Takeover:
    """Terms of taking ``delta_abs`` steps of a position of ``size`` (StarkEx / Drift style):
    the trader pays ⌈discount·notional⌉, the liquidator's reward ⌊reward·notional⌋ rounds
    toward the exchange, and the insurance fund keeps the difference."""
    if not 0 < delta_abs <= abs(size):
        raise ValueError(f"cannot take over {delta_abs} of {size}")
    notional = delta_abs * mark.price * mark.k
    pays = mul_ppm_ceil(notional, config.liquidator_discount_ppm)
    reward = mul_ppm_floor(notional, config.liquidator_reward_ppm)
    moved = delta_abs if size > 0 else -delta_abs
    return Takeover(moved, mark.price, pays, reward, pays - reward)


def reward_too_low(config: RiskConfig, liquidator_cost_ppm: int) -> bool:
    """Nobody takes the position: the reward does not cover a liquidator's cost of taking and
    hedging it (spread, slippage, gas), as a fraction of the notional."""
    return config.liquidator_reward_ppm < liquidator_cost_ppm


def reward_predatory(config: RiskConfig, mmf_ppm: int) -> bool:
    """The trader loses more than needed: the takeover haircut exceeds the widest spread the
    protocol's own liquidation order may take (SMMR·MMF, 1.5 × MMF by default in v4)."""
    widest = config.spread_to_mmr_ratio_ppm * mmf_ppm // PPM
    return config.liquidator_discount_ppm > widest

"""Per-market risk parameters: liquidation, insurance and loss policy, all integers.

Each default names its source. The governance schema's ``risk`` family takes its defaults
from ``RiskConfig()``, so this struct is the one place they are written down.
"""

from enum import IntEnum
from typing import Protocol

import msgspec

HOUR_MS = 3_600_000


class LossPolicy(IntEnum):
    """What absorbs a shortfall the insurance fund does not cover."""

    ADL_RANKED = 0  # deleverage the most profitable, most leveraged opposite positions first
    ADL_RANDOM = 1  # deleverage opposite positions in a seeded random order (dYdX v4)
    SOCIALIZED = 2  # spread the loss over open interest through the funding index (Drift)


class RiskConfig(msgspec.Struct, frozen=True, kw_only=True):
    # dYdX v4 liquidations_config in protocol/testing/genesis.sh: max_liquidation_fee_ppm
    # 15000, bankruptcy_adjustment_ppm 1e6, spread_to_maintenance_margin_ratio_ppm 1.5e6
    # ("max liquidation spread = 1.5 x MMF", dYdX docs "contract loss mechanisms"),
    # min_position_notional_liquidated $1000, max_position_portion_liquidated_ppm 10%,
    # subaccount_block_limits.max_quantums_insurance_lost $1M.
    max_liquidation_fee_ppm: int = 15_000  # insurance fee: at most this fraction of |quote|
    bankruptcy_adjustment_ppm: int = 1_000_000  # BA in the fillable price
    spread_to_mmr_ratio_ppm: int = 1_500_000  # SMMR: the widest spread is SMMR x PMMR
    min_liquidation_notional: int = 1_000_000_000  # quantums closed at least per step
    max_liquidation_portion_ppm: int = 100_000  # fraction of the position per step
    # Hyperliquid (trading/liquidations): positions above $100k are closed in slices with a
    # 30 s cooldown between them.
    large_position_notional: int = 100_000_000_000  # quantums
    cooldown_ms: int = 30_000
    insurance_event_cap: int = 1_000_000_000_000  # quantums one liquidation may draw ($1M)
    # isoperp's own choice: a fixed daily window, ten times the per-event cap.
    insurance_period_cap: int = 10_000_000_000_000
    insurance_period_ms: int = 24 * HOUR_MS
    # dYdX v4 deleverages "randomly selected" opposite positions (dYdX docs, contract loss
    # mechanisms on dYdX Chain).
    loss_policy: int = int(LossPolicy.ADL_RANDOM)
    # External takeover (StarkEx liquidate / Drift liquidate_perp): the trader gives up
    # ``liquidator_discount_ppm`` of the notional taken over; the liquidator keeps
    # ``liquidator_reward_ppm`` of it, the insurance fund the rest, as Drift's perp markets
    # split a liquidator fee and an insurance-fund fee (programs/drift/src/state/
    # perp_market.rs: liquidator_fee, if_liquidation_fee). The 1.5% / 1% are isoperp's choice.
    liquidator_discount_ppm: int = 15_000
    liquidator_reward_ppm: int = 10_000


class IntParameters(Protocol):
    """What ``risk_config`` needs of the governance registry."""

    def get_int(self, name: str) -> int: ...


RISK_FIELDS: tuple[str, ...] = RiskConfig.__struct_fields__


def risk_config(registry: IntParameters, market_id: str) -> RiskConfig:
    """The risk parameters in force for ``market_id``, read from the registry."""
    return RiskConfig(**{f: registry.get_int(f"risk.{market_id}.{f}") for f in RISK_FIELDS})


def config_problems(config: RiskConfig) -> list[str]:
    """Every way the parameters contradict each other; empty when they are sound."""
    problems = []
    if config.liquidator_reward_ppm > config.liquidator_discount_ppm:
        problems.append("liquidator_reward_ppm may not exceed liquidator_discount_ppm")
    if config.insurance_event_cap > config.insurance_period_cap:
        problems.append("insurance_event_cap may not exceed insurance_period_cap")
    return problems

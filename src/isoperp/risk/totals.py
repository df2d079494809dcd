"""Exact account totals for risk: net collateral with funding settled, and maintenance.

The same rule as ``accounts.margin`` (TV = collateral + Σ size·price·k, MMR = Σ
⌈|size·price·k|·MMF⌉), with each position's unsettled funding added as
``funding.settled_funding`` would settle it, so a liquidation judges the account as it will
stand once funding is paid. dYdX v4 calls these TNC and TMMR.
"""

from collections.abc import Mapping
from typing import NamedTuple

from isoperp.funding.index import settled_funding
from isoperp.numeric import mul_ppm_ceil

PositionEntry = tuple[int, int]  # (size in steps, funding index it last settled at)


class MarketMark(NamedTuple):
    """What risk needs of one market now."""

    price: int  # mark price in ticks
    k: int  # quantums per step·tick
    mmf: int  # maintenance margin fraction, ppm
    funding_index: int  # cumulative funding index now


class Totals(NamedTuple):
    net_collateral: int  # TNC (TV)
    maintenance: int  # TMMR

    @property
    def liquidatable(self) -> bool:
        """dYdX v4 (lib/margin/risk.go): TMMR > 0 and TNC < TMMR."""
        return self.maintenance > 0 and self.net_collateral < self.maintenance


def position_terms(size: int, mark: MarketMark) -> tuple[int, int]:
    """(net notional, maintenance requirement) of ``size`` steps at the mark."""
    notional = size * mark.price * mark.k
    return notional, mul_ppm_ceil(abs(notional), mark.mmf)


def account_totals(
    collateral: int, positions: Mapping[str, PositionEntry], marks: Mapping[str, MarketMark]
) -> Totals:
    value, maintenance = collateral, 0
    for market_id, (size, entry) in positions.items():
        mark = marks[market_id]
        notional, requirement = position_terms(size, mark)
        value += notional + settled_funding(size, entry, mark.funding_index)
        maintenance += requirement
    return Totals(value, maintenance)

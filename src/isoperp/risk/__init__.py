"""Risk: who is liquidatable, how a liquidation prices and pays, and who absorbs a shortfall.

- ``scan``: the incremental position table and the whole-book liquidation scan;
- ``totals``: exact TNC / TMMR with funding settled;
- ``liquidation``: dYdX v4 bankruptcy and fillable prices, insurance delta, step sizing, and
  external takeover terms;
- ``insurance``: insurance funds with payout caps;
- ``deleveraging``: auto-deleveraging order and socialized loss;
- ``config``: the per-market parameters, read from the governance registry.

See docs/risk.md for the rules and their sources.
"""

from isoperp.risk.config import LossPolicy, RiskConfig, risk_config
from isoperp.risk.deleveraging import (
    AdlCandidate,
    adl_order,
    deleveraged_events,
    given_up,
    select_deleveraged,
    socialize_loss,
    split_quote,
)
from isoperp.risk.insurance import (
    GLOBAL_FUND,
    InsuranceFund,
    PayoutCaps,
    fund_for,
    pay_shortfall,
    payout_caps,
    receive_fee,
)
from isoperp.risk.liquidation import (
    Takeover,
    bankruptcy_quote,
    fillable_price,
    insurance_fund_delta,
    limit_ticks,
    reward_predatory,
    reward_too_low,
    step_size,
    takeover_terms,
)
from isoperp.risk.scan import PositionTable
from isoperp.risk.totals import MarketMark, Totals, account_totals, position_terms

__all__ = [
    "GLOBAL_FUND",
    "AdlCandidate",
    "InsuranceFund",
    "LossPolicy",
    "MarketMark",
    "PayoutCaps",
    "PositionTable",
    "RiskConfig",
    "Takeover",
    "Totals",
    "account_totals",
    "adl_order",
    "bankruptcy_quote",
    "deleveraged_events",
    "fillable_price",
    "fund_for",
    "given_up",
    "insurance_fund_delta",
    "limit_ticks",
    "pay_shortfall",
    "payout_caps",
    "position_terms",
    "receive_fee",
    "reward_predatory",
    "reward_too_low",
    "risk_config",
    "select_deleveraged",
    "socialize_loss",
    "split_quote",
    "step_size",
    "takeover_terms",
]

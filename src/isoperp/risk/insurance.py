"""Insurance funds: one global, one per isolated market (dYdX v4 keeps a separate fund for
each isolated market, x/subaccounts/keeper/isolated_subaccount.go).

A fund takes liquidation fees and pays shortfalls, never below zero, and never more than a
per-event cap (v4 SubaccountBlockLimits.MaxQuantumsInsuranceLost plays this role per block)
nor a per-period cap. Periods are FIXED windows [n·period, (n+1)·period): the state is two
integers, deterministic and easy to prove in the settlement AIR, at the price that payouts
straddling a window boundary can reach twice the period cap within one period's length (a
rolling window would need the payout history in state).
"""

from typing import NamedTuple

import msgspec

from isoperp.events.risk import InsuranceFeeReceived, InsurancePayout
from isoperp.risk.config import RiskConfig

GLOBAL_FUND = "global"
SubKey = tuple[int, int]


class InsuranceFund(msgspec.Struct, frozen=True, kw_only=True):
    fund: str  # GLOBAL_FUND or an isolated market's id
    balance: int = 0
    window_start_ms: int = 0  # start of the fixed window ``paid_in_window`` counts
    paid_in_window: int = 0


class PayoutCaps(NamedTuple):
    per_event: int
    per_period: int
    period_ms: int


def payout_caps(config: RiskConfig) -> PayoutCaps:
    return PayoutCaps(
        config.insurance_event_cap, config.insurance_period_cap, config.insurance_period_ms
    )


def fund_for(market_id: str, isolated_markets: frozenset[str]) -> str:
    """The fund a market's liquidations use."""
    return market_id if market_id in isolated_markets else GLOBAL_FUND


def receive_fee(
    fund: InsuranceFund, amount: int, payer: SubKey
) -> tuple[InsuranceFund, list[InsuranceFeeReceived]]:
    if amount < 0:
        raise ValueError("a fee is not negative")
    if amount == 0:
        return fund, []
    after = msgspec.structs.replace(fund, balance=fund.balance + amount)
    event = InsuranceFeeReceived(
        fund=fund.fund, owner=payer[0], subaccount=payer[1], amount=amount, balance=after.balance
    )
    return after, [event]


def pay_shortfall(
    fund: InsuranceFund, shortfall: int, now_ms: int, caps: PayoutCaps, payee: SubKey
) -> tuple[InsuranceFund, int, list[InsurancePayout]]:
    """Pay as much of ``shortfall`` as the balance and both caps allow; returns the fund
    after, the amount paid, and the event (none for a zero shortfall)."""
    if shortfall < 0:
        raise ValueError("a shortfall is not negative")
    if shortfall == 0:
        return fund, 0, []
    window = now_ms - now_ms % caps.period_ms
    used = fund.paid_in_window if window == fund.window_start_ms else 0
    limits = (
        (shortfall, ""),
        (fund.balance, "balance"),
        (caps.per_event, "event_cap"),
        (caps.per_period - used, "period_cap"),
    )
    paid, limited_by = min(limits, key=lambda limit: limit[0])
    paid = max(paid, 0)
    after = InsuranceFund(
        fund=fund.fund,
        balance=fund.balance - paid,
        window_start_ms=window,
        paid_in_window=used + paid,
    )
    event = InsurancePayout(
        fund=fund.fund,
        owner=payee[0],
        subaccount=payee[1],
        requested=shortfall,
        amount=paid,
        balance=after.balance,
        limited_by=limited_by,
    )
    return after, paid, [event]

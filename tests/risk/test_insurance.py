"""Insurance funds: never negative, never beyond the per-event and per-period caps."""

from collections import defaultdict

from hypothesis import given
from hypothesis import strategies as st

from isoperp.events.risk import InsuranceFeeReceived, InsurancePayout
from isoperp.risk.config import RiskConfig
from isoperp.risk.insurance import (
    GLOBAL_FUND,
    InsuranceFund,
    PayoutCaps,
    fund_for,
    pay_shortfall,
    payout_caps,
    receive_fee,
)

CAPS = PayoutCaps(per_event=100, per_period=250, period_ms=1000)


def test_caps_limit_a_payout_and_say_which_one():
    fund, _ = receive_fee(InsuranceFund(fund="ETH-USD"), 1_000, (7, 1))
    fund, paid, events = pay_shortfall(fund, 130, 5_100, CAPS, (9, 2))
    assert paid == 100 and fund.balance == 900
    assert events == [
        InsurancePayout(
            fund="ETH-USD",
            owner=9,
            subaccount=2,
            requested=130,
            amount=100,
            balance=900,
            limited_by="event_cap",
        )
    ]
    fund, paid, _ = pay_shortfall(fund, 90, 5_500, CAPS, (9, 2))
    fund, paid, events = pay_shortfall(fund, 90, 5_999, CAPS, (9, 2))
    assert paid == 60 and events[0].limited_by == "period_cap"  # 100 + 90 + 60 = 250
    fund, paid, _ = pay_shortfall(fund, 90, 6_000, CAPS, (9, 2))  # a new window
    assert paid == 90 and fund.paid_in_window == 90 and fund.window_start_ms == 6_000
    poor = InsuranceFund(fund=GLOBAL_FUND, balance=40)
    _, paid, events = pay_shortfall(poor, 90, 0, CAPS, (1, 0))
    assert paid == 40 and events[0].limited_by == "balance"


def test_fees_are_received_with_an_event_and_funds_are_chosen_by_market():
    fund, events = receive_fee(InsuranceFund(fund=GLOBAL_FUND, balance=5), 12, (3, 0))
    assert fund.balance == 17
    assert events == [
        InsuranceFeeReceived(fund=GLOBAL_FUND, owner=3, subaccount=0, amount=12, balance=17)
    ]
    assert receive_fee(fund, 0, (3, 0)) == (fund, [])
    assert fund_for("ETH-USD", frozenset({"ETH-USD"})) == "ETH-USD"
    assert fund_for("BTC-USD", frozenset({"ETH-USD"})) == GLOBAL_FUND
    assert payout_caps(RiskConfig()) == PayoutCaps(10**12, 10**13, 86_400_000)


operations = st.lists(
    st.tuples(st.booleans(), st.integers(0, 400), st.integers(0, 700)), max_size=60
)


@given(start=st.integers(0, 500), ops=operations)
def test_never_negative_and_never_beyond_caps(start, ops):
    fund = InsuranceFund(fund=GLOBAL_FUND, balance=start)
    now = 0
    per_window: dict[int, int] = defaultdict(int)
    for is_fee, amount, step in ops:
        now += step
        if is_fee:
            before = fund.balance
            fund, _ = receive_fee(fund, amount, (1, 0))
            assert fund.balance == before + amount
            continue
        before = fund.balance
        used = per_window[now // CAPS.period_ms]
        fund, paid, _ = pay_shortfall(fund, amount, now, CAPS, (2, 0))
        assert paid == min(amount, before, CAPS.per_event, CAPS.per_period - used)
        assert fund.balance == before - paid >= 0
        per_window[now // CAPS.period_ms] += paid
        assert per_window[now // CAPS.period_ms] <= CAPS.per_period

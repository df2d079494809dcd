"""Liquidation math against dYdX's published examples, and the fund-never-overpays property.

Units in the examples: ABC trades in ticks of $0.001 and steps of 1 ABC, so k = 1000
quantums per step·tick and $1 = 1000 ticks.
"""

from fractions import Fraction

from hypothesis import assume, given
from hypothesis import strategies as st

from isoperp.risk.config import RiskConfig
from isoperp.risk.liquidation import (
    bankruptcy_quote,
    fillable_price,
    insurance_fund_delta,
    limit_ticks,
    reward_predatory,
    reward_too_low,
    step_size,
    takeover_terms,
)
from isoperp.risk.totals import MarketMark, account_totals

K = 1000
USD = 10**6
CONFIG = RiskConfig()


def abc(price_ticks: int, mmf: int = 30_000) -> MarketMark:
    return MarketMark(price=price_ticks, k=K, mmf=mmf, funding_index=0)


def totals_of(collateral: int, size: int, mark: MarketMark):
    return account_totals(collateral, {"ABC": (size, 0)}, {"ABC": mark})


def test_short_bankruptcy_price_and_capped_profit_of_the_long():
    """dYdX docs, contract loss mechanism: $100 each, long/short 500 ABC at $1, price → $2."""
    mark = abc(2000)
    short_collateral = 100 * USD + 500 * USD  # sold 500 at $1
    totals = totals_of(short_collateral, -500, mark)
    assert totals.net_collateral == -400 * USD
    quote = bankruptcy_quote(totals, -500, 500, mark)
    assert quote == -600 * USD  # pays $600 for 500 ABC: bankruptcy price $1.2
    assert Fraction(-quote, 500 * K) == 1200
    long_collateral = 100 * USD - 500 * USD
    after = long_collateral - quote  # the long is deleveraged at B's bankruptcy price
    assert after - 100 * USD == 100 * USD  # profit capped at $100, not $500
    assert short_collateral + quote == 0  # B ends at exactly zero


def test_long_at_0801_has_fifty_cents_of_equity_and_the_fund_pays_below_bankruptcy():
    """dYdX docs: MMF 3% gives $15 at $1; at $0.801 equity is $0.50; liquidated at $0.77."""
    collateral = 100 * USD - 500 * USD
    assert totals_of(collateral, 500, abc(1000)).maintenance == 15 * USD
    mark = abc(801)
    totals = totals_of(collateral, 500, mark)
    assert totals.net_collateral == USD // 2 and totals.liquidatable
    assert bankruptcy_quote(totals, 500, -500, mark) == 400 * USD  # $0.800
    fillable = fillable_price(totals, 500, mark, CONFIG)
    # ABR = 1 − 0.5/12.015; spread = ABR·1.5·$12.015 = $17.2725 → (400.5 − 17.2725)/500
    assert fillable == Fraction(766_455, 1000)
    assert limit_ticks(fillable, 500) == 767 <= 770
    assert insurance_fund_delta(totals, 500, -500, 770, mark, CONFIG.max_liquidation_fee_ppm) == (
        -15 * USD
    )


def test_the_fund_covers_what_the_account_cannot_afford_of_the_maximum_spread():
    """dYdX docs: MMF 5%, the account affords 2% below the oracle, the spread allows 7.5%:
    the insurance fund covers 5.5%."""
    mark = abc(1000, mmf=50_000)
    notional = 1000 * 1000 * K
    totals = totals_of(notional // 50 - notional, 1000, mark)
    assert bankruptcy_quote(totals, 1000, -1000, mark) == 980 * USD
    assert insurance_fund_delta(totals, 1000, -1000, 925, mark, 15_000) == -55 * USD
    bankrupt = totals_of(-notional, 1000, mark)  # TNC = 0: ABR = 1, the widest spread
    assert fillable_price(bankrupt, 1000, mark, CONFIG) == 925


def test_the_fee_is_the_smaller_of_the_max_fee_and_the_surplus():
    mark = abc(801)
    thin = totals_of(-400 * USD, 500, mark)  # $0.50 above bankruptcy
    assert insurance_fund_delta(thin, 500, -500, 801, mark, 15_000) == USD // 2
    thick = totals_of(-390 * USD, 500, mark)  # $10.50 of surplus
    fee = insurance_fund_delta(thick, 500, -500, 801, mark, 15_000)
    assert fee == 6_007_500  # 1.5% of $400.50


def test_step_size_takes_the_larger_of_minimum_and_portion_and_cools_large_positions():
    mark = MarketMark(price=100, k=100, mmf=30_000, funding_index=0)  # $0.01 per step
    assert step_size(50_000, mark, CONFIG, 0, None) == 50_000  # $500: all of it
    assert step_size(1_000_000, mark, CONFIG, 0, None) == 100_000  # $10k: the $1000 minimum
    assert step_size(-5_000_000, mark, CONFIG, 0, None) == 500_000  # $50k: 10%
    big = 20_000_000  # $200k > $100k: slices of 10% with a 30 s cooldown
    assert step_size(big, mark, CONFIG, 40_000, 10_001) == 0
    assert step_size(big, mark, CONFIG, 40_001, 10_001) == 2_000_000


def test_takeover_terms_split_the_discount_and_express_bad_rewards():
    terms = takeover_terms(-800, 500, abc(1000), CONFIG)
    assert terms.size == -500 and terms.price == 1000
    assert (terms.trader_pays, terms.liquidator_reward, terms.insurance_fee) == (
        7_500_000,
        5_000_000,
        2_500_000,
    )
    assert reward_too_low(CONFIG, liquidator_cost_ppm=20_000)
    assert not reward_too_low(CONFIG, liquidator_cost_ppm=10_000)
    assert not reward_predatory(CONFIG, mmf_ppm=30_000)  # 1.5% ≤ 4.5%
    assert reward_predatory(CONFIG, mmf_ppm=5_000)  # 1.5% > 0.75%


@given(
    size=st.integers(1, 10**6).flatmap(lambda s: st.sampled_from([s, -s])),
    price=st.integers(1, 10**6),
    mmf=st.integers(1, 500_000),
    other=st.integers(-(10**6), 10**6),
    equity_ppm=st.integers(-2_000_000, 1_000_000),
    portion=st.integers(1, 10**6),
    at_fillable=st.booleans(),
    fill_move=st.integers(-500_000, 500_000),
)
def test_a_fill_never_leaves_the_fund_paying_more_than_the_deficit(
    size, price, mmf, other, equity_ppm, portion, at_fillable, fill_move
):
    """After a liquidation fill and the insurance delta, TNC' = ⌈TNC·TMMR'/TMMR⌉ or above:
    the fund pays no more than brings the account to its bankruptcy level."""
    mark, hedge = abc(price, mmf), MarketMark(price=3, k=7, mmf=20_000, funding_index=0)
    marks = {"ABC": mark, "XYZ": hedge}
    held = {"ABC": (size, 0), "XYZ": (other, 0)}
    base = account_totals(0, held, marks)
    collateral = base.maintenance * equity_ppm // 10**6 - base.net_collateral
    totals = account_totals(collateral, held, marks)
    assume(totals.liquidatable)
    delta = -(size * portion // 10**6) or -size
    if at_fillable:
        fill = limit_ticks(fillable_price(totals, size, mark, CONFIG), size)
        fillable = fillable_price(totals, size, mark, CONFIG)
        pnnv_gap = (price - fillable) * size * K  # how far the limit is from the oracle
        assert (
            0
            <= pnnv_gap
            <= Fraction(CONFIG.spread_to_mmr_ratio_ppm, 10**6)
            * (-(-abs(size * price * K) * mmf // 10**6))
        )
    else:
        fill = max(1, price + price * fill_move // 10**6)
    paid_in = insurance_fund_delta(totals, size, delta, fill, mark, CONFIG.max_liquidation_fee_ppm)
    after_collateral = collateral - delta * fill * K - paid_in
    after = account_totals(after_collateral, {"ABC": (size + delta, 0), "XYZ": (other, 0)}, marks)
    scaled = after.net_collateral * totals.maintenance - totals.net_collateral * after.maintenance
    if paid_in < 0:
        assert 0 <= scaled < totals.maintenance
    else:
        assert scaled >= 0


@given(
    size=st.integers(-(10**9), 10**9).filter(bool),
    price=st.integers(1, 10**6),
    k=st.integers(1, 10**4),
    portion=st.integers(1, 10**6),
    minimum=st.integers(1, 10**12),
    elapsed=st.integers(0, 60_000),
)
def test_a_step_is_the_larger_target_in_whole_steps_within_the_position(
    size, price, k, portion, minimum, elapsed
):
    config = RiskConfig(min_liquidation_notional=minimum, max_liquidation_portion_ppm=portion)
    mark = MarketMark(price=price, k=k, mmf=30_000, funding_index=0)
    steps = step_size(size, mark, config, 100_000 + elapsed, 100_000)
    notional = abs(size) * price * k
    if notional > config.large_position_notional and elapsed < config.cooldown_ms:
        assert steps == 0
        return
    target = max(minimum, notional * portion // 10**6)
    step_value = price * k
    if notional <= target:
        assert steps == abs(size)
    else:  # the most whole steps within the target, at least one
        assert 1 <= steps <= abs(size)
        assert steps * step_value <= max(target, step_value) < (steps + 1) * step_value


@given(
    size=st.integers(-(10**9), 10**9).filter(bool),
    take=st.integers(1, 10**9),
    price=st.integers(1, 10**6),
    discount=st.integers(0, 200_000),
    reward_share=st.integers(0, 10**6),
)
def test_takeover_payments_add_up_and_never_pay_out_more_than_taken(
    size, take, price, discount, reward_share
):
    take = min(take, abs(size))
    config = RiskConfig(
        liquidator_discount_ppm=discount, liquidator_reward_ppm=discount * reward_share // 10**6
    )
    terms = takeover_terms(size, take, MarketMark(price, K, 30_000, 0), config)
    assert terms.trader_pays == terms.liquidator_reward + terms.insurance_fee
    assert 0 <= terms.liquidator_reward <= terms.trader_pays
    assert terms.insurance_fee >= 0 and abs(terms.size) == take and terms.size * size > 0
    notional = take * price * K
    assert terms.trader_pays * 10**6 >= notional * discount > (terms.trader_pays - 1) * 10**6

"""Liquidations in the engine, dYdX v4 style, with insurance funds and a loss policy.

When a mark price, a funding tick or a governance change may have made subaccounts
liquidatable, the incremental position table (risk.scan) finds them with a vectorised scan
and an exact re-check. Each is then liquidated:

1. its open orders are cancelled;
2. each position is closed in steps (risk.step_size) by a protocol IOC order through the
   book, bounded by the fillable price (risk.fillable_price). Such a fill pays no taker fee;
   it pays the insurance fund min(max fee, surplus over the bankruptcy price), or the fund
   pays the deficit below it — within its caps, else the step stops;
3. if the subaccount is still under water (TNC < 0) with positions left, the market's loss
   policy closes them: auto-deleveraging against opposite positions at the bankruptcy price
   (ranked by profit × leverage, or in a seeded random order), or a socialised loss — the
   positions close at the mark against opposite positions and the shortfall is charged to
   every open position of the market through its funding index (Drift).

An isolated subaccount is judged alone and draws on its market's insurance fund; a cross
subaccount on the global fund. Markets whose oracle is stale under the HALT policy are not
liquidated. Every step is an event that says who paid what.
"""

import hashlib
from typing import TYPE_CHECKING

from isoperp.accounts import Health, Subaccount, health, health_after
from isoperp.commands.trading import TakeOver
from isoperp.engine.market import Market
from isoperp.engine.orders import Matcher, take_off, trade
from isoperp.engine.rejections import Code, Reject
from isoperp.events import Event
from isoperp.events.risk import LiquidationEnded, LiquidationStarted, LiquidationStep
from isoperp.numeric import check_range
from isoperp.oracle import StalePolicy
from isoperp.risk import (
    GLOBAL_FUND,
    AdlCandidate,
    InsuranceFund,
    LossPolicy,
    MarketMark,
    Totals,
    bankruptcy_quote,
    deleveraged_events,
    fillable_price,
    insurance_fund_delta,
    limit_ticks,
    pay_shortfall,
    payout_caps,
    receive_fee,
    select_deleveraged,
    socialize_loss,
    split_quote,
    step_size,
    takeover_terms,
)

if TYPE_CHECKING:
    from isoperp.engine.core import Engine

SubKey = tuple[int, int]


def mark_of(market: Market) -> MarketMark:
    return MarketMark(
        market.price, market.k, market.spec.maintenance_margin_ppm, market.funding.index
    )


def is_liquidatable(h: Health) -> bool:
    return h.maintenance > 0 and h.value < h.maintenance


def fund_key(sub: Subaccount, market_id: str) -> str:
    return market_id if sub.is_isolated else GLOBAL_FUND


def run(eng: "Engine", ts: int) -> None:
    """Liquidate every subaccount the scan finds, in key order."""
    table = eng.position_table
    eng.sync_position_table()
    marks = {mid: m.price for mid, m in eng.markets.items()}  # 0: no price, no positions
    indexes = {mid: m.funding.index for mid, m in eng.markets.items()}
    for key in table.scan(marks, indexes):
        sub = eng.subaccounts.get(key)
        if sub is not None:
            liquidate(eng, sub, ts)
    eng.sync_position_table()


def liquidate(eng: "Engine", sub: Subaccount, ts: int) -> None:
    h = health(sub, eng.markets)
    if not is_liquidatable(h):
        return
    eng.events.append(
        LiquidationStarted(
            owner=sub.owner,
            subaccount=sub.number,
            net_collateral=h.value,
            maintenance=h.maintenance,
        )
    )
    for order in sorted(sub.orders.values(), key=lambda o: o.order_id):
        take_off(eng, order, "liquidation")
    markets = [eng.markets[mid] for mid in sorted(sub.positions)]
    liquidatable = [m for m in markets if not _halted(m)]
    for market in liquidatable:
        _close_through_book(eng, sub, market, ts)
    h = health(sub, eng.markets)
    reason = "healthy" if not is_liquidatable(h) else "no_liquidity"
    if not sub.positions:
        reason = "closed"
    elif h.value < 0 and liquidatable:
        for market in liquidatable:
            if market.spec.market_id in sub.positions:
                reason = _absorb_loss(eng, sub, market, ts)
    eng.events.append(LiquidationEnded(owner=sub.owner, subaccount=sub.number, reason=reason))


def _halted(market: Market) -> bool:
    return market.oracle_stale and market.oracle_config.stale_policy is StalePolicy.HALT


def _close_through_book(eng: "Engine", sub: Subaccount, market: Market, ts: int) -> None:
    """Step the position down with protocol IOC orders while the subaccount is liquidatable
    and the book fills within the fillable price."""
    market_id = market.spec.market_id
    config = market.risk_config
    while market_id in sub.positions:
        h = health(sub, eng.markets)
        if not is_liquidatable(h):
            return
        size = sub.positions[market_id].size
        mark = mark_of(market)
        step = step_size(size, mark, config, ts, eng.last_liquidation_step.get(sub.key))
        if step == 0:
            return
        limit = limit_ticks(
            fillable_price(Totals(h.value, h.maintenance), size, mark, config), size
        )
        matcher = LiquidationMatcher(eng, market, sub)
        left = matcher.sweep(limit, step)
        eng.last_liquidation_step[sub.key] = ts
        if left == step:
            return


class LiquidationMatcher(Matcher):
    """The protocol's liquidation order: no taker fee and no margin rule (it only reduces);
    each fill instead settles its insurance delta, and stops if the fund cannot cover a
    deficit."""

    def __init__(self, eng: "Engine", market: Market, sub: Subaccount) -> None:
        size = sub.positions[market.spec.market_id].size
        self.setup(eng, market, sub, size < 0, 0, None)
        self.fund = fund_key(sub, market.spec.market_id)
        self.pending: tuple[int, InsuranceFund, list[Event]] | None = None

    def taker_fee(self, notional: int) -> int:
        return 0

    def taker_allowed(self, qty: int, price: int, cash: int) -> bool:
        eng, sub, market = self.eng, self.taker, self.market
        size = sub.positions[market.spec.market_id].size
        h = health(sub, eng.markets)
        delta = self.sign * qty
        config = market.risk_config
        insurance = insurance_fund_delta(
            Totals(h.value, h.maintenance),
            size,
            delta,
            price,
            mark_of(market),
            config.max_liquidation_fee_ppm,
        )
        fund = eng.insurance_fund(self.fund)
        events: list[Event]
        if insurance >= 0:
            after, received = receive_fee(fund, insurance, sub.key)
            events = list(received)
        else:
            caps = payout_caps(config)
            after, paid, payouts = pay_shortfall(fund, -insurance, eng.last_ts, caps, sub.key)
            if paid < -insurance:
                self.stop_reason = "insurance_exhausted"
                return False
            events = list(payouts)
        self.pending = (insurance, after, events)
        return True

    def after_fill(self, qty: int, price: int) -> None:
        assert self.pending is not None
        insurance, fund, events = self.pending
        sub, market = self.taker, self.market
        sub.collateral -= insurance
        self.eng.insurance[fund.fund] = fund
        self.eng.events.extend(events)
        self.eng.events.append(
            LiquidationStep(
                owner=sub.owner,
                subaccount=sub.number,
                market=market.spec.market_id,
                size=self.sign * qty,
                price=price,
                quote=-self.sign * qty * price * market.k,
                insurance_delta=insurance,
                by="protocol",
            )
        )


def take_over(eng: "Engine", cmd: TakeOver) -> None:
    """The external-liquidator path: validate everything, then move the position."""
    market = eng.market(cmd.market)
    market_id = cmd.market
    target = eng.subaccount(cmd.target_owner, cmd.target_subaccount)
    liquidator = eng.subaccount(cmd.owner, cmd.subaccount)
    if liquidator.key == target.key:
        raise Reject(Code.BAD_MARGIN_SOURCE, "a subaccount cannot take over its own position")
    bound_elsewhere = liquidator.isolated_market not in (None, market_id)
    if liquidator.is_isolated and bound_elsewhere and not liquidator.is_flat():
        raise Reject(Code.ISOLATED_MARKET_MISMATCH, "the liquidator's subaccount is isolated")
    if _halted(market):
        raise Reject(Code.ORACLE_STALE, f"{market_id} has no fresh oracle price")
    if not is_liquidatable(health(target, eng.markets)):
        raise Reject(Code.NOT_LIQUIDATABLE, "the target is at or above maintenance margin")
    position = target.positions.get(market_id)
    held = position.size if position else 0
    check_range("size", cmd.size, 1, max(abs(held), 1))
    if not held:
        raise Reject(Code.NOT_LIQUIDATABLE, f"the target holds no {market_id} position")
    terms = takeover_terms(held, cmd.size, mark_of(market), market.risk_config)
    notional = terms.size * market.price * market.k
    liquidator_cash = -notional + terms.liquidator_reward
    limit = market.spec.max_position_steps
    if abs(liquidator.size(market_id) + terms.size) > limit:
        raise Reject(Code.POSITION_LIMIT, f"the liquidator's position would exceed {limit}")
    after = health_after(liquidator, eng.markets, market_id, terms.size, liquidator_cash)
    if after.value < after.initial:
        raise Reject(Code.INSUFFICIENT_MARGIN, "the liquidator would be below initial margin")
    old_long = max(held, 0) + max(liquidator.size(market_id), 0)
    trade(eng, target, market, -terms.size, market.price, notional - terms.trader_pays)
    trade(eng, liquidator, market, terms.size, market.price, liquidator_cash)
    if liquidator.is_isolated:
        liquidator.isolated_market = market_id
    market.open_interest += (
        max(target.size(market_id), 0) + max(liquidator.size(market_id), 0) - old_long
    )
    fund, received = receive_fee(
        eng.insurance_fund(fund_key(target, market_id)), terms.insurance_fee, target.key
    )
    eng.insurance[fund.fund] = fund
    eng.events.append(
        LiquidationStep(
            owner=target.owner,
            subaccount=target.number,
            market=market_id,
            size=-terms.size,
            price=market.price,
            quote=notional - terms.trader_pays,
            insurance_delta=terms.insurance_fee,
            by=f"{liquidator.owner:#x}:{liquidator.number}",
        )
    )
    eng.events.extend(received)


def _absorb_loss(eng: "Engine", sub: Subaccount, market: Market, ts: int) -> str:
    """Close what the book could not, by the market's loss policy; returns the reason."""
    market_id = market.spec.market_id
    policy = LossPolicy(market.risk_config.loss_policy)
    size = sub.positions[market_id].size
    mark = mark_of(market)
    candidates = []
    for key, other in sorted(eng.subaccounts.items()):
        position = other.positions.get(market_id)
        if key == sub.key or position is None or position.cost <= 0:
            continue
        value = health(other, eng.markets).value
        if value > 0:
            candidates.append(AdlCandidate(key, position.size, position.cost, value))
    seed = hashlib.blake2b(
        f"{ts}:{sub.owner}:{sub.number}:{market_id}".encode(), digest_size=16
    ).digest()
    adl_policy = LossPolicy.ADL_RANDOM if policy is LossPolicy.SOCIALIZED else policy
    takes = select_deleveraged(candidates, size, mark, adl_policy, seed)
    if not takes:
        return "no_counterparty"
    covered = sum(take for _, take in takes)
    delta = -covered if size > 0 else covered
    h = health(sub, eng.markets)
    if policy is LossPolicy.SOCIALIZED:
        quote = -delta * market.price * market.k  # at the mark
    else:
        quote = bankruptcy_quote(Totals(h.value, h.maintenance), size, delta, mark)
    pieces = split_quote(quote, [take for _, take in takes])
    if policy is LossPolicy.SOCIALIZED:
        _socialize(eng, sub, market)  # first: the counterparties taking the position pay too
        _trade_out(eng, sub, market, delta, takes, pieces)
        return "socialized"
    eng.events.extend(deleveraged_events(sub.key, size, market_id, quote, takes, mark))
    _trade_out(eng, sub, market, delta, takes, pieces)
    return "deleveraged"


def _trade_out(
    eng: "Engine",
    sub: Subaccount,
    market: Market,
    delta: int,
    takes: list[tuple[SubKey, int]],
    pieces: list[int],
) -> None:
    """Move ``delta`` steps out of the bankrupt position into the counterparties' opposite
    positions, each counterparty paying the bankrupt account its piece of the quote (the
    pieces sum to the quote rounded up for the bankrupt account); open interest falls by
    the steps moved."""
    price = market.price
    trade(eng, sub, market, delta, price, sum(pieces))
    for (key, take), piece in zip(takes, pieces, strict=True):
        toward_zero = take if delta < 0 else -take  # a short buys back, a long sells
        trade(eng, eng.subaccounts[key], market, toward_zero, price, -piece)
    market.open_interest -= abs(delta)


def _socialize(eng: "Engine", sub: Subaccount, market: Market) -> None:
    """Reset the bankrupt account's shortfall to zero and charge it, through each open
    position's funding entry, to every other position in the market. It runs before the
    bankrupt position is traded out (at the mark, which leaves the shortfall as it is), so
    there is always someone to charge: the other side holds as much as the bankrupt side."""
    loss = -health(sub, eng.markets).value
    if loss <= 0:
        return
    market_id = market.spec.market_id
    holders = [
        other
        for key, other in sorted(eng.subaccounts.items())
        if key != sub.key and market_id in other.positions
    ]
    event = socialize_loss(market_id, loss, [s.positions[market_id].size for s in holders])
    if event is None:
        return
    sub.collateral += loss
    eng.funding_pool -= loss
    for holder in holders:
        position = holder.positions[market_id]
        position.funding_index -= (
            event.long_index_delta if position.size > 0 else event.short_index_delta
        )
        eng.touched.add(holder.key)
    eng.events.append(event)

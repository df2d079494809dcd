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

The accounts are the native core's: these rules read them through ``health``, ``leaf`` and
``subaccount`` copies and change them through its primitives (a liquidation sweep whose
taker side is ``LiquidationPolicy``, one-sided trades, collateral and funding-entry credits).
"""

import hashlib
from typing import TYPE_CHECKING

from isoperp.accounts import Health, health_after
from isoperp.commands.trading import TakeOver
from isoperp.engine.market import Market
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


def fund_key(key: SubKey, market_id: str) -> str:
    """An isolated subaccount (number > 0) draws on its market's fund, a cross one on the
    global fund."""
    return market_id if key[1] else GLOBAL_FUND


def positions(eng: "Engine", key: SubKey) -> dict[str, tuple[int, int]]:
    """{market id: (size, funding index)} of a subaccount's open positions."""
    return eng.core.leaf(*key)[1]


def run(eng: "Engine", ts: int) -> None:
    """Liquidate every subaccount the scan finds, in key order."""
    table = eng.position_table
    eng.sync_position_table()
    marks = {mid: m.price for mid, m in eng.markets.items()}  # 0: no price, no positions
    indexes = {mid: m.funding.index for mid, m in eng.markets.items()}
    for key in table.scan(marks, indexes):
        liquidate(eng, key, ts)
    eng.sync_position_table()


def liquidate(eng: "Engine", key: SubKey, ts: int) -> None:
    h = eng.health(key)
    if not is_liquidatable(h):
        return
    owner, number = key
    eng.events.append(
        LiquidationStarted(
            owner=owner, subaccount=number, net_collateral=h.value, maintenance=h.maintenance
        )
    )
    eng.events.extend(eng.core.cancel_orders(owner, number, "liquidation"))
    markets = [eng.markets[mid] for mid in sorted(positions(eng, key))]
    liquidatable = [m for m in markets if not _halted(m)]
    for market in liquidatable:
        _close_through_book(eng, key, market, ts)
    h = eng.health(key)
    reason = "healthy" if not is_liquidatable(h) else "no_liquidity"
    if not positions(eng, key):
        reason = "closed"
    elif h.value < 0 and liquidatable:
        for market in liquidatable:
            if market.market_id in positions(eng, key):
                reason = _absorb_loss(eng, key, market, ts)
    eng.events.append(LiquidationEnded(owner=owner, subaccount=number, reason=reason))


def _halted(market: Market) -> bool:
    return market.oracle_stale and market.oracle_config.stale_policy is StalePolicy.HALT


def _close_through_book(eng: "Engine", key: SubKey, market: Market, ts: int) -> None:
    """Step the position down with protocol IOC orders while the subaccount is liquidatable
    and the book fills within the fillable price."""
    market_id = market.market_id
    config = market.risk_config
    while market_id in (held := positions(eng, key)):
        h = eng.health(key)
        if not is_liquidatable(h):
            return
        size = held[market_id][0]
        mark = mark_of(market)
        step = step_size(size, mark, config, ts, eng.last_liquidation_step.get(key))
        if step == 0:
            return
        limit = limit_ticks(
            fillable_price(Totals(h.value, h.maintenance), size, mark, config), size
        )
        policy = LiquidationPolicy(eng, market, key, size)
        left, events, touched = eng.core.liquidation_sweep(*key, market_id, limit, step, policy)
        eng.events.extend(events)
        eng.touched.update(touched)
        eng.last_liquidation_step[key] = ts
        if left == step:
            return


class LiquidationPolicy:
    """The taker side of the protocol's liquidation order (NativeCore.liquidation_sweep): no
    taker fee and no margin rule (it only reduces); each fill instead settles its insurance
    delta, and the sweep stops if the fund cannot cover a deficit."""

    def __init__(self, eng: "Engine", market: Market, key: SubKey, size: int) -> None:
        self.eng, self.market, self.key = eng, market, key
        self.sign = 1 if size < 0 else -1  # a short buys back, a long sells
        self.fund = fund_key(key, market.market_id)
        self.pending: tuple[int, InsuranceFund, list[Event]] | None = None

    def taker_fee(self, notional: int) -> int:
        return 0

    def taker_allowed(self, qty: int, price: int, cash: int) -> bool:
        eng, market = self.eng, self.market
        size = positions(eng, self.key)[market.market_id][0]
        h = eng.health(self.key)
        config = market.risk_config
        insurance = insurance_fund_delta(
            Totals(h.value, h.maintenance),
            size,
            self.sign * qty,
            price,
            mark_of(market),
            config.max_liquidation_fee_ppm,
        )
        fund = eng.insurance_fund(self.fund)
        events: list[Event]
        if insurance >= 0:
            after, received = receive_fee(fund, insurance, self.key)
            events = list(received)
        else:
            caps = payout_caps(config)
            after, paid, payouts = pay_shortfall(fund, -insurance, eng.last_ts, caps, self.key)
            if paid < -insurance:
                return False  # the fund is exhausted
            events = list(payouts)
        self.pending = (insurance, after, events)
        return True

    def after_fill(self, qty: int, price: int) -> list[Event]:
        """Settle the fill's insurance delta; returns the events that follow the fill."""
        assert self.pending is not None
        insurance, fund, events = self.pending
        owner, number = self.key
        self.eng.core.add_collateral(owner, number, -insurance)
        self.eng.insurance[fund.fund] = fund
        market_id = self.market.market_id
        quote = -self.sign * qty * price * self.market.k
        step = LiquidationStep(
            owner=owner,
            subaccount=number,
            market=market_id,
            size=self.sign * qty,
            price=price,
            quote=quote,
            insurance_delta=insurance,
            by="protocol",
        )
        return [*events, step]


def take_over(eng: "Engine", cmd: TakeOver) -> None:
    """The external-liquidator path: validate everything, then move the position."""
    market = eng.market(cmd.market)
    market_id = cmd.market
    core = eng.core
    target_key = (cmd.target_owner, cmd.target_subaccount)
    target = core.subaccount(*target_key)
    liquidator = core.subaccount(cmd.owner, cmd.subaccount)
    if liquidator.key == target.key:
        raise Reject(Code.BAD_MARGIN_SOURCE, "a subaccount cannot take over its own position")
    bound_elsewhere = liquidator.isolated_market not in (None, market_id)
    if liquidator.is_isolated and bound_elsewhere and not liquidator.is_flat():
        raise Reject(Code.ISOLATED_MARKET_MISMATCH, "the liquidator's subaccount is isolated")
    if _halted(market):
        raise Reject(Code.ORACLE_STALE, f"{market_id} has no fresh oracle price")
    if not is_liquidatable(eng.health(target_key)):
        raise Reject(Code.NOT_LIQUIDATABLE, "the target is at or above maintenance margin")
    held = target.size(market_id)
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
    _trade(eng, target.key, market, -terms.size, notional - terms.trader_pays)
    _trade(eng, liquidator.key, market, terms.size, liquidator_cash)
    core.set_isolated_market(*liquidator.key, market_id)
    new_long = max(held - terms.size, 0) + max(liquidator.size(market_id) + terms.size, 0)
    core.add_open_interest(market_id, new_long - old_long)
    fund, received = receive_fee(
        eng.insurance_fund(fund_key(target.key, market_id)), terms.insurance_fee, target.key
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


def _trade(eng: "Engine", key: SubKey, market: Market, size_delta: int, cash: int) -> None:
    """One side of a trade at the mark, outside the book (NativeCore.trade)."""
    events, touched = eng.core.trade(*key, market.market_id, size_delta, market.price, cash)
    eng.events.extend(events)
    eng.touched.update(touched)


def _absorb_loss(eng: "Engine", key: SubKey, market: Market, ts: int) -> str:
    """Close what the book could not, by the market's loss policy; returns the reason."""
    market_id = market.market_id
    policy = LossPolicy(market.risk_config.loss_policy)
    size = positions(eng, key)[market_id][0]
    mark = mark_of(market)
    candidates = []
    for other, (_, held) in sorted(eng.core.positions().items()):
        position = held.get(market_id)
        if other == key or position is None or position[1] <= 0:
            continue
        value = eng.health(other).value
        if value > 0:
            candidates.append(AdlCandidate(other, position[0], position[1], value))
    owner, number = key
    seed = hashlib.blake2b(f"{ts}:{owner}:{number}:{market_id}".encode(), digest_size=16).digest()
    adl_policy = LossPolicy.ADL_RANDOM if policy is LossPolicy.SOCIALIZED else policy
    takes = select_deleveraged(candidates, size, mark, adl_policy, seed)
    if not takes:
        return "no_counterparty"
    covered = sum(take for _, take in takes)
    delta = -covered if size > 0 else covered
    h = eng.health(key)
    if policy is LossPolicy.SOCIALIZED:
        quote = -delta * market.price * market.k  # at the mark
    else:
        quote = bankruptcy_quote(Totals(h.value, h.maintenance), size, delta, mark)
    pieces = split_quote(quote, [take for _, take in takes])
    if policy is LossPolicy.SOCIALIZED:
        _socialize(eng, key, market)  # first: the counterparties taking the position pay too
        _trade_out(eng, key, market, delta, takes, pieces)
        return "socialized"
    eng.events.extend(deleveraged_events(key, size, market_id, quote, takes, mark))
    _trade_out(eng, key, market, delta, takes, pieces)
    return "deleveraged"


def _trade_out(
    eng: "Engine",
    key: SubKey,
    market: Market,
    delta: int,
    takes: list[tuple[SubKey, int]],
    pieces: list[int],
) -> None:
    """Move ``delta`` steps out of the bankrupt position into the counterparties' opposite
    positions, each counterparty paying the bankrupt account its piece of the quote (the
    pieces sum to the quote rounded up for the bankrupt account); open interest falls by
    the steps moved."""
    _trade(eng, key, market, delta, sum(pieces))
    for (other, take), piece in zip(takes, pieces, strict=True):
        toward_zero = take if delta < 0 else -take  # a short buys back, a long sells
        _trade(eng, other, market, toward_zero, -piece)
    eng.core.add_open_interest(market.market_id, -abs(delta))


def _socialize(eng: "Engine", key: SubKey, market: Market) -> None:
    """Reset the bankrupt account's shortfall to zero and charge it, through each open
    position's funding entry, to every other position in the market. It runs before the
    bankrupt position is traded out (at the mark, which leaves the shortfall as it is), so
    there is always someone to charge: the other side holds as much as the bankrupt side."""
    loss = -eng.health(key).value
    if loss <= 0:
        return
    market_id = market.market_id
    holders = [
        (other, held[market_id][0])
        for other, (_, held) in sorted(eng.core.positions().items())
        if other != key and market_id in held
    ]
    event = socialize_loss(market_id, loss, [size for _, size in holders])
    if event is None:
        return
    core = eng.core
    core.add_collateral(*key, loss)
    core.funding_pool -= loss
    for other, size in holders:
        delta = event.long_index_delta if size > 0 else event.short_index_delta
        core.add_to_funding_entry(*other, market_id, -delta)
        eng.touched.add(other)
    eng.events.append(event)

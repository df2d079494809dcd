"""Order placement, matching and cancellation inside the engine.

Placement checks the order against the worst case of the subaccount's open orders
(``accounts.free_collateral``) unless it strictly reduces risk. Matching runs in the book;
every fill is re-judged for both sides by the state-change rule (``change_allowed``): a
maker that fails is taken off the book and matching goes on, a taker that fails stops and
its remainder is cancelled. Self-trade prevention expires the resting maker.
"""

from typing import TYPE_CHECKING, Any

import msgspec
from msgspec.structs import astuple

from isoperp.accounts.margin import (
    change_allowed,
    health,
    health_after,
    notional,
    sums_after,
)
from isoperp.accounts.subaccount import (
    MAX_OWNER_KEY,
    MAX_SUBACCOUNT_NUMBER,
    Exposure,
    Position,
    Subaccount,
)
from isoperp.book.book import STOP, Taker
from isoperp.book.order import Order, new_order
from isoperp.commands.trading import (
    CancelAll,
    CancelOrder,
    OrderKind,
    PlaceOrder,
    Side,
    TimeInForce,
)
from isoperp.engine.funding_flow import settle_position_funding
from isoperp.engine.market import Market
from isoperp.engine.rejections import Code, Reject
from isoperp.events import Rejected
from isoperp.events.trading import (
    Fill,
    OrderAccepted,
    OrderCanceled,
    OrderResized,
    OrderRested,
    OrderTriggered,
)
from isoperp.markets import MarketStatus
from isoperp.numeric.bounds import (
    MAX_PRICE_TICKS,
    MAX_QUANTUMS,
    MAX_SIZE_STEPS,
    check_range,
    check_wide_range,
)
from isoperp.numeric.rounding import mul_ppm_ceil, mul_ppm_floor

if TYPE_CHECKING:
    from isoperp.engine.core import Engine

# Enum members bound once: an attribute lookup on an Enum class is slow in the hot path.
BUY, SELL = Side.BUY, Side.SELL
STOP_ORDER, TAKE_PROFIT_ORDER = OrderKind.STOP, OrderKind.TAKE_PROFIT
LIMIT_ORDER, MARKET_ORDER = OrderKind.LIMIT, OrderKind.MARKET
POST_ONLY, FOK, GTT, IOC = TimeInForce.POST_ONLY, TimeInForce.FOK, TimeInForce.GTT, TimeInForce.IOC
REDUCE_ONLY_MARKET = MarketStatus.REDUCE_ONLY
PAUSED, FINAL_SETTLEMENT = MarketStatus.PAUSED, MarketStatus.FINAL_SETTLEMENT

NO_OPEN_ORDER = "no open order with this client id (it may have just filled)"

# ticket() unpacks a PlaceOrder's fields in this order, all at once.
PLACE_ORDER_FIELDS = (
    "ts",
    "owner",
    "subaccount",
    "market",
    "client_id",
    "side",
    "price",
    "size",
    "kind",
    "tif",
    "reduce_only",
    "expires_at",
    "trigger_price",
    "isolated_margin",
    "margin_source",
)
if PlaceOrder.__struct_fields__ != PLACE_ORDER_FIELDS:
    raise TypeError("PlaceOrder's fields changed: update PLACE_ORDER_FIELDS and ticket()")


class Ticket:
    """A PlaceOrder command checked for shape and bounds (nothing here depends on the
    account), its fields read once: the hot path works on this, not the command."""

    cmd: PlaceOrder
    market: str
    owner: int
    subaccount: int
    client_id: int
    is_buy: bool
    price: int
    size: int
    reduce_only: bool
    conditional: bool
    post_only: bool
    fok: bool
    immediate: bool
    expires_at: int | None
    isolated_margin: int
    margin_source: int

    __slots__ = (
        "client_id",
        "cmd",
        "conditional",
        "expires_at",
        "fok",
        "immediate",
        "is_buy",
        "isolated_margin",
        "margin_source",
        "market",
        "owner",
        "post_only",
        "price",
        "reduce_only",
        "size",
        "subaccount",
    )


def ticket(cmd: PlaceOrder, market: Market) -> Ticket:
    """Check a PlaceOrder's shape and bounds and read its fields once. Side, kind and
    time in force must be members of their enums (a plain string is refused, not guessed)."""
    fields: tuple[Any, ...] = astuple(cmd)  # one call, not 15 attribute reads
    (
        ts,
        owner,
        subaccount,
        market_id,
        client_id,
        side,
        price,
        size,
        kind,
        tif,
        reduce_only,
        expires_at,
        trigger,
        margin,
        source,
    ) = fields
    if not market.price:
        raise Reject(Code.NO_PRICE, f"{market_id} has no oracle price yet")
    # An enum's members are its only instances, so the type says it is one of them.
    if not (type(side) is Side and type(kind) is OrderKind and type(tif) is TimeInForce):
        raise Reject(Code.BAD_ORDER_TYPE, f"bad side/kind/tif {side!r}/{kind!r}/{tif!r}")
    t = Ticket.__new__(Ticket)
    t.size = check_range("size", size, 1, MAX_SIZE_STEPS)
    t.price = check_range("price", price, 1, MAX_PRICE_TICKS)
    check_range("client_id", client_id, 0, 2**63 - 1)
    t.client_id = client_id  # the command's own int: its order, key and events share it
    margin = check_range("isolated_margin", margin, 0, MAX_QUANTUMS)
    if notional(t.size, t.price, market.k) > MAX_QUANTUMS:
        raise Reject(Code.OUT_OF_BOUNDS, "order notional exceeds MAX_QUANTUMS")
    if type(reduce_only) is not bool:
        raise Reject(Code.BAD_ORDER_TYPE, f"reduce_only must be a bool, got {reduce_only!r}")
    if t.size < market.min_order_steps and not reduce_only:
        raise Reject(Code.BELOW_MIN_SIZE, f"size {size} below minimum {market.min_order_steps}")
    status = market.status
    if status is PAUSED or status is FINAL_SETTLEMENT:
        raise Reject(Code.MARKET_NOT_ACTIVE, f"{market_id} is {status}")
    conditional = kind is STOP_ORDER or kind is TAKE_PROFIT_ORDER
    if conditional != (trigger is not None):
        raise Reject(Code.BAD_ORDER_TYPE, "a trigger price goes with stop/take-profit orders only")
    if trigger is not None:
        check_range("trigger_price", trigger, 1, MAX_PRICE_TICKS)
        if margin:
            raise Reject(
                Code.BAD_ORDER_TYPE, "move isolated margin before placing a conditional order"
            )
    immediate = tif is IOC or tif is FOK
    if kind is MARKET_ORDER and not immediate:
        raise Reject(Code.BAD_ORDER_TYPE, "a market order is IOC or FOK")
    if (tif is GTT) != (expires_at is not None):
        raise Reject(Code.BAD_ORDER_TYPE, "expires_at goes with GTT orders only")
    if expires_at is not None and check_range("expires_at", expires_at, 0, 2**53) <= ts:
        raise Reject(Code.BAD_ORDER_TYPE, "a GTT order must expire after its timestamp")
    if margin:  # checked here, before isolated margin moves and anything can be undone
        check_range("margin_source", source, 0, MAX_SUBACCOUNT_NUMBER)
        if subaccount == source:
            raise Reject(Code.BAD_MARGIN_SOURCE, "margin must come from another subaccount")
        if subaccount == 0:
            raise Reject(Code.BAD_MARGIN_SOURCE, "isolated margin goes to an isolated subaccount")
    t.cmd = cmd
    t.market = market.market_id  # the interned id (margin.Pricing), not the command's copy
    t.owner = owner
    t.subaccount = subaccount
    t.is_buy = side is BUY
    t.reduce_only = reduce_only
    t.conditional = conditional
    t.post_only = tif is POST_ONLY
    t.fok = tif is FOK
    t.immediate = immediate or kind is MARKET_ORDER
    t.expires_at = expires_at
    t.isolated_margin = margin
    t.margin_source = source
    return t


def place(eng: "Engine", cmd: PlaceOrder) -> None:
    market = eng.market(cmd.market)
    t = ticket(cmd, market)
    is_buy, price, mid = t.is_buy, t.price, t.market
    count = len(eng.subaccounts)
    sub = eng.subaccount(t.owner, t.subaccount, create=t.isolated_margin > 0)
    created = len(eng.subaccounts) > count
    position = sub.size(mid)
    try:
        if t.client_id in sub.orders:
            raise Reject(Code.DUPLICATE_CLIENT_ID, f"client id {t.client_id} is already open")
        if len(sub.orders) >= eng.max_open_orders:
            raise Reject(Code.TOO_MANY_OPEN_ORDERS, f"at most {eng.max_open_orders} open orders")
        held = sub.isolated_market
        if sub.is_isolated and held is not None and held != mid and not sub.is_flat():
            raise Reject(
                Code.ISOLATED_MARKET_MISMATCH, f"isolated subaccount {sub.number} holds {held}"
            )
        if t.reduce_only:
            if position == 0 or (position > 0) == is_buy:
                raise Reject(Code.REDUCE_ONLY_WOULD_INCREASE, "reduce-only order would increase")
            t.size = min(t.size, abs(position))
        if market.status is REDUCE_ONLY_MARKET and not t.reduce_only:
            raise Reject(Code.MARKET_NOT_ACTIVE, f"{mid} is reduce-only")
    except Reject:
        eng.forget_if_created(sub, created)
        raise
    size = t.size
    _move_isolated_margin(eng, t, sub, created)
    try:
        if t.conditional:
            _store_conditional(eng, t, sub, market)
            return
        add_exposure(sub, mid, is_buy, size, price)
        try:
            _check_risk(eng, t, sub, market, position)
            if t.post_only and _would_cross(market, is_buy, price):
                raise Reject(Code.POST_ONLY_WOULD_CROSS, "post-only order would cross the book")
            if t.fok:
                _require_fillable(eng, sub, market, is_buy, price, size)
        except Reject:
            add_exposure(sub, mid, is_buy, -size, price)
            raise
    except Reject:
        _unwind_isolated_margin(eng, t, sub, created)
        raise
    if sub.is_isolated:
        sub.isolated_market = mid
    order_id = eng.next_order_id
    eng.next_order_id += 1
    eng.events.append(_accepted(order_id, t))
    order = new_order(
        order_id, sub, mid, t.client_id, is_buy, price, size, t.reduce_only, t.expires_at
    )
    _match_and_rest(eng, market, order, t.immediate)


def _move_isolated_margin(eng: "Engine", t: Ticket, sub: Subaccount, created: bool) -> None:
    amount = t.isolated_margin
    if not amount:
        return
    try:
        source = eng.subaccount(t.owner, t.margin_source)
        if sub.collateral + amount > MAX_QUANTUMS:
            raise Reject(Code.OUT_OF_BOUNDS, "collateral would exceed MAX_QUANTUMS")
        eng.debit(source, amount)
    except Reject:
        eng.forget_if_created(sub, created)
        raise
    sub.collateral += amount
    eng.touched.update((source.key, sub.key))


def _unwind_isolated_margin(eng: "Engine", t: Ticket, sub: Subaccount, created: bool) -> None:
    if t.isolated_margin:
        sub.collateral -= t.isolated_margin
        eng.subaccounts[(t.owner, t.margin_source)].collateral += t.isolated_margin
        eng.forget_if_created(sub, created)


def _check_risk(eng: "Engine", t: Ticket, sub: Subaccount, market: Market, position: int) -> None:
    """Accept if the worst case of all open orders (this one already counted in the
    exposure) stays above initial margin and within the position limit, or if the order
    strictly reduces risk: it opposes the position and, with the other resting orders on
    its side, cannot flip it. So one side's open orders never exceed |position| plus the
    position limit: at most 2·MAX_SIZE_STEPS (numeric.bounds)."""
    is_buy = t.is_buy
    exposure = sub.exposure[t.market]
    same_side = exposure.buy_qty if is_buy else exposure.sell_qty
    if position != 0 and (position > 0) != is_buy and same_side <= abs(position):
        return
    if market.oracle_stale:
        raise Reject(Code.ORACLE_STALE, f"{t.market} has no fresh oracle price")
    limit = market.max_position_steps
    if abs(position + same_side * (1 if is_buy else -1)) > limit:
        raise Reject(Code.POSITION_LIMIT, f"position could exceed {limit} steps")
    eng.require_free(sub)


def add_exposure(sub: Subaccount, market_id: str, is_buy: bool, qty: int, price: int) -> None:
    exposure = sub.exposure.get(market_id)
    if exposure is None:
        exposure = sub.exposure[market_id] = Exposure()
    exposure.add(is_buy, qty, price)
    if exposure.is_empty():
        del sub.exposure[market_id]


def _would_cross(market: Market, is_buy: bool, price: int) -> bool:
    best = market.book.best_ask() if is_buy else market.book.best_bid()
    if best is None:
        return False
    edge: int = best
    return price >= edge if is_buy else price <= edge


def _maker_fee(market: Market, amount: int) -> int:
    """The maker's fee in quantums: a charge rounds up, a rebate (negative) rounds down."""
    maker_ppm = market.maker_fee_ppm
    if maker_ppm >= 0:
        return mul_ppm_ceil(amount, maker_ppm)
    return -mul_ppm_floor(amount, -maker_ppm)


def _fill_allowed(
    eng: "Engine", sub: Subaccount, market_id: str, d_size: int, d_collateral: int
) -> bool:
    markets = eng.markets
    value, initial, _ = sums_after(sub, markets, market_id, d_size, d_collateral, False)
    if value >= initial:
        return True
    old = sub.size(market_id)
    new = old + d_size
    if abs(new) >= abs(old) or (new != 0 and (new > 0) != (old > 0)):
        return False  # it does not shrink the position
    after = health_after(sub, markets, market_id, d_size, d_collateral)
    return change_allowed(health(sub, markets), after, True)


def _require_fillable(
    eng: "Engine", sub: Subaccount, market: Market, is_buy: bool, limit: int, size: int
) -> None:
    """Dry-run a fill-or-kill order against the book with every per-fill check; refuse it
    unless the whole size would trade."""
    mid = market.market_id
    per_maker: dict[tuple[int, int], tuple[int, int]] = {}
    left, taker_size, taker_cash = size, 0, 0
    for maker in market.book.crossing(is_buy, limit):
        msub = maker.account
        if msub.owner == sub.owner:
            continue
        qty = min(left, maker.remaining)
        amount = notional(qty, maker.price, market.k)
        maker_fee = _maker_fee(market, amount)
        taker_fee = mul_ppm_ceil(amount, market.taker_fee_ppm)
        sign = 1 if is_buy else -1
        m_size, m_cash = per_maker.get(msub.key, (0, 0))
        m_size, m_cash = m_size - sign * qty, m_cash + sign * amount - maker_fee
        if not _fill_allowed(eng, msub, mid, m_size, m_cash):
            continue
        per_maker[msub.key] = (m_size, m_cash)
        taker_size += sign * qty
        taker_cash -= sign * amount + taker_fee
        left -= qty
        if not left:
            break
    if left or not _fill_allowed(eng, sub, mid, taker_size, taker_cash):
        raise Reject(Code.FOK_NOT_FILLED, f"only {size - left} of {size} could fill at once")


def _match_and_rest(eng: "Engine", market: Market, taker: Order, immediate: bool) -> None:
    sub: Subaccount = taker.account
    mid = market.market_id
    stop_reason = ""
    if _would_cross(market, taker.is_buy, taker.price):
        matcher = new_matcher(eng, market, sub, taker.is_buy, taker.order_id, taker.price)
        taker.remaining = matcher.sweep(taker.price, taker.remaining)
        stop_reason = matcher.stop_reason
    else:
        _keep_reduce_only_reducing(eng, sub, mid)
    remaining = taker.remaining
    if not remaining:
        _drop_empty_exposure(sub, mid)
        return
    if stop_reason or immediate:
        add_exposure(sub, mid, taker.is_buy, -remaining, taker.price)
        eng.events.append(
            OrderCanceled(
                order_id=taker.order_id, remaining=remaining, reason=stop_reason or "ioc_remainder"
            )
        )
        return
    market.book.rest(taker)
    sub.orders[taker.client_id] = taker
    if taker.reduce_only:
        sub.reduce_only[taker.client_id] = taker
    if taker.expires_at is not None:
        eng.schedule_expiry(taker.expires_at, taker.order_id, mid)
    eng.events.append(OrderRested(order_id=taker.order_id, remaining=remaining))


class Matcher(Taker):
    """Settles the fills of one taker sweeping one book.

    Each fill is re-judged for both sides: a maker that fails its checks is taken off and
    the sweep goes on; a taker that fails stops it (``stop_reason``). Subclasses change the
    taker's side of a fill (its fee, its rule, what follows) — a liquidation does.
    Made by ``new_matcher``; a subclass's constructor calls ``setup``.
    """

    eng: "Engine"
    market: Market
    taker: Subaccount
    is_buy: bool
    sign: int
    taker_order_id: int
    taker_limit: int | None
    stop_reason: str
    moved: dict[tuple[int, int], Subaccount]

    def setup(
        self,
        eng: "Engine",
        market: Market,
        taker: Subaccount,
        is_buy: bool,
        taker_order_id: int,
        taker_limit: int | None,
    ) -> None:
        self.eng = eng
        self.market = market
        self.taker = taker
        self.is_buy = is_buy
        self.sign = 1 if is_buy else -1
        self.taker_order_id = taker_order_id
        self.taker_limit = taker_limit  # the resting-exposure price of the taker's order
        self.stop_reason = ""
        self.moved = {}  # makers holding reduce-only orders

    def sweep(self, limit: int, qty: int) -> int:
        """Match up to ``qty`` at ``limit`` or better; returns what is left. Resting
        reduce-only orders of everyone whose position moved are tidied afterwards, the
        taker's first."""
        remaining = self.market.book.match(self.is_buy, limit, qty, self.taker.owner, self)
        _keep_reduce_only_reducing(self.eng, self.taker, self.market.market_id)
        for sub in self.moved.values():
            _keep_reduce_only_reducing(self.eng, sub, self.market.market_id)
        return remaining

    # -- the taker's side, which subclasses change -------------------------------------------

    def taker_fee(self, amount: int) -> int:
        return mul_ppm_ceil(amount, self.market.taker_fee_ppm)

    def taker_allowed(self, qty: int, price: int, cash: int) -> bool:
        mid = self.market.market_id
        return _fill_allowed(self.eng, self.taker, mid, self.sign * qty, cash)

    def after_fill(self, qty: int, price: int) -> None:
        """Called once a fill is settled."""

    # -- one fill --------------------------------------------------------------------------

    def expire(self, maker: Order, left: int) -> None:
        _forget(self.eng, maker, left, "self_trade")

    def fill(self, maker: Order, qty: int, price: int) -> int:
        eng, market, sub, sign = self.eng, self.market, self.taker, self.sign
        mid = market.market_id
        msub: Subaccount = maker.account
        if maker.reduce_only:
            position = msub.size(mid)
            reducible = abs(position) if (position > 0) == self.is_buy and position else 0
            if not reducible:
                take_off(eng, maker, "reduce_only")
                return 0
            qty = min(qty, reducible)
        amount = notional(qty, price, market.k)
        maker_fee, taker_fee = _maker_fee(market, amount), self.taker_fee(amount)
        m_old, t_old = msub.size(mid), sub.size(mid)
        m_new, t_new = m_old - sign * qty, t_old + sign * qty
        limit = market.max_position_steps
        if abs(m_new) > limit and abs(m_new) > abs(m_old):
            take_off(eng, maker, "position_limit")
            return 0
        if abs(t_new) > limit and abs(t_new) > abs(t_old):
            self.stop_reason = "position_limit"
            return STOP
        oi_delta = max(m_new, 0) - max(m_old, 0) + max(t_new, 0) - max(t_old, 0)
        if oi_delta > 0 and market.open_interest + oi_delta > market.open_interest_cap_steps:
            self.stop_reason = "open_interest_cap"
            return STOP
        m_cash = sign * amount - maker_fee
        t_cash = -sign * amount - taker_fee
        if not _fill_allowed(eng, msub, mid, -sign * qty, m_cash):
            take_off(eng, maker, "margin")
            return 0
        if not self.taker_allowed(qty, price, t_cash):
            self.stop_reason = self.stop_reason or "margin"
            return STOP
        trade(eng, msub, market, -sign * qty, price, m_cash)
        trade(eng, sub, market, sign * qty, price, t_cash)
        eng.fee_collateral += maker_fee + taker_fee
        market.open_interest += oi_delta
        market.last_trade = price
        maker.remaining -= qty
        if not maker.remaining:
            del msub.orders[maker.client_id]
            msub.reduce_only.pop(maker.client_id, None)
        add_exposure(msub, mid, not self.is_buy, -qty, price)
        if self.taker_limit is not None:
            add_exposure(sub, mid, self.is_buy, -qty, self.taker_limit)
        if msub.reduce_only:
            self.moved[msub.key] = msub
        eng.events.append(
            Fill(  # positional, in field order (events.trading)
                mid,
                price,
                qty,
                BUY if self.is_buy else SELL,
                maker.order_id,
                self.taker_order_id,
                msub.owner,
                msub.number,
                sub.owner,
                sub.number,
                maker_fee,
                taker_fee,
            )
        )
        self.after_fill(qty, price)
        return qty


def new_matcher(
    eng: "Engine",
    market: Market,
    taker: Subaccount,
    is_buy: bool,
    taker_order_id: int,
    taker_limit: int | None,
) -> Matcher:
    """A Matcher for one taker: compiled, a C call, where a constructor call would box the
    arguments and pack a tuple (the engine makes one per crossing order)."""
    matcher = Matcher.__new__(Matcher)
    matcher.setup(eng, market, taker, is_buy, taker_order_id, taker_limit)
    return matcher


def _drop_empty_exposure(sub: Subaccount, market_id: str) -> None:
    exposure = sub.exposure.get(market_id)
    if exposure is not None and exposure.is_empty():
        del sub.exposure[market_id]


def trade(
    eng: "Engine", sub: Subaccount, market: Market, size_delta: int, price: int, cash: int
) -> None:
    """Book one side of a trade: settle the position's funding, add ``cash`` to the
    collateral and ``size_delta`` steps at ``price`` ticks to the position (the cost basis
    follows, a new position starts at the market's funding index, a closed one is dropped)."""
    market_id = market.market_id
    position = sub.positions.get(market_id)
    if position is None:
        position = sub.positions[market_id] = Position(0, market.funding_index)
    else:
        settle_position_funding(eng, sub, market, position)
    sub.collateral += cash
    size = position.size + size_delta
    if size:
        position.resize(size, notional(1, price, market.k))
    else:
        del sub.positions[market_id]
    eng.touched.add(sub.key)


def _keep_reduce_only_reducing(eng: "Engine", sub: Subaccount, market_id: str) -> None:
    """After matching, resize resting reduce-only orders down to the new |position|, or
    cancel them once the position is flat or flipped. (During matching, a reduce-only
    maker is capped at its position when it fills.)"""
    if not sub.reduce_only:
        return
    size = sub.size(market_id)
    for order in list(sub.reduce_only.values()):
        if order.market != market_id:
            continue
        if size == 0 or (size > 0) == order.is_buy:
            take_off(eng, order, "reduce_only")
        elif order.remaining > abs(size):
            add_exposure(sub, market_id, order.is_buy, abs(size) - order.remaining, order.price)
            order.remaining = abs(size)
            eng.events.append(OrderResized(order_id=order.order_id, remaining=order.remaining))


def take_off(eng: "Engine", order: Order, reason: str) -> None:
    """Remove an open order (resting or conditional) from its market and its subaccount."""
    market = eng.markets[order.market]
    if market.triggers.pop(order.order_id, None) is not None:
        sub: Subaccount = order.account
        del sub.orders[order.client_id]
        eng.events.append(
            OrderCanceled(order_id=order.order_id, remaining=order.remaining, reason=reason)
        )
        return
    _forget(eng, order, market.book.remove(order), reason)


def _forget(eng: "Engine", order: Order, remaining: int, reason: str) -> None:
    """Drop a resting order that the book has already let go of."""
    sub: Subaccount = order.account
    del sub.orders[order.client_id]
    sub.reduce_only.pop(order.client_id, None)
    add_exposure(sub, order.market, order.is_buy, -remaining, order.price)
    eng.events.append(OrderCanceled(order_id=order.order_id, remaining=remaining, reason=reason))


def cancel(eng: "Engine", cmd: CancelOrder) -> Rejected | None:
    """Cancel one open order. An unknown client id is routine (the order has just filled),
    so that refusal is returned as its event rather than raised, with a fixed message: the
    id is in the command it answers, and printing it cost more than the rest of the cancel."""
    sub = eng.subaccount(cmd.owner, cmd.subaccount)
    client_id = cmd.client_id
    order = sub.orders.get(client_id) if type(client_id) is int else None
    if order is None:
        return Rejected(code=Code.UNKNOWN_ORDER, message=NO_OPEN_ORDER)
    take_off(eng, order, "user")
    return None


def cancel_all(eng: "Engine", cmd: CancelAll) -> None:
    if cmd.market is not None:
        eng.market(cmd.market)
    if cmd.subaccount is None:
        numbers: range | tuple[int] = range(MAX_SUBACCOUNT_NUMBER + 1)
    else:
        eng.subaccount(cmd.owner, cmd.subaccount)
        numbers = (cmd.subaccount,)
    check_wide_range("owner", cmd.owner, 0, MAX_OWNER_KEY)
    for number in numbers:
        sub = eng.subaccounts.get((cmd.owner, number))
        if sub is None:
            continue
        for order in sorted(sub.orders.values(), key=lambda o: o.order_id):
            if cmd.market is None or order.market == cmd.market:
                take_off(eng, order, "user")


def _store_conditional(eng: "Engine", t: Ticket, sub: Subaccount, market: Market) -> None:
    """A stop or take-profit order waits, off the book, for the mark price to fire it."""
    order_id = eng.next_order_id
    eng.next_order_id += 1
    if sub.is_isolated:
        sub.isolated_market = t.market
    order = new_order(order_id, sub, t.market, t.client_id, t.is_buy, t.price, t.size)
    sub.orders[t.client_id] = order
    market.triggers[order_id] = t.cmd
    eng.events.append(_accepted(order_id, t))
    eng.events.append(OrderRested(order_id=order_id, remaining=t.size))


def _accepted(order_id: int, t: Ticket) -> OrderAccepted:
    return OrderAccepted(  # positional, in field order (events.trading)
        order_id,
        t.owner,
        t.subaccount,
        t.client_id,
        t.market,
        BUY if t.is_buy else SELL,
        t.price,
        t.size,
    )


def triggered(cmd: PlaceOrder, mark: int) -> bool:
    """A stop fires when the mark moves against the position it protects (a buy stop at or
    above its trigger, a sell stop at or below); a take-profit fires the other way."""
    assert cmd.trigger_price is not None
    rising = mark >= cmd.trigger_price
    falling = mark <= cmd.trigger_price
    buy = cmd.side is BUY
    if cmd.kind is STOP_ORDER:
        return rising if buy else falling
    return falling if buy else rising


def fire_triggers(eng: "Engine", market: Market, ts: int) -> None:
    """Turn every conditional order whose trigger the mark price has reached into a live
    order (a limit at its price, with its time in force), oldest first."""
    fired = [oid for oid, cmd in market.triggers.items() if triggered(cmd, market.price)]
    for order_id in sorted(fired):
        cmd = market.triggers.pop(order_id)
        sub = eng.subaccounts[(cmd.owner, cmd.subaccount)]
        order = sub.orders.pop(cmd.client_id)
        eng.events.append(OrderTriggered(order_id=order_id, mark_price=market.price))
        live = msgspec.structs.replace(
            cmd, ts=ts, kind=LIMIT_ORDER, trigger_price=None, size=order.remaining
        )
        try:
            place(eng, live)
        except Reject as refusal:
            eng.events.append(
                OrderCanceled(order_id=order_id, remaining=order.remaining, reason=refusal.code)
            )

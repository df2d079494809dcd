"""The exchange state machine: ``apply(command) -> Applied(events, touched)``.

Pure and deterministic: time comes only from commands, nothing is read from the clock or the
environment, and iteration never depends on hash order. Handlers validate everything before
they mutate; a refusal raises ``Reject`` internally and comes out as one ``Rejected`` event
with the state untouched. GTT orders never trade at or after ``expires_at``; the first
accepted command at or after that time removes them (reason ``expired``).
"""

from collections.abc import Callable, Iterable
from heapq import heappop, heappush
from typing import Any, NamedTuple

from isoperp.accounts import MAX_SUBACCOUNT_NUMBER, Subaccount, free_collateral
from isoperp.commands import Command
from isoperp.commands.trading import (
    CancelAll,
    CancelOrder,
    Deposit,
    PlaceOrder,
    SetPrice,
    Transfer,
    Withdraw,
)
from isoperp.engine import orders, snapshot
from isoperp.engine.market import Market
from isoperp.engine.rejections import Code, Reject
from isoperp.events import Event, Rejected
from isoperp.events.trading import Deposited, PriceSet, Transferred, Withdrawn
from isoperp.markets import MarketSpec, validate_spec
from isoperp.numeric import (
    MAX_PRICE_TICKS,
    MAX_QUANTUMS,
    MAX_TIMESTAMP_MS,
    OutOfBounds,
    check_range,
)

MAX_OWNER_KEY = 2**252  # STARK public keys are field elements below 2^252


class Applied(NamedTuple):
    events: list[Event]
    touched: frozenset[tuple[int, int]]  # (owner, number) of every leaf that changed


class Engine:
    def __init__(
        self,
        markets: Iterable[tuple[MarketSpec, int]],
        *,
        max_open_orders: int = 256,
    ) -> None:
        """Start an exchange with (spec, initial mark price in ticks) per market."""
        self.markets: dict[str, Market] = {}
        for spec, price in markets:
            problems = validate_spec(spec)
            if problems:
                raise ValueError(f"market {spec.market_id}: " + "; ".join(problems))
            check_range("initial price", price, 1, MAX_PRICE_TICKS)
            self.markets[spec.market_id] = Market(spec, price)
        self.max_open_orders = max_open_orders
        self.subaccounts: dict[tuple[int, int], Subaccount] = {}
        self.fee_collateral = 0  # the fee account's collateral
        self.deposited = 0
        self.withdrawn = 0
        self.next_order_id = 1
        self.last_ts = 0
        self.expiries: list[tuple[int, int, str]] = []  # (expires_at, order id, market)
        self.events: list[Event] = []  # of the command being applied
        self.touched: set[tuple[int, int]] = set()
        self._handlers: dict[type, Callable[[Any], None]] = {
            Deposit: self._deposit,
            Withdraw: self._withdraw,
            Transfer: self._transfer,
            PlaceOrder: lambda cmd: orders.place(self, cmd),
            CancelOrder: lambda cmd: orders.cancel(self, cmd),
            CancelAll: lambda cmd: orders.cancel_all(self, cmd),
            SetPrice: self._set_price,
        }

    # -- the state machine ---------------------------------------------------------------

    def apply(self, cmd: Command) -> Applied:
        events = self.events = []
        self.touched = set()
        try:
            handler = self._handlers.get(type(cmd))
            if handler is None:
                raise Reject(Code.UNKNOWN_COMMAND, f"unknown command {type(cmd).__name__}")
            ts = cmd.ts
            if type(ts) is not int or not 0 <= ts <= MAX_TIMESTAMP_MS:
                raise Reject(Code.OUT_OF_BOUNDS, f"ts={ts!r} outside [0, {MAX_TIMESTAMP_MS}]")
            if ts < self.last_ts:
                raise Reject(Code.TIME_WENT_BACKWARDS, f"ts {ts} < last ts {self.last_ts}")
            handler(cmd)
        except Reject as refusal:
            return Applied([Rejected(code=refusal.code, message=refusal.message)], frozenset())
        except OutOfBounds as exc:
            return Applied([Rejected(code=Code.OUT_OF_BOUNDS, message=str(exc))], frozenset())
        self.last_ts = ts
        if self.expiries and self.expiries[0][0] <= ts:
            self._expire_due(ts)
        return Applied(events, frozenset(self.touched))

    def replay(self, commands: Iterable[Command]) -> None:
        for cmd in commands:
            self.apply(cmd)

    def state_digest(self) -> str:
        """BLAKE2b-256 of the canonical state encoding, in hex."""
        return snapshot.digest(self)

    def snapshot(self) -> bytes:
        return snapshot.snapshot(self)

    @staticmethod
    def restore(data: bytes) -> "Engine":
        return snapshot.restore(data)

    # -- lookups used by handlers ---------------------------------------------------------

    def market(self, market_id: str) -> Market:
        market = self.markets.get(market_id) if type(market_id) is str else None
        if market is None:
            raise Reject(Code.UNKNOWN_MARKET, f"unknown market {market_id!r}")
        return market

    def subaccount(self, owner: int, number: int, create: bool = False) -> Subaccount:
        check_range("owner", owner, 0, MAX_OWNER_KEY)
        check_range("subaccount", number, 0, MAX_SUBACCOUNT_NUMBER)
        sub = self.subaccounts.get((owner, number))
        if sub is None:
            if not create:
                raise Reject(Code.UNKNOWN_SUBACCOUNT, f"no subaccount ({owner:#x}, {number})")
            sub = self.subaccounts[(owner, number)] = Subaccount(owner, number)
        return sub

    def require_free(self, sub: Subaccount) -> None:
        """Refuse unless the subaccount stays at or above initial margin in the worst case
        of its open orders."""
        free = free_collateral(sub, self.markets)
        if free < 0:
            raise Reject(
                Code.INSUFFICIENT_MARGIN,
                f"subaccount ({sub.owner:#x}, {sub.number}) would be {-free} quantums "
                "below initial margin",
            )

    # -- collateral -----------------------------------------------------------------------

    def _deposit(self, cmd: Deposit) -> None:
        amount = check_range("amount", cmd.amount, 1, MAX_QUANTUMS)
        sub = self.subaccount(cmd.owner, cmd.subaccount, create=True)
        if sub.collateral + amount > MAX_QUANTUMS:
            self._drop_if_empty(sub)
            raise Reject(Code.OUT_OF_BOUNDS, "collateral would exceed MAX_QUANTUMS")
        sub.collateral += amount
        self.deposited += amount
        self.touched.add(sub.key)
        self.events.append(Deposited(owner=cmd.owner, subaccount=cmd.subaccount, amount=amount))

    def _withdraw(self, cmd: Withdraw) -> None:
        amount = check_range("amount", cmd.amount, 1, MAX_QUANTUMS)
        sub = self.subaccount(cmd.owner, cmd.subaccount)
        self._debit(sub, amount)
        self.withdrawn += amount
        self.touched.add(sub.key)
        self.events.append(Withdrawn(owner=cmd.owner, subaccount=cmd.subaccount, amount=amount))

    def _transfer(self, cmd: Transfer) -> None:
        amount = check_range("amount", cmd.amount, 1, MAX_QUANTUMS)
        source = self.subaccount(cmd.owner, cmd.subaccount)
        if (cmd.owner, cmd.subaccount) == (cmd.to_owner, cmd.to_subaccount):
            raise Reject(Code.BAD_MARGIN_SOURCE, "a transfer needs two different subaccounts")
        target = self.subaccount(cmd.to_owner, cmd.to_subaccount, create=True)
        if target.collateral + amount > MAX_QUANTUMS:
            self._drop_if_empty(target)
            raise Reject(Code.OUT_OF_BOUNDS, "collateral would exceed MAX_QUANTUMS")
        try:
            self._debit(source, amount)
        except Reject:
            self._drop_if_empty(target)
            raise
        target.collateral += amount
        self.touched.update((source.key, target.key))
        self.events.append(
            Transferred(
                owner=cmd.owner,
                subaccount=cmd.subaccount,
                to_owner=cmd.to_owner,
                to_subaccount=cmd.to_subaccount,
                amount=amount,
            )
        )

    def _debit(self, sub: Subaccount, amount: int) -> None:
        """Take collateral out, or refuse if that leaves the subaccount under-margined."""
        sub.collateral -= amount
        try:
            self.require_free(sub)
        except Reject:
            sub.collateral += amount
            raise

    def _drop_if_empty(self, sub: Subaccount) -> None:
        """Undo the creation of a subaccount by a command that is then refused."""
        if sub.collateral == 0 and sub.is_flat():
            del self.subaccounts[sub.key]

    # -- prices and time -------------------------------------------------------------------

    def _set_price(self, cmd: SetPrice) -> None:
        market = self.market(cmd.market)
        market.price = check_range("price", cmd.price, 1, MAX_PRICE_TICKS)
        self.events.append(PriceSet(market=cmd.market, price=cmd.price))
        orders.fire_triggers(self, market, cmd.ts)

    def _expire_due(self, ts: int) -> None:
        expiries = self.expiries
        while expiries and expiries[0][0] <= ts:
            _, order_id, market_id = heappop(expiries)
            order = self.markets[market_id].book.orders.get(order_id)
            if order is not None:
                orders.take_off(self, order, "expired")

    def schedule_expiry(self, expires_at: int, order_id: int, market_id: str) -> None:
        heappush(self.expiries, (expires_at, order_id, market_id))

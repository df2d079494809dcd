"""Price-time priority book with O(1) cancels.

Each side is a dict price -> ``Level`` plus a heap of prices (negated for bids). A level is
a doubly linked list threaded through its orders (``Order.older`` / ``Order.newer``), oldest
first, so appending, taking the head and unlinking a cancelled order anywhere in the queue
are a few pointer moves. Every order in a level is live: a cancel unlinks at once (no dead
orders left to skip or compact) and an emptied level is deleted at once. A heap's top is
always a live level (stale prices are popped when they reach it), so the best price is read
at once; stale entries below the top are left, and rebuilt away once they outnumber the
levels.
"""

from collections.abc import Iterator
from heapq import heapify, heappop, heappush

from isoperp.book.order import Order

STOP = -1  # returned by Taker.fill: the taker may not continue


class Taker:
    """The incoming side of a match: the book hands it each fill to settle. This one
    executes every fill in full (the bare book of ``isoperp bench engine --book-only``; the
    engine's native core keeps its own book in C and settles each fill against the
    accounts)."""

    __slots__ = ()

    def fill(self, maker: Order, qty: int, price: int) -> int:
        """Settle a fill of up to ``qty`` at ``price``: reduce ``maker.remaining`` by what
        executed and return that (0: the maker could not trade and was taken off; STOP:
        the taker cannot continue)."""
        maker.remaining -= qty
        return qty

    def expire(self, maker: Order, left: int) -> None:
        """A resting order of the taker's own owner, with ``left`` still open, was taken
        off the book (self-trade prevention: the resting maker loses)."""


class CountingTaker(Taker):
    """A bare taker that counts its fills (the book-only benchmark)."""

    __slots__ = ("fills",)

    def __init__(self) -> None:
        self.fills = 0

    def fill(self, maker: Order, qty: int, price: int) -> int:
        self.fills += 1
        return Taker.fill(self, maker, qty, price)


class Level:
    """The orders resting at one price, ``head`` the oldest and ``tail`` the newest; never
    empty while it is in the book."""

    head: Order | None
    tail: Order | None

    __slots__ = ("head", "tail")

    def __iter__(self) -> Iterator[Order]:
        order = self.head
        while order is not None:
            yield order
            order = order.newer

    def size(self) -> int:
        return sum(order.remaining for order in self)

    def unlink(self, order: Order) -> None:
        """Take ``order`` out of the queue and clear its links."""
        older, newer = order.older, order.newer
        if older is None:
            self.head = newer
        else:
            older.newer = newer
        if newer is None:
            self.tail = older
        else:
            newer.older = older
        order.older = order.newer = None


class OrderBook:
    __slots__ = ("ask_heap", "asks", "bid_heap", "bids", "orders")

    def __init__(self) -> None:
        self.bids: dict[int, Level] = {}
        self.asks: dict[int, Level] = {}
        self.bid_heap: list[int] = []  # negated prices
        self.ask_heap: list[int] = []
        self.orders: dict[int, Order] = {}  # resting orders by id

    # -- queries -------------------------------------------------------------------------

    def best_bid(self) -> int | None:
        return -self.bid_heap[0] if self.bid_heap else None

    def best_ask(self) -> int | None:
        return self.ask_heap[0] if self.ask_heap else None

    def crossing(self, taker_is_buy: bool, limit: int) -> Iterator[Order]:
        """Resting orders a taker at ``limit`` could trade with, in priority order."""
        levels = self.asks if taker_is_buy else self.bids
        prices = sorted(levels, reverse=not taker_is_buy)
        for price in prices:
            if (price > limit) if taker_is_buy else (price < limit):
                return
            yield from levels[price]

    def depth(self, is_buy: bool) -> list[tuple[int, int]]:
        """(price, size) per level, best first."""
        levels = self.bids if is_buy else self.asks
        return [(price, levels[price].size()) for price in sorted(levels, reverse=is_buy)]

    def is_crossed(self) -> bool:
        bid, ask = self.best_bid(), self.best_ask()
        return bid is not None and ask is not None and bid >= ask

    # -- mutation ------------------------------------------------------------------------

    def rest(self, order: Order) -> None:
        """Append an order (its links clear) at the back of its price level."""
        price = order.price
        levels = self.bids if order.is_buy else self.asks
        level = levels.get(price)
        if level is None:
            level = levels[price] = Level.__new__(Level)
            level.head = order
            if order.is_buy:
                heappush(self.bid_heap, -price)
            else:
                heappush(self.ask_heap, price)
        else:
            tail = level.tail
            assert tail is not None, "a level in the book is never empty"
            tail.newer = order
            order.older = tail
        level.tail = order
        self.orders[order.order_id] = order

    def remove(self, order: Order) -> int:
        """Take a resting order off the book; return the size it still had."""
        del self.orders[order.order_id]
        remaining = order.remaining
        order.remaining = 0
        levels = self.bids if order.is_buy else self.asks
        level = levels[order.price]
        level.unlink(order)
        if level.head is None:
            self._drop_level(order.is_buy, order.price)
        return remaining

    def match(
        self,
        taker_is_buy: bool,
        limit: int,
        qty: int,
        taker_owner: object,
        taker: Taker,
    ) -> int:
        """Trade ``qty`` against the opposite side up to ``limit``; return what is left.

        ``taker.fill`` settles each fill (a maker left at 0 is dropped here); a resting
        order of ``taker_owner`` is expired through ``taker.expire`` instead of trading.
        Either may take makers off the book, so the next maker is read after each call.
        """
        if taker_is_buy:
            levels, heap, sign = self.asks, self.ask_heap, 1
        else:
            levels, heap, sign = self.bids, self.bid_heap, -1
        orders = self.orders
        while qty and heap:
            price = sign * heap[0]
            if (price > limit) if taker_is_buy else (price < limit):
                break
            level = levels[price]
            while qty:
                maker = level.head
                if maker is None:  # a callback took the level's last order off
                    break
                if maker.account.owner == taker_owner:
                    taker.expire(maker, self.remove(maker))
                    continue
                done = taker.fill(maker, qty if qty < maker.remaining else maker.remaining, price)
                if done == STOP:
                    return qty
                if done == 0:
                    continue  # the caller removed the maker
                qty -= done
                if not maker.remaining:
                    level.unlink(maker)
                    del orders[maker.order_id]
                    if level.head is None:
                        self._drop_level(not taker_is_buy, price)
                        break
        return qty

    def _drop_level(self, bids: bool, price: int) -> None:
        """Delete an emptied level, then pop stale prices off the top of its side's heap:
        the top is always a live level, so the best price is read without a lookup."""
        if bids:
            del self.bids[price]
            while self.bid_heap and -self.bid_heap[0] not in self.bids:
                heappop(self.bid_heap)
        else:
            del self.asks[price]
            while self.ask_heap and self.ask_heap[0] not in self.asks:
                heappop(self.ask_heap)
        self._trim_heap(bids)

    def _trim_heap(self, bids: bool) -> None:
        """Rebuild a side's heap once stale prices outnumber its levels."""
        if bids:
            if len(self.bid_heap) > 2 * len(self.bids) + 64:
                self.bid_heap = [-p for p in self.bids]
                heapify(self.bid_heap)
        elif len(self.ask_heap) > 2 * len(self.asks) + 64:
            self.ask_heap = list(self.asks)
            heapify(self.ask_heap)

"""Price-time priority book with O(1) cancels.

Each side is a dict price -> deque of orders (FIFO = time priority) plus a heap of prices
(negated for bids). Cancelling marks an order dead (``remaining = 0``) and removes it from
the id index; dead orders are dropped when they reach the head of their level, and a level
whose head is dead is never left behind, so the best level always starts with a live order.
Heap entries of vanished levels are skipped lazily. Both kinds of garbage are compacted
when they outgrow the live data, so memory stays proportional to the resting orders.
"""

from collections import deque
from collections.abc import Iterator
from heapq import heapify, heappop, heappush

from isoperp.book.order import Order

STOP = -1  # returned by Taker.fill: the taker may not continue


class Taker:
    """The incoming side of a match: the book hands it each fill to settle. This one
    executes every fill in full (the bare book); the engine's Matcher settles each fill
    against the accounts instead."""

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


class OrderBook:
    __slots__ = ("ask_heap", "asks", "bid_heap", "bids", "dead", "orders")

    def __init__(self) -> None:
        self.bids: dict[int, deque[Order]] = {}
        self.asks: dict[int, deque[Order]] = {}
        self.bid_heap: list[int] = []  # negated prices
        self.ask_heap: list[int] = []
        self.orders: dict[int, Order] = {}  # live resting orders by id
        self.dead = 0  # dead orders still sitting inside levels

    # -- queries -------------------------------------------------------------------------

    def best_bid(self) -> int | None:
        heap, levels = self.bid_heap, self.bids
        while heap:
            if -heap[0] in levels:
                return -heap[0]
            heappop(heap)
        return None

    def best_ask(self) -> int | None:
        heap, levels = self.ask_heap, self.asks
        while heap:
            if heap[0] in levels:
                return heap[0]
            heappop(heap)
        return None

    def crossing(self, taker_is_buy: bool, limit: int) -> Iterator[Order]:
        """Live resting orders a taker at ``limit`` could trade with, in priority order."""
        levels = self.asks if taker_is_buy else self.bids
        prices = sorted(levels, reverse=not taker_is_buy)
        for price in prices:
            if (price > limit) if taker_is_buy else (price < limit):
                return
            for order in levels[price]:
                if order.remaining:
                    yield order

    def depth(self, is_buy: bool) -> list[tuple[int, int]]:
        """(price, live size) per level, best first."""
        levels = self.bids if is_buy else self.asks
        return [
            (price, sum(o.remaining for o in levels[price]))
            for price in sorted(levels, reverse=is_buy)
        ]

    def impact_price(self, is_bid: bool, notional: int, k: int) -> int | None:
        """Average price (ticks) of filling ``notional`` quantums against one side — the
        bids for the impact bid — rounded away from the trader; None if the side is thinner.
        """
        levels = self.bids if is_bid else self.asks
        filled = cost = 0  # steps, and Σ steps·price
        for price in sorted(levels, reverse=is_bid):
            size = sum(o.remaining for o in levels[price])
            wanted = -(-(notional - cost * k) // (price * k))  # steps still needed, rounded up
            take = min(size, wanted)
            filled += take
            cost += take * price
            if cost * k >= notional:
                return cost // filled if is_bid else -(-cost // filled)
        return None

    def is_crossed(self) -> bool:
        bid, ask = self.best_bid(), self.best_ask()
        return bid is not None and ask is not None and bid >= ask

    # -- mutation ------------------------------------------------------------------------

    def rest(self, order: Order) -> None:
        """Append an order at the back of its price level."""
        price = order.price
        levels = self.bids if order.is_buy else self.asks
        level = levels.get(price)
        if level is None:
            level = levels[price] = deque()
            if order.is_buy:
                heappush(self.bid_heap, -price)
            else:
                heappush(self.ask_heap, price)
        level.append(order)
        self.orders[order.order_id] = order

    def remove(self, order: Order) -> int:
        """Take a resting order off the book; return the size it still had."""
        del self.orders[order.order_id]
        remaining = order.remaining
        order.remaining = 0
        levels = self.bids if order.is_buy else self.asks
        level = levels[order.price]
        self.dead += 1
        while level and not level[0].remaining:
            level.popleft()
            self.dead -= 1
        if not level:
            del levels[order.price]
            self._trim_heap(order.is_buy)
        if self.dead > 1024 and self.dead > len(self.orders):
            self._compact()
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
        """
        if taker_is_buy:
            levels, heap, sign = self.asks, self.ask_heap, 1
        else:
            levels, heap, sign = self.bids, self.bid_heap, -1
        orders = self.orders
        while qty and heap:
            price = sign * heap[0]
            if price not in levels:  # a vanished level's heap entry
                heappop(heap)
                continue
            if (price > limit) if taker_is_buy else (price < limit):
                break
            level = levels[price]
            while qty and level:
                maker = level[0]
                if not maker.remaining:
                    level.popleft()
                    self.dead -= 1
                    continue
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
                    level.popleft()
                    del orders[maker.order_id]
            while level and not level[0].remaining:  # never leave a dead head behind
                level.popleft()
                self.dead -= 1
            if not level and price in levels:
                del levels[price]
        self._trim_heap(not taker_is_buy)
        return qty

    def _trim_heap(self, bids: bool) -> None:
        """Rebuild a side's heap once stale prices outnumber its levels."""
        if bids:
            if len(self.bid_heap) > 2 * len(self.bids) + 64:
                self.bid_heap = [-p for p in self.bids]
                heapify(self.bid_heap)
        elif len(self.ask_heap) > 2 * len(self.asks) + 64:
            self.ask_heap = list(self.asks)
            heapify(self.ask_heap)

    def _compact(self) -> None:
        for levels in (self.bids, self.asks):
            for price in list(levels):
                live = deque(o for o in levels[price] if o.remaining)
                if live:
                    levels[price] = live
                else:
                    del levels[price]
        self.dead = 0
        self._trim_heap(True)
        self._trim_heap(False)

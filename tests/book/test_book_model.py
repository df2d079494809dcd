"""Property test: the order book against a naive model (a list of resting orders, searched
in full for the best one), under random places, cancels and taker callbacks that fill in
part, take the maker off or stop, as the engine's do.

Every step compares the callbacks' log and the amount left, then the resting orders (ids,
remaining sizes, priority order, links both ways), best bid and ask and depth; the book is
never crossed, and an order off the book keeps no links (a dropped book's orders, which do
link each other, go to the cycle collector: the last test).
"""

import gc
from dataclasses import dataclass
from itertools import islice

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from isoperp.book import STOP, Order, OrderBook, Taker, new_order

PRICES = st.integers(95, 105)  # a few levels, so orders share them and takers cross several
ACTIONS = st.lists(st.sampled_from(["full", "full", "part", "off", "stop"]), max_size=6)


class Account:
    __slots__ = ("owner",)

    def __init__(self, owner: int) -> None:
        self.owner = owner


ACCOUNTS = [Account(owner) for owner in range(3)]  # few owners: self-trades happen


class ScriptedTaker(Taker):
    """Acts on each fill as its script says (then fills in full) and logs every call."""

    def __init__(self, book: OrderBook, actions: list[str]) -> None:
        self.book, self.actions, self.log = book, actions, []

    def fill(self, maker: Order, qty: int, price: int) -> int:
        self.log.append(("fill", maker.order_id, qty, price))
        action = self.actions.pop(0) if self.actions else "full"
        if action == "stop":
            return STOP
        if action == "off":  # the engine's take_off: the maker could not trade
            left = maker.remaining
            assert self.book.remove(maker) == left
            return 0
        done = qty if action == "full" else (qty + 1) // 2
        maker.remaining -= done
        return done

    def expire(self, maker: Order, left: int) -> None:
        self.log.append(("expire", maker.order_id, left))


@dataclass
class Resting:
    order_id: int
    is_buy: bool
    price: int
    remaining: int
    owner: int

    def rank(self) -> tuple[int, int]:
        """Best first: price (highest bid, lowest ask), then arrival (ids increase)."""
        return (-self.price if self.is_buy else self.price, self.order_id)


def model_match(
    model: list[Resting], is_buy: bool, limit: int, qty: int, owner: int, actions: list[str]
) -> tuple[int, list[tuple[object, ...]], bool]:
    """What the book should do: (qty left, the callbacks' log, whether the taker stopped)."""
    log: list[tuple[object, ...]] = []
    while qty:
        crossing = [
            o
            for o in model
            if o.is_buy != is_buy and (o.price <= limit if is_buy else o.price >= limit)
        ]
        if not crossing:
            break
        maker = min(crossing, key=Resting.rank)
        if maker.owner == owner:
            log.append(("expire", maker.order_id, maker.remaining))
            model.remove(maker)
            continue
        offered = min(qty, maker.remaining)
        log.append(("fill", maker.order_id, offered, maker.price))
        action = actions.pop(0) if actions else "full"
        if action == "stop":
            return qty, log, True
        if action == "off":
            model.remove(maker)
            continue
        done = offered if action == "full" else (offered + 1) // 2
        maker.remaining -= done
        qty -= done
        if not maker.remaining:
            model.remove(maker)
    return qty, log, False


class BookAgainstModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.book = OrderBook()
        self.model: list[Resting] = []
        self.made: list[Order] = []  # every order ever made, on the book or off it
        self.next_id = 1

    @rule(
        is_buy=st.booleans(),
        limit=PRICES,
        qty=st.integers(1, 12),
        owner=st.integers(0, len(ACCOUNTS) - 1),
        actions=ACTIONS,
        rests=st.booleans(),
    )
    def place(
        self, is_buy: bool, limit: int, qty: int, owner: int, actions: list[str], rests: bool
    ) -> None:
        """Match, then rest what is left unless the taker stopped or is immediate-or-cancel."""
        order_id, self.next_id = self.next_id, self.next_id + 1
        taker = ScriptedTaker(self.book, list(actions))
        left = self.book.match(is_buy, limit, qty, owner, taker)
        expected_left, expected_log, stopped = model_match(
            self.model, is_buy, limit, qty, owner, list(actions)
        )
        assert (left, taker.log) == (expected_left, expected_log)
        assert not self.book.is_crossed()
        if left and rests and not stopped:
            order = new_order(order_id, ACCOUNTS[owner], "TEST", order_id, is_buy, limit, left)
            self.book.rest(order)
            self.made.append(order)
            self.model.append(Resting(order_id, is_buy, limit, left, owner))

    @rule(pick=st.integers(0, 10**6))
    def cancel(self, pick: int) -> None:
        if not self.model:
            return
        resting = self.model.pop(pick % len(self.model))
        order = self.book.orders[resting.order_id]
        assert self.book.remove(order) == resting.remaining
        assert order.remaining == 0

    @invariant()
    def resting_orders_agree(self) -> None:
        book = self.book
        bound = len(self.model) + 1  # a longer walk is going round a loop of links
        assert {i: o.remaining for i, o in book.orders.items()} == {
            o.order_id: o.remaining for o in self.model
        }
        for is_buy in (True, False):
            side = sorted((o for o in self.model if o.is_buy == is_buy), key=Resting.rank)
            # crossing() with the widest limit walks each level's list, best level first
            walked = book.crossing(not is_buy, 0 if is_buy else 10**6)
            assert [o.order_id for o in islice(walked, bound)] == [o.order_id for o in side]
            sizes: dict[int, int] = {}
            for o in side:
                sizes[o.price] = sizes.get(o.price, 0) + o.remaining
            assert book.depth(is_buy) == list(sizes.items())
            best = book.best_bid() if is_buy else book.best_ask()
            assert best == (side[0].price if side else None)
            for level in (book.bids if is_buy else book.asks).values():
                backward, order = [], level.tail
                while order is not None and len(backward) < bound:
                    backward.append(order.order_id)
                    order = order.older
                assert backward[::-1] == [o.order_id for o in islice(level, bound)] != []

    @invariant()
    def orders_off_the_book_keep_no_links(self) -> None:
        for order in self.made:
            if order.order_id not in self.book.orders:
                assert order.older is None and order.newer is None


BookAgainstModel.TestCase.settings = settings(
    max_examples=100, stateful_step_count=40, deadline=None
)
TestBookAgainstModel = BookAgainstModel.TestCase


def test_a_dropped_book_is_collected_with_its_linked_orders() -> None:
    """Orders at one price reference each other; the cycle collector frees them."""

    def orders_alive() -> int:
        return sum(type(o) is Order for o in gc.get_objects())

    gc.collect()
    before = orders_alive()
    book = OrderBook()
    for i in range(1_000):
        book.rest(new_order(i, ACCOUNTS[0], "TEST", i, i % 2 == 0, 95 + i % 5, 1))
    assert orders_alive() == before + 1_000
    del book
    gc.collect()
    assert orders_alive() == before

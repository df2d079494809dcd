"""Read-only views of what the native core holds, for user interfaces, tools and tests.

Each read is a copy: ``Engine.subaccounts[key]`` is an accounts.Subaccount with its
positions, open orders and exposure as they are now, and a market's ``book`` gives copies of
its resting orders and its depth. Writing to a copy changes nothing in the engine; state
changes only through commands.
"""

from collections.abc import Iterator, Mapping

from isoperp.accounts.subaccount import Subaccount
from isoperp.book import Order
from isoperp.engine.native_core import NativeCore

SubKey = tuple[int, int]


class SubaccountsView(Mapping[SubKey, Subaccount]):
    """Every subaccount by (owner, number), in the order they were made."""

    __slots__ = ("_core",)

    def __init__(self, core: NativeCore) -> None:
        self._core = core

    def __getitem__(self, key: SubKey) -> Subaccount:
        if not self._core.has(*key):
            raise KeyError(key)
        return self._core.subaccount(*key)

    def __iter__(self) -> Iterator[SubKey]:
        return iter(self._core.keys())

    def __len__(self) -> int:
        return len(self._core.keys())


class BookView:
    """One market's order book: its best prices, depth and resting orders."""

    __slots__ = ("_core", "_market_id")

    def __init__(self, core: NativeCore, market_id: str) -> None:
        self._core = core
        self._market_id = market_id

    @property
    def orders(self) -> dict[int, Order]:
        """Copies of the resting orders by id (which is also their time priority)."""
        return self._core.book_orders(self._market_id)

    def best_bid(self) -> int | None:
        return self._core.best(self._market_id, True)

    def best_ask(self) -> int | None:
        return self._core.best(self._market_id, False)

    def depth(self, is_buy: bool) -> list[tuple[int, int]]:
        """(price, size) per level, best first."""
        return self._core.depth(self._market_id, is_buy)

    def is_crossed(self) -> bool:
        bid, ask = self.best_bid(), self.best_ask()
        return bid is not None and ask is not None and bid >= ask

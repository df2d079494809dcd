"""Subaccounts as StarkEx positions / dYdX v4 subaccounts.

An owner (a STARK public key) has subaccounts numbered 0..MAX_SUBACCOUNT_NUMBER. Number 0
is cross-margined: one collateral pool backs positions in any markets. Every other number
is isolated: it holds one market at a time with its own collateral, so its losses cannot
reach the owner's other subaccounts. The rollup leaf is (owner, collateral, positions);
open orders and their exposure are exchange-side bookkeeping, not part of the leaf.
"""

from typing import Any

CROSS = 0
MAX_SUBACCOUNT_NUMBER = 127
MAX_OWNER_KEY = 2**252  # owners are STARK public keys: field elements below 2^252


class Position:
    """A signed size in steps (positive long), the funding index it last settled at, and its
    cost basis: |size|·average entry price·k in quantums, for PnL and deleveraging ranks.
    The leaf the rollup proves holds size and funding index; the cost is exchange-side."""

    __slots__ = ("cost", "funding_index", "size")

    def __init__(self, size: int = 0, funding_index: int = 0, cost: int = 0) -> None:
        self.size = size
        self.funding_index = funding_index
        self.cost = cost


class Exposure:
    """What the subaccount's resting orders in one market could still add:
    total remaining size and Σ remaining·limit price (step·ticks) per side."""

    __slots__ = ("buy_qty", "buy_value", "sell_qty", "sell_value")

    def __init__(self) -> None:
        self.buy_qty = 0
        self.buy_value = 0
        self.sell_qty = 0
        self.sell_value = 0


class Subaccount:
    __slots__ = (
        "collateral",
        "exposure",
        "is_isolated",
        "isolated_market",
        "key",
        "number",
        "orders",
        "owner",
        "positions",
        "reduce_only",
    )

    def __init__(self, owner: int, number: int) -> None:
        self.owner = owner
        self.number = number
        self.key = (owner, number)  # the rollup leaf's key, used on every change
        self.is_isolated = number != CROSS
        self.collateral = 0
        self.isolated_market: str | None = None  # the one market of an isolated subaccount
        self.positions: dict[str, Position] = {}  # non-zero positions only
        self.exposure: dict[str, Exposure] = {}  # markets with resting orders only
        self.orders: dict[int, Any] = {}  # open orders (resting or conditional) by client id
        self.reduce_only: dict[int, Any] = {}  # the resting reduce-only ones among them

    def size(self, market: str) -> int:
        position = self.positions.get(market)
        return position.size if position is not None else 0

    def is_flat(self) -> bool:
        """No position and no open order: an isolated subaccount may switch markets."""
        return not self.positions and not self.orders

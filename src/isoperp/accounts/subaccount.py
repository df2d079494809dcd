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

    def resize(self, new_size: int, price_value: int) -> None:
        """Move to ``new_size`` through a trade at ``price_value`` quantums per step: an
        increase adds at that price, a reduction keeps the average entry, a flip restarts."""
        old = self.size
        if old == 0 or (new_size > 0) != (old > 0):
            self.cost = abs(new_size) * price_value
        elif abs(new_size) > abs(old):
            self.cost += (abs(new_size) - abs(old)) * price_value
        else:
            self.cost = scaled_cost(self.cost, abs(new_size), abs(old))
        self.size = new_size


# Within these, scaled_cost's split fits 64 bits: whole·new ≤ cost, part·new < old² < 2^62.
FAST_COST = 2**62
FAST_SIZE = 2**31


def scaled_cost(cost: int, new: int, old: int) -> int:
    """⌊cost·new/old⌋ for 0 ≤ new ≤ old, 0 < old: the cost basis kept by a reduction, split
    at ``old`` so that no intermediate outgrows ``cost``."""
    if 0 <= cost < FAST_COST and old < FAST_SIZE:
        return _scaled_cost_fast(cost, new, old)
    whole = cost // old
    return whole * new + (cost - whole * old) * new // old


def _scaled_cost_fast(cost: int, new: int, old: int) -> int:
    """scaled_cost for 0 ≤ cost < 2^62 and old < 2^31. Compiled, it divides on 64 bits, where the
    general form calls a 128-bit division twice."""
    whole = cost // old
    return whole * new + (cost - whole * old) * new // old


class Exposure:
    """What the subaccount's resting orders in one market could still add:
    total remaining size and Σ remaining·limit price (step·ticks) per side."""

    __slots__ = ("buy_qty", "buy_value", "sell_qty", "sell_value")

    def __init__(self) -> None:
        self.buy_qty = 0
        self.buy_value = 0
        self.sell_qty = 0
        self.sell_value = 0

    def add(self, is_buy: bool, qty: int, price: int) -> None:
        """Add (or, with a negative qty, remove) resting size at a limit price."""
        if is_buy:
            self.buy_qty += qty
            self.buy_value += qty * price
        else:
            self.sell_qty += qty
            self.sell_value += qty * price

    def is_empty(self) -> bool:
        return not (self.buy_qty or self.sell_qty)


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

"""A resting order: a slotted object, small because a book holds millions of them."""

from typing import Any


class Order:
    """One order. ``account`` is the owner's subaccount object (opaque to the book, which
    reads only ``account.owner`` for self-trade prevention). ``remaining`` 0 marks a dead
    order that the book drops lazily."""

    __slots__ = (
        "account",
        "client_id",
        "expires_at",
        "is_buy",
        "market",
        "order_id",
        "price",
        "reduce_only",
        "remaining",
    )

    def __init__(
        self,
        order_id: int,
        account: Any,
        market: str,
        client_id: int,
        is_buy: bool,
        price: int,
        remaining: int,
        reduce_only: bool = False,
        expires_at: int | None = None,
    ) -> None:
        self.order_id = order_id
        self.account = account
        self.market = market
        self.client_id = client_id
        self.is_buy = is_buy
        self.price = price
        self.remaining = remaining
        self.reduce_only = reduce_only
        self.expires_at = expires_at

    def __repr__(self) -> str:
        side = "buy" if self.is_buy else "sell"
        return f"Order(#{self.order_id} {side} {self.remaining}@{self.price})"

"""A resting order: a slotted object, small because a book holds millions of them."""

from typing import Any


class Order:
    """One order, made by ``new_order``. ``account`` is the owner's subaccount object
    (opaque to the book, which reads only ``account.owner`` for self-trade prevention).
    ``older`` and ``newer`` are its neighbours at the same price while it rests (the book
    threads each level through its orders); None at either end and off the book."""

    order_id: int
    account: Any
    market: str
    client_id: int
    is_buy: bool
    price: int
    remaining: int
    reduce_only: bool
    expires_at: int | None
    older: "Order | None"
    newer: "Order | None"

    __slots__ = (
        "account",
        "client_id",
        "expires_at",
        "is_buy",
        "market",
        "newer",
        "older",
        "order_id",
        "price",
        "reduce_only",
        "remaining",
    )

    def __repr__(self) -> str:
        side = "buy" if self.is_buy else "sell"
        return f"Order(#{self.order_id} {side} {self.remaining}@{self.price})"


def new_order(
    order_id: int,
    account: Any,
    market: str,
    client_id: int,
    is_buy: bool,
    price: int,
    remaining: int,
    reduce_only: bool = False,
    expires_at: int | None = None,
) -> Order:
    """An order, set field by field: compiled, a C call with machine integers, where a
    constructor call would box them and pack an argument tuple (the engine makes one per
    placed order)."""
    order = Order.__new__(Order)
    order.order_id = order_id
    order.account = account
    order.market = market
    order.client_id = client_id
    order.is_buy = is_buy
    order.price = price
    order.remaining = remaining
    order.reduce_only = reduce_only
    order.expires_at = expires_at
    order.older = order.newer = None
    return order

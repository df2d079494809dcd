"""One order book per market: price-time priority, matching through a fill callback."""

from isoperp.book.book import STOP, CountingTaker, OrderBook, Taker
from isoperp.book.order import Order, new_order

__all__ = ["STOP", "CountingTaker", "Order", "OrderBook", "Taker", "new_order"]

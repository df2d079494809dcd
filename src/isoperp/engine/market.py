"""A market at run time: its spec, its book, its mark price and its open interest."""

from isoperp.book import OrderBook
from isoperp.commands.trading import PlaceOrder
from isoperp.markets import MarketSpec


class Market:
    __slots__ = ("book", "k", "open_interest", "price", "spec", "triggers")

    def __init__(self, spec: MarketSpec, price: int) -> None:
        self.spec = spec
        self.k = spec.quantums_per_step_tick
        self.price = price  # mark price in ticks
        self.book = OrderBook()
        self.open_interest = 0  # Σ long sizes = Σ short sizes, in steps
        self.triggers: dict[int, PlaceOrder] = {}  # stop / take-profit orders by order id

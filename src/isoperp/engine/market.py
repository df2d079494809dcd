"""A market at run time: its book, mark price, open interest, oracle and mark state.

Its parameters live in the governance registry; ``spec``, ``oracle_config`` and
``mark_config`` are the registry's values, refreshed after every governance change.
"""

from isoperp.book import OrderBook
from isoperp.commands.trading import PlaceOrder
from isoperp.markets import MarketSpec
from isoperp.oracle import MarkConfig, MarkState, OracleConfig, OracleState


class Market:
    __slots__ = (
        "book",
        "k",
        "last_trade",
        "mark",
        "mark_config",
        "open_interest",
        "oracle",
        "oracle_config",
        "price",
        "spec",
        "triggers",
    )

    def __init__(
        self, spec: MarketSpec, oracle_config: OracleConfig, mark_config: MarkConfig
    ) -> None:
        self.spec = spec
        self.k = spec.quantums_per_step_tick
        self.oracle_config = oracle_config
        self.mark_config = mark_config
        self.price = 0  # mark price in ticks; 0 until the first oracle price
        self.oracle = OracleState()
        self.mark = MarkState()
        self.last_trade: int | None = None
        self.book = OrderBook()
        self.open_interest = 0  # Σ long sizes = Σ short sizes, in steps
        self.triggers: dict[int, PlaceOrder] = {}  # stop / take-profit orders by order id

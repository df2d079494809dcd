"""A market at run time: its book, mark price, open interest, oracle and mark state.

Its parameters live in the governance registry; ``spec`` and the oracle, mark and funding
configurations are the registry's values, refreshed after every governance change.
"""

from isoperp.accounts.margin import Pricing
from isoperp.book.book import OrderBook
from isoperp.commands.trading import PlaceOrder
from isoperp.funding import FundingConfig, FundingState
from isoperp.markets import MarketSpec
from isoperp.oracle import MarkConfig, MarkState, OracleConfig, OracleState
from isoperp.risk import RiskConfig


class Market(Pricing):
    __slots__ = (
        "_funding",
        "_oracle",
        "book",
        "funding_config",
        "impact_notional",
        "last_trade",
        "mark",
        "mark_config",
        "open_interest",
        "oracle_config",
        "oracle_stale",
        "risk_config",
        "triggers",
    )

    def __init__(
        self,
        spec: MarketSpec,
        oracle_config: OracleConfig,
        mark_config: MarkConfig,
        funding_config: FundingConfig,
        impact_notional: int,
        risk_config: RiskConfig,
        listed_at: int,
    ) -> None:
        super().__init__(spec)
        self.risk_config = risk_config
        self.oracle_config = oracle_config
        self.mark_config = mark_config
        self.oracle = OracleState()
        self.mark = MarkState()
        self.last_trade: int | None = None
        self.book = OrderBook()
        self.open_interest = 0  # Σ long sizes = Σ short sizes, in steps
        self.triggers: dict[int, PlaceOrder] = {}  # stop / take-profit orders by order id
        self.funding_config = funding_config
        self.impact_notional = impact_notional  # quantums filled to read an impact price
        self.funding = FundingState(last_tick_ms=listed_at)

    @property
    def funding(self) -> FundingState:
        return self._funding

    @funding.setter
    def funding(self, state: FundingState) -> None:
        """Margin reads the index as a plain attribute, so it moves with the state."""
        self._funding = state
        self.funding_index = state.index

    @property
    def oracle(self) -> OracleState:
        return self._oracle

    @oracle.setter
    def oracle(self, state: OracleState) -> None:
        """Every order reads whether the price is stale, so the flag moves with the state."""
        self._oracle = state
        self.oracle_stale = state.stale

"""A market at run time: its mark price, oracle, mark and funding state, and parameters.

Its parameters live in the governance registry; ``spec`` and the oracle, mark and funding
configurations are the registry's values, refreshed after every governance change. Its book,
open interest and last trade live in the native core, read here through views; the funding
index and the stale flag are handed to the core whenever they change.
"""

from isoperp.accounts.margin import Pricing
from isoperp.commands.trading import PlaceOrder
from isoperp.engine.native_core import NativeCore
from isoperp.engine.views import BookView
from isoperp.funding import FundingConfig, FundingState
from isoperp.markets import MarketSpec
from isoperp.oracle import MarkConfig, MarkState, OracleConfig, OracleState
from isoperp.risk import RiskConfig


class Market(Pricing):
    __slots__ = (
        "_core",
        "_funding",
        "_oracle",
        "funding_config",
        "impact_notional",
        "mark",
        "mark_config",
        "oracle_config",
        "oracle_stale",
        "risk_config",
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
        core: NativeCore,
    ) -> None:
        super().__init__(spec)
        self._core = core  # which has listed the market already
        self.risk_config = risk_config
        self.oracle_config = oracle_config
        self.mark_config = mark_config
        self.oracle = OracleState()
        self.mark = MarkState()
        self.funding_config = funding_config
        self.impact_notional = impact_notional  # quantums filled to read an impact price
        self.funding = FundingState(last_tick_ms=listed_at)

    @property
    def book(self) -> BookView:
        return BookView(self._core, self.market_id)

    @property
    def open_interest(self) -> int:
        """Σ long sizes = Σ short sizes, in steps."""
        return self._core.open_interest(self.market_id)

    @property
    def last_trade(self) -> int | None:
        return self._core.last_trade(self.market_id)

    @property
    def triggers(self) -> dict[int, PlaceOrder]:
        """The stop and take-profit orders waiting for the mark, by order id."""
        return self._core.waiting(self.market_id)

    @property
    def funding(self) -> FundingState:
        return self._funding

    @funding.setter
    def funding(self, state: FundingState) -> None:
        """Margin reads the index as a plain attribute, so it moves with the state."""
        self._funding = state
        self.funding_index = state.index
        self._core.set_funding_index(self.market_id, state.index)

    @property
    def oracle(self) -> OracleState:
        return self._oracle

    @oracle.setter
    def oracle(self, state: OracleState) -> None:
        """Every order reads whether the price is stale, so the flag moves with the state."""
        self._oracle = state
        self.oracle_stale = state.stale
        self._core.set_stale(self.market_id, state.stale)

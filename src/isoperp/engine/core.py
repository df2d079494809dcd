"""The exchange state machine: ``apply(command) -> Applied(events, touched)``.

Subaccounts, orders, books, open interest, fees and the funding pool live in the native
core (engine.native_core), which judges trading and collateral commands on its own. The
engine keeps the rest: governance, oracle prices and the mark, funding, insurance funds and
liquidation, and it hands the core each market's mark, funding index and stale flag. What
it holds is read through copies (engine.views).

Pure and deterministic: time comes only from commands, nothing is read from the clock or the
environment, and iteration never depends on hash order. Each command first lets time reach
its timestamp (``advance``: committee holds and GTT orders expire, oracle prices go stale);
then its handler validates everything before it mutates, and a refusal comes out as one
``Rejected`` event with nothing else changed. A handler refuses by raising ``Reject`` from
wherever it finds the problem, or by returning the ``Rejected`` event where refusing is
routine (a cancel that lost the race with a fill), which spares the cost of an exception.
Parameters are read only from the governance registry, which governance commands change; a
change is in force from the next command on.
"""

import typing
from collections.abc import Callable, Iterable
from sys import intern
from typing import Any

import msgspec

from isoperp.accounts.margin import Health
from isoperp.commands import Command
from isoperp.commands.governance import AnyGovernanceCommand
from isoperp.commands.oracle import PriceReport
from isoperp.commands.trading import (
    CancelAll,
    CancelOrder,
    Deposit,
    FundInsurance,
    PlaceOrder,
    TakeOver,
    Transfer,
    Withdraw,
)
from isoperp.engine import funding_flow, liquidations, prices, snapshot
from isoperp.engine.applied import Applied, applied
from isoperp.engine.genesis import dev_genesis, with_markets
from isoperp.engine.market import Market
from isoperp.engine.native_core import NativeCore
from isoperp.engine.rejections import Code, Reject
from isoperp.engine.views import SubaccountsView
from isoperp.events import Event, Rejected
from isoperp.events.governance import MarketDelisted, MarketListed, ParameterChanged
from isoperp.events.risk import InsuranceFunded
from isoperp.funding import next_sample_ms, next_tick_ms
from isoperp.governance import GenesisConfig, GovernanceState, genesis
from isoperp.markets import MarketSpec, MarketStatus
from isoperp.numeric.bounds import (
    MAX_PRICE_TICKS,
    MAX_QUANTUMS,
    MAX_TIMESTAMP_MS,
    OutOfBounds,
    check_range,
)
from isoperp.oracle import too_old_at
from isoperp.risk import GLOBAL_FUND, InsuranceFund, PositionTable, risk_config

GOVERNANCE_COMMANDS = typing.get_args(AnyGovernanceCommand)
# The commands the native core judges alone (it checks their time and expires GTT orders
# itself, so while no other time effect is due the engine only passes them on).
IN_CORE = (Deposit, Withdraw, Transfer, PlaceOrder, CancelOrder, CancelAll)
NOTHING: frozenset[tuple[int, int]] = frozenset()


class Engine:
    def __init__(
        self,
        markets: Iterable[tuple[MarketSpec, int]],
        *,
        max_open_orders: int | None = None,
        genesis_config: GenesisConfig | None = None,
    ) -> None:
        """Start an exchange listing (spec, initial price in ticks) per market. Governance
        starts from ``genesis_config`` (default: development keys, see engine.genesis)."""
        listed = list(markets)
        config = with_markets(
            genesis_config or dev_genesis(), [s for s, _ in listed], max_open_orders
        )
        self._gov: GovernanceState = genesis(config)  # read through ``gov``
        self._gov_digest: bytes | None = None  # cached; reset whenever governance changes
        self.last_ts = config.ts
        self.core = NativeCore([], 0)
        self.markets: dict[str, Market] = {}
        self.position_table = PositionTable()  # for the liquidation scan; rebuilt on restore
        self._risk_dirty = False  # a price, funding or parameter change since the last scan
        self._sync_markets()
        for spec, price in listed:
            check_range("initial price", price, 1, MAX_PRICE_TICKS)
            prices.set_initial_price(self, self.markets[spec.market_id], price, config.ts)
        self.subaccounts = SubaccountsView(self.core)  # copies, by (owner, number)
        self.insurance: dict[str, InsuranceFund] = {GLOBAL_FUND: InsuranceFund(fund=GLOBAL_FUND)}
        self.last_liquidation_step: dict[tuple[int, int], int] = {}
        self.events: list[Event] = []  # of the command being applied
        self.touched: set[tuple[int, int]] = set()
        self._handlers: dict[type, Callable[[Engine, Any], Rejected | None]] = {
            **{kind: _in_core for kind in IN_CORE},
            PriceReport: prices.apply_report,
            FundInsurance: Engine._fund_insurance,
            TakeOver: liquidations.take_over,
            **{kind: Engine._govern for kind in GOVERNANCE_COMMANDS},
        }

    # -- the state machine ---------------------------------------------------------------

    def apply(self, cmd: Command) -> Applied:
        handler = self._handlers.get(type(cmd))
        if handler is None:
            return _refused(Code.UNKNOWN_COMMAND, f"unknown command {type(cmd).__name__}")
        try:
            ts = check_range("ts", cmd.ts, 0, MAX_TIMESTAMP_MS)
        except OutOfBounds as exc:
            return _refused(Code.OUT_OF_BOUNDS, str(exc))
        if ts < self.last_ts:
            return _refused(Code.TIME_WENT_BACKWARDS, f"ts {ts} < last ts {self.last_ts}")
        if handler is _in_core:
            done: Applied | None = self.core.apply_if_quiet(cmd)
            if done is not None:  # no time effect of the engine's was due
                self.last_ts = ts
                return done
        if self.touched:  # a set kept from command to command: no allocation for each
            self.touched.clear()
        events = self.advance(ts)
        touched_by_time = frozenset(self.touched) if self.touched else NOTHING
        try:
            refusal = handler(self, cmd)
        except Reject as raised:
            refusal = Rejected(code=raised.code, message=raised.message)
        except OutOfBounds as exc:
            refusal = Rejected(code=Code.OUT_OF_BOUNDS, message=str(exc))
        if refusal is not None:
            events.append(refusal)
            return applied(events, touched_by_time)
        self._liquidate_if_needed(ts)
        return applied(events, frozenset(self.touched) if self.touched else NOTHING)

    def _liquidate_if_needed(self, ts: int) -> None:
        if self._risk_dirty:
            self._risk_dirty = False
            liquidations.run(self, ts)

    def sync_position_table(self) -> None:
        """Bring the scan's table up to date with every subaccount changed since."""
        for key in self.core.take_dirty():
            self.position_table.update(key, *self.core.leaf(*key))

    def insurance_fund(self, name: str) -> InsuranceFund:
        return self.insurance.get(name) or InsuranceFund(fund=name)

    def advance(self, ts: int) -> list[Event]:
        """Let time reach ``ts`` (not before the last command's): expire committee holds and
        GTT orders that are due, mark stale oracle prices, take funding samples and ticks.
        Returns what that caused."""
        self.events = []
        if ts < self.last_ts:
            raise ValueError(f"time cannot go back from {self.last_ts} to {ts}")
        self.last_ts = ts
        if self._quiet(ts):
            return self.events  # the governance clock catches up when read (``gov``)
        held = self._gov.advance_to(ts)
        if held:
            self._gov_digest = None
            self._risk_dirty = True
            self.events.extend(held)
            self._sync_markets()
        self.events.extend(self.core.advance(ts))
        prices.check_all_staleness(self, ts)
        if funding_flow.advance_funding(self, ts):
            self._risk_dirty = True
        self._liquidate_if_needed(ts)
        self.core.quiet_until = self._next_time_effect()
        return self.events

    def _quiet(self, ts: int) -> bool:
        """Letting time reach ``ts`` does nothing: no time effect of the engine's (the core
        keeps the time of the next) and no GTT expiry is due."""
        core = self.core
        return ts < core.quiet_until and ts < core.next_expiry

    def _next_time_effect(self) -> int:
        """The earliest time at which letting time pass does something besides expiring GTT
        orders (the core's own): a committee hold expires, an oracle price goes stale, a
        funding sample or tick is due."""
        due = [hold.expires_ts for hold in self._gov.holds.values()]
        for market in self.markets.values():
            if not market.oracle_stale:
                due.append(too_old_at(market.oracle_config, market.oracle))
            if market.oracle.price is not None:
                due += (next_tick_ms(market.funding), next_sample_ms(market.funding))
        return min(due, default=MAX_TIMESTAMP_MS + 1)

    def time_effects_changed(self) -> None:
        """Something moved a deadline that ``advance`` watches (a price report, governance):
        the next command takes the full look."""
        self.core.quiet_until = 0

    def replay(self, commands: Iterable[Command]) -> None:
        for cmd in commands:
            self.apply(cmd)

    def state_digest(self) -> str:
        """BLAKE2b-256 of the canonical state encoding, in hex."""
        return snapshot.digest(self)

    @property
    def gov(self) -> GovernanceState:
        """The governance state, its clock at the engine's. A command that lets no time effect
        happen leaves that clock behind, since setting it cost more than the rest of letting
        time pass; it is brought forward here, where anything outside ``advance`` reads it."""
        if self._gov.now != self.last_ts:
            self._gov.now = self.last_ts
        return self._gov

    @gov.setter
    def gov(self, state: GovernanceState) -> None:
        self._gov = state

    def governance_digest(self) -> bytes:
        """The governance state's digest without its clock: ``gov.now`` always equals
        ``last_ts``, which the engine's digest covers, and leaving it out lets the digest
        be cached until governance itself changes."""
        if self._gov_digest is None:
            self._gov_digest = msgspec.structs.replace(self._gov, now=0).digest()
        return self._gov_digest

    def snapshot(self) -> bytes:
        return snapshot.snapshot(self)

    @staticmethod
    def restore(data: bytes) -> "Engine":
        return snapshot.restore(data)

    # -- what the core holds -----------------------------------------------------------------

    @property
    def fee_collateral(self) -> int:
        """The fee account's collateral."""
        return self.core.fee_collateral()

    @property
    def funding_pool(self) -> int:
        """− Σ settled funding: the rounding dust of funding payments (and socialised losses
        until they are charged)."""
        return self.core.funding_pool

    @property
    def deposited(self) -> int:
        return self.core.deposited

    @property
    def withdrawn(self) -> int:
        return self.core.withdrawn

    @property
    def next_order_id(self) -> int:
        return self.core.next_order_id

    def health(self, key: tuple[int, int]) -> Health:
        """A subaccount's value and requirements at the marks (accounts.margin.health)."""
        return Health(*self.core.health(*key))

    # -- lookups used by handlers ---------------------------------------------------------

    def market(self, market_id: str) -> Market:
        market = self.markets.get(market_id) if type(market_id) is str else None
        if market is None:
            raise Reject(Code.UNKNOWN_MARKET, f"unknown market {market_id!r}")
        return market

    # -- governance and prices ---------------------------------------------------------------

    def _govern(self, cmd: Command) -> None:
        events = self.gov.apply(cmd)  # type: ignore[arg-type]
        if events and isinstance(events[-1], Rejected):
            raise Reject(events[-1].code, events[-1].message)
        self._gov_digest = None
        self.time_effects_changed()
        self.events.extend(events)
        if any(isinstance(e, ParameterChanged | MarketListed | MarketDelisted) for e in events):
            self._sync_markets()
            self._risk_dirty = True

    def _sync_markets(self) -> None:
        """Bring the run-time markets in line with the registry: new listings, changed
        parameters, delistings; a market entering final settlement is settled now."""
        registry = self._gov.registry
        self.core.max_open_orders = registry.get_int("exchange.max_open_orders_per_subaccount")
        self.time_effects_changed()
        listed = registry.market_ids()
        for market_id in map(intern, listed):  # the key is the Market's own market_id
            spec = registry.market_spec(market_id)
            market = self.markets.get(market_id)
            impact_notional = registry.get_int(f"funding.{market_id}.impact_notional")
            risk = risk_config(registry, market_id)
            if market is None:
                self.core.add_market(spec)
                market = self.markets[market_id] = Market(
                    spec,
                    prices.oracle_config(registry, market_id),
                    prices.mark_config(registry, market_id),
                    funding_flow.funding_config(registry, market_id),
                    impact_notional,
                    risk,
                    listed_at=self.last_ts,
                    core=self.core,
                )
            self.core.set_spec(spec)
            self.position_table.set_market(spec)
            market.risk_config = risk
            entering_settlement = (
                spec.status is MarketStatus.FINAL_SETTLEMENT
                and market.spec.status is not MarketStatus.FINAL_SETTLEMENT
            )
            market.spec = spec
            market.oracle_config = prices.oracle_config(registry, market_id)
            market.mark_config = prices.mark_config(registry, market_id)
            market.funding_config = funding_flow.funding_config(registry, market_id)
            market.impact_notional = impact_notional
            if entering_settlement:
                self._settle_market(market_id)
        for market_id in [m for m in self.markets if m not in listed]:
            del self.markets[market_id]
            self.core.delist(market_id)

    def _settle_market(self, market_id: str) -> None:
        """Final settlement: cancel every order, then close every position at the mark.
        Longs and shorts net to zero, so the closing amounts sum to zero exactly."""
        events, touched = self.core.settle_market(market_id)
        self.events.extend(events)
        self.touched.update(touched)

    def on_mark_changed(self, market: Market, ts: int) -> None:
        """A new mark price goes to the core, which fires the stop and take-profit orders it
        reached; a liquidation scan follows once the command is done."""
        events, touched = self.core.set_price(market.market_id, market.price, ts)
        self.events.extend(events)
        self.touched.update(touched)
        self._risk_dirty = True

    def _fund_insurance(self, cmd: FundInsurance) -> None:
        amount = check_range("amount", cmd.amount, 1, MAX_QUANTUMS)
        if cmd.fund != GLOBAL_FUND and cmd.fund not in self.markets:
            raise Reject(Code.UNKNOWN_MARKET, f"no insurance fund {cmd.fund!r}")
        fund = self.insurance_fund(cmd.fund)
        if fund.balance + amount > MAX_QUANTUMS:
            raise Reject(Code.OUT_OF_BOUNDS, "the fund would exceed MAX_QUANTUMS")
        self.insurance[cmd.fund] = msgspec.structs.replace(fund, balance=fund.balance + amount)
        self.core.deposited += amount
        self.events.append(
            InsuranceFunded(fund=cmd.fund, amount=amount, balance=fund.balance + amount)
        )


def _in_core(eng: Engine, cmd: Command) -> Rejected | None:
    """A trading or collateral command, judged by the core (which returns a refusal as its
    only event)."""
    done: Applied = eng.core.apply(cmd)
    events = done.events
    if events and type(events[-1]) is Rejected:
        return events[-1]
    eng.events.extend(events)
    eng.touched.update(done.touched)
    return None


def _refused(code: str, message: str) -> Applied:
    return applied([Rejected(code=code, message=message)], NOTHING)

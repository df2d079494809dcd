"""Turning a proposal's actions into registry writes, and deciding which executor they need.

Actions are planned in order against an overlay of the writes planned so far, so a proposal
may list a market and then tune it. Planning happens at creation (an out-of-bounds value or
an executor too weak for a loosening change is refused then) and again at execution against
the state in force then: a change that was tightening when proposed may have become a
loosening one since (say the committee raised a margin above it), and then it needs the long
timelock again.
"""

from dataclasses import dataclass, field

from isoperp.commands.governance import (
    DelistMarket,
    FinalSettleMarket,
    ListMarket,
    ParamValue,
    ProposalAction,
    SetCommittee,
    SetExecutorDelay,
    SetOracleSigners,
    SetParameter,
)
from isoperp.events import Rejected
from isoperp.governance.executors import ExecutorConfig
from isoperp.governance.registry import ParameterRegistry, listing_writes
from isoperp.governance.schema import (
    LONG,
    SCHEMA,
    SHORT,
    Kind,
    param_name,
    parse_name,
    value_problem,
)
from isoperp.markets import MarketStatus

# Executors needed by actions that are not a single parameter change.
LISTING_EXECUTOR = LONG  # a new market is new risk
SETTLEMENT_EXECUTOR = SHORT  # final settlement and delisting only reduce risk
DELAY_EXECUTOR = LONG  # changing a timelock's delay changes the rules of governance itself


@dataclass
class Plan:
    writes: dict[str, ParamValue | None] = field(default_factory=dict)
    delays: dict[str, int] = field(default_factory=dict)
    rank: int = 0  # the highest executor rank any action needs
    reason: str = ""  # which action needs that rank
    listed: list[str] = field(default_factory=list)
    delisted: list[str] = field(default_factory=list)
    status_set: set[str] = field(default_factory=set)  # markets whose status governance set

    def need(self, executor: str, executors: dict[str, ExecutorConfig], what: str) -> None:
        rank = executors[executor].rank
        if rank > self.rank:
            self.rank, self.reason = rank, f"{what} needs the {executor} timelock"


def _market_listed(registry: ParameterRegistry, plan: Plan, market_id: str) -> Rejected | None:
    if registry.value_after(plan.writes, f"market.{market_id}.market_id") is None:
        return Rejected(code="unknown_market", message=f"no listed market {market_id!r}")
    return None


def _set(
    registry: ParameterRegistry,
    executors: dict[str, ExecutorConfig],
    plan: Plan,
    name: str,
    value: ParamValue,
) -> Rejected | None:
    parsed = parse_name(name)
    old = registry.value_after(plan.writes, name)
    if parsed is None or old is None:
        return Rejected(code="unknown_parameter", message=f"no parameter named {name!r}")
    where, spec = parsed
    if spec.executor is None:
        return Rejected(code="fixed_parameter", message=f"{name} is fixed at listing")
    problem = value_problem(spec, value)
    if problem is not None:
        return Rejected(code=problem[0], message=f"{name}: {problem[1]}")
    if spec.kind is Kind.STATUS:
        if old == MarketStatus.FINAL_SETTLEMENT:
            return Rejected(code="market_settled", message=f"{where.key} is in final settlement")
        if value == MarketStatus.FINAL_SETTLEMENT:
            return Rejected(code="use_final_settle", message="use the FinalSettleMarket action")
        plan.status_set.add(str(where.key))
    executor = spec.executor_for(old, value)
    assert executor is not None
    plan.need(executor, executors, f"changing {name} from {old!r} to {value!r}")
    plan.writes[name] = value
    return None


def _plan_one(
    registry: ParameterRegistry,
    executors: dict[str, ExecutorConfig],
    plan: Plan,
    action: ProposalAction,
) -> Rejected | None:
    match action:
        case SetParameter(name=name, value=value):
            return _set(registry, executors, plan, name, value)
        case SetOracleSigners(market_id=market_id, signers=signers, quorum=quorum):
            return (
                _market_listed(registry, plan, market_id)
                or _set(registry, executors, plan, f"oracle.{market_id}.signers", signers)
                or _set(registry, executors, plan, f"oracle.{market_id}.quorum", quorum)
            )
        case SetCommittee(members=members, threshold=threshold):
            return _set(registry, executors, plan, "committee.members", members) or _set(
                registry, executors, plan, "committee.threshold", threshold
            )
        case SetExecutorDelay(executor=name, delay_ms=delay):
            config = executors.get(name)
            if config is None:
                return Rejected(code="unknown_executor", message=f"no executor {name!r}")
            if type(delay) is not int or not config.min_delay_ms <= delay <= config.max_delay_ms:
                return Rejected(
                    code="delay_out_of_bounds",
                    message=f"{name} delay must lie in [{config.min_delay_ms}, "
                    f"{config.max_delay_ms}] ms, got {delay}",
                )
            plan.need(DELAY_EXECUTOR, executors, f"changing the {name} delay")
            plan.delays[name] = delay
            return None
        case ListMarket(spec=spec, oracle_signers=signers, oracle_quorum=quorum):
            writes = listing_writes(registry, spec, signers, quorum, plan.writes)
            if isinstance(writes, Rejected):
                return writes
            plan.need(LISTING_EXECUTOR, executors, f"listing {spec.market_id}")
            plan.writes.update(writes)
            plan.listed.append(spec.market_id)
            return None
        case FinalSettleMarket(market_id=market_id):
            refused = _market_listed(registry, plan, market_id)
            name = f"market.{market_id}.status"
            if refused is None and registry.value_after(plan.writes, name) == "final_settlement":
                refused = Rejected(code="market_settled", message=f"{market_id} already settles")
            if refused is not None:
                return refused
            plan.need(SETTLEMENT_EXECUTOR, executors, f"final settlement of {market_id}")
            plan.writes[name] = MarketStatus.FINAL_SETTLEMENT.value
            plan.status_set.add(market_id)
            return None
        case DelistMarket(market_id=market_id):
            refused = _market_listed(registry, plan, market_id)
            status = registry.value_after(plan.writes, f"market.{market_id}.status")
            if refused is None and status != MarketStatus.FINAL_SETTLEMENT:
                refused = Rejected(code="not_settled", message=f"{market_id} must settle first")
            if refused is not None:
                return refused
            plan.need(SETTLEMENT_EXECUTOR, executors, f"delisting {market_id}")
            for family_name, family in SCHEMA.items():
                if family.keyed:
                    for attr in family.fields:
                        plan.writes[param_name(family_name, market_id, attr)] = None
            plan.delisted.append(market_id)
            plan.status_set.add(market_id)
            return None
    raise AssertionError(f"unhandled action {action!r}")


def plan_actions(
    registry: ParameterRegistry,
    executors: dict[str, ExecutorConfig],
    actions: tuple[ProposalAction, ...],
) -> Plan | Rejected:
    """The writes and delay changes ``actions`` amount to, or why they are refused."""
    plan = Plan()
    for index, action in enumerate(actions):
        refused = _plan_one(registry, executors, plan, action)
        if refused is not None:
            return Rejected(code=refused.code, message=f"action {index}: {refused.message}")
    refused = registry.check(plan.writes)
    return plan if refused is None else refused

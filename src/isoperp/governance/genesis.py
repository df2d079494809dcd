"""Genesis: the governance state an exchange starts from.

A bad genesis is a configuration error, not a command, so it raises ``GenesisError``
listing every problem instead of returning a rejection.
"""

import msgspec

from isoperp.commands.governance import ParamValue
from isoperp.events import Rejected
from isoperp.governance.executors import (
    ExecutorConfig,
    config_problems,
    long_timelock,
    short_timelock,
)
from isoperp.governance.keys import parse_key
from isoperp.governance.registry import ParameterRegistry
from isoperp.governance.schema import LONG, SCHEMA, SHORT, param_name
from isoperp.governance.state import GovernanceState
from isoperp.governance.tokens import MAX_SUPPLY, TokenLedger
from isoperp.markets import MarketSpec


class GenesisError(ValueError):
    """The genesis configuration is inconsistent."""


class OracleGenesis(msgspec.Struct, frozen=True, kw_only=True):
    market_id: str
    signers: tuple[str, ...]
    quorum: int


class GenesisConfig(msgspec.Struct, frozen=True, kw_only=True):
    committee_members: tuple[str, ...]
    committee_threshold: int
    markets: tuple[MarketSpec, ...] = ()
    oracles: tuple[OracleGenesis, ...] = ()  # one per market
    executors: tuple[ExecutorConfig, ...] = ()  # empty: dYdX's short and long timelocks
    allocations: dict[str, int] = {}  # account -> governance tokens at genesis
    minter: str = ""  # the account that may mint later ("" for nobody)
    parameters: dict[str, ParamValue] = {}  # overrides of global defaults
    ts: int = 0


def _global_writes(config: GenesisConfig) -> dict[str, ParamValue | None]:
    writes: dict[str, ParamValue | None] = {
        param_name(family_name, None, attr): spec.default
        for family_name, family in SCHEMA.items()
        if not family.keyed
        for attr, spec in family.fields.items()
    }
    writes["committee.members"] = config.committee_members
    writes["committee.threshold"] = config.committee_threshold
    for name, value in config.parameters.items():
        if name not in writes:
            raise GenesisError(f"{name} is not a global parameter")
        writes[name] = value
    return writes


def genesis(config: GenesisConfig) -> GovernanceState:
    """Build the initial state: global defaults, listed markets, executors and balances."""
    registry = ParameterRegistry()
    refused = registry.check(_global_writes(config))
    if refused is not None:
        raise GenesisError(f"{refused.code}: {refused.message}")
    registry.commit(_global_writes(config), by="genesis")
    oracles = {o.market_id: o for o in config.oracles}
    for spec in config.markets:
        oracle = oracles.get(spec.market_id)
        if oracle is None:
            raise GenesisError(f"no oracle set for {spec.market_id}")
        result = registry.list_market(spec, oracle.signers, oracle.quorum, by="genesis")
        if isinstance(result[0], Rejected):
            raise GenesisError(f"{spec.market_id}: {result[0].code}: {result[0].message}")
    executors = {e.name: e for e in (config.executors or (short_timelock(), long_timelock()))}
    problems = [p for e in executors.values() for p in config_problems(e)]
    problems += [f"executor {n!r} is required" for n in (SHORT, LONG) if n not in executors]
    if config.minter and parse_key(config.minter) is None:
        problems.append(f"minter {config.minter!r} is not a canonical public key")
    for account, amount in config.allocations.items():
        if parse_key(account) is None or type(amount) is not int or amount <= 0:
            problems.append(f"allocation {account!r}: {amount!r}")
    if sum(config.allocations.values()) > MAX_SUPPLY:
        problems.append(f"allocations exceed {MAX_SUPPLY}")
    if problems:
        raise GenesisError("; ".join(problems))
    ledger = TokenLedger()
    for account in sorted(config.allocations):
        ledger.mint(account, config.allocations[account], config.ts)
    return GovernanceState(
        now=config.ts,
        registry=registry,
        ledger=ledger,
        executors={name: msgspec.structs.replace(e) for name, e in sorted(executors.items())},
        token_minter=config.minter,
    )

"""Governance: the parameter registry the engine reads, governance-token voting power,
proposals on timelocked executors, and a bounded emergency committee.

The engine reads parameters through ``GovernanceState.registry`` (``market_spec``,
``get_int``, ``get_keys``, ``digest``) and feeds governance commands to
``GovernanceState.apply``; see docs/governance.md.
"""

from isoperp.governance.committee import approve, committee_message
from isoperp.governance.executors import ExecutorConfig, long_timelock, short_timelock
from isoperp.governance.genesis import GenesisConfig, GenesisError, OracleGenesis, genesis
from isoperp.governance.keys import key_hex, parse_key
from isoperp.governance.proposals import Proposal, ProposalState, payload_hash
from isoperp.governance.registry import ParameterRegistry
from isoperp.governance.schema import SCHEMA, Family, Kind, ParamSpec, Tightens
from isoperp.governance.state import GovernanceState, decode_state, encode_state
from isoperp.governance.tokens import PowerNotFinal, TokenLedger

__all__ = [
    "SCHEMA",
    "ExecutorConfig",
    "Family",
    "GenesisConfig",
    "GenesisError",
    "GovernanceState",
    "Kind",
    "OracleGenesis",
    "ParamSpec",
    "ParameterRegistry",
    "PowerNotFinal",
    "Proposal",
    "ProposalState",
    "Tightens",
    "TokenLedger",
    "approve",
    "committee_message",
    "decode_state",
    "encode_state",
    "genesis",
    "key_hex",
    "long_timelock",
    "parse_key",
    "payload_hash",
    "short_timelock",
]

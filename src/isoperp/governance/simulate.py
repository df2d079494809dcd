"""Dry runs: play a script of timed governance steps against a fresh governance state.

A script is JSON (see docs/governance.md): a genesis (``"default"`` or a GenesisConfig whose
keys may be aliases), an optional ``watch`` list of parameter names, and ``steps``. Each step
has a time (``"at"``: absolute milliseconds, or ``"+<n><unit>"`` after the previous step with
units ms, s, m, h, d, e.g. ``"+1d"`` or ``"+1d1ms"``), an ``op`` and its arguments, and may
state what it expects (``"expect": "accepted"`` or a rejection code).

Accounts and keys may be written as aliases ("alice"): an alias stands for the key pair
derived from its name. Such keys are public knowledge, so they serve rehearsals only.
"""

import hashlib
import re
from collections.abc import Callable
from typing import Any, Protocol

import msgspec

from isoperp.commands.governance import (
    AnyCommitteeAction,
    AnyGovernanceCommand,
    CancelProposal,
    CastVote,
    CommitteeAct,
    DelegateVotes,
    ExecuteProposal,
    GovernanceTick,
    MintGovTokens,
    ProposalAction,
    Propose,
    QueueProposal,
    TransferGovTokens,
    VoteSupport,
)
from isoperp.crypto import EC_ORDER, public_key
from isoperp.events import Event, Rejected
from isoperp.governance.committee import approve
from isoperp.governance.genesis import GenesisConfig, GenesisError, genesis
from isoperp.governance.keys import key_hex, sorted_keyset
from isoperp.governance.state import GovernanceState

UNITS_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
DURATION = re.compile(r"(\d+)(ms|s|m|h|d)")
KEY_FIELDS = {"by", "to", "delegatee", "signer", "minter"}
KEYSET_FIELDS = {"signers", "members", "oracle_signers", "committee_members"}


class ScriptError(ValueError):
    """The script itself is malformed (as opposed to a step being refused)."""


def alias_private_key(alias: str) -> int:
    seed = hashlib.blake2b(alias.encode(), digest_size=32, person=b"isoperp.alias").digest()
    return int.from_bytes(seed, "big") % (EC_ORDER - 1) + 1


def alias_key(alias: str) -> str:
    """The public key an alias stands for; a "0x..." text is already a key."""
    return alias if alias.startswith("0x") else key_hex(public_key(alias_private_key(alias)))


def resolve_aliases(value: Any, field: str = "") -> Any:
    """Replace aliases by keys in the fields that hold keys; key sets come out sorted."""
    if isinstance(value, dict):
        keyed = field == "allocations"
        return {
            (alias_key(k) if keyed else k): resolve_aliases(v, "" if keyed else k)
            for k, v in value.items()
        }
    if isinstance(value, list):
        if field in KEYSET_FIELDS and all(isinstance(v, str) for v in value):
            return list(sorted_keyset([alias_key(v) for v in value]))
        return [resolve_aliases(v, field) for v in value]
    if isinstance(value, str) and field in KEY_FIELDS:
        return alias_key(value)
    return value


def parse_time(at: Any, previous: int) -> int:
    if type(at) is int and at >= previous:
        return at
    if isinstance(at, str) and at.startswith("+"):
        parts = DURATION.findall(at[1:])
        if parts and "".join(n + u for n, u in parts) == at[1:]:
            return previous + sum(int(n) * UNITS_MS[u] for n, u in parts)
    raise ScriptError(f"bad time {at!r}: use absolute ms (not before {previous}) or '+1d2h'")


BTC = {
    "market_id": "BTC-USD",
    "base_asset": "BTC",
    "tick_size": "1",
    "step_size": "0.0001",
    "quantums_per_step_tick": 100,
    "min_order_steps": 1,
    "initial_margin_ppm": 50_000,
    "maintenance_margin_ppm": 30_000,
    "baseline_position_steps": 100_000,
    "incremental_position_steps": 50_000,
    "incremental_initial_margin_ppm": 10_000,
    "max_position_steps": 10_000_000,
    "open_interest_cap_steps": 100_000_000,
    "maker_fee_ppm": -100,
    "taker_fee_ppm": 500,
}
ETH = {
    **BTC,
    "market_id": "ETH-USD",
    "base_asset": "ETH",
    "tick_size": "0.1",
    "step_size": "0.001",
    "initial_margin_ppm": 100_000,
    "maintenance_margin_ppm": 50_000,
}
DEFAULT_GENESIS: dict[str, Any] = {
    "ts": 1_700_000_000_000,
    "markets": [BTC, ETH],
    "oracles": [
        {"market_id": m, "signers": ["oracle-1", "oracle-2", "oracle-3"], "quorum": 2}
        for m in ("BTC-USD", "ETH-USD")
    ],
    "committee_members": ["guardian-1", "guardian-2", "guardian-3"],
    "committee_threshold": 2,
    "allocations": {"alice": 600_000_000, "bob": 300_000_000, "carol": 100_000_000},
    "minter": "treasury",
}


def genesis_config(spec: Any) -> GenesisConfig:
    raw = DEFAULT_GENESIS if spec == "default" else spec
    try:
        return msgspec.convert(resolve_aliases(raw), type=GenesisConfig)
    except msgspec.ValidationError as exc:
        raise ScriptError(f"genesis: {exc}") from exc


def build_genesis(spec: Any) -> GovernanceState:
    try:
        return genesis(genesis_config(spec))
    except GenesisError as exc:
        raise ScriptError(f"genesis: {exc}") from exc


class Target(Protocol):
    """What a script runs against: a governance state and a way to apply commands to it."""

    @property
    def gov(self) -> GovernanceState: ...

    def run(self, cmd: AnyGovernanceCommand) -> list[Event]: ...


class GovernanceOnly:
    """The governance state machine alone (the exchange runs scripts against the engine)."""

    def __init__(self, config: GenesisConfig) -> None:
        try:
            self.gov = genesis(config)
        except GenesisError as exc:
            raise ScriptError(f"genesis: {exc}") from exc

    def run(self, cmd: AnyGovernanceCommand) -> list[Event]:
        return self.gov.apply(cmd)


def _proposal_id(step: dict[str, Any]) -> int:
    value = step.get("proposal")
    if type(value) is not int:
        raise ScriptError(f"step needs an integer 'proposal': {step}")
    return value


def step_command(state: GovernanceState, step: dict[str, Any], ts: int) -> AnyGovernanceCommand:
    """Translate one script step into a governance command at ``ts``."""
    op = step.get("op")
    raw = resolve_aliases(step)
    by = raw.get("by", "")
    try:
        match op:
            case "mint":
                by = raw.get("by", state.token_minter)
                return MintGovTokens(ts=ts, account=by, to=raw["to"], amount=raw["amount"])
            case "transfer":
                return TransferGovTokens(ts=ts, account=by, to=raw["to"], amount=raw["amount"])
            case "delegate":
                return DelegateVotes(ts=ts, account=by, delegatee=raw["to"])
            case "propose":
                actions = msgspec.convert(raw["actions"], type=tuple[ProposalAction, ...])
                return Propose(
                    ts=ts,
                    account=by,
                    executor=raw["executor"],
                    actions=actions,
                    description=raw.get("description", ""),
                )
            case "vote":
                support = VoteSupport(raw["support"])
                return CastVote(ts=ts, account=by, proposal_id=_proposal_id(raw), support=support)
            case "queue":
                return QueueProposal(ts=ts, account=by, proposal_id=_proposal_id(raw))
            case "execute":
                proposal = state.proposal(_proposal_id(raw))
                stored = proposal.payload_hash if proposal is not None else ""
                return ExecuteProposal(
                    ts=ts,
                    account=by,
                    proposal_id=_proposal_id(raw),
                    payload_hash=raw.get("payload_hash", stored),
                )
            case "cancel":
                return CancelProposal(ts=ts, account=by, proposal_id=_proposal_id(raw))
            case "committee":
                return _committee_command(state, step, ts)
            case "advance":
                return GovernanceTick(ts=ts)
    except (KeyError, ValueError, msgspec.ValidationError) as exc:
        raise ScriptError(f"step {step}: {exc!r}") from exc
    raise ScriptError(f"unknown op {op!r}")


def _committee_command(state: GovernanceState, step: dict[str, Any], ts: int) -> CommitteeAct:
    action = msgspec.convert(resolve_aliases(step["action"]), type=AnyCommitteeAction)
    nonce = step.get("nonce", state.committee_nonce)
    expiry = parse_time(step.get("expires_in", "+1h"), ts)
    approvals = tuple(
        approve(alias_private_key(alias), action, nonce, expiry) for alias in step["signers"]
    )
    return CommitteeAct(ts=ts, action=action, nonce=nonce, expiry_ts=expiry, approvals=approvals)


def run_script(
    script: dict[str, Any], target: Callable[[GenesisConfig], Target] = GovernanceOnly
) -> tuple[dict[str, Any], GovernanceState]:
    """Play ``script`` against a fresh ``target`` built from its genesis; return the
    JSON-ready report and the final governance state."""
    if not isinstance(script, dict) or not isinstance(script.get("steps"), list):
        raise ScriptError("a script is an object with a 'steps' list")
    exchange = target(genesis_config(script.get("genesis", "default")))
    state = exchange.gov
    watch = script.get("watch")
    report: dict[str, Any] = {"genesis_digest": state.digest().hex(), "steps": []}
    ts = state.now
    all_met = True
    for number, step in enumerate(script["steps"], start=1):
        if not isinstance(step, dict):
            raise ScriptError(f"step {number} is not an object")
        ts = parse_time(step.get("at", "+0ms"), ts)
        events = exchange.run(step_command(state, step, ts))
        refused = next((e for e in events if isinstance(e, Rejected)), None)
        outcome = "accepted" if refused is None else refused.code
        entry: dict[str, Any] = {
            "step": number,
            "ts": ts,
            "op": step.get("op"),
            "outcome": "accepted" if refused is None else "rejected",
        }
        if refused is not None:
            entry |= {"code": refused.code, "message": refused.message}
        if "expect" in step:
            entry["expected"] = step["expect"]
            entry["met"] = step["expect"] == outcome
            all_met = all_met and entry["met"]
        entry["events"] = msgspec.to_builtins(events)
        entry["proposals"] = {str(p.proposal_id): state.state_of(p).value for p in state.proposals}
        values = state.registry.values
        names = sorted(values) if watch is None else watch
        entry["parameters"] = {n: msgspec.to_builtins(values.get(n)) for n in names}
        report["steps"].append(entry)
    report |= {"final_digest": state.digest().hex(), "expectations_met": all_met}
    return report, state

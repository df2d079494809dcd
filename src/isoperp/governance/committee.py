"""The emergency committee: M-of-N STARK-curve signers who may act at once, only to tighten.

Bounded powers after Aave's risk stewards (a bounded step per update and a cooldown) and
MakerDAO's emergency spells (only tightening): the committee may pause a market or make it
reduce-only for a bounded time (the hold expires by itself unless governance sets the status
through the timelock), move a margin fraction up or a size cap down by a bounded step per
cooldown, and drop a compromised oracle signer while the rest still meet the quorum. Every
loosening, unpausing and re-adding a signer goes through a proposal.

Approvals sign a Pedersen-hash chain over a domain tag, the committee nonce, an expiry time
and the action's canonical encoding, so an approval cannot be replayed for another action,
after its expiry, or a second time (the nonce advances with every act).
"""

from dataclasses import dataclass, field

import msgspec

from isoperp.commands.governance import (
    AnyCommitteeAction,
    Approval,
    EmergencyStatus,
    EmergencyTighten,
    ParamValue,
    SuspendOracleSigner,
)
from isoperp.crypto import pedersen_hash, public_key, sign, verify
from isoperp.events import Rejected
from isoperp.governance.keys import key_hex, parse_key
from isoperp.governance.registry import ParameterRegistry
from isoperp.governance.schema import STATUS_RANK, parse_name, tightens, value_problem
from isoperp.markets import MarketStatus
from isoperp.numeric import PPM

DOMAIN_TAG = int.from_bytes(b"isoperp.gov.committee.v1", "big")
HOLD_STATUSES = (MarketStatus.REDUCE_ONLY, MarketStatus.PAUSED)


class EmergencyHold(msgspec.Struct, kw_only=True):
    """A status the committee imposed; at ``expires_ts`` the market returns to ``restore``."""

    status: str
    restore: str
    expires_ts: int


def committee_message(action: AnyCommitteeAction, nonce: int, expiry_ts: int) -> int:
    """The hash committee members sign: Pedersen chain of tag, nonce, expiry, payload."""
    payload = msgspec.json.encode(action, order="deterministic")
    digest = pedersen_hash(pedersen_hash(DOMAIN_TAG, nonce), expiry_ts)
    for start in range(0, len(payload), 31):
        digest = pedersen_hash(digest, int.from_bytes(payload[start : start + 31], "big"))
    return pedersen_hash(digest, len(payload)) % 2**251


def approve(private_key: int, action: AnyCommitteeAction, nonce: int, expiry_ts: int) -> Approval:
    """A member's approval (used by tools and tests; members sign on their own machines)."""

    r, s = sign(private_key, committee_message(action, nonce, expiry_ts))
    return Approval(signer=key_hex(public_key(private_key)), r=key_hex(r), s=key_hex(s))


def verified_signers(
    members: tuple[str, ...], threshold: int, approvals: tuple[Approval, ...], message: int
) -> tuple[str, ...] | Rejected:
    """The approving members if at least ``threshold`` distinct members signed ``message``."""
    seen: set[str] = set()
    for approval in approvals:
        if approval.signer not in members:
            return Rejected(code="unknown_signer", message=f"{approval.signer} is not a member")
        if approval.signer in seen:
            return Rejected(code="duplicate_signer", message=f"{approval.signer} signed twice")
        seen.add(approval.signer)
    if len(seen) < threshold:
        return Rejected(
            code="too_few_signatures", message=f"{len(seen)} approvals, {threshold} needed"
        )
    for approval in approvals:
        key, r, s = parse_key(approval.signer), parse_key(approval.r), parse_key(approval.s)
        if key is None or r is None or s is None or not verify(key, message, r, s):
            return Rejected(code="invalid_signature", message=f"bad signature by {approval.signer}")
    return tuple(sorted(seen, key=lambda k: int(k, 16)))


@dataclass
class CommitteePlan:
    writes: dict[str, ParamValue | None] = field(default_factory=dict)
    hold: tuple[str, EmergencyHold] | None = None
    cooled: str | None = None  # the parameter whose cooldown starts now


def _status_plan(
    registry: ParameterRegistry, holds: dict[str, EmergencyHold], act: EmergencyStatus, now: int
) -> CommitteePlan | Rejected:
    if not registry.has_market(act.market_id):
        return Rejected(code="unknown_market", message=f"no listed market {act.market_id!r}")
    if act.status not in HOLD_STATUSES:
        return Rejected(code="not_allowed", message="the committee may only pause or reduce-only")
    longest = registry.get_int("committee.max_hold_ms")
    if type(act.duration_ms) is not int or not 0 < act.duration_ms <= longest:
        return Rejected(code="hold_too_long", message=f"duration must lie in (0, {longest}] ms")
    name = f"market.{act.market_id}.status"
    current = str(registry.get(name))
    if STATUS_RANK[MarketStatus(act.status)] <= STATUS_RANK[MarketStatus(current)]:
        return Rejected(code="not_tightening", message=f"{act.market_id} is already {current}")
    previous = holds.get(act.market_id)
    restore = previous.restore if previous is not None else current
    hold = EmergencyHold(status=act.status, restore=restore, expires_ts=now + act.duration_ms)
    return CommitteePlan(writes={name: act.status}, hold=(act.market_id, hold))


def _tighten_plan(
    registry: ParameterRegistry, last_change: dict[str, int], act: EmergencyTighten, now: int
) -> CommitteePlan | Rejected:
    parsed = parse_name(act.name)
    if parsed is None or act.name not in registry.values:
        return Rejected(code="unknown_parameter", message=f"no parameter named {act.name!r}")
    spec = parsed[1]
    if spec.committee_step is None:
        return Rejected(code="not_allowed", message=f"the committee may not change {act.name}")
    problem = value_problem(spec, act.value)
    if problem is not None:
        return Rejected(code=problem[0], message=f"{act.name}: {problem[1]}")
    old = registry.get_int(act.name)
    if not tightens(spec, old, act.value):
        return Rejected(code="not_tightening", message=f"{act.name}: {old} -> {act.value}")
    bound = registry.get_int(spec.committee_step.bound)
    allowed = old * bound // PPM if spec.committee_step.relative else bound
    if abs(act.value - old) > allowed:
        return Rejected(code="step_too_large", message=f"{act.name} may move by {allowed}")
    cooldown = registry.get_int("committee.cooldown_ms")
    last = last_change.get(act.name)
    if last is not None and now < last + cooldown:
        return Rejected(code="cooldown_active", message=f"{act.name} again from {last + cooldown}")
    return CommitteePlan(writes={act.name: act.value}, cooled=act.name)


def _suspend_plan(
    registry: ParameterRegistry, act: SuspendOracleSigner
) -> CommitteePlan | Rejected:
    if not registry.has_market(act.market_id):
        return Rejected(code="unknown_market", message=f"no listed market {act.market_id!r}")
    name = f"oracle.{act.market_id}.signers"
    signers = registry.get_keys(name)
    if act.signer not in signers:
        return Rejected(code="not_a_signer", message=f"{act.signer} is not an active signer")
    remaining = tuple(k for k in signers if k != act.signer)
    quorum = registry.get_int(f"oracle.{act.market_id}.quorum")
    if len(remaining) < quorum:
        return Rejected(
            code="quorum_would_break", message=f"{len(remaining)} signers left, quorum {quorum}"
        )
    return CommitteePlan(writes={name: remaining})


def plan_committee_action(
    registry: ParameterRegistry,
    holds: dict[str, EmergencyHold],
    last_change: dict[str, int],
    action: AnyCommitteeAction,
    now: int,
) -> CommitteePlan | Rejected:
    """What a committee act would change, or why it exceeds the committee's powers."""
    match action:
        case EmergencyStatus():
            plan = _status_plan(registry, holds, action, now)
        case EmergencyTighten():
            plan = _tighten_plan(registry, last_change, action, now)
        case SuspendOracleSigner():
            plan = _suspend_plan(registry, action)
    if isinstance(plan, Rejected):
        return plan
    refused = registry.check(plan.writes)
    return plan if refused is None else refused

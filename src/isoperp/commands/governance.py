"""Governance commands and the proposal and committee actions they carry.

Accounts and keys are STARK public keys written as lowercase hex strings ("0x...") because a
public key needs 252 bits, more than msgpack's integers hold, and because a canonical
encoding needs string dictionary keys. The gateway authenticates ``account``; committee
approvals are verified signatures inside the governance state machine.
"""

from enum import StrEnum

import msgspec

from isoperp.commands import Command
from isoperp.markets import MarketSpec

# A parameter value: an integer, a text (e.g. a market status), or a sorted set of keys.
ParamValue = int | str | tuple[str, ...]


class Action(msgspec.Struct, frozen=True, tag=True, kw_only=True):
    """Base of what a proposal asks an executor to do."""


class SetParameter(Action, frozen=True, kw_only=True):
    name: str
    value: ParamValue


class ListMarket(Action, frozen=True, kw_only=True):
    spec: MarketSpec
    oracle_signers: tuple[str, ...]
    oracle_quorum: int


class FinalSettleMarket(Action, frozen=True, kw_only=True):
    """Move a market to final settlement; the engine closes positions at the settlement price."""

    market_id: str


class DelistMarket(Action, frozen=True, kw_only=True):
    """Remove a market's parameters; allowed only once it is in final settlement."""

    market_id: str


class SetOracleSigners(Action, frozen=True, kw_only=True):
    market_id: str
    signers: tuple[str, ...]
    quorum: int


class SetCommittee(Action, frozen=True, kw_only=True):
    members: tuple[str, ...]
    threshold: int


class SetExecutorDelay(Action, frozen=True, kw_only=True):
    executor: str
    delay_ms: int


ProposalAction = (
    SetParameter
    | ListMarket
    | FinalSettleMarket
    | DelistMarket
    | SetOracleSigners
    | SetCommittee
    | SetExecutorDelay
)


class CommitteeAction(msgspec.Struct, frozen=True, tag=True, kw_only=True):
    """Base of what the emergency committee may do at once (tightening only)."""


class EmergencyStatus(CommitteeAction, frozen=True, kw_only=True):
    """Pause a market or make it reduce-only, expiring after ``duration_ms``."""

    market_id: str
    status: str  # "paused" or "reduce_only"
    duration_ms: int


class EmergencyTighten(CommitteeAction, frozen=True, kw_only=True):
    """Move one parameter in its tightening direction by a bounded step."""

    name: str
    value: int


class SuspendOracleSigner(CommitteeAction, frozen=True, kw_only=True):
    market_id: str
    signer: str


AnyCommitteeAction = EmergencyStatus | EmergencyTighten | SuspendOracleSigner


class VoteSupport(StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"  # counts toward quorum only


class Approval(msgspec.Struct, frozen=True, kw_only=True):
    """One committee member's STARK-curve signature over a committee message hash."""

    signer: str
    r: str
    s: str


class GovernanceCommand(Command, frozen=True, kw_only=True):
    """Base of governance commands."""


class MintGovTokens(GovernanceCommand, frozen=True, kw_only=True):
    account: str  # must be the ledger's minter
    to: str
    amount: int


class TransferGovTokens(GovernanceCommand, frozen=True, kw_only=True):
    account: str
    to: str
    amount: int


class DelegateVotes(GovernanceCommand, frozen=True, kw_only=True):
    account: str
    delegatee: str


class Propose(GovernanceCommand, frozen=True, kw_only=True):
    account: str
    executor: str
    actions: tuple[ProposalAction, ...]
    description: str = ""


class CastVote(GovernanceCommand, frozen=True, kw_only=True):
    account: str
    proposal_id: int
    support: VoteSupport


class QueueProposal(GovernanceCommand, frozen=True, kw_only=True):
    account: str
    proposal_id: int


class ExecuteProposal(GovernanceCommand, frozen=True, kw_only=True):
    """``payload_hash`` is what the caller believes it executes; a mismatch is refused."""

    account: str
    proposal_id: int
    payload_hash: str


class CancelProposal(GovernanceCommand, frozen=True, kw_only=True):
    account: str
    proposal_id: int


class CommitteeAct(GovernanceCommand, frozen=True, kw_only=True):
    action: AnyCommitteeAction
    nonce: int  # must equal the committee's next nonce: no replay
    expiry_ts: int  # approvals are void after this time
    approvals: tuple[Approval, ...]


class GovernanceTick(GovernanceCommand, frozen=True, kw_only=True):
    """Let time pass: expire emergency holds that are due."""


AnyGovernanceCommand = (
    MintGovTokens
    | TransferGovTokens
    | DelegateVotes
    | Propose
    | CastVote
    | QueueProposal
    | ExecuteProposal
    | CancelProposal
    | CommitteeAct
    | GovernanceTick
)

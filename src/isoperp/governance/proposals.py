"""Proposals and their lifecycle, after OpenZeppelin Governor.state() and dYdX's
DydxGovernor.getProposalState():

    Pending --(snapshot passes)--> Active --(vote ends)--> Defeated | Succeeded
    Succeeded --queue--> Queued --execute (eta <= now <= eta + grace)--> Executed
    Queued --(now > eta + grace)--> Expired;  Pending/Active/Succeeded/Queued --cancel--> Canceled

The state is derived from stored facts and the time, never stored itself, so it cannot
drift from them. Defeated, Executed, Expired and Canceled are terminal.
"""

import hashlib
from enum import StrEnum

import msgspec

from isoperp.commands.governance import ProposalAction, VoteSupport
from isoperp.governance.executors import ExecutorConfig, meets_differential, meets_quorum
from isoperp.governance.tokens import TokenLedger


class ProposalState(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    CANCELED = "canceled"
    DEFEATED = "defeated"
    SUCCEEDED = "succeeded"
    QUEUED = "queued"
    EXPIRED = "expired"
    EXECUTED = "executed"


TERMINAL = frozenset(
    {ProposalState.DEFEATED, ProposalState.EXECUTED, ProposalState.EXPIRED, ProposalState.CANCELED}
)


class Proposal(msgspec.Struct, kw_only=True):
    proposal_id: int
    proposer: str
    executor: str
    actions: tuple[ProposalAction, ...]
    description: str
    payload_hash: str  # fixed at creation; execution must present the same hash
    created_ts: int
    snapshot_ts: int  # vote weight is power at the end of this millisecond
    vote_end_ts: int  # votes are accepted while snapshot_ts < now <= vote_end_ts
    for_votes: int = 0
    against_votes: int = 0
    abstain_votes: int = 0
    votes: dict[str, VoteSupport] = {}
    eta_ts: int = 0  # 0 until queued
    executed: bool = False
    canceled: bool = False

    def tally(self, support: VoteSupport, weight: int) -> None:
        if support is VoteSupport.FOR:
            self.for_votes += weight
        elif support is VoteSupport.AGAINST:
            self.against_votes += weight
        else:
            self.abstain_votes += weight


def payload_hash(executor: str, actions: tuple[ProposalAction, ...]) -> str:
    """blake2b-256 of the executor and actions in canonical JSON, as hex."""
    encoded = msgspec.json.encode({"executor": executor, "actions": actions}, order="deterministic")
    return hashlib.blake2b(encoded, digest_size=32, person=b"isoperp.proposal").hexdigest()


def has_passed(proposal: Proposal, executor: ExecutorConfig, ledger: TokenLedger, now: int) -> bool:
    """Quorum and vote differential against the supply at the snapshot."""
    supply = ledger.supply_at(proposal.snapshot_ts, now)
    return meets_quorum(executor, proposal.for_votes, proposal.abstain_votes, supply) and (
        meets_differential(executor, proposal.for_votes, proposal.against_votes, supply)
    )


def proposal_state(
    proposal: Proposal, executor: ExecutorConfig, ledger: TokenLedger, now: int
) -> ProposalState:
    if proposal.canceled:
        return ProposalState.CANCELED
    if proposal.executed:
        return ProposalState.EXECUTED
    if now <= proposal.snapshot_ts:
        return ProposalState.PENDING
    if now <= proposal.vote_end_ts:
        return ProposalState.ACTIVE
    if not has_passed(proposal, executor, ledger, now):
        return ProposalState.DEFEATED
    if proposal.eta_ts == 0:
        return ProposalState.SUCCEEDED
    if now > proposal.eta_ts + executor.grace_period_ms:
        return ProposalState.EXPIRED
    return ProposalState.QUEUED

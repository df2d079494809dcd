"""Governance events: every parameter change, vote, proposal transition and committee act."""

from isoperp.commands.governance import AnyCommitteeAction, ParamValue, VoteSupport
from isoperp.events import Event


class ParameterChanged(Event, frozen=True, kw_only=True):
    """A registry value changed; it is in force from the next command on.

    ``old`` is None for a value created by listing, ``new`` is None for one removed by
    delisting. ``by`` is "proposal:<id>", "committee:<nonce>" or "expiry".
    """

    name: str
    old: ParamValue | None
    new: ParamValue | None
    by: str


class MarketListed(Event, frozen=True, kw_only=True):
    market_id: str
    by: str


class MarketDelisted(Event, frozen=True, kw_only=True):
    market_id: str
    by: str


class ExecutorDelayChanged(Event, frozen=True, kw_only=True):
    executor: str
    old_ms: int
    new_ms: int
    by: str


class TokensMinted(Event, frozen=True, kw_only=True):
    to: str
    amount: int


class TokensTransferred(Event, frozen=True, kw_only=True):
    sender: str
    to: str
    amount: int


class VotesDelegated(Event, frozen=True, kw_only=True):
    account: str
    delegatee: str


class ProposalCreated(Event, frozen=True, kw_only=True):
    proposal_id: int
    proposer: str
    executor: str
    payload_hash: str
    snapshot_ts: int
    vote_end_ts: int
    description: str


class VoteCast(Event, frozen=True, kw_only=True):
    proposal_id: int
    voter: str
    support: VoteSupport
    weight: int


class ProposalQueued(Event, frozen=True, kw_only=True):
    proposal_id: int
    eta_ts: int


class ProposalExecuted(Event, frozen=True, kw_only=True):
    proposal_id: int


class ProposalCanceled(Event, frozen=True, kw_only=True):
    proposal_id: int
    by: str


class CommitteeActed(Event, frozen=True, kw_only=True):
    """The committee acted at once; ``signers`` are the members whose approvals counted."""

    nonce: int
    action: AnyCommitteeAction
    signers: tuple[str, ...]


class EmergencyHoldExpired(Event, frozen=True, kw_only=True):
    market_id: str
    restored_status: str

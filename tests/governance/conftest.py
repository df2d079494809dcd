"""A driver for the governance state machine over the documented default genesis."""

from collections.abc import Callable
from typing import Any

import pytest

from isoperp.commands.governance import (
    CancelProposal,
    CastVote,
    CommitteeAct,
    DelegateVotes,
    ExecuteProposal,
    GovernanceTick,
    ProposalAction,
    Propose,
    QueueProposal,
    TransferGovTokens,
    VoteSupport,
)
from isoperp.events import Event, Rejected
from isoperp.governance import GovernanceState, ProposalState, approve
from isoperp.governance.simulate import alias_key, alias_private_key, build_genesis

DAY = 86_400_000
HOUR = 3_600_000


class Gov:
    """Commands at a moving clock; ``ok`` and ``refused`` check what apply returned."""

    def __init__(self, state: GovernanceState | None = None) -> None:
        self.state = state if state is not None else build_genesis("default")
        self.ts = self.state.now

    def key(self, alias: str) -> str:
        return alias_key(alias)

    def at(self, ts: int) -> "Gov":
        self.ts = ts
        return self

    def wait(self, ms: int) -> "Gov":
        self.ts += ms
        return self

    def apply(self, make: Callable[..., Any], **fields: Any) -> list[Event]:
        return self.state.apply(make(ts=self.ts, **fields))

    def ok(self, make: Callable[..., Any], **fields: Any) -> list[Event]:
        events = self.apply(make, **fields)
        assert not any(isinstance(e, Rejected) for e in events), events
        return events

    def refused(self, code: str, make: Callable[..., Any], **fields: Any) -> Rejected:
        """The command is refused with ``code`` and changes nothing but the clock."""
        self.state.advance_to(self.ts)
        before = self.state.digest()
        events = self.apply(make, **fields)
        assert len(events) == 1 and isinstance(events[0], Rejected), events
        assert events[0].code == code, events[0]
        assert self.state.digest() == before
        return events[0]

    def propose(
        self, by: str, actions: list[ProposalAction], executor: str = "short", desc: str = ""
    ) -> int:
        self.ok(
            Propose,
            account=self.key(by),
            executor=executor,
            actions=tuple(actions),
            description=desc,
        )
        return len(self.state.proposals)

    def vote(self, by: str, pid: int, support: str = "for") -> list[Event]:
        return self.ok(
            CastVote, account=self.key(by), proposal_id=pid, support=VoteSupport(support)
        )

    def queue(self, pid: int) -> list[Event]:
        return self.ok(QueueProposal, account=self.key("carol"), proposal_id=pid)

    def execute(self, pid: int) -> list[Event]:
        proposal = self.state.proposals[pid - 1]
        return self.ok(
            ExecuteProposal,
            account=self.key("carol"),
            proposal_id=pid,
            payload_hash=proposal.payload_hash,
        )

    def state_of(self, pid: int) -> ProposalState:
        self.state.advance_to(self.ts)
        return self.state.state_of(self.state.proposals[pid - 1])

    def to_vote(self, pid: int) -> "Gov":
        """Move to the first millisecond of voting."""
        return self.at(self.state.proposals[pid - 1].snapshot_ts + 1)

    def to_vote_end(self, pid: int) -> "Gov":
        return self.at(self.state.proposals[pid - 1].vote_end_ts + 1)

    def pass_and_queue(self, pid: int) -> int:
        """Alice (60%) votes For; queue right after voting; return the eta."""
        self.to_vote(pid).vote("alice", pid)
        self.to_vote_end(pid).queue(pid)
        return self.state.proposals[pid - 1].eta_ts

    def enact(self, by: str, actions: list[ProposalAction], executor: str = "short") -> int:
        """Propose, pass, queue and execute at the earliest moment; return the proposal id."""
        pid = self.propose(by, actions, executor)
        self.at(self.pass_and_queue(pid)).execute(pid)
        return pid

    def committee(
        self, signers: list[str], action: Any, nonce: int | None = None, expiry: int | None = None
    ) -> CommitteeAct:
        """A committee command signed by the aliases in ``signers``."""
        nonce = self.state.committee_nonce if nonce is None else nonce
        expiry = self.ts + HOUR if expiry is None else expiry
        approvals = tuple(approve(alias_private_key(a), action, nonce, expiry) for a in signers)
        return CommitteeAct(
            ts=self.ts, action=action, nonce=nonce, expiry_ts=expiry, approvals=approvals
        )

    def tick(self) -> list[Event]:
        return self.ok(GovernanceTick)

    def transfer(self, sender: str, to: str, amount: int) -> list[Event]:
        return self.ok(TransferGovTokens, account=self.key(sender), to=self.key(to), amount=amount)

    def delegate(self, account: str, to: str) -> list[Event]:
        return self.ok(DelegateVotes, account=self.key(account), delegatee=self.key(to))

    def cancel(self, by: str, pid: int) -> list[Event]:
        return self.state.apply(CancelProposal(ts=self.ts, account=self.key(by), proposal_id=pid))


@pytest.fixture
def gov() -> Gov:
    return Gov()


@pytest.fixture(scope="session")
def fresh_gov() -> Callable[[], Gov]:
    """A factory, for hypothesis tests (which may not use function-scoped fixtures)."""
    return Gov

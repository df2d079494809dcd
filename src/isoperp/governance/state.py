"""The composed governance state machine: registry, token ledger, proposals, executors and
the emergency committee, advanced only by commands.

``apply(cmd)`` first lets time pass to ``cmd.ts`` (expiring due emergency holds; the
engine should call ``advance_to`` itself before every command, governance or trading, so
those expiries are in force for trading too), then handles the command. A refused command
yields one ``Rejected`` and changes nothing: every handler checks everything before it
mutates anything.
"""

import hashlib
from collections.abc import Callable
from typing import Any

import msgspec

from isoperp.commands.governance import (
    AnyGovernanceCommand,
    CancelProposal,
    CastVote,
    CommitteeAct,
    DelegateVotes,
    ExecuteProposal,
    GovernanceTick,
    MintGovTokens,
    Propose,
    QueueProposal,
    TransferGovTokens,
)
from isoperp.events import Event, Rejected
from isoperp.events.governance import (
    CommitteeActed,
    EmergencyHoldExpired,
    ExecutorDelayChanged,
    MarketDelisted,
    MarketListed,
    ProposalCanceled,
    ProposalCreated,
    ProposalExecuted,
    ProposalQueued,
    TokensMinted,
    TokensTransferred,
    VoteCast,
    VotesDelegated,
)
from isoperp.governance.actions import Plan, plan_actions
from isoperp.governance.committee import (
    EmergencyHold,
    committee_message,
    plan_committee_action,
    verified_signers,
)
from isoperp.governance.executors import ExecutorConfig, can_propose
from isoperp.governance.keys import parse_key
from isoperp.governance.proposals import (
    TERMINAL,
    Proposal,
    ProposalState,
    payload_hash,
    proposal_state,
)
from isoperp.governance.registry import ParameterRegistry
from isoperp.governance.tokens import MAX_SUPPLY, TokenLedger
from isoperp.numeric import MAX_TIMESTAMP_MS

MAX_ACTIONS = 32
MAX_DESCRIPTION = 4096


def _refuse(code: str, message: str) -> list[Event]:
    return [Rejected(code=code, message=message)]


class GovernanceState(msgspec.Struct, kw_only=True):
    now: int  # the latest command timestamp seen
    registry: ParameterRegistry
    ledger: TokenLedger
    executors: dict[str, ExecutorConfig]
    token_minter: str  # the one account allowed to mint ("" for none)
    proposals: list[Proposal] = []  # proposal n is proposals[n - 1]
    committee_nonce: int = 0
    holds: dict[str, EmergencyHold] = {}  # market id -> emergency status in force
    committee_last_change: dict[str, int] = {}  # parameter -> time of the last committee step

    # ---- public interface ---------------------------------------------------------------

    def apply(self, cmd: AnyGovernanceCommand) -> list[Event]:
        if type(cmd.ts) is not int or not self.now <= cmd.ts <= MAX_TIMESTAMP_MS:
            return _refuse("stale_timestamp", f"ts {cmd.ts} is before {self.now} or invalid")
        events = self.advance_to(cmd.ts)
        handler = _HANDLERS.get(type(cmd))
        if handler is None:
            return [*events, Rejected(code="unknown_command", message=type(cmd).__name__)]
        return [*events, *handler(self, cmd)]

    def advance_to(self, ts: int) -> list[Event]:
        """Move the clock to ``ts`` and expire the emergency holds that are due by then."""
        self.now = max(self.now, ts)
        events: list[Event] = []
        for market_id in sorted(self.holds):
            hold = self.holds[market_id]
            if hold.expires_ts > self.now:
                continue
            del self.holds[market_id]
            name = f"market.{market_id}.status"
            if self.registry.values.get(name) == hold.status:
                events += self.registry.commit({name: hold.restore}, by="expiry")
                events.append(
                    EmergencyHoldExpired(market_id=market_id, restored_status=hold.restore)
                )
        return events

    def proposal(self, proposal_id: int) -> Proposal | None:
        if type(proposal_id) is int and 1 <= proposal_id <= len(self.proposals):
            return self.proposals[proposal_id - 1]
        return None

    def state_of(self, proposal: Proposal) -> ProposalState:
        return proposal_state(proposal, self.executors[proposal.executor], self.ledger, self.now)

    def digest(self) -> bytes:
        """blake2b-256 of the whole state as JSON with sorted keys."""
        return hashlib.blake2b(encode_state(self), digest_size=32, person=b"isoperp.gov").digest()

    # ---- tokens -------------------------------------------------------------------------

    def _amount_problem(self, *accounts: str, amount: int) -> list[Event] | None:
        for account in accounts:
            if parse_key(account) is None:
                return _refuse("bad_account", f"{account!r} is not a canonical public key")
        if type(amount) is not int or not 0 < amount <= MAX_SUPPLY:
            return _refuse("bad_amount", f"amount must be an integer in (0, {MAX_SUPPLY}]")
        return None

    def _mint(self, cmd: MintGovTokens) -> list[Event]:
        if not self.token_minter or cmd.account != self.token_minter:
            return _refuse("not_minter", f"{cmd.account} may not mint")
        refused = self._amount_problem(cmd.to, amount=cmd.amount)
        if refused:
            return refused
        if self.ledger.total_supply() + cmd.amount > MAX_SUPPLY:
            return _refuse("supply_cap", f"supply may not exceed {MAX_SUPPLY}")
        self.ledger.mint(cmd.to, cmd.amount, self.now)
        return [TokensMinted(to=cmd.to, amount=cmd.amount)]

    def _transfer(self, cmd: TransferGovTokens) -> list[Event]:
        refused = self._amount_problem(cmd.account, cmd.to, amount=cmd.amount)
        if refused:
            return refused
        if cmd.amount > self.ledger.balance_of(cmd.account):
            return _refuse("insufficient_balance", f"{cmd.account} holds less than {cmd.amount}")
        self.ledger.transfer(cmd.account, cmd.to, cmd.amount, self.now)
        return [TokensTransferred(sender=cmd.account, to=cmd.to, amount=cmd.amount)]

    def _delegate(self, cmd: DelegateVotes) -> list[Event]:
        if parse_key(cmd.account) is None or parse_key(cmd.delegatee) is None:
            return _refuse("bad_account", "account and delegatee must be canonical public keys")
        self.ledger.delegate(cmd.account, cmd.delegatee, self.now)
        return [VotesDelegated(account=cmd.account, delegatee=cmd.delegatee)]

    # ---- proposals ----------------------------------------------------------------------

    def _above_threshold(self, account: str, executor: ExecutorConfig) -> bool:
        """Proposition power one millisecond ago (dYdX checks at block.number - 1)."""
        if self.now < 1:
            return False
        past = self.now - 1
        power = self.ledger.power_at(account, past, self.now)
        return can_propose(executor, power, self.ledger.supply_at(past, self.now))

    def _propose(self, cmd: Propose) -> list[Event]:
        executor = self.executors.get(cmd.executor)
        if executor is None:
            return _refuse("unknown_executor", f"no executor {cmd.executor!r}")
        if not 0 < len(cmd.actions) <= MAX_ACTIONS:
            return _refuse("bad_actions", f"a proposal carries 1 to {MAX_ACTIONS} actions")
        if len(cmd.description) > MAX_DESCRIPTION:
            return _refuse("description_too_long", f"at most {MAX_DESCRIPTION} characters")
        if not self._above_threshold(cmd.account, executor):
            return _refuse("below_threshold", f"{cmd.account} lacks proposition power")
        digest = payload_hash(cmd.executor, cmd.actions)
        for other in self.proposals:
            if other.payload_hash == digest and self.state_of(other) not in TERMINAL:
                return _refuse("duplicate_proposal", f"proposal {other.proposal_id} is the same")
        plan = plan_actions(self.registry, self.executors, cmd.actions)
        if isinstance(plan, Rejected):
            return [plan]
        if plan.rank > executor.rank:
            return _refuse("executor_insufficient", plan.reason)
        snapshot = self.now + self.registry.get_int("governance.voting_delay_ms")
        proposal = Proposal(
            proposal_id=len(self.proposals) + 1,
            proposer=cmd.account,
            executor=cmd.executor,
            actions=cmd.actions,
            description=cmd.description,
            payload_hash=digest,
            created_ts=self.now,
            snapshot_ts=snapshot,
            vote_end_ts=snapshot + executor.voting_period_ms,
        )
        self.proposals.append(proposal)
        return [
            ProposalCreated(
                proposal_id=proposal.proposal_id,
                proposer=proposal.proposer,
                executor=proposal.executor,
                payload_hash=digest,
                snapshot_ts=proposal.snapshot_ts,
                vote_end_ts=proposal.vote_end_ts,
                description=proposal.description,
            )
        ]

    def _find(self, proposal_id: int) -> Proposal | list[Event]:
        proposal = self.proposal(proposal_id)
        return proposal if proposal is not None else _refuse("unknown_proposal", f"{proposal_id}")

    def _vote(self, cmd: CastVote) -> list[Event]:
        proposal = self._find(cmd.proposal_id)
        if isinstance(proposal, list):
            return proposal
        state = self.state_of(proposal)
        if state is not ProposalState.ACTIVE:
            return _refuse("voting_closed", f"proposal {proposal.proposal_id} is {state}")
        if cmd.account in proposal.votes:
            return _refuse("already_voted", f"{cmd.account} voted on {proposal.proposal_id}")
        weight = self.ledger.power_at(cmd.account, proposal.snapshot_ts, self.now)
        if weight == 0:
            return _refuse("no_voting_power", f"{cmd.account} had no power at the snapshot")
        proposal.votes[cmd.account] = cmd.support
        proposal.tally(cmd.support, weight)
        return [
            VoteCast(
                proposal_id=proposal.proposal_id,
                voter=cmd.account,
                support=cmd.support,
                weight=weight,
            )
        ]

    def _queue(self, cmd: QueueProposal) -> list[Event]:
        proposal = self._find(cmd.proposal_id)
        if isinstance(proposal, list):
            return proposal
        state = self.state_of(proposal)
        if state is not ProposalState.SUCCEEDED:
            return _refuse("not_succeeded", f"proposal {proposal.proposal_id} is {state}")
        proposal.eta_ts = self.now + self.executors[proposal.executor].delay_ms
        return [ProposalQueued(proposal_id=proposal.proposal_id, eta_ts=proposal.eta_ts)]

    def _execute(self, cmd: ExecuteProposal) -> list[Event]:
        proposal = self._find(cmd.proposal_id)
        if isinstance(proposal, list):
            return proposal
        state = self.state_of(proposal)
        if state is not ProposalState.QUEUED:
            code = {
                ProposalState.EXECUTED: "already_executed",
                ProposalState.EXPIRED: "expired",
            }.get(state, "not_queued")
            return _refuse(code, f"proposal {proposal.proposal_id} is {state}")
        if self.now < proposal.eta_ts:
            return _refuse("timelock_not_finished", f"executable from {proposal.eta_ts}")
        if cmd.payload_hash != proposal.payload_hash:
            return _refuse("payload_mismatch", f"proposal payload is {proposal.payload_hash}")
        if payload_hash(proposal.executor, proposal.actions) != proposal.payload_hash:
            return _refuse("payload_tampered", "stored actions no longer match their hash")
        executor = self.executors[proposal.executor]
        plan = plan_actions(self.registry, self.executors, proposal.actions)
        if isinstance(plan, Rejected):
            return _refuse(plan.code, f"at execution: {plan.message}")
        if plan.rank > executor.rank:
            return _refuse("executor_insufficient", f"at execution: {plan.reason}")
        proposal.executed = True
        return [ProposalExecuted(proposal_id=proposal.proposal_id), *self._commit(plan, proposal)]

    def _commit(self, plan: Plan, proposal: Proposal) -> list[Event]:
        by = f"proposal:{proposal.proposal_id}"
        events: list[Event] = [*self.registry.commit(plan.writes, by)]
        for market_id in plan.status_set:
            self.holds.pop(market_id, None)  # governance now owns the status: no expiry
        for name, delay in sorted(plan.delays.items()):
            config = self.executors[name]
            events.append(
                ExecutorDelayChanged(executor=name, old_ms=config.delay_ms, new_ms=delay, by=by)
            )
            config.delay_ms = delay
        events += [MarketListed(market_id=m, by=by) for m in plan.listed]
        events += [MarketDelisted(market_id=m, by=by) for m in plan.delisted]
        return events

    def _cancel(self, cmd: CancelProposal) -> list[Event]:
        proposal = self._find(cmd.proposal_id)
        if isinstance(proposal, list):
            return proposal
        state = self.state_of(proposal)
        if state in TERMINAL:
            return _refuse("not_cancelable", f"proposal {proposal.proposal_id} is {state}")
        executor = self.executors[proposal.executor]
        if cmd.account != proposal.proposer and self._above_threshold(proposal.proposer, executor):
            return _refuse("proposer_above_threshold", "only the proposer may cancel now")
        proposal.canceled = True
        return [ProposalCanceled(proposal_id=proposal.proposal_id, by=cmd.account)]

    # ---- committee ----------------------------------------------------------------------

    def _committee(self, cmd: CommitteeAct) -> list[Event]:
        if cmd.nonce != self.committee_nonce:
            return _refuse("bad_nonce", f"expected nonce {self.committee_nonce}, got {cmd.nonce}")
        if type(cmd.expiry_ts) is not int or not self.now <= cmd.expiry_ts <= MAX_TIMESTAMP_MS:
            return _refuse("approval_expired", f"approvals expired at {cmd.expiry_ts}")
        signers = verified_signers(
            self.registry.get_keys("committee.members"),
            self.registry.get_int("committee.threshold"),
            cmd.approvals,
            committee_message(cmd.action, cmd.nonce, cmd.expiry_ts),
        )
        if isinstance(signers, Rejected):
            return [signers]
        plan = plan_committee_action(
            self.registry, self.holds, self.committee_last_change, cmd.action, self.now
        )
        if isinstance(plan, Rejected):
            return [plan]
        self.committee_nonce += 1
        if plan.hold is not None:
            self.holds[plan.hold[0]] = plan.hold[1]
        if plan.cooled is not None:
            self.committee_last_change[plan.cooled] = self.now
        acted = CommitteeActed(nonce=cmd.nonce, action=cmd.action, signers=signers)
        return [acted, *self.registry.commit(plan.writes, by=f"committee:{cmd.nonce}")]

    def _tick(self, cmd: GovernanceTick) -> list[Event]:
        return []


_HANDLERS: dict[type, Callable[[GovernanceState, Any], list[Event]]] = {
    MintGovTokens: GovernanceState._mint,
    TransferGovTokens: GovernanceState._transfer,
    DelegateVotes: GovernanceState._delegate,
    Propose: GovernanceState._propose,
    CastVote: GovernanceState._vote,
    QueueProposal: GovernanceState._queue,
    ExecuteProposal: GovernanceState._execute,
    CancelProposal: GovernanceState._cancel,
    CommitteeAct: GovernanceState._committee,
    GovernanceTick: GovernanceState._tick,
}


def encode_state(state: GovernanceState) -> bytes:
    """The canonical snapshot: JSON with sorted keys (keys are hex text, so msgpack's 64-bit
    integers are not a limit); ``decode_state`` reads it back to an equal state."""
    return msgspec.json.encode(state, order="deterministic")


def decode_state(data: bytes) -> GovernanceState:
    return msgspec.json.decode(data, type=GovernanceState)

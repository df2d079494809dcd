"""Every proposal state and every illegal transition (after OpenZeppelin's Governor tests)."""

import pytest

from isoperp.commands.governance import (
    CancelProposal,
    CastVote,
    ExecuteProposal,
    Propose,
    QueueProposal,
    SetParameter,
    VoteSupport,
)
from isoperp.governance import ProposalState, payload_hash

DAY = 86_400_000
IMF = "market.BTC-USD.initial_margin_ppm"
RAISE_IMF = SetParameter(name=IMF, value=60_000)


def test_pending_until_the_snapshot_then_active_through_the_vote_end(gov):
    pid = gov.wait(1).propose("alice", [RAISE_IMF])
    proposal = gov.state.proposals[0]
    assert proposal.snapshot_ts == gov.ts + DAY  # governance.voting_delay_ms
    assert proposal.vote_end_ts == proposal.snapshot_ts + 4 * DAY  # short voting period
    assert gov.at(proposal.snapshot_ts).state_of(pid) is ProposalState.PENDING
    gov.refused("voting_closed", CastVote, account=gov.key("alice"), proposal_id=pid, support="for")
    assert gov.at(proposal.snapshot_ts + 1).state_of(pid) is ProposalState.ACTIVE
    gov.at(proposal.vote_end_ts).vote("alice", pid)  # the last millisecond of voting
    assert gov.state_of(pid) is ProposalState.ACTIVE
    assert gov.wait(1).state_of(pid) is ProposalState.SUCCEEDED
    gov.refused("voting_closed", CastVote, account=gov.key("bob"), proposal_id=pid, support="for")


def test_defeated_without_votes_and_with_a_majority_against(gov):
    quiet = gov.wait(1).propose("alice", [RAISE_IMF])
    against = gov.propose("bob", [SetParameter(name=IMF, value=70_000)])
    gov.to_vote(against).vote("alice", against, "against")
    gov.vote("bob", against, "for")
    gov.to_vote_end(against)
    assert gov.state_of(quiet) is ProposalState.DEFEATED
    assert gov.state_of(against) is ProposalState.DEFEATED
    for pid in (quiet, against):
        gov.refused("not_succeeded", QueueProposal, account=gov.key("carol"), proposal_id=pid)


def test_queued_executes_from_eta_and_only_once(gov):
    pid = gov.wait(1).propose("alice", [RAISE_IMF])
    gov.refused("not_succeeded", QueueProposal, account=gov.key("carol"), proposal_id=pid)
    eta = gov.pass_and_queue(pid)
    assert eta == gov.ts + 2 * DAY  # the short timelock's delay
    assert gov.state_of(pid) is ProposalState.QUEUED
    payload = gov.state.proposals[0].payload_hash
    execute = {"account": gov.key("carol"), "proposal_id": pid, "payload_hash": payload}
    gov.refused("not_succeeded", QueueProposal, account=gov.key("carol"), proposal_id=pid)
    gov.at(eta - 1).refused("timelock_not_finished", ExecuteProposal, **execute)
    assert gov.state.registry.market_spec("BTC-USD").initial_margin_ppm == 50_000
    events = gov.at(eta).execute(pid)
    assert [type(e).__name__ for e in events] == ["ProposalExecuted", "ParameterChanged"]
    assert gov.state.registry.market_spec("BTC-USD").initial_margin_ppm == 60_000
    assert gov.state_of(pid) is ProposalState.EXECUTED
    gov.refused("already_executed", ExecuteProposal, **execute)


def test_executable_at_the_last_millisecond_of_grace_then_expired(fresh_gov):
    late, on_time = fresh_gov(), fresh_gov()
    for run in (late, on_time):
        pid = run.wait(1).propose("alice", [RAISE_IMF])
        grace_end = run.pass_and_queue(pid) + 7 * DAY
    on_time.at(grace_end).execute(pid)
    assert on_time.state.registry.market_spec("BTC-USD").initial_margin_ppm == 60_000
    assert late.at(grace_end).state_of(pid) is ProposalState.QUEUED
    assert late.at(grace_end + 1).state_of(pid) is ProposalState.EXPIRED
    payload = late.state.proposals[0].payload_hash
    late.refused(
        "expired", ExecuteProposal, account=late.key("carol"), proposal_id=pid, payload_hash=payload
    )
    assert late.state.registry.market_spec("BTC-USD").initial_margin_ppm == 50_000


def test_not_queued_proposals_cannot_execute(gov):
    pid = gov.wait(1).propose("alice", [RAISE_IMF])
    payload = gov.state.proposals[0].payload_hash
    execute = {"account": gov.key("carol"), "proposal_id": pid, "payload_hash": payload}
    gov.refused("not_queued", ExecuteProposal, **execute)  # pending
    gov.to_vote(pid).vote("alice", pid)
    gov.refused("not_queued", ExecuteProposal, **execute)  # active
    gov.to_vote_end(pid)
    gov.refused("not_queued", ExecuteProposal, **execute)  # succeeded
    gov.refused("unknown_proposal", ExecuteProposal, **{**execute, "proposal_id": 99})


@pytest.mark.parametrize("stage", ["pending", "active", "succeeded", "queued"])
def test_the_proposer_cancels_in_any_live_state(gov, stage):
    pid = gov.wait(1).propose("alice", [RAISE_IMF])
    if stage != "pending":
        gov.to_vote(pid).vote("alice", pid)
    if stage in ("succeeded", "queued"):
        gov.to_vote_end(pid)
    if stage == "queued":
        gov.queue(pid)
    assert gov.state_of(pid).value == stage
    gov.refused("proposer_above_threshold", CancelProposal, account=gov.key("bob"), proposal_id=pid)
    events = gov.cancel("alice", pid)
    assert type(events[-1]).__name__ == "ProposalCanceled"
    assert gov.state_of(pid) is ProposalState.CANCELED


def test_anyone_cancels_once_the_proposers_power_falls_below_threshold(gov):
    pid = gov.wait(1).propose("carol", [RAISE_IMF])
    gov.refused("proposer_above_threshold", CancelProposal, account=gov.key("bob"), proposal_id=pid)
    gov.transfer("carol", "bob", 100_000_000 - 4_000_000)  # carol keeps 0.4% < 0.5%
    gov.wait(1)  # power is judged one millisecond back
    gov.cancel("bob", pid)
    assert gov.state_of(pid) is ProposalState.CANCELED


def _drive_to(gov, terminal: ProposalState) -> int:
    pid = gov.wait(1).propose("alice", [RAISE_IMF])
    if terminal is ProposalState.CANCELED:
        gov.cancel("alice", pid)
    elif terminal is ProposalState.DEFEATED:
        gov.to_vote_end(pid)
    else:
        eta = gov.pass_and_queue(pid)
        if terminal is ProposalState.EXECUTED:
            gov.at(eta).execute(pid)
        else:
            gov.at(eta + 7 * DAY + 1)
    assert gov.state_of(pid) is terminal
    return pid


@pytest.mark.parametrize(
    "terminal",
    [ProposalState.CANCELED, ProposalState.DEFEATED, ProposalState.EXECUTED, ProposalState.EXPIRED],
)
def test_terminal_states_stay_terminal(gov, terminal):
    pid = _drive_to(gov, terminal)
    payload = gov.state.proposals[0].payload_hash
    for later in (1, 30 * DAY, 400 * DAY):
        gov.wait(later)
        assert gov.state_of(pid) is terminal
        who = {"account": gov.key("alice"), "proposal_id": pid}
        gov.refused("voting_closed", CastVote, **who, support=VoteSupport.FOR)
        gov.refused("not_succeeded", QueueProposal, **who)
        gov.refused("not_cancelable", CancelProposal, **who)
        code = {ProposalState.EXECUTED: "already_executed", ProposalState.EXPIRED: "expired"}
        gov.refused(code.get(terminal, "not_queued"), ExecuteProposal, **who, payload_hash=payload)


def test_a_duplicate_is_refused_while_the_first_is_live(gov):
    first = gov.wait(1).propose("alice", [RAISE_IMF])
    gov.refused(
        "duplicate_proposal",
        Propose,
        account=gov.key("bob"),
        executor="short",
        actions=(RAISE_IMF,),
    )
    gov.cancel("alice", first)
    assert gov.propose("bob", [RAISE_IMF]) == 2


def test_execution_must_name_the_payload_it_executes(gov):
    pid = gov.wait(1).propose("alice", [RAISE_IMF])
    eta = gov.pass_and_queue(pid)
    wrong = payload_hash("short", (SetParameter(name=IMF, value=61_000),))
    gov.at(eta).refused(
        "payload_mismatch",
        ExecuteProposal,
        account=gov.key("bob"),
        proposal_id=pid,
        payload_hash=wrong,
    )
    proposal = gov.state.proposals[0]
    proposal.actions = (SetParameter(name=IMF, value=61_000),)  # tampering with stored state
    gov.refused(
        "payload_tampered",
        ExecuteProposal,
        account=gov.key("bob"),
        proposal_id=pid,
        payload_hash=proposal.payload_hash,
    )

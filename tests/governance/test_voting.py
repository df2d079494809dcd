"""Vote weight is power at the snapshot; passing needs quorum and the vote differential."""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isoperp.commands.governance import (
    CastVote,
    Propose,
    SetParameter,
    TransferGovTokens,
    VoteSupport,
)
from isoperp.events.governance import VoteCast
from isoperp.governance import GovernanceState, PowerNotFinal, ProposalState
from isoperp.governance.simulate import DEFAULT_GENESIS, alias_key, build_genesis
from isoperp.governance.tokens import TokenLedger

IMF = "market.BTC-USD.initial_margin_ppm"
RAISE = SetParameter(name=IMF, value=60_000)
VOTERS = ["alice", "bob", "carol", "dave"]


def _vote_weights(gov, pid):
    """Every account votes For; the weight each vote carried."""
    weights = {}
    for voter in VOTERS:
        cmd = CastVote(ts=gov.ts, account=gov.key(voter), proposal_id=pid, support="for")
        for event in gov.state.apply(cmd):
            if isinstance(event, VoteCast):
                weights[voter] = event.weight
    return weights


def test_weight_is_power_at_the_snapshot_whatever_moves_after(fresh_gov):
    calm, busy = fresh_gov(), fresh_gov()
    for run in (calm, busy):
        pid = run.wait(1).propose("carol", [RAISE])
        run.to_vote(pid)
    busy.transfer("alice", "dave", 500_000_000)  # moved after the snapshot
    busy.delegate("bob", "carol")  # delegated after the snapshot
    assert busy.state.ledger.current_power(busy.key("carol")) == 400_000_000
    expected = {"alice": 600_000_000, "bob": 300_000_000, "carol": 100_000_000}
    assert _vote_weights(calm, pid) == expected
    assert _vote_weights(busy, pid) == expected  # dave got his tokens too late to count


def test_power_moved_before_the_snapshot_counts_for_the_new_holder(gov):
    pid = gov.wait(1).propose("alice", [RAISE])
    gov.delegate("bob", "carol")  # within the voting delay: before the snapshot
    gov.to_vote(pid)
    gov.refused("no_voting_power", CastVote, account=gov.key("bob"), proposal_id=pid, support="for")
    (cast,) = gov.vote("carol", pid)
    assert cast.weight == 400_000_000


def test_a_flash_loan_weighs_nothing(gov):
    """Beanstalk: borrowed power must neither propose nor vote."""
    gov.wait(1)
    gov.transfer("alice", "mallory", 600_000_000)  # borrowed ...
    gov.refused(
        "below_threshold", Propose, account=gov.key("mallory"), executor="short", actions=(RAISE,)
    )
    gov.transfer("mallory", "alice", 600_000_000)  # ... and repaid in the same millisecond
    pid = gov.wait(1).propose("bob", [RAISE])
    gov.to_vote(pid)
    gov.transfer("alice", "mallory", 600_000_000)
    gov.refused(
        "no_voting_power", CastVote, account=gov.key("mallory"), proposal_id=pid, support="for"
    )


def test_one_vote_per_account(gov):
    pid = gov.wait(1).propose("alice", [RAISE])
    gov.to_vote(pid).vote("bob", pid, "against")
    for support in ("for", "against", "abstain"):
        gov.refused(
            "already_voted", CastVote, account=gov.key("bob"), proposal_id=pid, support=support
        )


def test_power_is_known_only_for_the_past():
    ledger = TokenLedger()
    ledger.mint("0x1", 10, now=5)
    assert ledger.power_at("0x1", 4, now=6) == 0
    assert ledger.power_at("0x1", 5, now=6) == 10
    for ts in (6, 7):
        with pytest.raises(PowerNotFinal):
            ledger.power_at("0x1", ts, now=6)
        with pytest.raises(PowerNotFinal):
            ledger.supply_at(ts, now=6)


def _boundary_state(for_votes: int, against: int, abstain: int) -> tuple[GovernanceState, int]:
    """Supply 1,000,000 split so the three voters hold exactly the given weights."""
    rest = 1_000_000 - for_votes - against - abstain
    allocations = {"alice": for_votes, "bob": against, "carol": abstain, "zed": rest}
    config = {**DEFAULT_GENESIS, "allocations": {k: v for k, v in allocations.items() if v}}
    state = build_genesis(config)
    return state, state.now


@pytest.mark.parametrize(
    ("for_votes", "against", "abstain", "passes"),
    [
        (20_000, 0, 0, True),  # quorum 2% met exactly; differential 2% > 0.5%
        (19_999, 0, 0, False),  # one short of quorum
        (15_000, 0, 5_000, True),  # Abstain completes the quorum
        (15_000, 0, 4_999, False),
        (30_000, 25_000, 0, False),  # For - Against = 0.5% exactly: not more than the margin
        (30_001, 25_000, 0, True),
        (40_000, 40_000, 0, False),  # a tie never passes
    ],
)
def test_passes_exactly_with_quorum_and_differential(for_votes, against, abstain, passes):
    state, t0 = _boundary_state(for_votes, against, abstain)
    zed = alias_key("zed")
    state.apply(Propose(ts=t0 + 1, account=zed, executor="short", actions=(RAISE,)))
    proposal = state.proposals[0]
    ts = proposal.snapshot_ts + 1
    for voter, support, weight in (
        ("alice", VoteSupport.FOR, for_votes),
        ("bob", VoteSupport.AGAINST, against),
        ("carol", VoteSupport.ABSTAIN, abstain),
    ):
        if weight:
            state.apply(CastVote(ts=ts, account=alias_key(voter), proposal_id=1, support=support))
    state.advance_to(proposal.vote_end_ts + 1)
    expected = ProposalState.SUCCEEDED if passes else ProposalState.DEFEATED
    assert state.state_of(proposal) is expected


def _reference_passes(for_votes: int, against: int, abstain: int, supply: int) -> bool:
    """dYdX's rule over exact fractions, written independently of the implementation."""
    quorum, differential = Fraction(2, 100), Fraction(5, 1000)
    return (
        Fraction(for_votes + abstain, supply) >= quorum
        and Fraction(for_votes, supply) - Fraction(against, supply) > differential
    )


ACCOUNTS = ["alice", "bob", "carol", "dave", "erin"]


@settings(max_examples=40, deadline=None)
@given(
    allocations=st.lists(st.integers(1, 10**9), min_size=5, max_size=5),
    moves=st.lists(
        st.tuples(st.sampled_from(ACCOUNTS), st.sampled_from(ACCOUNTS), st.integers(1, 10**9)),
        max_size=6,
    ),
    ballots=st.lists(
        st.tuples(st.sampled_from(ACCOUNTS), st.sampled_from(list(VoteSupport))), max_size=8
    ),
)
def test_tallies_match_snapshot_power_and_never_exceed_supply(allocations, moves, ballots):
    config = {**DEFAULT_GENESIS, "allocations": dict(zip(ACCOUNTS, allocations, strict=True))}
    state = build_genesis(config)
    keys = {a: alias_key(a) for a in ACCOUNTS}
    richest = keys[ACCOUNTS[allocations.index(max(allocations))]]  # >= 20%: above threshold
    state.apply(Propose(ts=state.now + 1, account=richest, executor="short", actions=(RAISE,)))
    proposal = state.proposals[0]
    ts = proposal.snapshot_ts + 1
    state.advance_to(ts)
    snapshot_power = {
        a: state.ledger.power_at(k, proposal.snapshot_ts, ts) for a, k in keys.items()
    }
    supply = state.ledger.supply_at(proposal.snapshot_ts, ts)
    expected = {s: 0 for s in VoteSupport}
    voted: set[str] = set()
    for (sender, to, amount), (voter, support) in zip(moves, ballots, strict=False):
        state.apply(TransferGovTokens(ts=ts, account=keys[sender], to=keys[to], amount=amount))
        state.apply(CastVote(ts=ts, account=keys[voter], proposal_id=1, support=support))
        if voter not in voted and snapshot_power[voter] > 0:
            voted.add(voter)
            expected[support] += snapshot_power[voter]
    tally = (proposal.for_votes, proposal.against_votes, proposal.abstain_votes)
    assert tally == (expected["for"], expected["against"], expected["abstain"])
    assert sum(tally) <= supply
    state.advance_to(proposal.vote_end_ts + 1)
    passed = state.state_of(proposal) is ProposalState.SUCCEEDED
    assert passed == _reference_passes(*tally, supply)

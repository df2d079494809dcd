"""Whatever arrives, a refusal changes nothing, and snapshots round-trip exactly."""

from hypothesis import given, settings
from hypothesis import strategies as st

from isoperp.commands.governance import (
    CancelProposal,
    CastVote,
    DelegateVotes,
    EmergencyStatus,
    EmergencyTighten,
    ExecuteProposal,
    GovernanceTick,
    MintGovTokens,
    Propose,
    QueueProposal,
    SetParameter,
    TransferGovTokens,
    VoteSupport,
)
from isoperp.events import Rejected
from isoperp.governance import decode_state, encode_state
from isoperp.governance.simulate import alias_key, build_genesis

HOUR = 3_600_000
NAMES = ["alice", "bob", "carol", "treasury", "nobody"]
KEYS = {n: alias_key(n) for n in NAMES}
account = st.sampled_from([*KEYS.values(), "0xZZ", "alice"])
pid = st.integers(0, 3)
param = st.sampled_from(
    ["market.BTC-USD.initial_margin_ppm", "market.ETH-USD.status", "market.BTC-USD.tick_size", "x"]
)
value = st.one_of(st.integers(-5, 2_000_000), st.sampled_from(["active", "paused", "bogus"]))
amount = st.integers(-10, 10**9)


def _commands(ts):
    return st.one_of(
        st.builds(MintGovTokens, ts=st.just(ts), account=account, to=account, amount=amount),
        st.builds(TransferGovTokens, ts=st.just(ts), account=account, to=account, amount=amount),
        st.builds(DelegateVotes, ts=st.just(ts), account=account, delegatee=account),
        st.builds(
            Propose,
            ts=st.just(ts),
            account=account,
            executor=st.sampled_from(["short", "long", "mid"]),
            actions=st.lists(st.builds(SetParameter, name=param, value=value), max_size=2).map(
                tuple
            ),
        ),
        st.builds(
            CastVote,
            ts=st.just(ts),
            account=account,
            proposal_id=pid,
            support=st.sampled_from(list(VoteSupport)),
        ),
        st.builds(QueueProposal, ts=st.just(ts), account=account, proposal_id=pid),
        st.builds(
            ExecuteProposal,
            ts=st.just(ts),
            account=account,
            proposal_id=pid,
            payload_hash=st.just("00"),
        ),
        st.builds(CancelProposal, ts=st.just(ts), account=account, proposal_id=pid),
        st.builds(GovernanceTick, ts=st.just(ts)),
    )


@settings(max_examples=60, deadline=None)
@given(data=st.data(), gaps=st.lists(st.sampled_from([0, 1, HOUR, 2 * 86_400_000]), max_size=25))
def test_refused_commands_change_nothing_and_snapshots_round_trip(data, gaps):
    state = build_genesis("default")
    ts = state.now
    for gap in gaps:
        ts += gap
        cmd = data.draw(_commands(ts))
        state.advance_to(ts)
        before = encode_state(state)
        events = state.apply(cmd)
        if any(isinstance(e, Rejected) for e in events):
            assert len(events) == 1
            assert encode_state(state) == before
        copy = decode_state(encode_state(state))
        assert copy == state and copy.digest() == state.digest()


def test_time_may_not_go_backwards(gov):
    gov.wait(10).tick()
    gov.at(gov.ts - 1).refused("stale_timestamp", GovernanceTick)


def test_committee_refusals_change_nothing(gov):
    gov.wait(1)
    pause = EmergencyStatus(market_id="BTC-USD", status="paused", duration_ms=HOUR)
    gov.refused(
        "unknown_market",
        lambda ts: gov.committee(
            ["guardian-1", "guardian-2"],
            EmergencyStatus(market_id="X-Y", status="paused", duration_ms=1),
        ),
    )
    gov.refused("bad_nonce", lambda ts: gov.committee(["guardian-1", "guardian-2"], pause, nonce=5))
    tighten = EmergencyTighten(name="market.BTC-USD.initial_margin_ppm", value=2_000_000)
    gov.refused("out_of_bounds", lambda ts: gov.committee(["guardian-1", "guardian-2"], tighten))
    assert gov.state.committee_nonce == 0

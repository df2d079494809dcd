"""Auto-deleveraging order and coverage, and socialized loss through the funding index."""

from hypothesis import given
from hypothesis import strategies as st

from isoperp.events.risk import Deleveraged
from isoperp.funding.index import settled_funding
from isoperp.risk.config import LossPolicy
from isoperp.risk.deleveraging import (
    AdlCandidate,
    adl_order,
    deleveraged_events,
    given_up,
    select_deleveraged,
    socialize_loss,
    split_quote,
)
from isoperp.risk.totals import MarketMark

USD = 10**6
MARK = MarketMark(price=2000, k=1000, mmf=30_000, funding_index=0)  # ABC at $2


def test_dydx_example_the_long_is_closed_at_the_shorts_bankruptcy_price():
    """dYdX docs: B short 500 is bankrupt at $2 with bankruptcy price $1.2; A's long 500
    (cost $500, account value $600) is closed there and gives up $400 of its $500 profit."""
    a = AdlCandidate(key=(0xA, 0), size=500, cost_basis=500 * USD, account_value=600 * USD)
    takes = select_deleveraged([a], -500, MARK, LossPolicy.ADL_RANKED, b"")
    assert takes == [((0xA, 0), 500)]
    (piece,) = split_quote(-600 * USD, [500])
    assert piece == -600 * USD
    assert given_up(-500, piece, MARK) == 400 * USD
    (event,) = deleveraged_events((0xB, 0), -500, "ABC-USD", -600 * USD, takes, MARK)
    assert event == Deleveraged(
        owner=0xA,
        subaccount=0,
        market="ABC-USD",
        size=-500,
        price=1200,
        quote=600 * USD,
        amount=400 * USD,
        bankrupt_owner=0xB,
        bankrupt_subaccount=0,
    )


def test_a_bankrupt_long_is_bought_from_shorts_who_pay_their_pieces():
    """A bankrupt long's bankruptcy price lies above the $2 mark: here $7 for 3 ABC."""
    takes = [((1, 0), 2), ((2, 0), 1)]
    events = deleveraged_events((9, 0), 3, "ABC-USD", 7 * USD, takes, MARK)
    # pieces ⌈7e6·2/3⌉ = 4,666,667 and ⌈7e6/3⌉ = 2,333,334: the shorts pay 1 quantum extra
    assert [(e.size, e.quote, e.price, e.amount) for e in events] == [
        (2, -4_666_667, 2333, 666_667),
        (1, -2_333_334, 2333, 333_334),
    ]


def test_ranked_order_is_profit_times_leverage_and_skips_the_wrong_side_and_the_broke():
    longs = [
        AdlCandidate((1, 0), 100, 100 * USD, 50 * USD),  # (200/100)·(200/50) = 8
        AdlCandidate((2, 0), 300, 450 * USD, 600 * USD),  # (600/450)·(600/600) = 4/3
        AdlCandidate((3, 0), 50, 200 * USD, 10 * USD),  # (100/200)·(100/10) = 5
        AdlCandidate((4, 0), 80, 100 * USD, 0),  # no account value: skipped
        AdlCandidate((5, 0), -90, 100 * USD, 100 * USD),  # same side as the bankrupt short
    ]
    order = adl_order(longs, -120, MARK, LossPolicy.ADL_RANKED, b"")
    assert [c.key for c in order] == [(1, 0), (3, 0), (2, 0)]
    assert select_deleveraged(longs, -120, MARK, LossPolicy.ADL_RANKED, b"") == [
        ((1, 0), 100),
        ((3, 0), 20),
    ]
    shorts = [  # a bankrupt long meets shorts: entry above the mark is profit
        AdlCandidate((6, 0), -100, 300 * USD, 100 * USD),  # (300/200)·(200/100) = 3
        AdlCandidate((7, 0), -100, 100 * USD, 20 * USD),  # (100/200)·(200/20) = 5
    ]
    order = adl_order(shorts, 10, MARK, LossPolicy.ADL_RANKED, b"")
    assert [c.key for c in order] == [(7, 0), (6, 0)]


def test_random_order_is_fixed_by_the_seed():
    candidates = [AdlCandidate((i, 1), 10 + i, USD, USD) for i in range(20)]
    first = adl_order(candidates, -5, MARK, LossPolicy.ADL_RANDOM, b"cmd-1")
    assert first == adl_order(list(reversed(candidates)), -5, MARK, LossPolicy.ADL_RANDOM, b"cmd-1")
    assert sorted(first) == sorted(candidates)
    assert first != adl_order(candidates, -5, MARK, LossPolicy.ADL_RANDOM, b"cmd-2")


def test_socialized_loss_charges_each_side_in_proportion():
    event = socialize_loss("ABC-USD", 1000, [300, -700])
    assert (event.long_index_delta, event.short_index_delta, event.charged) == (
        1_000_000,
        -1_000_000,
        1000,
    )
    rounded = socialize_loss("ABC-USD", 10, [1, 2])
    assert rounded.long_index_delta == 3_333_334  # ⌈10·1e6 / 3⌉
    assert rounded.charged == 4 + 7  # ⌈3.333334⌉ + ⌈6.666668⌉
    assert socialize_loss("ABC-USD", 10, []) is None


candidate_lists = st.lists(
    st.builds(
        AdlCandidate,
        key=st.tuples(st.integers(0, 10**6), st.integers(0, 127)),
        size=st.integers(-1000, 1000).filter(bool),
        cost_basis=st.integers(1, 10**12),
        account_value=st.integers(-(10**9), 10**12),
    ),
    max_size=30,
    unique_by=lambda c: c.key,
)


@given(
    candidates=candidate_lists,
    bankrupt=st.integers(-5000, 5000).filter(bool),
    policy=st.sampled_from([LossPolicy.ADL_RANKED, LossPolicy.ADL_RANDOM]),
    seed=st.binary(max_size=8),
)
def test_selection_covers_the_required_size_from_opposite_positions_in_rank_order(
    candidates, bankrupt, policy, seed
):
    takes = select_deleveraged(candidates, bankrupt, MARK, policy, seed)
    by_key = {c.key: c for c in candidates}
    eligible = [c for c in candidates if c.size * bankrupt < 0 and c.account_value > 0]
    assert sum(t for _, t in takes) == min(abs(bankrupt), sum(abs(c.size) for c in eligible))
    assert all(by_key[k].size * bankrupt < 0 and 0 < t <= abs(by_key[k].size) for k, t in takes)
    order = [c.key for c in adl_order(candidates, bankrupt, MARK, policy, seed)]
    assert [k for k, _ in takes] == order[: len(takes)]
    assert all(t == abs(by_key[k].size) for k, t in takes[:-1])  # only the last is partial


@given(
    loss=st.integers(0, 10**12),
    sizes=st.lists(st.integers(-(10**9), 10**9).filter(bool), min_size=1, max_size=40),
)
def test_socialized_loss_charges_at_least_the_loss_and_little_more(loss, sizes):
    event = socialize_loss("ABC-USD", loss, sizes)
    charges = [
        -settled_funding(s, 0, event.long_index_delta if s > 0 else event.short_index_delta)
        for s in sizes
    ]
    assert sum(charges) == event.charged >= loss
    open_interest = sum(abs(s) for s in sizes)
    assert event.charged * 10**6 < (loss + len(sizes)) * 10**6 + open_interest
    assert all(c >= 0 for c in charges)


@given(
    quote=st.integers(-(10**15), 10**15),
    takes=st.lists(st.integers(1, 10**6), min_size=1, max_size=20),
)
def test_quote_pieces_favour_the_bankrupt_account_by_less_than_a_quantum_each(quote, takes):
    pieces = split_quote(quote, takes)
    assert quote <= sum(pieces) < quote + len(takes)

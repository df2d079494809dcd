"""Invariants of the oracle rules, with signatures stubbed out (they are tested elsewhere)."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from isoperp.commands.oracle import PriceReport, SignedPrice
from isoperp.events import Event, Rejected
from isoperp.events.oracle import (
    OraclePricePending,
    OraclePriceUpdated,
    OracleRecovered,
    OracleStale,
)
from isoperp.oracle import (
    OracleConfig,
    OracleState,
    StalePolicy,
    apply_price_report,
    cheap_problem,
    check_staleness,
    is_median,
    liquidation_price,
    risk_increasing_allowed,
    within_band,
)

FAKE_SIGNERS = tuple(range(100, 110))
T0_S = 1_700_000_000


def accept_all(key: int, message: int, r: int, s: int) -> bool:
    return True


def config(quorum: int = 3, band_ppm: int = 50_000, delay_ms: int = 10_000) -> OracleConfig:
    return OracleConfig(
        asset_id=1,
        signers=FAKE_SIGNERS,
        quorum=quorum,
        max_lag_ms=30_000,
        max_lead_ms=5_000,
        max_price_age_ms=60_000,
        band_ppm=band_ppm,
        confirm_delay_ms=delay_ms,
    )


def fake_report(
    prices: list[int], claimed: int, t_s: int, signers: list[int] | None = None
) -> PriceReport:
    keys = FAKE_SIGNERS[: len(prices)] if signers is None else signers
    items = tuple(
        SignedPrice(signer=k, price=p, timestamp=t_s, r=1, s=1)
        for k, p in zip(keys, prices, strict=True)
    )
    return PriceReport(ts=t_s * 1000, market="M0", price=claimed, signed_prices=items)


@given(st.lists(st.integers(1, 50), min_size=1, max_size=9), st.integers(1, 50))
def test_exactly_true_medians_are_accepted(prices: list[int], claimed: int) -> None:
    ordered = sorted(prices)
    n = len(ordered)
    lower, upper = ordered[(n - 1) // 2], ordered[n // 2]
    assert is_median(prices, claimed) == (lower <= claimed <= upper)


@given(
    st.lists(st.sampled_from((*FAKE_SIGNERS, 999)), min_size=0, max_size=8),
    st.integers(1, len(FAKE_SIGNERS)),
)
def test_quorum_whitelist_and_strict_signer_order(signers: list[int], quorum: int) -> None:
    rep = fake_report([100] * len(signers), 100, T0_S, signers)
    problem = cheap_problem(config(quorum=quorum), rep)
    violated = set()
    if any(a >= b for a, b in itertools.pairwise(signers)):
        violated.add("signers_not_sorted")
    if any(s not in FAKE_SIGNERS for s in signers):
        violated.add("unknown_signer")
    if len(signers) < quorum:
        assert problem is not None and problem.code == "below_quorum"
    elif violated:
        assert problem is not None and problem.code in violated
    else:
        assert problem is None


steps = st.lists(
    st.tuples(st.integers(1, 20_000), st.integers(800, 1200)),  # (ms after previous, price)
    min_size=1,
    max_size=30,
)


@settings(max_examples=200)
@given(steps, st.sampled_from([10_000, 50_000, 200_000]), st.sampled_from([0, 3_000, 10_000]))
def test_price_moves_beyond_the_band_only_when_confirmed(
    walk: list[tuple[int, int]], band_ppm: int, delay_ms: int
) -> None:
    cfg = config(band_ppm=band_ppm, delay_ms=delay_ms)
    state = OracleState()
    t_ms = T0_S * 1000
    for gap_ms, price in walk:
        t_ms += gap_ms
        t_s = t_ms // 1000
        before = state
        state, events = apply_price_report(
            "M0", cfg, state, fake_report([price] * 3, price, t_s), accept_all
        )
        for event in events:
            if isinstance(event, Rejected):
                assert event.code == "not_newer" and state == before
            elif isinstance(event, OraclePriceUpdated) and before.price is not None:
                if event.confirmed:
                    pending = before.pending
                    assert pending is not None
                    assert not within_band(before.price, price, band_ppm)
                    assert within_band(pending.price, price, band_ppm)
                    assert event.price_time_ms >= pending.since_ms + delay_ms
                    assert event.price_time_ms > pending.latest_ms
                else:
                    assert within_band(before.price, price, band_ppm)
            elif isinstance(event, OraclePricePending):
                assert state.price == before.price and state.pending is not None
        if state.price is not None and state.pending is None:
            assert state.price_time_ms is not None


ops = st.lists(
    st.tuples(st.booleans(), st.integers(0, 90_000)),  # (report or check, ms after previous)
    min_size=1,
    max_size=40,
)


@settings(max_examples=200)
@given(ops, st.sampled_from(list(StalePolicy)))
def test_staleness_alternates_and_follows_the_price_age(
    script: list[tuple[bool, int]], policy: StalePolicy
) -> None:
    cfg = config()
    cfg = OracleConfig(
        **{**{f: getattr(cfg, f) for f in cfg.__struct_fields__}, "stale_policy": policy}
    )
    state = OracleState()
    now_ms = T0_S * 1000
    flips: list[type[Event]] = []
    for is_report, gap_ms in script:
        now_ms += gap_ms
        if is_report:
            state, events = apply_price_report(
                "M0", cfg, state, fake_report([500] * 3, 500, now_ms // 1000), accept_all
            )
        else:
            state, events = check_staleness("M0", cfg, state, now_ms)
            too_old = state.price_time_ms is None or now_ms - state.price_time_ms > 60_000
            assert state.stale == too_old
        flips += [type(e) for e in events if isinstance(e, OracleStale | OracleRecovered)]
        assert risk_increasing_allowed(state) == (not state.stale)
        if state.stale and policy is StalePolicy.HALT:
            assert liquidation_price(cfg, state) is None
        else:
            assert liquidation_price(cfg, state) == state.price
    assert all(a != b for a, b in itertools.pairwise(flips)), "stale/recovered alternate"
    if flips:
        assert flips[0] is OracleRecovered, "a market starts stale, so it first recovers"

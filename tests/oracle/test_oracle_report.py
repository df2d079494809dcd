"""Price reports with real STARK-curve signatures: admission codes and the happy path."""

import msgspec
import pytest
from oracle_helpers import MARKET, SIGNERS, make_config, report, signed

from isoperp.crypto import verify
from isoperp.events import Rejected
from isoperp.events.oracle import OraclePriceUpdated, OracleRecovered
from isoperp.numeric import MAX_PRICE_TICKS
from isoperp.oracle import OracleState, apply_price_report, price_message

T0 = 1_700_000_000  # seconds
NOW = T0 * 1000 + 2_000  # ms: signatures are two seconds old


def test_a_quorum_report_sets_the_price_and_recovers_the_market() -> None:
    config = make_config()
    state, events = apply_price_report(
        MARKET, config, OracleState(), report(2001, signed([2000, 2001, 2003], T0), NOW)
    )
    assert state == OracleState(price=2001, price_time_ms=T0 * 1000, pending=None, stale=False)
    assert events == (
        OraclePriceUpdated(
            market=MARKET, price=2001, previous_price=None, price_time_ms=T0 * 1000, confirmed=False
        ),
        OracleRecovered(market=MARKET, price=2001, price_time_ms=T0 * 1000),
    )


def test_signed_prices_verify_with_the_library_too() -> None:
    item = signed([2000], T0)[0]
    message = price_message(make_config().asset_id, 2000, T0)
    assert message == price_message(make_config().asset_id, 2000, T0)
    assert message != price_message(make_config().asset_id, 2000, T0 + 1)
    assert verify(item.signer, message, item.r, item.s)


def _code(config_market: int | None, rep: object, state: OracleState | None = None) -> str:
    config = make_config() if config_market is not None else None
    before = state or OracleState()
    after, events = apply_price_report(MARKET, config, before, rep)  # type: ignore[arg-type]
    assert after == before, "a rejection changes nothing"
    (event,) = events
    assert isinstance(event, Rejected)
    return event.code


def test_every_rejection_has_its_own_code() -> None:
    good = signed([2000, 2001, 2003], T0)
    assert _code(None, report(2001, good, NOW)) == "unknown_market"
    assert _code(1, report(2001, good, NOW, market="BTC-USD")) == "unknown_market"
    assert _code(1, report(0, good, NOW)) == "nonpositive_price"
    assert _code(1, report(MAX_PRICE_TICKS + 1, good, NOW)) == "out_of_bounds"
    assert _code(1, report(2001, good[:2], NOW)) == "below_quorum"
    assert _code(1, report(2001, [good[1], good[0], good[2]], NOW)) == "signers_not_sorted"
    assert _code(1, report(2000, [good[0], good[0], good[1]], NOW)) == "signers_not_sorted"
    stranger = msgspec.structs.replace(good[2], signer=SIGNERS[-1] + 1)
    assert _code(1, report(2001, [*good[:2], stranger], NOW)) == "unknown_signer"
    assert _code(1, report(2001, signed([2000, 0, 2003], T0), NOW)) == "nonpositive_price"
    assert _code(1, report(2001, signed([2000, 2001, 2003], T0 - 31), NOW)) == "timestamp_too_old"
    assert _code(1, report(2001, signed([2000, 2001, 2003], T0 + 8), NOW)) == "timestamp_in_future"
    assert _code(1, report(2003, good, NOW)) == "not_median"
    forged = msgspec.structs.replace(good[1], s=good[1].s + 1)
    assert _code(1, report(2001, [good[0], forged, good[2]], NOW)) == "bad_signature"
    wrong_price = msgspec.structs.replace(good[1], price=2002)
    assert _code(1, report(2002, [good[0], wrong_price, good[2]], NOW)) == "bad_signature"
    huge_time = msgspec.structs.replace(good[1], timestamp=2**32)
    assert _code(1, report(2001, [good[0], huge_time, good[2]], NOW)) == "out_of_bounds"


def test_a_replayed_or_older_report_is_refused() -> None:
    config = make_config()
    first = report(2001, signed([2000, 2001, 2003], T0), NOW)
    state, _ = apply_price_report(MARKET, config, OracleState(), first)
    replay = msgspec.structs.replace(first, ts=NOW + 1000)
    assert _code(1, replay, state) == "not_newer"
    older = report(1990, signed([1990, 1990, 1990], T0 - 1), NOW + 1000)
    assert _code(1, older, state) == "not_newer"


@pytest.mark.parametrize(
    ("prices", "claimed"),
    [([2003, 1, 2], 2), ([5, 5, 9, 9], 9)],
)
def test_cheap_checks_run_before_any_signature(prices: list[int], claimed: int) -> None:
    calls: list[int] = []

    def counting_verifier(key: int, message: int, r: int, s: int) -> bool:
        calls.append(key)
        return True

    bad_median = report(claimed + 1000, signed(prices, T0), NOW)
    _, events = apply_price_report(
        MARKET, make_config(), OracleState(), bad_median, counting_verifier
    )
    assert isinstance(events[0], Rejected) and events[0].code == "not_median"
    assert calls == []
    _, events = apply_price_report(
        MARKET,
        make_config(),
        OracleState(),
        report(claimed, signed(prices, T0), NOW),
        counting_verifier,
    )
    assert isinstance(events[0], OraclePriceUpdated)
    assert len(calls) == len(prices)


def test_reports_round_trip_through_json() -> None:
    rep = report(2001, signed([2000, 2001, 2003], T0), NOW)
    assert msgspec.json.decode(msgspec.json.encode(rep), type=type(rep)) == rep

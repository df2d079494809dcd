"""Every bad command yields a typed rejection, changes nothing and never raises."""

import msgspec
import pytest

from isoperp.commands import Command
from isoperp.commands.trading import (
    CancelAll,
    CancelOrder,
    Deposit,
    FundInsurance,
    OrderKind,
    TakeOver,
    TimeInForce,
    Transfer,
    Withdraw,
)
from isoperp.engine import Engine
from isoperp.events import Rejected
from isoperp.markets import MarketStatus
from isoperp.numeric import MAX_PRICE_TICKS, MAX_QUANTUMS, MAX_SIZE_STEPS
from tests.conftest import BTC, ETH
from tests.engine.helpers import deposit, order, rejection, report

A, B = 0xA, 0xB


class Unknown(Command, frozen=True, kw_only=True):
    pass


def exchange() -> Engine:
    paused = msgspec.structs.replace(ETH, status=MarketStatus.PAUSED)
    eng = Engine([(BTC, 50_000), (paused, 30_000)])
    deposit(eng, A, 1_000)
    deposit(eng, B, 1_000_000)
    eng.apply(order(A, "buy", 40_000, 1, cid=5))
    eng.apply(order(B, "sell", 50_000, 10, cid=1))
    return eng


CASES = [
    ("unknown_command", Unknown(ts=10)),
    ("out_of_bounds", Deposit(ts=-1, owner=A, subaccount=0, amount=1)),
    ("time_went_backwards", Deposit(ts=1, owner=A, subaccount=0, amount=1)),
    ("out_of_bounds", Deposit(ts=10, owner=A, subaccount=0, amount=0)),
    ("out_of_bounds", Deposit(ts=10, owner=A, subaccount=0, amount=MAX_QUANTUMS + 1)),
    ("out_of_bounds", Deposit(ts=10, owner=A, subaccount=0, amount=1.5)),
    ("out_of_bounds", Deposit(ts=10, owner=-1, subaccount=0, amount=1)),
    ("out_of_bounds", Deposit(ts=10, owner=A, subaccount=128, amount=1)),
    ("unknown_subaccount", Withdraw(ts=10, owner=A, subaccount=7, amount=1)),
    ("insufficient_margin", Withdraw(ts=10, owner=A, subaccount=0, amount=1_000 * 10**6 + 1)),
    (
        "insufficient_margin",
        Transfer(ts=10, owner=A, subaccount=0, to_owner=B, to_subaccount=0, amount=10**9 + 1),
    ),
    (
        "bad_margin_source",
        Transfer(ts=10, owner=A, subaccount=0, to_owner=A, to_subaccount=0, amount=1),
    ),
    ("unknown_market", order(A, "buy", 1, 1, ts=10, market="DOGE-USD")),
    ("market_not_active", order(A, "buy", 29_000, 1, ts=10, market="ETH-USD")),
    ("out_of_bounds", order(A, "buy", 50_000, 0, ts=10)),
    ("out_of_bounds", order(A, "buy", 50_000, MAX_SIZE_STEPS + 1, ts=10)),
    ("out_of_bounds", order(A, "buy", 0, 1, ts=10)),
    ("out_of_bounds", order(A, "buy", MAX_PRICE_TICKS + 1, 1, ts=10)),
    ("out_of_bounds", order(A, "buy", MAX_PRICE_TICKS, MAX_SIZE_STEPS, ts=10)),
    ("duplicate_client_id", order(A, "buy", 40_000, 1, ts=10, cid=5)),
    ("insufficient_margin", order(A, "buy", 50_000, 1_000, ts=10, cid=6)),
    ("position_limit", order(B, "buy", 1, 170_001, ts=10, cid=6)),
    ("reduce_only_would_increase", order(A, "sell", 60_000, 1, ts=10, cid=6, reduce_only=True)),
    ("post_only_would_cross", order(A, "buy", 50_000, 1, ts=10, cid=6, tif=TimeInForce.POST_ONLY)),
    ("fok_not_filled", order(A, "buy", 50_000, 11, ts=10, cid=6, tif=TimeInForce.FOK)),
    ("bad_order_type", order(A, "buy", 50_000, 1, ts=10, cid=6, kind=OrderKind.MARKET)),
    ("bad_order_type", order(A, "buy", 50_000, 1, ts=10, cid=6, tif=TimeInForce.GTT)),
    (
        "bad_order_type",
        order(A, "buy", 50_000, 1, ts=10, cid=6, tif=TimeInForce.GTT, expires_at=10),
    ),
    ("bad_order_type", order(A, "buy", 50_000, 1, ts=10, cid=6, trigger_price=49_000)),
    ("bad_order_type", order(A, "buy", 50_000, 1, ts=10, cid=6, kind=OrderKind.STOP)),
    # Enum fields take their members only: a plain "sell" must not be read as a buy or a sell.
    ("bad_order_type", msgspec.structs.replace(order(A, "sell", 60_000, 1, ts=10), side="sell")),
    ("bad_order_type", order(A, "buy", 40_000, 1, ts=10, cid=6, kind="limit")),
    ("bad_order_type", order(A, "buy", 40_000, 1, ts=10, cid=6, tif="gtc")),
    ("bad_order_type", order(A, "buy", 40_000, 1, ts=10, cid=6, reduce_only=1)),
    (
        "bad_margin_source",
        order(A, "buy", 40_000, 1, ts=10, cid=6, isolated_margin=1, margin_source=0),
    ),
    (
        "bad_margin_source",
        order(A, "buy", 40_000, 1, sub=2, ts=10, cid=6, isolated_margin=1, margin_source=2),
    ),
    (
        "insufficient_margin",
        order(A, "buy", 40_000, 1, sub=2, ts=10, cid=6, isolated_margin=10**10, margin_source=0),
    ),
    (
        "unknown_subaccount",
        order(A, "buy", 40_000, 1, sub=2, ts=10, cid=6, isolated_margin=10, margin_source=3),
    ),
    ("unknown_order", CancelOrder(ts=10, owner=A, subaccount=0, client_id=99)),
    ("unknown_order", CancelOrder(ts=10, owner=A, subaccount=0, client_id="5")),
    ("unknown_market", CancelAll(ts=10, owner=A, market="DOGE-USD")),
    ("unknown_subaccount", CancelAll(ts=10, owner=A, subaccount=9)),
    ("unknown_market", report("DOGE-USD", 1, ts=10)),
    ("nonpositive_price", report("BTC-USD", 0, ts=10)),
    ("not_newer", report("BTC-USD", 50_000, ts=10)),  # genesis price is at 0 s
    ("unknown_market", order(A, "buy", 1, 1, ts=10, market="DOGE-USD")),
]


@pytest.mark.parametrize(("code", "cmd"), CASES, ids=[f"{c}-{i}" for i, (c, _) in enumerate(CASES)])
def test_bad_command_is_rejected_with_its_code_and_changes_nothing(code: str, cmd: Command) -> None:
    eng = exchange()
    eng.advance(10)  # time's own effects (none due here) happen even for a refused command
    before = eng.state_digest()
    applied = eng.apply(cmd)
    assert rejection(applied.events) == code
    assert applied.events[0].message
    assert not applied.touched
    assert eng.state_digest() == before
    # A subaccount created and then forgotten leaves the core's indexes too.
    keys = list(eng.subaccounts)
    assert all(eng.core.has(*key) for key in keys)
    target = (getattr(cmd, "owner", None), getattr(cmd, "subaccount", None))
    if type(target[0]) is int and type(target[1]) is int and target not in keys:
        assert not eng.core.has(*target)


def test_isolated_market_mismatch_and_reduce_only_market() -> None:
    eng = Engine([(BTC, 50_000), (ETH, 30_000)])
    deposit(eng, A, 1_000)
    margin = {"isolated_margin": 100 * 10**6, "margin_source": 0}
    eng.apply(order(A, "buy", 40_000, 1, sub=1, ts=10, cid=1, **margin))
    eng.advance(11)
    before = eng.state_digest()
    eth = order(A, "buy", 3_000, 1, sub=1, ts=11, cid=2, market="ETH-USD")
    assert rejection(eng.apply(eth).events) == "isolated_market_mismatch"
    assert eng.state_digest() == before
    reduce_only = msgspec.structs.replace(BTC, status=MarketStatus.REDUCE_ONLY)
    eng2 = Engine([(reduce_only, 50_000)])
    deposit(eng2, A, 1_000)
    assert rejection(eng2.apply(order(A, "buy", 40_000, 1, ts=10)).events) == "market_not_active"


def test_engine_refuses_an_inconsistent_market_spec() -> None:
    broken = msgspec.structs.replace(BTC, quantums_per_step_tick=999)
    with pytest.raises(ValueError, match="quantums_per_step_tick"):
        Engine([(broken, 50_000)])


WEIRD = [None, "x", 1.5, -1, 2**70, 2**130, True, ()]
TEMPLATES = [
    order(A, "buy", 40_000, 1, ts=10, cid=6),
    order(A, "buy", 40_000, 1, sub=2, ts=10, cid=6, isolated_margin=10**6, margin_source=0),
    order(A, "buy", 40_000, 1, ts=10, cid=6, kind=OrderKind.STOP, trigger_price=45_000),
    CancelOrder(ts=10, owner=A, subaccount=0, client_id=5),
    CancelAll(ts=10, owner=A, subaccount=0, market="BTC-USD"),
    Deposit(ts=10, owner=A, subaccount=0, amount=1),
    Withdraw(ts=10, owner=A, subaccount=0, amount=1),
    Transfer(ts=10, owner=A, subaccount=0, to_owner=B, to_subaccount=0, amount=1),
    TakeOver(
        ts=10, owner=B, subaccount=0, target_owner=A, target_subaccount=0, market="BTC-USD", size=1
    ),
    FundInsurance(ts=10, fund="BTC-USD", amount=1),
    report("BTC-USD", 51_000, ts=10_000),
]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda c: type(c).__name__)
def test_a_field_of_any_type_or_size_is_refused_cleanly_or_accepted(template: Command) -> None:
    """The compiled engine stores machine integers: nothing a command carries may reach
    them unchecked. Each field in turn gets an odd value; the command is either accepted
    or refused with a rejection that changed nothing, and never raises."""
    refused = 0
    for field in template.__struct_fields__:
        for value in WEIRD:
            eng = exchange()
            eng.advance(template.ts)  # time's own effects happen even for a refused command
            before = eng.state_digest()
            applied = eng.apply(msgspec.structs.replace(template, **{field: value}))
            if isinstance(applied.events[-1], Rejected):
                refused += 1
                assert not applied.touched and eng.state_digest() == before, (field, value)
    assert refused > len(template.__struct_fields__) * 3

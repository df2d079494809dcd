"""The governance-token ledger: checkpoints keep every past power exact."""

from hypothesis import given, settings
from hypothesis import strategies as st

from isoperp.governance import TokenLedger

ACCOUNTS = ["0x1", "0x2", "0x3", "0x4"]
operation = st.one_of(
    st.tuples(
        st.just("mint"), st.sampled_from(ACCOUNTS), st.sampled_from(ACCOUNTS), st.integers(1, 1000)
    ),
    st.tuples(
        st.just("transfer"),
        st.sampled_from(ACCOUNTS),
        st.sampled_from(ACCOUNTS),
        st.integers(1, 1000),
    ),
    st.tuples(
        st.just("delegate"), st.sampled_from(ACCOUNTS), st.sampled_from(ACCOUNTS), st.just(0)
    ),
)


def _apply(ledger: TokenLedger, op: tuple[str, str, str, int], now: int) -> None:
    kind, account, other, amount = op
    if kind == "mint":
        ledger.mint(other, amount, now)
    elif kind == "transfer":
        ledger.transfer(account, other, min(amount, ledger.balance_of(account)), now)
    else:
        ledger.delegate(account, other, now)


@settings(max_examples=100, deadline=None)
@given(steps=st.lists(st.tuples(operation, st.integers(0, 2)), max_size=40))
def test_past_power_never_changes_and_always_sums_to_supply(steps):
    ledger = TokenLedger()
    now = 0
    recorded: dict[int, dict[str, int]] = {}
    for op, gap in steps:
        now += gap
        _apply(ledger, op, now)
        if now >= 1:
            past = now - 1
            powers = {a: ledger.power_at(a, past, now) for a in ACCOUNTS}
            assert sum(powers.values()) == ledger.supply_at(past, now)
            assert recorded.setdefault(past, powers) == powers  # later commands changed nothing
        assert sum(ledger.current_power(a) for a in ACCOUNTS) == ledger.total_supply()
        assert sum(ledger.balances.values()) == ledger.total_supply()
        assert all(ledger.current_power(a) >= 0 for a in ACCOUNTS)
    for ts, powers in recorded.items():
        assert {a: ledger.power_at(a, ts, now + 1) for a in ACCOUNTS} == powers


def test_power_follows_the_delegate_not_the_holder():
    ledger = TokenLedger()
    ledger.mint("0x1", 100, now=1)
    ledger.delegate("0x1", "0x2", now=2)
    ledger.transfer("0x3", "0x1", 0, now=2)
    ledger.mint("0x1", 50, now=3)  # new tokens follow the standing delegation
    assert [ledger.power_at("0x2", t, now=4) for t in (1, 2, 3)] == [0, 100, 150]
    assert ledger.current_power("0x1") == 0
    ledger.delegate("0x1", "0x1", now=4)  # back to self
    assert ledger.current_power("0x1") == 150 and "0x1" not in ledger.delegates

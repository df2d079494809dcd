"""The governance-token ledger: balances, delegation and checkpointed voting power.

Voting power is the balance delegated to an account (an account that never delegated
delegates to itself, as in OpenZeppelin ERC20Votes and dYdX's governance-power tokens).
Each change of an account's power, and of the total supply, is checkpointed at the
command's timestamp, so power at any *past* time is exact. Power at the current or a future
time is refused: later commands with the same timestamp could still change it.
"""

from bisect import bisect_right

import msgspec

MAX_SUPPLY = 2**62  # fits the canonical encodings and keeps every tally product exact


class Checkpoint(msgspec.Struct, frozen=True, array_like=True):
    ts: int
    value: int  # the value from ``ts`` (inclusive) until the next checkpoint


class PowerNotFinal(ValueError):
    """Power was asked for at a time that is not yet strictly in the past."""


def _value_at(checkpoints: list[Checkpoint], ts: int) -> int:
    index = bisect_right(checkpoints, ts, key=lambda c: c.ts)
    return checkpoints[index - 1].value if index else 0


def _record(checkpoints: list[Checkpoint], now: int, value: int) -> None:
    if checkpoints and checkpoints[-1].ts == now:
        checkpoints[-1] = Checkpoint(now, value)
    else:
        checkpoints.append(Checkpoint(now, value))


class TokenLedger(msgspec.Struct, kw_only=True):
    """Mutated only through ``mint``, ``transfer`` and ``delegate``, which the governance
    state calls after it has checked the command (amounts positive, balances sufficient)."""

    balances: dict[str, int] = {}
    delegates: dict[str, str] = {}  # only accounts that chose someone else
    power: dict[str, list[Checkpoint]] = {}
    supply: list[Checkpoint] = []

    def balance_of(self, account: str) -> int:
        return self.balances.get(account, 0)

    def delegate_of(self, account: str) -> str:
        return self.delegates.get(account, account)

    def total_supply(self) -> int:
        return self.supply[-1].value if self.supply else 0

    def current_power(self, account: str) -> int:
        checkpoints = self.power.get(account)
        return checkpoints[-1].value if checkpoints else 0

    def power_at(self, account: str, ts: int, now: int) -> int:
        """Voting power of ``account`` at the end of millisecond ``ts`` (< now)."""
        if ts >= now:
            raise PowerNotFinal(f"power at {ts} is not final at {now}")
        return _value_at(self.power.get(account, []), ts)

    def supply_at(self, ts: int, now: int) -> int:
        if ts >= now:
            raise PowerNotFinal(f"supply at {ts} is not final at {now}")
        return _value_at(self.supply, ts)

    def mint(self, to: str, amount: int, now: int) -> None:
        self.balances[to] = self.balance_of(to) + amount
        _record(self.supply, now, self.total_supply() + amount)
        self._move_power(None, self.delegate_of(to), amount, now)

    def transfer(self, sender: str, to: str, amount: int, now: int) -> None:
        remaining = self.balance_of(sender) - amount
        assert remaining >= 0, "transfer beyond balance"
        if remaining:
            self.balances[sender] = remaining
        else:
            self.balances.pop(sender, None)
        self.balances[to] = self.balance_of(to) + amount
        self._move_power(self.delegate_of(sender), self.delegate_of(to), amount, now)

    def delegate(self, account: str, delegatee: str, now: int) -> None:
        previous = self.delegate_of(account)
        if delegatee == account:
            self.delegates.pop(account, None)
        else:
            self.delegates[account] = delegatee
        self._move_power(previous, delegatee, self.balance_of(account), now)

    def _move_power(self, source: str | None, target: str | None, amount: int, now: int) -> None:
        if source == target or amount == 0:
            return
        for account, change in ((source, -amount), (target, amount)):
            if account is not None:
                _record(
                    self.power.setdefault(account, []), now, self.current_power(account) + change
                )

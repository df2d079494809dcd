"""Beyond the insurance fund: auto-deleveraging and socialized loss.

Auto-deleveraging closes the bankrupt position against opposite-side positions at the
bankruptcy price. Order of selection, per ``LossPolicy``:

- ADL_RANKED (Hyperliquid, trading/auto-deleveraging): by (mark/entry)·(notional/account
  value), read side-aware as (value at mark / cost basis for a long, cost basis / value at
  mark for a short), so the ratio exceeds 1 exactly when the position is in profit; dYdX v3
  likewise ranks by profit and leverage. Higher first; accounts with value ≤ 0 are skipped.
- ADL_RANDOM (dYdX v4 "randomly selected"): a permutation fixed by a seed the engine passes
  (e.g. the command's hash): keys sorted by BLAKE2b(seed ‖ owner ‖ number). No RNG state.

Socialized loss (Drift, controller/liquidation.rs): the loss per base unit is
loss / (|long base| + |short base|), charged through per-side cumulative funding indexes.
"""

import hashlib
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import NamedTuple

from isoperp.events.risk import Deleveraged, SocializedLoss
from isoperp.funding.index import INDEX_SCALE, settled_funding
from isoperp.numeric import ceil_div
from isoperp.risk.config import LossPolicy
from isoperp.risk.totals import MarketMark

SubKey = tuple[int, int]


class AdlCandidate(NamedTuple):
    key: SubKey
    size: int  # signed steps
    cost_basis: int  # |size|·entry price·k in quantums, > 0
    account_value: int  # the account's TNC


def profit_leverage_score(candidate: AdlCandidate, mark: MarketMark) -> Fraction:
    """Hyperliquid's sorting index, side-aware (module docstring)."""
    value_at_mark = abs(candidate.size) * mark.price * mark.k
    profit_ratio = (
        Fraction(value_at_mark, candidate.cost_basis)
        if candidate.size > 0
        else Fraction(candidate.cost_basis, value_at_mark)
    )
    return profit_ratio * Fraction(value_at_mark, candidate.account_value)


def seeded_rank(key: SubKey, seed: bytes) -> bytes:
    """A position in a permutation fixed by ``seed``."""
    data = seed + key[0].to_bytes(32, "big") + key[1].to_bytes(2, "big")
    return hashlib.blake2b(data, digest_size=16, person=b"isoperp.adl").digest()


def adl_order(
    candidates: Iterable[AdlCandidate],
    bankrupt_size: int,
    mark: MarketMark,
    policy: LossPolicy,
    seed: bytes,
) -> list[AdlCandidate]:
    """Opposite-side candidates with positive account value, in deleveraging order."""
    eligible = [c for c in candidates if c.size * bankrupt_size < 0 and c.account_value > 0]
    if policy is LossPolicy.ADL_RANDOM:
        return sorted(eligible, key=lambda c: (seeded_rank(c.key, seed), c.key))
    if policy is LossPolicy.ADL_RANKED:
        return sorted(eligible, key=lambda c: (-profit_leverage_score(c, mark), c.key))
    raise ValueError(f"{policy!r} does not deleverage")


def select_deleveraged(
    candidates: Iterable[AdlCandidate],
    bankrupt_size: int,
    mark: MarketMark,
    policy: LossPolicy,
    seed: bytes,
) -> list[tuple[SubKey, int]]:
    """(key, steps taken) in order, covering |bankrupt_size| or all that is eligible; each
    counterparty's size moves toward zero by its steps taken."""
    needed = abs(bankrupt_size)
    taken: list[tuple[SubKey, int]] = []
    for candidate in adl_order(candidates, bankrupt_size, mark, policy, seed):
        if needed == 0:
            break
        take = min(needed, abs(candidate.size))
        taken.append((candidate.key, take))
        needed -= take
    return taken


def split_quote(bankruptcy_quote: int, takes: Sequence[int]) -> list[int]:
    """The bankrupt account's quote for each counterparty's piece, rounded up for the
    bankrupt account (it receives more / pays less): the < 1 quantum per piece falls on
    the deleveraged accounts, so the bankrupt account ends at ≥ 0 and no bad debt remains."""
    total = sum(takes)
    return [ceil_div(bankruptcy_quote * take, total) for take in takes]


def given_up(counterparty_delta: int, piece_quote: int, mark: MarketMark) -> int:
    """Profit at the mark a deleveraged account gives up: what it would have received for
    its trade at the mark, minus what it receives from the bankrupt account (−piece_quote)."""
    return piece_quote - counterparty_delta * mark.price * mark.k


def deleveraged_events(
    bankrupt: SubKey,
    bankrupt_size: int,
    market: str,
    bankruptcy_quote: int,
    takes: Sequence[tuple[SubKey, int]],
    mark: MarketMark,
) -> list[Deleveraged]:
    """One event per counterparty of ``select_deleveraged``: ``bankruptcy_quote`` is what
    the bankrupt account receives for closing all the steps taken (``liquidation``)."""
    pieces = split_quote(bankruptcy_quote, [take for _, take in takes])
    events = []
    for (key, take), piece in zip(takes, pieces, strict=True):
        delta = take if bankrupt_size > 0 else -take
        events.append(
            Deleveraged(
                owner=key[0],
                subaccount=key[1],
                market=market,
                size=delta,
                price=round(Fraction(abs(piece), take * mark.k)),
                quote=-piece,
                amount=given_up(delta, piece, mark),
                bankrupt_owner=bankrupt[0],
                bankrupt_subaccount=bankrupt[1],
            )
        )
    return events


def socialize_loss(market: str, loss: int, sizes: Sequence[int]) -> SocializedLoss | None:
    """Per-side index deltas that charge ``loss`` to the open positions ``sizes`` in
    proportion to |size| (None when there is no open interest to charge).

    u = ⌈loss·1e6 / (|long| + |short|)⌉ in index units; longs' index rises by u, shorts'
    falls by u, so each position pays ⌈u·|size|/1e6⌉ on settlement (funding.settled_funding
    rounds against the payer). Charged ≥ loss, and below loss + n + (|long| + |short|)/1e6
    for n positions: the index's resolution is 1e-6 quantum per step.
    """
    if loss < 0:
        raise ValueError("a loss is not negative")
    open_interest = sum(abs(size) for size in sizes)
    if open_interest == 0:
        return None
    per_step = ceil_div(loss * INDEX_SCALE, open_interest)
    charged = -sum(settled_funding(size, 0, per_step if size > 0 else -per_step) for size in sizes)
    return SocializedLoss(
        market=market,
        amount=loss,
        long_index_delta=per_step,
        short_index_delta=-per_step,
        charged=charged,
    )

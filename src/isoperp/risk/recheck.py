"""The scan's exact re-check, vectorised: int64 arithmetic where it provably cannot overflow.

For each candidate subaccount the rule is that of ``totals.account_totals``: TV =
collateral + Σ(size·P + ⌊−(I_now − I_entry)·size / 1e6⌋), MMR = Σ⌈|size·P|·MMF / 1e6⌉,
liquidatable iff MMR > 0 and TV < MMR. In int64 with P = price·k:

- ⌈|n|·MMF/1e6⌉ = q·MMF + ⌈r·MMF/1e6⌉ with |n| = q·1e6 + r, so no product exceeds |n|
  or 1e12; ⌊x/1e6⌋ is numpy's floor_divide, which rounds toward −∞ like Python's //;
- a row is int64-safe when P, |I_now| and |I_entry| are below 2^62 and |size|·P and
  |I_now − I_entry|·|size| are below 2^61 (judged in float64, whose relative error is far
  inside the factor-4 headroom to 2^63); a subaccount is safe when its rows are and
  |collateral| + Σ(2|n| + |funding| + 2) < 2^61, so no partial sum can overflow.

Unsafe subaccounts are returned for the Python-int check; the decision is exact either way.
"""

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from isoperp.numeric import PPM

SAFE = 2.0**61
WIDE = 2**62


class Rows(NamedTuple):
    """Numpy views of the table's row columns."""

    sub: NDArray[np.int64]
    side: NDArray[np.int64]  # 2·market + (1 if short)
    size: NDArray[np.int64]
    entry: NDArray[np.int64]


class MarketInts(NamedTuple):
    price_k: Sequence[int]  # price·k per market index
    mmf: Sequence[int]
    funding_index: Sequence[int]  # funding index now


def recheck(
    candidates: NDArray[np.int64],
    slot_count: int,
    rows: Rows,
    markets: MarketInts,
    collateral: NDArray[np.int64],
    wide_slots: set[int],
) -> tuple[list[int], list[int]]:
    """(slots exactly liquidatable, slots that need the Python-int check)."""
    if len(candidates) == 0:
        return [], []
    chosen = np.zeros(slot_count, dtype=bool)
    chosen[candidates] = True
    picked = np.flatnonzero(chosen[rows.sub])
    subs = rows.sub[picked]
    order = np.argsort(subs, kind="stable")
    picked, subs = picked[order], subs[order]
    starts = np.flatnonzero(np.concatenate(([True], subs[1:] != subs[:-1])))
    group_slot = subs[starts]

    fits = [
        p < WIDE and abs(i) < WIDE
        for p, i in zip(markets.price_k, markets.funding_index, strict=True)
    ]
    market_ok = np.asarray(fits, dtype=bool)
    price_k = np.asarray([p if ok else 0 for p, ok in zip(markets.price_k, fits, strict=True)])
    index = np.asarray([i if ok else 0 for i, ok in zip(markets.funding_index, fits, strict=True)])
    mmf = np.asarray(markets.mmf, dtype=np.int64)

    market = rows.side[picked] >> 1
    size, entry = rows.size[picked], rows.entry[picked]
    size_f = np.abs(size.astype(np.float64))
    lag_f = np.abs(index[market].astype(np.float64) - entry.astype(np.float64))
    safe = (
        market_ok[market]
        & (np.abs(entry.astype(np.float64)) < WIDE)
        & (size_f * price_k[market].astype(np.float64) < SAFE)
        & (size_f * lag_f < SAFE)
    )
    size = np.where(safe, size, 0)
    lag = np.where(safe, index[market] - entry, 0)
    notional = size * price_k[market]
    magnitude = np.abs(notional)
    whole, rest = np.divmod(magnitude, PPM)
    requirement = whole * mmf[market] + (rest * mmf[market] + PPM - 1) // PPM
    funding = np.floor_divide(-lag * size, PPM)
    value_less_requirement = np.add.reduceat(notional + funding - requirement, starts)
    maintenance = np.add.reduceat(requirement, starts)

    gross = 2.0 * np.abs(notional.astype(np.float64)) + np.abs(funding.astype(np.float64)) + 2.0
    group_collateral = collateral[group_slot]
    group_safe = np.logical_and.reduceat(safe, starts) & (
        np.add.reduceat(gross, starts) + np.abs(group_collateral.astype(np.float64)) < SAFE
    )
    if wide_slots:
        group_safe &= ~np.isin(group_slot, np.fromiter(wide_slots, dtype=np.int64))
    liquidatable = group_safe & (maintenance > 0) & (group_collateral + value_less_requirement < 0)
    return group_slot[liquidatable].tolist(), group_slot[~group_safe].tolist()

"""Timelock executors after dYdX's governance: each has its own voting rules and delay.

Fractions are ppm of the total voting supply at the proposal's snapshot. dYdX expresses
them in basis points (ONE_HUNDRED_WITH_PRECISION = 10000) and floors each share before
comparing (contracts/governance/executor/ProposalValidatorMixin.sol); we compare exact
integer products instead, so no rounding can tip a vote.
"""

import msgspec

from isoperp.governance.schema import DAY_MS
from isoperp.numeric import PPM


class ExecutorConfig(msgspec.Struct, kw_only=True):
    """Only ``delay_ms`` changes after genesis (by a proposal on the long timelock, within
    [min_delay_ms, max_delay_ms]); the rest are fixed, as dYdX's immutables are."""

    name: str
    rank: int  # a proposal on this executor may carry actions needing a rank up to this
    delay_ms: int
    min_delay_ms: int
    max_delay_ms: int
    grace_period_ms: int
    proposition_threshold_ppm: int
    voting_period_ms: int
    vote_differential_ppm: int
    quorum_ppm: int


def short_timelock() -> ExecutorConfig:
    """dYdX SHORT_TIMELOCK_CONFIG (deploy-config/base-config.ts): delay 2 d in [1 d, 7 d],
    grace 7 d, threshold 0.5%, voting 4 d, differential 0.5%, quorum 2%."""
    return ExecutorConfig(
        name="short",
        rank=1,
        delay_ms=2 * DAY_MS,
        min_delay_ms=DAY_MS,
        max_delay_ms=7 * DAY_MS,
        grace_period_ms=7 * DAY_MS,
        proposition_threshold_ppm=5_000,
        voting_period_ms=4 * DAY_MS,
        vote_differential_ppm=5_000,
        quorum_ppm=20_000,
    )


def long_timelock() -> ExecutorConfig:
    """dYdX LONG_TIMELOCK_CONFIG: delay 7 d in [5 d, 21 d], grace 7 d, threshold 2%,
    voting 10 d, differential 10%, quorum 10%."""
    return ExecutorConfig(
        name="long",
        rank=2,
        delay_ms=7 * DAY_MS,
        min_delay_ms=5 * DAY_MS,
        max_delay_ms=21 * DAY_MS,
        grace_period_ms=7 * DAY_MS,
        proposition_threshold_ppm=20_000,
        voting_period_ms=10 * DAY_MS,
        vote_differential_ppm=100_000,
        quorum_ppm=100_000,
    )


def config_problems(config: ExecutorConfig) -> list[str]:
    """Why an executor configuration is unusable."""
    problems = []
    if not 0 <= config.min_delay_ms <= config.delay_ms <= config.max_delay_ms:
        problems.append(f"{config.name}: need min_delay <= delay <= max_delay")
    if config.grace_period_ms <= 0 or config.voting_period_ms <= 0 or config.rank < 1:
        problems.append(f"{config.name}: grace, voting period and rank must be positive")
    fractions = (config.proposition_threshold_ppm, config.vote_differential_ppm, config.quorum_ppm)
    if not all(0 <= f <= PPM for f in fractions):
        problems.append(f"{config.name}: threshold, differential and quorum must lie in [0, 1e6]")
    return problems


def can_propose(config: ExecutorConfig, power: int, supply: int) -> bool:
    """dYdX isPropositionPowerEnough: power >= supply * threshold (and some power at all)."""
    return power > 0 and power * PPM >= supply * config.proposition_threshold_ppm


def meets_quorum(config: ExecutorConfig, for_votes: int, abstain_votes: int, supply: int) -> bool:
    """(For + Abstain) / supply >= quorum. Abstain counts toward quorum as in OpenZeppelin
    GovernorCountingSimple._quorumReached; dYdX (isQuorumValid) has no Abstain and counts For."""
    return supply > 0 and (for_votes + abstain_votes) * PPM >= supply * config.quorum_ppm


def meets_differential(
    config: ExecutorConfig, for_votes: int, against_votes: int, supply: int
) -> bool:
    """For/supply - Against/supply > differential (dYdX isVoteDifferentialValid)."""
    return supply > 0 and (for_votes - against_votes) * PPM > supply * config.vote_differential_ppm

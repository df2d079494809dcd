"""How an exchange starts: its governance genesis and its initial prices.

``dev_genesis`` is for tests, demos and benchmarks only: it uses well-known development keys
(their private keys are in this file), so anyone could sign its oracle prices or committee
acts. A real exchange passes its own ``GenesisConfig``.
"""

from functools import cache

import msgspec

from isoperp.crypto import public_key
from isoperp.governance import GenesisConfig, OracleGenesis, key_hex
from isoperp.markets import MarketSpec

DEV_ORACLE_SECRET = 0x0A11CE  # published development keys: never use them in production
DEV_COMMITTEE_SECRET = 0xC0111


@cache
def dev_oracle_key() -> int:
    return public_key(DEV_ORACLE_SECRET)


@cache
def dev_committee_key() -> int:
    return public_key(DEV_COMMITTEE_SECRET)


def dev_genesis() -> GenesisConfig:
    """One development oracle signer (quorum 1) per market and a one-key committee."""
    return GenesisConfig(committee_members=(key_hex(dev_committee_key()),), committee_threshold=1)


def with_markets(
    config: GenesisConfig, specs: list[MarketSpec], max_open_orders: int | None
) -> GenesisConfig:
    """The genesis with these markets listed; markets without an oracle set in ``config``
    get the development signer."""
    given = {o.market_id for o in config.oracles}
    oracles = config.oracles + tuple(
        OracleGenesis(market_id=s.market_id, signers=(key_hex(dev_oracle_key()),), quorum=1)
        for s in specs
        if s.market_id not in given
    )
    parameters = dict(config.parameters)
    if max_open_orders is not None:
        parameters["exchange.max_open_orders_per_subaccount"] = max_open_orders
    return msgspec.structs.replace(
        config, markets=config.markets + tuple(specs), oracles=oracles, parameters=parameters
    )

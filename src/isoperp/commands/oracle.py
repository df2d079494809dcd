"""Oracle commands: a market's price, backed by prices signed by whitelisted oracle signers."""

import msgspec

from isoperp.commands import Command


class SignedPrice(msgspec.Struct, frozen=True, kw_only=True):
    """One signer's observation, signed as in StarkEx [SP oracle/oracle_price.cairo].

    The signed message is Pedersen(asset_id, price·2^32 + timestamp); ``signer`` is the
    signer's public key (x coordinate), ``price`` is in the market's ticks and ``timestamp``
    is in seconds, below 2^32 like StarkEx's. Keys and signatures are 252-bit integers.
    """

    signer: int
    price: int
    timestamp: int
    r: int
    s: int


class PriceReport(Command, frozen=True, kw_only=True):
    """A claimed median ``price`` for ``market`` with its signed prices, sorted by signer key."""

    market: str
    price: int
    signed_prices: tuple[SignedPrice, ...]

"""The StarkEx oracle message, and signing it (for signers, tests and benchmarks)."""

from isoperp.commands.oracle import SignedPrice
from isoperp.crypto import pedersen_hash, public_key, sign

TIMESTAMP_BOUND = 2**32  # [SP oracle/oracle_price.cairo: TIMESTAMP_BOUND]


def price_message(asset_id: int, price: int, timestamp: int) -> int:
    """Pedersen(asset_id, price·2^32 + timestamp) [SP oracle/oracle_price.cairo]."""
    return pedersen_hash(asset_id, price * TIMESTAMP_BOUND + timestamp)


def sign_price(private_key: int, asset_id: int, price: int, timestamp: int) -> SignedPrice:
    """A signer's signed observation of ``price`` (ticks) at ``timestamp`` (seconds)."""
    r, s = sign(private_key, price_message(asset_id, price, timestamp))
    return SignedPrice(signer=public_key(private_key), price=price, timestamp=timestamp, r=r, s=s)

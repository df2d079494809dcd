"""Owners' subaccounts (cross and isolated) and the margin rules that judge them."""

from isoperp.accounts.margin import (
    Health,
    Pricing,
    free_collateral,
    health,
    health_after,
    liquidation_price,
)
from isoperp.accounts.subaccount import (
    CROSS,
    MAX_OWNER_KEY,
    MAX_SUBACCOUNT_NUMBER,
    Exposure,
    Position,
    Subaccount,
)

__all__ = [
    "CROSS",
    "MAX_OWNER_KEY",
    "MAX_SUBACCOUNT_NUMBER",
    "Exposure",
    "Health",
    "Position",
    "Pricing",
    "Subaccount",
    "free_collateral",
    "health",
    "health_after",
    "liquidation_price",
]

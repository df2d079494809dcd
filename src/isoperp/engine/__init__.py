"""The exchange state machine that composes books, accounts and margin."""

from isoperp.engine.core import Applied, Engine
from isoperp.engine.rejections import Code

__all__ = ["Applied", "Code", "Engine"]

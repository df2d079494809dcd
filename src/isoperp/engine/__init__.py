"""The exchange state machine that composes books, accounts and margin."""

from isoperp.engine.applied import Applied
from isoperp.engine.core import Engine
from isoperp.engine.rejections import Code

__all__ = ["Applied", "Code", "Engine"]

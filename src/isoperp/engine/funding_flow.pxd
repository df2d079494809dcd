# Cython declarations for funding_flow.py (compiled in place; the .py stays the source).
cimport cython

from isoperp.accounts.subaccount cimport Position, Subaccount
from isoperp.engine.core cimport Engine
from isoperp.engine.market cimport Market
from isoperp.funding.index cimport settled_funding

@cython.locals(position=Position)
cpdef void settle_funding(Engine eng, Subaccount sub, Market market) except *
cpdef void settle_position_funding(Engine eng, Subaccount sub, Market market,
                                   Position position) except *

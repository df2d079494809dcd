# Cython declarations for core.py (compiled in place; the .py stays the source).
cimport cython

from isoperp.engine.applied cimport Applied, applied
from isoperp.numeric.native cimport int64
from isoperp.numeric.bounds cimport check_range

cdef frozenset NOTHING
cdef tuple IN_CORE
cdef int64 MAX_TIMESTAMP_MS

cdef class Engine:
    cdef object _gov
    cdef public object _gov_digest
    cdef public int64 last_ts
    cdef public object core
    cdef public dict markets
    cdef public object position_table
    cdef public bint _risk_dirty
    cdef public object subaccounts
    cdef public dict insurance
    cdef public dict last_liquidation_step
    cdef public list events
    cdef public set touched
    cdef public dict _handlers

    @cython.locals(done=Applied)
    cpdef Applied apply(self, object cmd)
    cpdef list advance(self, int64 ts)
    cpdef void _liquidate_if_needed(self, int64 ts) except *
    cdef bint _quiet(self, int64 ts) except -1

# Cython declarations for core.py (compiled in place; the .py stays the source).
cimport cython

from isoperp.accounts.margin cimport free_collateral
from isoperp.accounts.subaccount cimport Subaccount
from isoperp.engine.market cimport Market
from isoperp.numeric.native cimport int64, int128
from isoperp.numeric.bounds cimport check_range, check_wide_range

cdef frozenset NOTHING
cdef int64 MAX_TIMESTAMP_MS

cdef class Applied:
    cdef public list events
    cdef public frozenset touched

cdef class Engine:
    cdef object _gov
    cdef public object _gov_digest
    cdef public int64 last_ts
    cdef public dict markets
    cdef public object position_table
    cdef public set _table_dirty
    cdef public bint _risk_dirty
    cdef public int64 _quiet_until
    cdef public int64 max_open_orders
    cdef public dict subaccounts
    cdef readonly dict subaccounts_by_owner
    cdef public int128 fee_collateral
    cdef public object funding_pool
    cdef public dict insurance
    cdef public dict last_liquidation_step
    cdef public object deposited
    cdef public object withdrawn
    cdef public int64 next_order_id
    cdef public list expiries
    cdef public list events
    cdef public set touched
    cdef public dict _handlers

    cpdef list advance(self, int64 ts)
    cpdef void _liquidate_if_needed(self, int64 ts) except *
    cpdef Market market(self, object market_id)
    @cython.locals(owned=dict)
    cpdef Subaccount subaccount(self, object owner, object number, bint create=*)
    @cython.locals(owned=dict)
    cpdef void add_subaccount(self, Subaccount sub) except *
    @cython.locals(free=int128)
    cpdef void require_free(self, Subaccount sub) except *
    cpdef void require_fresh_prices(self, Subaccount sub) except *
    cpdef void debit(self, Subaccount sub, object amount) except *
    @cython.locals(owned=dict)
    cpdef void forget_if_created(self, Subaccount sub, bint created) except *
    cpdef void schedule_expiry(self, int64 expires_at, object order_id, object market_id) except *

@cython.locals(applied=Applied)
cdef Applied _applied(list events, frozenset touched)

# Cython declarations for subaccount.py (compiled in place; the .py stays the source).
cimport cython

from isoperp.numeric.native cimport int64, int128

cdef class Position:
    cdef public int64 size
    cdef public object funding_index
    cdef public int128 cost

    @cython.locals(old=int64)
    cpdef void resize(self, int64 new_size, int128 price_value) except *

cdef class Exposure:
    cdef public int64 buy_qty
    cdef public int128 buy_value
    cdef public int64 sell_qty
    cdef public int128 sell_value

    cpdef void add(self, bint is_buy, int128 qty, int128 price) except *
    cpdef bint is_empty(self) except -1

cdef class Subaccount:
    cdef public object owner
    cdef public int64 number
    cdef readonly tuple key
    cdef readonly bint is_isolated
    cdef public int128 collateral
    cdef public object isolated_market
    cdef public dict positions
    cdef public dict exposure
    cdef public dict orders
    cdef public dict reduce_only

    @cython.locals(position=Position)
    cpdef int64 size(self, object market) except? -1
    cpdef bint is_flat(self) except -1

cdef int128 FAST_COST
cdef int64 FAST_SIZE

@cython.locals(whole=int128)
cpdef int128 scaled_cost(int128 cost, int128 new, int128 old) except? -1
@cython.locals(whole=int64)
cdef int64 _scaled_cost_fast(int64 cost, int64 new, int64 old)

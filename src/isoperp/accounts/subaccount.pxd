# Cython declarations for subaccount.py (compiled in place; the .py stays the source).
cimport cython

from isoperp.numeric.native cimport int64, int128

cdef class Position:
    cdef public int64 size
    cdef public object funding_index
    cdef public int128 cost

cdef class Exposure:
    cdef public int64 buy_qty
    cdef public int128 buy_value
    cdef public int64 sell_qty
    cdef public int128 sell_value

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

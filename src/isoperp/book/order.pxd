# Cython declarations for order.py (compiled in place; the .py stays the source).
from isoperp.numeric.native cimport int64, int128

cdef class Order:
    cdef public int64 order_id
    cdef public object account
    cdef public object market
    cdef public int64 client_id
    cdef public bint is_buy
    cdef public int64 price
    cdef public int64 remaining
    cdef public bint reduce_only
    cdef public object expires_at

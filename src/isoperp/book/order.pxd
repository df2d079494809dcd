# Cython declarations for order.py (compiled in place; the .py stays the source).
cimport cython

from isoperp.numeric.native cimport int64, int128

# Fields in declaration order: the two bints (4 bytes each) share one 8-byte slot.
cdef class Order:
    # The very ints the id maps and the events hold (boxed once, not per use).
    cdef public object order_id
    cdef public object account
    cdef public object market
    cdef public object client_id
    cdef public int64 price
    cdef public int64 remaining
    cdef public object expires_at
    cdef readonly Order older
    cdef readonly Order newer
    cdef public bint is_buy
    cdef public bint reduce_only

@cython.locals(order=Order)
cpdef Order new_order(object order_id, object account, object market, object client_id,
                      bint is_buy, int64 price, int64 remaining, bint reduce_only=*,
                      object expires_at=*)

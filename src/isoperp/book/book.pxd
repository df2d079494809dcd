# Cython declarations for book.py (compiled in place; the .py stays the source).
cimport cython

from isoperp.book.order cimport Order
from isoperp.numeric.native cimport int64

cdef class Taker:
    cpdef int64 fill(self, Order maker, int64 qty, int64 price) except? -1
    cpdef void expire(self, Order maker, int64 left) except *

cdef class CountingTaker(Taker):
    cdef public int64 fills
    cpdef int64 fill(self, Order maker, int64 qty, int64 price) except? -1

cdef class Level:
    cdef readonly Order head
    cdef readonly Order tail

    @cython.locals(older=Order, newer=Order)
    cdef void unlink(self, Order order) noexcept

cdef class OrderBook:
    cdef public dict bids
    cdef public dict asks
    cdef public list bid_heap
    cdef public list ask_heap
    cdef public dict orders

    cpdef object best_bid(self)
    cpdef object best_ask(self)
    @cython.locals(price=int64, levels=dict, level=Level, tail=Order)
    cpdef void rest(self, Order order) except *
    @cython.locals(remaining=int64, levels=dict, level=Level)
    cpdef int64 remove(self, Order order) except? -1
    @cython.locals(sign=int64, price=int64, level=Level, maker=Order, done=int64, levels=dict,
                   heap=list, orders=dict)
    cpdef int64 match(self, bint taker_is_buy, int64 limit, int64 qty, object taker_owner,
                      Taker taker) except? -1
    cdef void _drop_level(self, bint bids, int64 price) except *
    cpdef void _trim_heap(self, bint bids) except *

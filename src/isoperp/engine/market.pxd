# Cython declarations for market.py (compiled in place; the .py stays the source).
from isoperp.accounts.margin cimport Pricing
from isoperp.book.book cimport OrderBook
from isoperp.numeric.native cimport int64, int128

cdef class Market(Pricing):
    cdef public object _funding
    cdef public OrderBook book
    cdef public object funding_config
    cdef public object impact_notional
    cdef public object last_trade
    cdef public object mark
    cdef public object mark_config
    cdef public int64 open_interest
    cdef object _oracle
    cdef readonly bint oracle_stale
    cdef public object oracle_config
    cdef public object risk_config
    cdef public dict triggers

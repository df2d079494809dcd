# Cython declarations for market.py (compiled in place; the .py stays the source).
from isoperp.accounts.margin cimport Pricing

cdef class Market(Pricing):
    cdef object _core
    cdef public object _funding
    cdef public object funding_config
    cdef public object impact_notional
    cdef public object mark
    cdef public object mark_config
    cdef object _oracle
    cdef readonly bint oracle_stale
    cdef public object oracle_config
    cdef public object risk_config

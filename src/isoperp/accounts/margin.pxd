# Cython declarations for margin.py (compiled in place; the .py stays the source).
# Stored sizes and prices are int64; every product is formed in int128 locals.
cimport cython

from isoperp.accounts.subaccount cimport Exposure, Position, Subaccount
from isoperp.funding.index cimport settled_funding
from isoperp.markets.spec cimport imf_ppm
from isoperp.numeric.native cimport int64, int128
from isoperp.numeric.rounding cimport mul_ppm_ceil

cdef int128 PPM

cdef class Pricing:
    cdef object _spec
    cdef public object market_id
    cdef public object status
    cdef public int64 k
    cdef public int64 price
    cdef public object funding_index
    cdef public int64 initial_margin_ppm
    cdef public int64 maintenance_margin_ppm
    cdef public int64 baseline_position_steps
    cdef public int64 incremental_position_steps
    cdef public int64 incremental_initial_margin_ppm
    cdef public int64 min_order_steps
    cdef public int64 max_position_steps
    cdef public int64 open_interest_cap_steps
    cdef public int64 maker_fee_ppm
    cdef public int64 taker_fee_ppm

    cpdef int64 imf_ppm(self, int64 abs_size) except? -1

cdef class Health:
    cdef public int128 value
    cdef public int128 initial
    cdef public int128 maintenance

cpdef int128 notional(int128 size, int128 price, int128 k) except? -1
@cython.locals(health=Health)
cdef Health _health(int128 value, int128 initial, int128 maintenance)
cdef int128 _requirement(int128 amount, int128 fraction_ppm) except? -1
cdef int128 _funding(Pricing market, Position position) except? -1
@cython.locals(value=int128, initial=int128, maintenance=int128)
cpdef Health health_after(Subaccount sub, object markets, object market_id,
                          int64 size_delta, int128 collateral_delta)
@cython.locals(value=int128, initial=int128, maintenance=int128, amount=int128,
               market=Pricing, size=int64, seen=bint, position=Position)
cpdef (int128, int128, int128) sums_after(Subaccount sub, object markets, object market_id,
                                          int64 size_delta, int128 collateral_delta,
                                          bint with_maintenance) except *
cpdef Health health(Subaccount sub, object markets)
@cython.locals(free=int128, position=Position, exposure=Exposure, market=Pricing, paired=int64)
cpdef int128 free_collateral(Subaccount sub, object markets) except? -1
@cython.locals(amount=int128)
cdef int128 _net_value(Pricing market, int64 size) except? -1
@cython.locals(worst=int128, paid=int128, received=int128, filled=int128, k=int128,
               fee_ppm=int128)
cdef int128 _worst_case(Pricing market, int64 size, Exposure exposure) except? -1

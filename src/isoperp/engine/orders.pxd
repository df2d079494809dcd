# Cython declarations for orders.py (compiled in place; the .py stays the source).
# Stored sizes and prices are int64; every product is formed in int128 locals.
cimport cython

from isoperp.accounts.margin cimport (Health, change_allowed, health, health_after,
                                     notional, sums_after)
from isoperp.accounts.subaccount cimport Exposure, Position, Subaccount
from isoperp.book.book cimport OrderBook, Taker
from isoperp.book.order cimport Order, new_order
from isoperp.engine.core cimport Engine
from isoperp.engine.market cimport Market
from isoperp.numeric.native cimport int64, int128
from isoperp.numeric.bounds cimport check_range, check_wide_range
from isoperp.numeric.rounding cimport mul_ppm_ceil, mul_ppm_floor
from isoperp.engine.funding_flow cimport settle_position_funding

cdef object astuple, BUY, SELL, STOP_ORDER, TAKE_PROFIT_ORDER, LIMIT_ORDER, MARKET_ORDER
cdef object POST_ONLY, FOK, GTT, IOC, REDUCE_ONLY_MARKET, PAUSED, FINAL_SETTLEMENT
cdef tuple PLACE_ORDER_FIELDS
cdef str NO_OPEN_ORDER
cdef int64 MAX_PRICE_TICKS, MAX_SIZE_STEPS, MAX_QUANTUMS

cdef class Ticket:
    cdef public object cmd
    cdef public object market
    cdef public object owner
    cdef public object subaccount
    cdef public object client_id
    cdef public bint is_buy
    cdef public int64 price
    cdef public int64 size
    cdef public bint reduce_only
    cdef public bint conditional
    cdef public bint post_only
    cdef public bint fok
    cdef public bint immediate
    cdef public object expires_at
    cdef public object isolated_margin
    cdef public object margin_source

@cython.locals(t=Ticket, conditional=bint, immediate=bint, fields=tuple)
cdef Ticket ticket(object cmd, Market market)
@cython.locals(market=Market, t=Ticket, sub=Subaccount, size=int64, price=int64, count=int64,
               position=int64, is_buy=bint, created=bint, order=Order)
cpdef void place(Engine eng, object cmd) except *
@cython.locals(source=Subaccount)
cdef void _move_isolated_margin(Engine eng, Ticket t, Subaccount sub, bint created) except *
cdef void _unwind_isolated_margin(Engine eng, Ticket t, Subaccount sub, bint created) except *
@cython.locals(is_buy=bint, exposure=Exposure, same_side=int64, limit=int64)
cdef void _check_risk(Engine eng, Ticket t, Subaccount sub, Market market,
                      int64 position) except *
@cython.locals(exposure=Exposure)
cpdef void add_exposure(Subaccount sub, object market_id, bint is_buy, int128 qty,
                        int128 price) except *
@cython.locals(edge=int64)
cdef bint _would_cross(Market market, bint is_buy, int64 price) except -1
@cython.locals(maker_ppm=int64)
cdef int64 _maker_fee(Market market, int64 amount) except? -1
@cython.locals(value=int128, initial=int128, old=int64, new=int64, after=Health)
cdef bint _fill_allowed(Engine eng, Subaccount sub, object market_id, int64 d_size,
                        int128 d_collateral) except -1
@cython.locals(sub=Subaccount, matcher=Matcher, remaining=int64)
cdef void _match_and_rest(Engine eng, Market market, Order taker, bint immediate) except *

cdef class Matcher(Taker):
    cdef public Engine eng
    cdef public Market market
    cdef public Subaccount taker
    cdef public bint is_buy
    cdef public int64 sign
    cdef public object taker_order_id
    cdef public object taker_limit
    cdef public object stop_reason
    cdef public dict moved

    cpdef void setup(self, Engine eng, Market market, Subaccount taker, bint is_buy,
                     object taker_order_id, object taker_limit) except *
    @cython.locals(remaining=int64, sub=Subaccount)
    cpdef int64 sweep(self, int64 limit, int64 qty) except? -1
    cpdef int64 taker_fee(self, int64 amount) except? -1
    cpdef bint taker_allowed(self, int64 qty, int64 price, int64 cash) except -1
    cpdef void after_fill(self, int64 qty, int64 price) except *
    cpdef void expire(self, Order maker, int64 left) except *
    @cython.locals(eng=Engine, market=Market, sub=Subaccount, msub=Subaccount, sign=int128,
                   position=int64, reducible=int64, amount=int64, maker_fee=int64,
                   taker_fee=int64, m_old=int64, t_old=int64, m_new=int64, t_new=int64,
                   limit=int64, oi_delta=int64, m_cash=int64, t_cash=int64)
    cpdef int64 fill(self, Order maker, int64 qty, int64 price) except? -1

@cython.locals(matcher=Matcher)
cdef Matcher new_matcher(Engine eng, Market market, Subaccount taker, bint is_buy,
                         object taker_order_id, object taker_limit)
@cython.locals(exposure=Exposure)
cdef void _drop_empty_exposure(Subaccount sub, object market_id) except *
@cython.locals(position=Position, size=int64)
cpdef void trade(Engine eng, Subaccount sub, Market market, int64 size_delta, int64 price,
                 int128 cash) except *
@cython.locals(size=int64, order=Order)
cdef void _keep_reduce_only_reducing(Engine eng, Subaccount sub, object market_id) except *
@cython.locals(market=Market, sub=Subaccount)
cpdef void take_off(Engine eng, Order order, object reason) except *
@cython.locals(sub=Subaccount, order=Order)
cpdef object cancel(Engine eng, object cmd)
@cython.locals(sub=Subaccount)
cdef void _forget(Engine eng, Order order, int64 remaining, object reason) except *
@cython.locals(order=Order)
cdef void _store_conditional(Engine eng, Ticket t, Subaccount sub, Market market) except *
cdef object _accepted(object order_id, Ticket t)

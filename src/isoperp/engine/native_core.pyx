# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The engine's state and order path in C: subaccounts, orders, books, open interest, fees.

State lives in C: orders in a pool threaded into price levels, levels and client ids in
open-addressing hash maps, subaccounts as structs each with a short array of holdings (one
per market it has a position or open orders in: the position and the open orders' exposure
together). Python objects appear only at the edges: the command read once, the events
built for output. It replaced the engine's Python order path (engine/orders.py, until
2026-11), which it followed rule for rule, checked event for event; the recorded sessions
in tests/engine/test_recorded_sessions.py hold it to that path's digests and events.

Funding settles here (on every trade, and margin counts what is unsettled), conditional
orders fire here when the mark reaches their trigger, and withdrawals and transfers are
judged here. What moves a market's mark, funding index and stale flag stays outside (oracle
reports, funding ticks): ``set_price``, ``set_funding_index`` and ``set_stale`` take them.
For the rules off the hot path there are primitives: health and free collateral;
cancelling a subaccount's orders; one side of a trade outside the book; a protocol sweep
through the book whose taker side is a Python policy (liquidation's); crediting collateral
and moving a funding entry (insurance, socialised loss); final settlement; listing and
delisting markets and their specs. ``canonical()`` gives the state in the snapshot's rows
and ``load()`` takes them back; copies of subaccounts and orders and the book's depth serve
the engine's read-only views (engine.views). The engine (engine.core) owns one core and
keeps the rest: governance, oracle, mark and funding state, insurance funds and liquidation.
"""
from isoperp.engine.applied cimport Applied, applied
from isoperp.numeric.bounds cimport check_range, check_wide_range
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memset
from msgspec import convert, to_builtins
from msgspec.structs import astuple

from isoperp.commands.trading import (CancelAll, CancelOrder, Deposit, OrderKind, PlaceOrder,
                                      Side, TimeInForce, Transfer, Withdraw)
from isoperp.engine.rejections import Code, Reject
from isoperp.events import Rejected
from isoperp.events.funding import FundingPaid
from isoperp.events.trading import (Deposited, Fill, OrderAccepted, OrderCanceled, OrderResized,
                                    OrderRested, OrderTriggered, PositionSettled, Transferred,
                                    Withdrawn)
from isoperp.accounts.subaccount import Exposure, Position, Subaccount
from isoperp.book.order import new_order
from isoperp.funding.index import settled_funding
from isoperp.markets import MarketStatus
from isoperp.numeric.bounds import (MAX_PRICE_TICKS, MAX_QUANTUMS, MAX_SIZE_STEPS,
                                    MAX_TIMESTAMP_MS, OutOfBounds)
from isoperp.accounts.subaccount import MAX_OWNER_KEY, MAX_SUBACCOUNT_NUMBER

cdef extern from *:
    ctypedef long long i128 "__int128"
ctypedef long long i64

cdef object BUY = Side.BUY, SELL = Side.SELL
cdef object STOP_ORDER = OrderKind.STOP, TAKE_PROFIT = OrderKind.TAKE_PROFIT
cdef object MARKET_ORDER = OrderKind.MARKET, LIMIT_ORDER = OrderKind.LIMIT
cdef object POST_ONLY = TimeInForce.POST_ONLY, FOK = TimeInForce.FOK
cdef object GTT = TimeInForce.GTT, IOC = TimeInForce.IOC
cdef i64 C_MAX_PRICE = MAX_PRICE_TICKS, C_MAX_SIZE = MAX_SIZE_STEPS
cdef i64 C_MAX_Q = MAX_QUANTUMS, C_MAX_TS = MAX_TIMESTAMP_MS
cdef i64 C_MAX_SUB = MAX_SUBACCOUNT_NUMBER
cdef i128 FAST = (<i128>1) << 62
cdef i64 NO_EXPIRY = (<i64>1) << 62  # later than any timestamp (numeric.bounds)
cdef frozenset NOTHING = frozenset()
cdef str NO_OPEN_ORDER = "no open order with this client id (it may have just filled)"

# market status codes
cdef enum:
    ACTIVE = 0
    REDUCE_ONLY_MARKET = 1
    PAUSED = 2
    FINAL = 3

cdef dict STATUS_CODES = {
    MarketStatus.ACTIVE: ACTIVE,
    MarketStatus.REDUCE_ONLY: REDUCE_ONLY_MARKET,
    MarketStatus.PAUSED: PAUSED,
    MarketStatus.FINAL_SETTLEMENT: FINAL,
}


# ---- integer rounding (numeric.rounding's rules, on machine integers) -------------------

cdef inline i128 mul_ppm_floor(i128 amount, i64 ppm) noexcept:
    """⌊amount·ppm/1e6⌋ for 0 ≤ ppm ≤ 2^24 and |amount| < 2^122 (numeric.bounds), split at
    1e6 as numeric.rounding splits it; on 64 bits while |amount| ≤ 2^62."""
    cdef i64 a, whole, rest
    cdef i128 wide_whole, wide_rest
    if -FAST <= amount <= FAST:
        a = <i64>amount
        whole = a // 1000000
        rest = a - whole * 1000000
        if rest < 0:
            whole -= 1
            rest += 1000000
        return <i128>whole * ppm + (rest * ppm) // 1000000
    wide_whole = amount / 1000000  # C division of 128-bit values: truncates toward zero
    wide_rest = amount - wide_whole * 1000000
    if wide_rest < 0:
        wide_whole -= 1
        wide_rest += 1000000
    return wide_whole * ppm + (wide_rest * ppm) / 1000000

cdef inline i128 mul_ppm_ceil(i128 amount, i64 ppm) noexcept:
    return -mul_ppm_floor(-amount, ppm)

cdef inline i128 requirement(i128 amount, i64 ppm) noexcept:
    return mul_ppm_ceil(amount if amount >= 0 else -amount, ppm)

cdef inline i64 iabs(i64 x) noexcept:
    return x if x >= 0 else -x


# ---- a hash map (int, i64) -> int (open addressing, linear probing) ---------------------
# Keys: client ids by (subaccount, client id), levels by (market·2 + is_buy, price),
# subaccounts by (number, hash of the owner), resting orders by (0, order id).

cdef struct Slot:   # 16 bytes
    i64 b
    int a
    int value      # -1 empty, -2 deleted

cdef struct Map:
    Slot* slots
    i64 mask
    i64 used       # live + deleted slots
    i64 live

cdef inline i64 _mix(int a, i64 b) noexcept:
    cdef unsigned long long h = <unsigned long long>a * 0x9E3779B97F4A7C15ULL
    h ^= <unsigned long long>b + 0x632BE59BD9B4E019ULL + (h << 6) + (h >> 2)
    h ^= h >> 29
    h *= 0xBF58476D1CE4E5B9ULL
    h ^= h >> 32
    return <i64>h

cdef int map_init(Map* m, i64 cap) except -1:
    m.slots = <Slot*>malloc(cap * sizeof(Slot))
    if m.slots == NULL:
        raise MemoryError()
    for i in range(cap):
        m.slots[i].value = -1
    m.mask = cap - 1
    m.used = 0
    m.live = 0
    return 0

cdef int map_get(Map* m, int a, i64 b) noexcept:
    cdef i64 i = _mix(a, b) & m.mask
    cdef Slot* s
    while True:
        s = &m.slots[i]
        if s.value == -1:
            return -1
        if s.value >= 0 and s.a == a and s.b == b:
            return s.value
        i = (i + 1) & m.mask

cdef int map_put(Map* m, int a, i64 b, int value) except -1:
    cdef Slot* old
    cdef i64 n
    if (m.used + 1) * 2 > m.mask + 1:  # rehash: twice the size while half is live
        old, n = m.slots, m.mask + 1
        map_init(m, n * 2 if m.live * 4 > n else n)
        for i in range(n):
            if old[i].value >= 0:
                map_put(m, old[i].a, old[i].b, old[i].value)
        free(old)
    cdef i64 j = _mix(a, b) & m.mask
    cdef Slot* s
    while True:
        s = &m.slots[j]
        if s.value < 0:
            if s.value == -1:
                m.used += 1
            s.a = a
            s.b = b
            s.value = value
            m.live += 1
            return 0
        j = (j + 1) & m.mask

cdef void map_del(Map* m, int a, i64 b) noexcept:
    cdef i64 i = _mix(a, b) & m.mask
    cdef Slot* s
    while True:
        s = &m.slots[i]
        if s.value == -1:
            return
        if s.value >= 0 and s.a == a and s.b == b:
            s.value = -2
            m.live -= 1
            return
        i = (i + 1) & m.mask


# ---- growing C arrays ---------------------------------------------------------------------

cdef void* grown(void* items, i64 count, size_t size) except NULL:
    """``items`` reallocated to hold ``count`` elements of ``size`` bytes; on failure a
    MemoryError, the old block kept."""
    cdef void* moved = realloc(items, count * size)
    if moved == NULL:
        raise MemoryError()
    return moved

cdef inline i64 doubled(i64 cap, i64 first) noexcept:
    return cap * 2 if cap else first


# ---- min-heaps of i64 keys (bids negated) and of (time, id) pairs ----------------------

cdef struct Heap:
    i64* items
    i64 n
    i64 cap

cdef int heap_push(Heap* h, i64 x) except -1:
    if h.n == h.cap:
        h.items = <i64*>grown(h.items, doubled(h.cap, 64), sizeof(i64))
        h.cap = doubled(h.cap, 64)
    cdef i64 i = h.n, parent
    h.n += 1
    while i > 0:
        parent = (i - 1) >> 1
        if h.items[parent] <= x:
            break
        h.items[i] = h.items[parent]
        i = parent
    h.items[i] = x
    return 0

cdef void heap_pop(Heap* h) noexcept:
    h.n -= 1
    if h.n == 0:
        return
    cdef i64 x = h.items[h.n], i = 0, child
    while True:
        child = 2 * i + 1
        if child >= h.n:
            break
        if child + 1 < h.n and h.items[child + 1] < h.items[child]:
            child += 1
        if h.items[child] >= x:
            break
        h.items[i] = h.items[child]
        i = child
    h.items[i] = x


# ---- state --------------------------------------------------------------------------------

cdef struct COrder:
    i64 order_id
    i64 client_id
    i64 price
    i64 remaining
    i64 expires_at     # -1: none
    int market
    int sub
    int level
    int older          # within the level, -1 none
    int newer
    int sub_prev       # within the subaccount's open orders, by placement
    int sub_next
    char is_buy
    char reduce_only
    char conditional   # a stop or take-profit order waiting for its trigger, off the book

cdef struct CLevel:
    int head
    int tail

cdef struct CMarket:
    i64 k
    i64 price
    i64 imf
    i64 mmf
    i64 baseline
    i64 incr_steps
    i64 incr_ppm
    i64 max_pos
    i64 oi_cap
    i64 min_order
    i64 maker_ppm
    i64 taker_ppm
    i64 open_interest
    i64 last_trade       # 0: no trade yet
    char stale           # no fresh oracle price: orders that add risk and debits wait
    i128 funding_index   # cumulative (funding.index); |index| < 2^120 is checked when set
    int status
    Heap bids          # negated prices
    Heap asks

cdef struct Holding:      # one market of a subaccount: its position and open orders
    int market
    i64 size
    i128 cost
    i128 funding_index   # where the position last settled (meaningless while size is 0)
    i64 opened           # when the position opened (the engine's positions keep that order)
    i64 buy_qty
    i64 sell_qty
    i128 buy_value
    i128 sell_value

cdef struct CSub:
    i128 collateral
    Holding* holdings
    int n_holdings
    int cap_holdings
    int n_orders
    int n_reduce_only
    int first_order    # the open orders, oldest first (-1: none)
    int last_order
    int isolated_market  # -1: none
    char is_isolated
    char dirty         # changed since the engine last read it for its liquidation scan
    i64 stamp


cdef class NativeCore:
    cdef Map clients        # (sub, client id) -> order
    cdef Map ids            # (0, order id) -> resting order
    cdef Map levels         # (market·2 + is_buy, price) -> level
    cdef Map sub_index      # (number, hash(owner)) -> subaccount (``owners`` on a collision)
    cdef COrder* orders
    cdef int n_orders, cap_orders, free_order
    cdef CLevel* lv
    cdef int n_levels, cap_levels, free_level
    cdef CMarket* markets
    cdef int n_markets
    cdef list market_ids    # index -> id
    cdef list triggers      # per market: {order id: (its PlaceOrder's fields, order slot)}
    cdef dict market_index  # id -> index
    cdef CSub* subs
    cdef int n_subs, cap_subs
    cdef list sub_owner, sub_number, sub_key
    cdef dict owners        # owner -> {number: index}
    cdef i64* exp_ts        # GTT expiries: a heap of (expires at, order id) pairs
    cdef i64* exp_id
    cdef i64 n_exp, cap_exp
    cdef public i64 quiet_until    # before this time the engine has no time effect due
    cdef readonly i64 next_expiry  # the earliest GTT expiry (NO_EXPIRY: none)
    cdef public i64 next_order_id, last_ts, max_open_orders
    cdef i128 fees
    cdef public object funding_pool   # − Σ settled funding (Engine.funding_pool)
    cdef public object deposited
    cdef list events
    cdef int* touched
    cdef int n_touched
    cdef i64 stamp
    cdef i64 positions_opened
    cdef public object withdrawn
    cdef str _stop_reason
    cdef list _moved         # makers with reduce-only orders whose position moved
    cdef object _policy      # a liquidation sweep's taker side (None: an order's)

    def __cinit__(self):
        map_init(&self.clients, 1 << 10)
        map_init(&self.ids, 1 << 10)
        map_init(&self.levels, 1 << 10)
        map_init(&self.sub_index, 1 << 10)
        self.free_order = -1
        self.free_level = -1
        self.market_ids = []
        self.market_index = {}
        self.triggers = []
        self.sub_owner, self.sub_number, self.sub_key = [], [], []
        self.owners = {}
        self.next_order_id = 1
        self.next_expiry = NO_EXPIRY
        self.deposited = 0
        self.withdrawn = 0
        self.funding_pool = 0

    def __dealloc__(self):
        free(self.clients.slots); free(self.ids.slots); free(self.levels.slots)
        free(self.sub_index.slots)
        free(self.orders); free(self.lv); free(self.exp_ts); free(self.exp_id)
        for i in range(self.n_markets):
            free(self.markets[i].bids.items); free(self.markets[i].asks.items)
        free(self.markets)
        for i in range(self.n_subs):
            free(self.subs[i].holdings)
        free(self.subs)
        free(self.touched)

    def __init__(self, markets, max_open_orders):
        """``markets``: (spec, price in ticks) pairs, as Engine takes them."""
        for spec, price in markets:
            self.add_market(spec, price)
        self.max_open_orders = max_open_orders

    def add_market(self, spec, i64 price=0):
        """List a market (its mark ``price`` in ticks: 0 until the first oracle price)."""
        cdef int i = self.n_markets
        self.markets = <CMarket*>grown(self.markets, i + 1, sizeof(CMarket))
        memset(&self.markets[i], 0, sizeof(CMarket))
        self.n_markets += 1
        self.market_index[spec.market_id] = i
        self.market_ids.append(spec.market_id)
        self.triggers.append({})
        self._set_spec(i, spec)
        self.markets[i].price = price

    def delist(self, market_id):
        """A market leaves (after its final settlement: no orders, no positions)."""
        del self.market_index[market_id]

    cdef void _set_spec(self, int i, spec) except *:
        cdef CMarket* m = &self.markets[i]
        m.k = spec.quantums_per_step_tick
        m.imf = spec.initial_margin_ppm
        m.mmf = spec.maintenance_margin_ppm
        m.baseline = spec.baseline_position_steps
        m.incr_steps = spec.incremental_position_steps
        m.incr_ppm = spec.incremental_initial_margin_ppm
        m.max_pos = spec.max_position_steps
        m.oi_cap = spec.open_interest_cap_steps
        m.min_order = spec.min_order_steps
        m.maker_ppm = spec.maker_fee_ppm
        m.taker_ppm = spec.taker_fee_ppm
        m.status = STATUS_CODES[spec.status]

    # -- subaccounts ---------------------------------------------------------------------

    cdef int _find_sub(self, owner, number) except -2:
        cdef int s
        if type(number) is int and 0 <= number <= C_MAX_SUB:
            s = map_get(&self.sub_index, number, hash(owner))
            if s >= 0 and self.sub_owner[s] == owner:
                return s
        owned = self.owners.get(owner)
        if owned is None:
            return -1
        found = (<dict>owned).get(number)
        return -1 if found is None else <int>found

    cdef int _new_sub(self, owner, number) except -1:
        cdef int s = self.n_subs
        if s == self.cap_subs:
            self.subs = <CSub*>grown(self.subs, doubled(s, 64), sizeof(CSub))
            self.touched = <int*>grown(self.touched, doubled(s, 64), sizeof(int))
            self.cap_subs = doubled(s, 64)
        memset(&self.subs[s], 0, sizeof(CSub))
        self.subs[s].is_isolated = number != 0
        self.subs[s].isolated_market = -1
        self.subs[s].first_order = self.subs[s].last_order = -1
        self.subs[s].dirty = True
        self.n_subs += 1
        self.sub_owner.append(owner)
        self.sub_number.append(number)
        self.sub_key.append((owner, number))
        self.owners.setdefault(owner, {})[number] = s
        if map_get(&self.sub_index, number, hash(owner)) < 0:
            map_put(&self.sub_index, number, hash(owner), s)
        return s

    cdef void _forget_new_sub(self, int s) except *:
        """Undo the creation of the last subaccount (a refused command made it)."""
        owner, number = self.sub_owner.pop(), self.sub_number.pop()
        self.sub_key.pop()
        if map_get(&self.sub_index, number, hash(owner)) == s:
            map_del(&self.sub_index, number, hash(owner))
        owned = self.owners[owner]
        del owned[number]
        if not owned:
            del self.owners[owner]
        free(self.subs[s].holdings)
        self.n_subs -= 1

    cdef int _sub(self, owner, number) except -1:
        """The subaccount, or refuse (its number checked as the engine checks it)."""
        cdef int s = self._find_sub(owner, number) if type(owner) is int and type(number) is int else -1
        if s < 0:
            check_wide_range("owner", owner, 0, MAX_OWNER_KEY)
            check_range("subaccount", number, 0, C_MAX_SUB)
            raise Reject(Code.UNKNOWN_SUBACCOUNT, f"no subaccount ({owner:#x}, {number})")
        return s

    cdef inline void _touch(self, int s) noexcept:
        self.subs[s].dirty = True
        if self.subs[s].stamp != self.stamp:
            self.subs[s].stamp = self.stamp
            self.touched[self.n_touched] = s
            self.n_touched += 1

    cdef Holding* _holding(self, CSub* sub, int market) noexcept:
        for i in range(sub.n_holdings):
            if sub.holdings[i].market == market:
                return &sub.holdings[i]
        return NULL

    cdef Holding* _add_holding(self, CSub* sub, int market) except NULL:
        cdef Holding* h = self._holding(sub, market)
        if h != NULL:
            return h
        if sub.n_holdings == sub.cap_holdings:
            sub.holdings = <Holding*>grown(sub.holdings, doubled(sub.cap_holdings, 2),
                                           sizeof(Holding))
            sub.cap_holdings = doubled(sub.cap_holdings, 2)
        h = &sub.holdings[sub.n_holdings]
        sub.n_holdings += 1
        memset(h, 0, sizeof(Holding))
        h.market = market
        return h

    cdef void _drop_if_empty(self, CSub* sub, Holding* h) noexcept:
        """A holding with no position and no open orders goes (the last takes its place:
        margin sums do not depend on the order of markets)."""
        if h.size == 0 and h.buy_qty == 0 and h.sell_qty == 0:
            sub.n_holdings -= 1
            h[0] = sub.holdings[sub.n_holdings]

    cdef inline i64 _size(self, CSub* sub, int market) noexcept:
        cdef Holding* h = self._holding(sub, market)
        return h.size if h != NULL else 0

    cdef void _expose(self, CSub* sub, int market, bint is_buy, i64 qty, i64 price) except *:
        cdef Holding* h = self._add_holding(sub, market)
        if is_buy:
            h.buy_qty += qty
            h.buy_value += <i128>qty * price
        else:
            h.sell_qty += qty
            h.sell_value += <i128>qty * price
        self._drop_if_empty(sub, h)

    # -- margin (accounts.margin's formulas) -------------------------------------------------

    cdef inline i64 _imf(self, CMarket* m, i64 abs_size) noexcept:
        cdef i64 excess = abs_size - m.baseline, v
        if excess <= 0:
            return m.imf
        v = m.imf + ((excess + m.incr_steps - 1) // m.incr_steps) * m.incr_ppm
        return v if v < 1000000 else 1000000

    cdef inline i128 _net_value(self, CMarket* m, i64 size) except? -1:
        cdef i128 amount = <i128>size * m.price * m.k
        return amount - requirement(amount, self._imf(m, iabs(size)))

    cdef i128 _free(self, CSub* sub) except? -1:
        """TV − IMR in the worst case of the resting orders (margin.free_collateral)."""
        cdef i128 free = sub.collateral, worst, v, paid, received
        cdef i64 fee
        cdef Holding* h
        cdef CMarket* m
        for i in range(sub.n_holdings):
            h = &sub.holdings[i]
            m = &self.markets[h.market]
            if h.size and h.funding_index != m.funding_index:
                free += _unsettled(h, m)
            worst = self._net_value(m, h.size)
            fee = max(m.taker_ppm, m.maker_ppm, 0)
            if h.buy_qty:
                paid = h.buy_value * m.k
                v = self._net_value(m, h.size + h.buy_qty) - paid - requirement(paid, fee)
                if v < worst:
                    worst = v
            if h.sell_qty:
                received = h.sell_value * m.k
                v = self._net_value(m, h.size - h.sell_qty) + received - requirement(received, fee)
                if v < worst:
                    worst = v
            free += worst
        return free

    cdef void _sums(self, CSub* sub, int market, i64 d_size, i128 d_coll, i128* value,
                    i128* initial, i128* maintenance, bint with_maintenance) except *:
        cdef Holding* h
        cdef CMarket* m
        cdef i64 size
        cdef i128 amount
        cdef bint seen = False
        value[0] = sub.collateral + d_coll
        initial[0] = maintenance[0] = 0
        for i in range(sub.n_holdings + 1):
            if i < sub.n_holdings:
                h = &sub.holdings[i]
                size = h.size
                if size and h.funding_index != self.markets[h.market].funding_index:
                    value[0] += _unsettled(h, &self.markets[h.market])
                if h.market == market:
                    size += d_size
                    seen = True
                elif size == 0:
                    continue
                m = &self.markets[h.market]
            elif seen or d_size == 0:
                break
            else:
                size = d_size
                m = &self.markets[market]
            amount = <i128>size * m.price * m.k
            value[0] += amount
            initial[0] += requirement(amount, self._imf(m, iabs(size)))
            if with_maintenance:
                maintenance[0] += requirement(amount, m.mmf)

    cdef bint _fill_allowed(self, CSub* sub, int market, i64 d_size, i128 d_coll) except -1:
        """TV' ≥ IMR', or a shrinking position that does not worsen TV/MMR."""
        cdef i128 v1, i1, m1, v0, i0, m0
        self._sums(sub, market, d_size, d_coll, &v1, &i1, &m1, False)
        if v1 >= i1:
            return True
        cdef i64 old = self._size(sub, market), new = old + d_size
        if iabs(new) >= iabs(old) or (new != 0 and (new > 0) != (old > 0)):
            return False
        self._sums(sub, market, d_size, d_coll, &v1, &i1, &m1, True)
        self._sums(sub, market, 0, 0, &v0, &i0, &m0, True)
        if m0 == 0:
            return v1 >= v0
        return int(v1) * int(m0) >= int(v0) * int(m1)

    # -- the book --------------------------------------------------------------------------------

    cdef int _alloc_order(self) except -1:
        cdef int i
        if self.free_order >= 0:
            i = self.free_order
            self.free_order = self.orders[i].newer
            return i
        if self.n_orders == self.cap_orders:
            self.orders = <COrder*>grown(self.orders, doubled(self.cap_orders, 1024),
                                         sizeof(COrder))
            self.cap_orders = doubled(self.cap_orders, 1024)
        i = self.n_orders
        self.n_orders += 1
        return i

    cdef inline i64 _best(self, CMarket* m, bint bids) noexcept:
        """The best price on a side, or -1."""
        if bids:
            return -m.bids.items[0] if m.bids.n else -1
        return m.asks.items[0] if m.asks.n else -1

    cdef bint _would_cross(self, CMarket* m, bint is_buy, i64 price) noexcept:
        cdef i64 best = self._best(m, not is_buy)
        if best < 0:
            return False
        return price >= best if is_buy else price <= best

    cdef int _rest(self, int o) except -1:
        cdef COrder* order = &self.orders[o]
        cdef CMarket* m = &self.markets[order.market]
        cdef i64 side_key = order.market * 2 + order.is_buy
        cdef int l = map_get(&self.levels, side_key, order.price)
        if l < 0:
            if self.free_level >= 0:
                l = self.free_level
                self.free_level = self.lv[l].head
            else:
                if self.n_levels == self.cap_levels:
                    self.lv = <CLevel*>grown(self.lv, doubled(self.cap_levels, 256),
                                             sizeof(CLevel))
                    self.cap_levels = doubled(self.cap_levels, 256)
                l = self.n_levels
                self.n_levels += 1
            map_put(&self.levels, side_key, order.price, l)
            self.lv[l].head = o
            order.older = -1
            heap_push(&m.bids if order.is_buy else &m.asks, -order.price if order.is_buy else order.price)
        else:
            self.orders[self.lv[l].tail].newer = o
            order.older = self.lv[l].tail
        order.newer = -1
        order.level = l
        self.lv[l].tail = o
        map_put(&self.ids, 0, order.order_id, o)
        return 0

    cdef void _unrest(self, int o) noexcept:
        """Take an order off its level (the level goes when emptied)."""
        cdef COrder* order = &self.orders[o]
        cdef CLevel* level = &self.lv[order.level]
        cdef CMarket* m = &self.markets[order.market]
        cdef Heap* heap
        cdef bint bids = order.is_buy
        if order.older < 0:
            level.head = order.newer
        else:
            self.orders[order.older].newer = order.newer
        if order.newer < 0:
            level.tail = order.older
        else:
            self.orders[order.newer].older = order.older
        map_del(&self.ids, 0, order.order_id)
        if level.head < 0:
            map_del(&self.levels, order.market * 2 + bids, order.price)
            level.head = self.free_level
            self.free_level = order.level
            heap = &m.bids if bids else &m.asks
            while heap.n and map_get(&self.levels, order.market * 2 + bids,
                                     -heap.items[0] if bids else heap.items[0]) < 0:
                heap_pop(heap)

    cdef void _link_to_sub(self, int o) noexcept:
        cdef COrder* order = &self.orders[o]
        cdef CSub* sub = &self.subs[order.sub]
        order.sub_prev = sub.last_order
        order.sub_next = -1
        if sub.last_order >= 0:
            self.orders[sub.last_order].sub_next = o
        else:
            sub.first_order = o
        sub.last_order = o
        sub.n_orders += 1
        sub.n_reduce_only += order.reduce_only and not order.conditional

    cdef void _release(self, int o) noexcept:
        """Forget an order everywhere but the book, and free its slot."""
        cdef COrder* order = &self.orders[o]
        cdef CSub* sub = &self.subs[order.sub]
        map_del(&self.clients, order.sub, order.client_id)
        if order.sub_prev >= 0:
            self.orders[order.sub_prev].sub_next = order.sub_next
        else:
            sub.first_order = order.sub_next
        if order.sub_next >= 0:
            self.orders[order.sub_next].sub_prev = order.sub_prev
        else:
            sub.last_order = order.sub_prev
        sub.n_orders -= 1
        sub.n_reduce_only -= order.reduce_only and not order.conditional
        order.newer = self.free_order
        self.free_order = o

    cdef void _take_off(self, int o, str reason) except *:
        """Remove an open order (resting, or waiting for its trigger) from its market and
        its subaccount."""
        cdef COrder* order = &self.orders[o]
        cdef i64 remaining = order.remaining
        if order.conditional:
            del self.triggers[order.market][order.order_id]
            self.events.append(OrderCanceled(order_id=order.order_id, remaining=remaining,
                                             reason=reason))
            self._release(o)
            return
        self._unrest(o)
        self._expose(&self.subs[order.sub], order.market, order.is_buy, -remaining, order.price)
        self.events.append(OrderCanceled(order_id=order.order_id, remaining=remaining, reason=reason))
        order.remaining = 0
        self._release(o)

    # -- apply -------------------------------------------------------------------------------

    def set_price(self, market_id, i64 price, ts=None):
        """A new mark price fires the market's conditional orders whose trigger it reached,
        oldest first, each as a limit order at ``ts``. Returns (events, touched)."""
        cdef int mi = self.market_index[market_id]
        self.events = []
        if self.markets[mi].price == price:
            return self.events, NOTHING
        self.markets[mi].price = price
        self.stamp += 1
        self.n_touched = 0
        triggers = <dict>self.triggers[mi]
        fired = sorted(oid for oid, (fields, _) in triggers.items() if _triggered(fields, price))
        for oid in fired:
            fields, o = triggers.pop(oid)
            remaining = self.orders[o].remaining
            self._release(o)
            self.events.append(OrderTriggered(order_id=oid, mark_price=price))
            live = list(fields)
            live[0], live[7], live[8], live[12] = ts, remaining, LIMIT_ORDER, None
            try:
                self._place(tuple(live), ts)
            except Reject as refusal:
                self.events.append(OrderCanceled(order_id=oid, remaining=remaining,
                                                 reason=refusal.code))
        return self.events, self._touched_keys()

    # -- primitives for the rules off the hot path (liquidation, takeovers, governance) -------

    def set_spec(self, spec):
        """A listed market's parameters and status, as governance changed them."""
        self._set_spec(self.market_index[spec.market_id], spec)

    def health(self, owner, number):
        """(TV, IMR, MMR) of a subaccount at the marks, unsettled funding counted
        (accounts.margin.health)."""
        cdef i128 value, initial, maintenance
        cdef int s = self._sub(owner, number)
        self._sums(&self.subs[s], 0, 0, 0, &value, &initial, &maintenance, True)
        return int(value), int(initial), int(maintenance)

    def cancel_orders(self, owner, number, str reason):
        """Take every open order of a subaccount off, oldest first (a liquidation's first
        step). Returns the events."""
        cdef int s = self._sub(owner, number)
        self.events = []
        self._take_off_all(s, -1, reason)
        return self.events

    def trade(self, owner, number, market_id, i64 size_delta, i64 price, cash):
        """Book one side of a trade outside the book (a takeover, a deleveraging, a
        socialised loss): funding settled first, then collateral, size and
        cost basis. Open interest is the caller's (``add_open_interest``). Returns the
        events and the touched (owner, number) keys."""
        cdef int s = self._sub(owner, number)
        self.events = []
        self.stamp += 1
        self.n_touched = 0
        self._trade(s, self.market_index[market_id], size_delta, price, cash)
        return self.events, self._touched_keys()

    def add_open_interest(self, market_id, i64 delta):
        self.markets[self.market_index[market_id]].open_interest += delta

    def set_isolated_market(self, owner, number, market_id):
        """An isolated subaccount now holds ``market_id`` (a takeover into it)."""
        cdef int s = self._sub(owner, number)
        if self.subs[s].is_isolated:
            self.subs[s].isolated_market = self.market_index[market_id]

    def liquidation_sweep(self, owner, number, market_id, i64 limit, i64 qty, policy):
        """The protocol's liquidation order: close up to ``qty`` of the position through the
        book up to ``limit`` (liquidations.LiquidationPolicy). ``policy`` is its taker side:
        ``taker_fee(amount)``, ``taker_allowed(qty, price, cash)`` (False stops the sweep),
        ``after_fill(qty, price)`` returning the events that follow the fill; it may read and
        credit the core meanwhile. Returns (what is left, events, touched)."""
        cdef int s = self._sub(owner, number), mi = self.market_index[market_id]
        cdef bint is_buy = self._size(&self.subs[s], mi) < 0
        cdef i64 left
        self.events = []
        self.stamp += 1
        self.n_touched = 0
        self._stop_reason = ""
        self._moved = None
        self._policy = policy
        try:
            left = self._sweep(s, mi, 0, is_buy, limit, qty)
        finally:
            self._policy = None
        self._keep_reduce_only_reducing(s, mi)
        if self._moved is not None:
            for ms in self._moved:
                self._keep_reduce_only_reducing(ms, mi)
        return left, self.events, self._touched_keys()

    def add_collateral(self, owner, number, amount):
        """Credit (or, negative, debit) collateral outside any check: an insurance delta, a
        socialised loss made good. The caller records what it touched."""
        cdef int s = self._sub(owner, number)
        self.subs[s].collateral += amount
        self.subs[s].dirty = True

    def add_to_funding_entry(self, owner, number, market_id, delta):
        """Move the index a position last settled at (a socialised loss charged through
        funding)."""
        cdef int s = self._sub(owner, number)
        cdef Holding* h = self._holding(&self.subs[s], self.market_index[market_id])
        h.funding_index += delta
        self.subs[s].dirty = True

    def settle_market(self, market_id):
        """Final settlement: every order of the market cancelled, by
        id, then every position closed at the mark, its funding settled first. Returns
        (events, touched)."""
        cdef int mi = self.market_index[market_id], s
        cdef CMarket* m = &self.markets[mi]
        cdef Holding* h
        cdef i128 amount
        self.events = []
        self.stamp += 1
        self.n_touched = 0
        slots = {}
        for s in range(self.n_subs):
            o = self.subs[s].first_order
            while o >= 0:
                if self.orders[o].market == mi:
                    slots[self.orders[o].order_id] = o
                o = self.orders[o].sub_next
        waiting = self.triggers[mi]
        for oid in sorted(i for i in slots if i not in waiting) + sorted(waiting):
            self._take_off(slots[oid], "market_status")
        for s in sorted(range(self.n_subs), key=lambda i: self.sub_key[i]):
            h = self._holding(&self.subs[s], mi)
            if h == NULL or not h.size:
                continue
            size = h.size
            amount = <i128>size * m.price * m.k
            self._trade(s, mi, -size, m.price, amount)
            self.events.append(PositionSettled(owner=self.sub_owner[s], subaccount=self.sub_number[s],
                                               market=market_id, size=size, price=m.price,
                                               amount=int(amount)))
        m.open_interest = 0
        return self.events, self._touched_keys()

    def set_stale(self, market_id, bint stale):
        """Whether the market's oracle price is stale (the engine's oracle says)."""
        self.markets[self.market_index[market_id]].stale = stale

    def set_funding_index(self, market_id, index):
        """The market's cumulative funding index, as the engine's funding ticks move it."""
        if not -(2**120) < index < 2**120:
            raise OverflowError(f"funding index {index} outside ±2^120")
        self.markets[self.market_index[market_id]].funding_index = index

    def advance(self, i64 ts):
        """Let time reach ``ts``: GTT orders due leave the book. Returns what that caused."""
        if ts < self.last_ts:
            raise ValueError(f"time cannot go back from {self.last_ts} to {ts}")
        self.last_ts = ts
        self.events = []
        self._expire(ts)
        return self.events

    cpdef Applied apply(self, cmd):
        """The engine's ``apply`` for the commands the core takes: events out, the touched
        subaccounts, and a refusal as one Rejected event with nothing changed."""
        return self._apply(cmd, False)

    cpdef Applied apply_if_quiet(self, cmd):
        """``apply``, if the engine has no time effect due by the command's time (before
        ``quiet_until``, which it keeps up to date); else None, and nothing is done: the
        engine lets time pass first. GTT expiries are the core's own, due or not."""
        return self._apply(cmd, True)

    cdef Applied _apply(self, cmd, bint only_if_quiet):
        cdef type kind = type(cmd)
        cdef i64 ts
        cdef tuple fields = astuple(cmd) if kind is PlaceOrder or kind is CancelOrder else None
        try:
            ts = check_range("ts", fields[0] if fields is not None else cmd.ts, 0, C_MAX_TS)
        except OutOfBounds as exc:
            return applied([Rejected(code=Code.OUT_OF_BOUNDS, message=str(exc))], NOTHING)
        if ts < self.last_ts:
            return applied([Rejected(code=Code.TIME_WENT_BACKWARDS,
                                      message=f"ts {ts} < last ts {self.last_ts}")], NOTHING)
        if only_if_quiet and ts >= self.quiet_until:
            return None
        self.last_ts = ts
        self.events = []
        self.stamp += 1
        self.n_touched = 0
        self._expire(ts)
        cdef int by_time = self.n_touched
        try:
            if kind is PlaceOrder:
                self._place(fields, ts)
            elif kind is CancelOrder:
                refusal = self._cancel(fields)
                if refusal is not None:
                    self.events.append(refusal)
                    self.n_touched = by_time
            elif kind is CancelAll:
                self._cancel_all(cmd)
            elif kind is Deposit:
                self._deposit(cmd)
            elif kind is Withdraw:
                self._withdraw(cmd)
            elif kind is Transfer:
                self._transfer(cmd)
            else:
                raise Reject(Code.UNKNOWN_COMMAND, f"unknown command {kind.__name__}")
        except Reject as exc:
            self.events.append(Rejected(code=exc.code, message=exc.message))
            self.n_touched = by_time
        except OutOfBounds as exc:
            self.events.append(Rejected(code=Code.OUT_OF_BOUNDS, message=str(exc)))
            self.n_touched = by_time
        return applied(self.events, self._touched_keys())

    cdef frozenset _touched_keys(self):
        if not self.n_touched:
            return NOTHING
        keys = self.sub_key
        return frozenset([keys[self.touched[i]] for i in range(self.n_touched)])

    cdef void _expire(self, i64 ts) except *:
        """GTT orders due by ``ts`` leave the book."""
        cdef int o
        while self.n_exp and self.exp_ts[0] <= ts:
            o = map_get(&self.ids, 0, self.exp_id[0])
            self._pop_expiry()
            if o >= 0:
                self._take_off(o, "expired")

    cdef void _push_expiry(self, i64 at, i64 order_id) except *:
        if self.n_exp == self.cap_exp:
            self.exp_ts = <i64*>grown(self.exp_ts, doubled(self.cap_exp, 64), sizeof(i64))
            self.exp_id = <i64*>grown(self.exp_id, doubled(self.cap_exp, 64), sizeof(i64))
            self.cap_exp = doubled(self.cap_exp, 64)
        cdef i64 i = self.n_exp, parent
        self.n_exp += 1
        while i > 0:
            parent = (i - 1) >> 1
            if (self.exp_ts[parent], self.exp_id[parent]) <= (at, order_id):
                break
            self.exp_ts[i], self.exp_id[i] = self.exp_ts[parent], self.exp_id[parent]
            i = parent
        self.exp_ts[i], self.exp_id[i] = at, order_id
        self.next_expiry = self.exp_ts[0]

    cdef void _pop_expiry(self) noexcept:
        self.n_exp -= 1
        if self.n_exp == 0:
            self.next_expiry = NO_EXPIRY
            return
        cdef i64 at = self.exp_ts[self.n_exp], oid = self.exp_id[self.n_exp], i = 0, c
        while True:
            c = 2 * i + 1
            if c >= self.n_exp:
                break
            if c + 1 < self.n_exp and (self.exp_ts[c + 1] < self.exp_ts[c] or (
                    self.exp_ts[c + 1] == self.exp_ts[c] and self.exp_id[c + 1] < self.exp_id[c])):
                c += 1
            if self.exp_ts[c] > at or (self.exp_ts[c] == at and self.exp_id[c] >= oid):
                break
            self.exp_ts[i], self.exp_id[i] = self.exp_ts[c], self.exp_id[c]
            i = c
        self.exp_ts[i], self.exp_id[i] = at, oid
        self.next_expiry = self.exp_ts[0]

    cdef void _deposit(self, cmd) except *:
        cdef i64 amount = check_range("amount", cmd.amount, 1, C_MAX_Q)
        check_wide_range("owner", cmd.owner, 0, MAX_OWNER_KEY)
        check_range("subaccount", cmd.subaccount, 0, C_MAX_SUB)
        cdef int s = self._find_sub(cmd.owner, cmd.subaccount)
        if s >= 0 and self.subs[s].collateral + amount > C_MAX_Q:
            raise Reject(Code.OUT_OF_BOUNDS, "collateral would exceed MAX_QUANTUMS")
        if s < 0:
            s = self._new_sub(cmd.owner, cmd.subaccount)
        self.subs[s].collateral += amount
        self.deposited += amount
        self._touch(s)
        self.events.append(Deposited(owner=cmd.owner, subaccount=cmd.subaccount, amount=amount))

    cdef void _withdraw(self, cmd) except *:
        cdef i64 amount = check_range("amount", cmd.amount, 1, C_MAX_Q)
        cdef int s = self._sub(cmd.owner, cmd.subaccount)
        self._debit(s, amount)
        self.withdrawn += amount
        self._touch(s)
        self.events.append(Withdrawn(owner=cmd.owner, subaccount=cmd.subaccount, amount=amount))

    cdef void _transfer(self, cmd) except *:
        cdef i64 amount = check_range("amount", cmd.amount, 1, C_MAX_Q)
        cdef int source = self._sub(cmd.owner, cmd.subaccount), target
        if (cmd.owner, cmd.subaccount) == (cmd.to_owner, cmd.to_subaccount):
            raise Reject(Code.BAD_MARGIN_SOURCE, "a transfer needs two different subaccounts")
        check_wide_range("to_owner", cmd.to_owner, 0, MAX_OWNER_KEY)
        check_range("to_subaccount", cmd.to_subaccount, 0, C_MAX_SUB)
        target = self._find_sub(cmd.to_owner, cmd.to_subaccount)
        if target >= 0 and self.subs[target].collateral + amount > C_MAX_Q:
            raise Reject(Code.OUT_OF_BOUNDS, "collateral would exceed MAX_QUANTUMS")
        self._debit(source, amount)
        if target < 0:
            target = self._new_sub(cmd.to_owner, cmd.to_subaccount)
        self.subs[target].collateral += amount
        self._touch(source)
        self._touch(target)
        self.events.append(Transferred(owner=cmd.owner, subaccount=cmd.subaccount,
                                       to_owner=cmd.to_owner, to_subaccount=cmd.to_subaccount,
                                       amount=amount))

    cdef void _debit(self, int s, i64 amount) except *:
        """Take collateral out, or refuse if that leaves the subaccount under
        initial margin in the worst case of its orders, or valued at a stale price."""
        cdef CSub* sub = &self.subs[s]
        cdef Holding* stale = NULL
        cdef i128 free
        for i in range(sub.n_holdings):  # the position opened first, as the engine reports
            h = &sub.holdings[i]
            if h.size and self.markets[h.market].stale and (stale == NULL or h.opened < stale.opened):
                stale = h
        if stale != NULL:
            raise Reject(Code.ORACLE_STALE,
                         f"{self.market_ids[stale.market]} has no fresh oracle price")
        sub.collateral -= amount
        free = self._free(sub)
        if free < 0:
            sub.collateral += amount
            raise self._margin_refusal(s, free)

    # -- placing ---------------------------------------------------------------------------------

    cdef void _place(self, tuple fields, i64 ts) except *:
        (_, owner, number, market_id, client_id, side, price, size, kind, tif, reduce_only,
         expires_at, trigger, margin, source) = fields
        market_obj = self.market_index.get(market_id) if type(market_id) is str else None
        if market_obj is None:
            raise Reject(Code.UNKNOWN_MARKET, f"unknown market {market_id!r}")
        cdef int mi = market_obj
        cdef CMarket* m = &self.markets[mi]
        mid = self.market_ids[mi]
        # the ticket: its shape and bounds
        if not m.price:
            raise Reject(Code.NO_PRICE, f"{market_id} has no oracle price yet")
        if not (type(side) is Side and type(kind) is OrderKind and type(tif) is TimeInForce):
            raise Reject(Code.BAD_ORDER_TYPE, f"bad side/kind/tif {side!r}/{kind!r}/{tif!r}")
        cdef i64 c_size = check_range("size", size, 1, C_MAX_SIZE)
        cdef i64 c_price = check_range("price", price, 1, C_MAX_PRICE)
        cdef i64 c_client = check_range("client_id", client_id, 0, 2**63 - 1)
        cdef i64 c_margin = check_range("isolated_margin", margin, 0, C_MAX_Q)
        if <i128>c_size * c_price * m.k > C_MAX_Q:
            raise Reject(Code.OUT_OF_BOUNDS, "order notional exceeds MAX_QUANTUMS")
        if type(reduce_only) is not bool:
            raise Reject(Code.BAD_ORDER_TYPE, f"reduce_only must be a bool, got {reduce_only!r}")
        if c_size < m.min_order and not reduce_only:
            raise Reject(Code.BELOW_MIN_SIZE, f"size {size} below minimum {m.min_order}")
        if m.status == PAUSED or m.status == FINAL:
            raise Reject(Code.MARKET_NOT_ACTIVE, f"{market_id} is {_status_name(m.status)}")
        conditional = kind is STOP_ORDER or kind is TAKE_PROFIT
        if conditional != (trigger is not None):
            raise Reject(Code.BAD_ORDER_TYPE, "a trigger price goes with stop/take-profit orders only")
        if trigger is not None:
            check_range("trigger_price", trigger, 1, C_MAX_PRICE)
            if c_margin:
                raise Reject(Code.BAD_ORDER_TYPE, "move isolated margin before placing a conditional order")
        cdef bint immediate = tif is IOC or tif is FOK
        if kind is MARKET_ORDER and not immediate:
            raise Reject(Code.BAD_ORDER_TYPE, "a market order is IOC or FOK")
        if (tif is GTT) != (expires_at is not None):
            raise Reject(Code.BAD_ORDER_TYPE, "expires_at goes with GTT orders only")
        cdef i64 c_expires = -1
        if expires_at is not None:
            c_expires = check_range("expires_at", expires_at, 0, 2**53)
            if c_expires <= ts:
                raise Reject(Code.BAD_ORDER_TYPE, "a GTT order must expire after its timestamp")
        if c_margin:
            check_range("margin_source", source, 0, C_MAX_SUB)
            if number == source:
                raise Reject(Code.BAD_MARGIN_SOURCE, "margin must come from another subaccount")
            if number == 0:
                raise Reject(Code.BAD_MARGIN_SOURCE, "isolated margin goes to an isolated subaccount")
        cdef bint is_buy = side is BUY
        immediate = immediate or kind is MARKET_ORDER
        # the subaccount (made by an isolated margin move)
        cdef int s = self._find_sub(owner, number) if type(owner) is int and type(number) is int else -1
        cdef bint created = False
        if s < 0:
            check_wide_range("owner", owner, 0, MAX_OWNER_KEY)
            check_range("subaccount", number, 0, C_MAX_SUB)
            if not c_margin:
                raise Reject(Code.UNKNOWN_SUBACCOUNT, f"no subaccount ({owner:#x}, {number})")
            s = self._new_sub(owner, number)
            created = True
        if created:  # only a refused order's own subaccount is undone
            try:
                c_size = self._admit(s, mi, owner, number, c_client, is_buy, c_price, c_size,
                                     reduce_only, tif, c_margin, source, conditional)
            except Reject:
                self._forget_new_sub(s)
                raise
        else:
            c_size = self._admit(s, mi, owner, number, c_client, is_buy, c_price, c_size,
                                 reduce_only, tif, c_margin, source, conditional)
        cdef CSub* sub = &self.subs[s]
        if sub.is_isolated:
            sub.isolated_market = mi
        cdef i64 order_id = self.next_order_id
        self.next_order_id += 1
        oid = order_id
        self.events.append(OrderAccepted(oid, owner, number, client_id, mid, side, price,
                                         size if c_size == <i64>size else c_size))
        if conditional:
            self._store_conditional(s, mi, oid, c_client, is_buy, c_price, c_size, fields)
            return
        self._match_and_rest(s, mi, oid, c_client, is_buy, c_price, c_size, reduce_only,
                             c_expires, immediate)

    cdef void _store_conditional(self, int s, int mi, object oid, i64 client_id, bint is_buy,
                                 i64 price, i64 size, tuple fields) except *:
        """A stop or take-profit order waits off the book for the mark price."""
        cdef int o = self._alloc_order()
        cdef COrder* order = &self.orders[o]
        memset(order, 0, sizeof(COrder))
        order.order_id = oid
        order.client_id = client_id
        order.price = price
        order.remaining = size
        order.expires_at = -1
        order.market = mi
        order.sub = s
        order.level = -1
        order.is_buy = is_buy
        order.reduce_only = False  # it is its command's; the stored order is plain (snapshots)
        order.conditional = True
        map_put(&self.clients, s, client_id, o)
        self._link_to_sub(o)
        (<dict>self.triggers[mi])[oid] = (fields, o)
        self.events.append(OrderRested(order_id=oid, remaining=size))

    cdef i64 _admit(self, int s, int mi, owner, number, i64 client_id, bint is_buy, i64 price,
                    i64 size, bint reduce_only, tif, i64 margin, source,
                    bint conditional) except -1:
        """The order's checks against its subaccount, its isolated margin moved in and its
        exposure added, all or nothing: returns its size (a reduce-only order is cut to the
        position)."""
        cdef CSub* sub = &self.subs[s]
        cdef CMarket* m = &self.markets[mi]
        cdef i64 position = self._size(sub, mi)
        cdef int src = -1
        if map_get(&self.clients, s, client_id) >= 0:
            raise Reject(Code.DUPLICATE_CLIENT_ID, f"client id {client_id} is already open")
        if sub.n_orders >= self.max_open_orders:
            raise Reject(Code.TOO_MANY_OPEN_ORDERS, f"at most {self.max_open_orders} open orders")
        if (sub.is_isolated and sub.isolated_market >= 0 and sub.isolated_market != mi
                and (sub.n_holdings or sub.n_orders)):
            raise Reject(Code.ISOLATED_MARKET_MISMATCH,
                         f"isolated subaccount {number} holds {self.market_ids[sub.isolated_market]}")
        if reduce_only:
            if position == 0 or (position > 0) == is_buy:
                raise Reject(Code.REDUCE_ONLY_WOULD_INCREASE, "reduce-only order would increase")
            size = min(size, iabs(position))
        if m.status == REDUCE_ONLY_MARKET and not reduce_only:
            raise Reject(Code.MARKET_NOT_ACTIVE, f"{self.market_ids[mi]} is reduce-only")
        if conditional:  # no margin moves with it (the ticket refused that), no exposure yet
            return size
        if margin:
            src = self._move_isolated_margin(s, owner, source, margin)
        self._expose(sub, mi, is_buy, size, price)
        refusal = self._risk_refusal(sub, m, mi, is_buy, position)
        if refusal is None and tif is POST_ONLY and self._would_cross(m, is_buy, price):
            refusal = Reject(Code.POST_ONLY_WOULD_CROSS, "post-only order would cross the book")
        if refusal is None and tif is FOK:
            refusal = self._fok_refusal(s, mi, is_buy, price, size)
        if refusal is not None:
            self._expose(sub, mi, is_buy, -size, price)
            if margin:
                sub.collateral -= margin
                self.subs[src].collateral += margin
            raise refusal
        return size

    cdef int _move_isolated_margin(self, int s, owner, source, i64 amount) except -1:
        cdef int src = self._sub(owner, source)
        if self.subs[s].collateral + amount > C_MAX_Q:
            raise Reject(Code.OUT_OF_BOUNDS, "collateral would exceed MAX_QUANTUMS")
        self._debit(src, amount)
        self.subs[s].collateral += amount
        self._touch(src)
        self._touch(s)
        return src

    cdef object _margin_refusal(self, int s, i128 free):
        return Reject(
            Code.INSUFFICIENT_MARGIN,
            f"subaccount ({self.sub_owner[s]:#x}, {self.sub_number[s]}) would be {int(-free)} "
            "quantums below initial margin",
        )

    cdef object _risk_refusal(self, CSub* sub, CMarket* m, int mi, bint is_buy, i64 position):
        """The order's risk check, as a refusal or None: the worst case of all open orders (this
        one counted) stays above initial margin, or the order strictly reduces risk."""
        cdef Holding* h = self._holding(sub, mi)
        cdef i64 same = h.buy_qty if is_buy else h.sell_qty
        if position != 0 and (position > 0) != is_buy and same <= iabs(position):
            return None
        if m.stale:
            return Reject(Code.ORACLE_STALE, f"{self.market_ids[mi]} has no fresh oracle price")
        if iabs(position + (same if is_buy else -same)) > m.max_pos:
            return Reject(Code.POSITION_LIMIT, f"position could exceed {m.max_pos} steps")
        cdef i128 free = self._free(sub)
        if free < 0:
            return self._margin_refusal(<int>(sub - self.subs), free)
        return None

    cdef object _fok_refusal(self, int s, int mi, bint is_buy, i64 limit, i64 size):
        """A fill-or-kill order's check, as a refusal or None: a dry run of its fills with
        every per-fill check."""
        cdef CMarket* m = &self.markets[mi]
        cdef Heap* heap = &m.asks if is_buy else &m.bids
        cdef i64 left = size, taker_size = 0, qty, sign = 1 if is_buy else -1
        cdef i128 taker_cash = 0, amount, maker_fee, taker_fee, m_cash
        cdef dict per_maker = {}
        cdef int o, l
        cdef COrder* maker
        owner = self.sub_owner[s]
        prices = sorted([(-heap.items[i] if not is_buy else heap.items[i]) for i in range(heap.n)
                         if map_get(&self.levels, mi * 2 + (not is_buy),
                                    (-heap.items[i] if not is_buy else heap.items[i])) >= 0],
                        reverse=not is_buy)
        for price in dict.fromkeys(prices):
            if (price > limit) if is_buy else (price < limit):
                break
            l = map_get(&self.levels, mi * 2 + (not is_buy), price)
            o = self.lv[l].head
            while o >= 0:
                maker = &self.orders[o]
                o = maker.newer
                if self.sub_owner[maker.sub] == owner:
                    continue
                qty = min(left, maker.remaining)
                amount = <i128>qty * maker.price * m.k
                maker_fee = self._maker_fee(m, amount)
                taker_fee = mul_ppm_ceil(amount, m.taker_ppm)
                m_size, m_cash_obj = per_maker.get(maker.sub, (0, 0))
                m_size -= sign * qty
                m_cash = <i128>m_cash_obj + sign * amount - maker_fee
                if not self._fill_allowed(&self.subs[maker.sub], mi, m_size, m_cash):
                    continue
                per_maker[maker.sub] = (m_size, int(m_cash))
                taker_size += sign * qty
                taker_cash -= sign * amount + taker_fee
                left -= qty
                if not left:
                    break
            if not left:
                break
        if left or not self._fill_allowed(&self.subs[s], mi, taker_size, taker_cash):
            return Reject(Code.FOK_NOT_FILLED, f"only {size - left} of {size} could fill at once")
        return None

    cdef inline i128 _maker_fee(self, CMarket* m, i128 amount) except? -1:
        if m.maker_ppm >= 0:
            return mul_ppm_ceil(amount, m.maker_ppm)
        return -mul_ppm_floor(amount, -m.maker_ppm)

    # -- matching ----------------------------------------------------------------------------------

    cdef void _match_and_rest(self, int s, int mi, object oid, i64 client_id, bint is_buy,
                              i64 price, i64 size, bint reduce_only, i64 expires_at,
                              bint immediate) except *:
        cdef CMarket* m = &self.markets[mi]
        cdef i64 remaining = size
        self._stop_reason = ""
        self._moved = None
        if self._would_cross(m, is_buy, price):
            remaining = self._sweep(s, mi, oid, is_buy, price, size)
            self._keep_reduce_only_reducing(s, mi)
            if self._moved is not None:
                for ms in self._moved:
                    self._keep_reduce_only_reducing(ms, mi)
        else:
            self._keep_reduce_only_reducing(s, mi)
        reason = self._stop_reason
        cdef CSub* sub = &self.subs[s]
        if not remaining:
            return
        if reason or immediate:
            self._expose(sub, mi, is_buy, -remaining, price)
            self.events.append(OrderCanceled(order_id=oid, remaining=remaining,
                                             reason=reason or "ioc_remainder"))
            return
        cdef int o = self._alloc_order()
        cdef COrder* order = &self.orders[o]
        order.order_id = oid
        order.client_id = client_id
        order.price = price
        order.remaining = remaining
        order.expires_at = expires_at
        order.market = mi
        order.sub = s
        order.is_buy = is_buy
        order.reduce_only = reduce_only
        order.conditional = False
        self._rest(o)
        map_put(&self.clients, s, client_id, o)
        self._link_to_sub(o)
        if expires_at >= 0:
            self._push_expiry(expires_at, oid)
        self.events.append(OrderRested(order_id=oid, remaining=remaining))

    cdef i64 _sweep(self, int s, int mi, object taker_oid, bint is_buy, i64 limit,
                    i64 qty) except -1:
        """Match a taker against the book up to ``limit``: returns what is left;
        ``_stop_reason`` says why it stopped."""
        cdef CMarket* m = &self.markets[mi]
        cdef Heap* heap = &m.asks if is_buy else &m.bids
        cdef i64 price, sign = 1 if is_buy else -1, q, m_old, t_old, m_new, t_new, oi_delta
        cdef i64 position, reducible
        cdef int o, l, ms
        cdef COrder* maker
        cdef CSub* msub
        cdef CSub* sub = &self.subs[s]
        cdef i128 amount, maker_fee, taker_fee, m_cash, t_cash
        cdef i64 side_key = mi * 2 + (not is_buy)
        owner = self.sub_owner[s]
        taker_side = BUY if is_buy else SELL
        while qty and heap.n:
            price = heap.items[0] * sign
            if (price > limit) if is_buy else (price < limit):
                break
            l = map_get(&self.levels, side_key, price)
            while qty:
                o = self.lv[l].head
                maker = &self.orders[o]
                ms = maker.sub
                msub = &self.subs[ms]
                if self.sub_owner[ms] == owner:
                    self._take_off(o, "self_trade")
                elif not self._fill_one(s, sub, o, maker, ms, msub, m, mi, is_buy, sign, price,
                                        min(qty, maker.remaining), taker_oid, taker_side,
                                        limit, &qty):
                    return qty
                if map_get(&self.levels, side_key, price) < 0:
                    break
        return qty


    cdef bint _fill_one(self, int s, CSub* sub, int o, COrder* maker, int ms, CSub* msub,
                        CMarket* m, int mi, bint is_buy, i64 sign, i64 price, i64 q,
                        object taker_oid, object taker_side, i64 limit, i64* qty) except -1:
        """One fill, both sides' checks first. False: the taker stops (``_stop_reason`` says why)."""
        cdef i64 position, reducible, m_old, t_old, m_new, t_new, oi_delta
        cdef i128 amount, maker_fee, taker_fee, m_cash, t_cash
        cdef bint allowed
        if maker.reduce_only:
            position = self._size(msub, mi)
            reducible = iabs(position) if position and (position > 0) == is_buy else 0
            if not reducible:
                self._take_off(o, "reduce_only")
                return True
            q = min(q, reducible)
        amount = <i128>q * price * m.k
        maker_fee = self._maker_fee(m, amount)
        if self._policy is None:
            taker_fee = mul_ppm_ceil(amount, m.taker_ppm)
        else:
            taker_fee = self._policy.taker_fee(int(amount))
        m_old = self._size(msub, mi)
        t_old = self._size(sub, mi)
        m_new = m_old - sign * q
        t_new = t_old + sign * q
        if iabs(m_new) > m.max_pos and iabs(m_new) > iabs(m_old):
            self._take_off(o, "position_limit")
            return True
        if iabs(t_new) > m.max_pos and iabs(t_new) > iabs(t_old):
            self._stop_reason = "position_limit"
            return False
        oi_delta = max(m_new, 0) - max(m_old, 0) + max(t_new, 0) - max(t_old, 0)
        if oi_delta > 0 and m.open_interest + oi_delta > m.oi_cap:
            self._stop_reason = "open_interest_cap"
            return False
        m_cash = sign * amount - maker_fee
        t_cash = -sign * amount - taker_fee
        if not self._fill_allowed(msub, mi, -sign * q, m_cash):
            self._take_off(o, "margin")
            return True
        if self._policy is None:
            allowed = self._fill_allowed(sub, mi, sign * q, t_cash)
        else:
            allowed = self._policy.taker_allowed(q, price, int(t_cash))
        if not allowed:
            self._stop_reason = "margin"  # what a cancelled order's event says
            return False
        self._trade(ms, mi, -sign * q, price, m_cash)
        self._trade(s, mi, sign * q, price, t_cash)
        self.fees += maker_fee + taker_fee
        m.open_interest += oi_delta
        m.last_trade = price
        maker.remaining -= q
        maker_oid = maker.order_id
        if not maker.remaining:
            self._unrest(o)
            self._release(o)
        self._expose(msub, mi, not is_buy, -q, price)
        if self._policy is None:  # the protocol's liquidation order rests nowhere
            self._expose(sub, mi, is_buy, -q, limit)
        if msub.n_reduce_only:
            if self._moved is None:
                self._moved = [ms]
            elif ms not in self._moved:
                self._moved.append(ms)
        self.events.append(Fill(self.market_ids[mi], price, q, taker_side, maker_oid,
                                taker_oid, self.sub_owner[ms], self.sub_number[ms],
                                self.sub_owner[s], self.sub_number[s], <i64>maker_fee,
                                <i64>taker_fee))
        if self._policy is not None:
            self.events.extend(self._policy.after_fill(q, price))
        qty[0] -= q
        return True

    cdef void _trade(self, int s, int mi, i64 d_size, i64 price, i128 cash) except *:
        """One side of a trade: funding settled, then collateral, size and cost basis."""
        cdef CSub* sub = &self.subs[s]
        cdef Holding* h = self._add_holding(sub, mi)
        cdef i64 old = h.size, new = old + d_size
        cdef CMarket* m = &self.markets[mi]
        cdef i128 pv = <i128>price * m.k
        cdef i128 paid
        if old == 0:
            h.funding_index = m.funding_index  # a new position starts at the current index
            self.positions_opened += 1
            h.opened = self.positions_opened
        elif h.funding_index != m.funding_index:  # settle the position's funding first
            paid = _unsettled(h, m)
            h.funding_index = m.funding_index
            if paid:
                sub.collateral += paid
                self.funding_pool -= int(paid)
                self._touch(s)
                self.events.append(FundingPaid(owner=self.sub_owner[s], subaccount=self.sub_number[s],
                                               market=self.market_ids[mi], amount=int(paid)))
        sub.collateral += cash
        if new == 0:
            h.cost = 0
        elif old == 0 or (new > 0) != (old > 0):
            h.cost = iabs(new) * pv
        elif iabs(new) > iabs(old):
            h.cost += (iabs(new) - iabs(old)) * pv
        else:
            h.cost = _scaled(h.cost, iabs(new), iabs(old))
        h.size = new
        self._drop_if_empty(sub, h)
        self._touch(s)

    cdef void _keep_reduce_only_reducing(self, int s, int mi) except *:
        """Resize or cancel the subaccount's reduce-only orders in a market once its
        position shrank, flipped or closed."""
        cdef CSub* sub = &self.subs[s]
        if not sub.n_reduce_only:
            return
        cdef i64 size = self._size(sub, mi)
        cdef int o = sub.first_order, nxt
        cdef COrder* order
        while o >= 0:
            order = &self.orders[o]
            nxt = order.sub_next
            if order.reduce_only and not order.conditional and order.market == mi:
                if size == 0 or (size > 0) == order.is_buy:
                    self._take_off(o, "reduce_only")
                elif order.remaining > iabs(size):
                    self._expose(sub, mi, order.is_buy, iabs(size) - order.remaining, order.price)
                    order.remaining = iabs(size)
                    self.events.append(OrderResized(order_id=order.order_id, remaining=order.remaining))
            o = nxt

    # -- cancelling ------------------------------------------------------------------------------

    cdef object _cancel(self, tuple fields):
        """A user's cancel: an unknown client id is routine (the order has just filled), so
        that refusal is returned, not raised."""
        _, owner, number, client_id = fields
        cdef int s = self._sub(owner, number)
        cdef int o = -1
        if type(client_id) is int and -2**63 <= client_id < 2**63:
            o = map_get(&self.clients, s, client_id)
        if o < 0:
            return Rejected(code=Code.UNKNOWN_ORDER, message=NO_OPEN_ORDER)
        self._take_off(o, "user")
        return None

    cdef void _cancel_all(self, cmd) except *:
        cdef int mi = -1, s, o
        if cmd.market is not None:
            found = self.market_index.get(cmd.market) if type(cmd.market) is str else None
            if found is None:
                raise Reject(Code.UNKNOWN_MARKET, f"unknown market {cmd.market!r}")
            mi = found
        if cmd.subaccount is None:
            numbers = range(C_MAX_SUB + 1)
        else:
            self._sub(cmd.owner, cmd.subaccount)
            numbers = (cmd.subaccount,)
        check_wide_range("owner", cmd.owner, 0, MAX_OWNER_KEY)
        for number in numbers:
            s = self._find_sub(cmd.owner, number)
            if s >= 0:
                self._take_off_all(s, mi, "user")

    cdef void _take_off_all(self, int s, int mi, str reason) except *:
        """Take a subaccount's open orders off (in one market, or all with ``mi`` −1) in the
        order of their ids, as the engine does."""
        cdef int o = self.subs[s].first_order
        slots = []
        while o >= 0:
            if mi < 0 or self.orders[o].market == mi:
                slots.append((self.orders[o].order_id, o))
            o = self.orders[o].sub_next
        for _, o in sorted(slots):
            self._take_off(o, reason)

    # -- summaries for the bench and the tests; snapshot rows ------------------------------------

    def positions(self):
        """{(owner, number): (collateral, {market id: (size, cost, funding index)})} for every
        subaccount."""
        out = {}
        for s in range(self.n_subs):
            sub = &self.subs[s]
            out[self.sub_key[s]] = (int(sub.collateral), {
                self.market_ids[sub.holdings[i].market]: (
                    sub.holdings[i].size, int(sub.holdings[i].cost), int(sub.holdings[i].funding_index))
                for i in range(sub.n_holdings) if sub.holdings[i].size})
        return out

    def canonical(self) -> dict:
        """The state the core holds, in the rows and order of engine/snapshot.py's canonical
        encoding: the header's counters, each market's open interest, last trade, resting
        orders and waiting conditional orders, and every subaccount's leaf."""
        cdef CMarket* m
        cdef CSub* sub
        cdef Holding* h
        markets = {}
        for mid, mi in self.market_index.items():
            m = &self.markets[mi]
            rows = {}
            for s in range(self.n_subs):
                o = self.subs[s].first_order
                while o >= 0:
                    if self.orders[o].market == mi:
                        rows[self.orders[o].order_id] = self._order_row(o)
                    o = self.orders[o].sub_next
            waiting = self.triggers[mi]
            markets[mid] = [
                m.open_interest,
                m.last_trade or None,
                [rows[oid] for oid in sorted(rows) if oid not in waiting],
                [[rows[oid], to_builtins(_as_command(waiting[oid][0]))] for oid in sorted(waiting)],
            ]
        subaccounts = []
        for s in sorted(range(self.n_subs), key=lambda i: self.sub_key[i]):
            sub = &self.subs[s]
            positions = []
            for i in range(sub.n_holdings):
                h = &sub.holdings[i]
                if h.size:
                    positions.append([self.market_ids[h.market], h.size, int(h.funding_index),
                                      int(h.cost)])
            positions.sort()
            isolated = self.market_ids[sub.isolated_market] if sub.isolated_market >= 0 else None
            subaccounts.append([self.sub_owner[s], self.sub_number[s], int(sub.collateral),
                                isolated, positions])
        header = [self.next_order_id, int(self.fees), self.funding_pool, self.deposited,
                  self.withdrawn]
        return {"header": header, "markets": markets, "subaccounts": subaccounts}

    def load(self, dict rows):
        """Fill a fresh core (its markets listed) from ``canonical()``'s rows: subaccounts in
        key order, then each market's resting orders in id order (time priority within a
        level), exposure and expiries rebuilt, then its conditional orders."""
        cdef int s, o, mi
        cdef Holding* h
        cdef COrder* order
        self.next_order_id, fees, self.funding_pool, self.deposited, self.withdrawn = rows["header"]
        self.fees = fees
        for owner, number, collateral, isolated, positions in rows["subaccounts"]:
            s = self._new_sub(owner, number)
            self.subs[s].collateral = collateral
            if isolated is not None:
                self.subs[s].isolated_market = self.market_index[isolated]
            for mid, size, funding_index, cost in positions:
                h = self._add_holding(&self.subs[s], self.market_index[mid])
                h.size, h.funding_index, h.cost = size, funding_index, cost
                self.positions_opened += 1
                h.opened = self.positions_opened
        for mid, (open_interest, last_trade, resting, conditional) in rows["markets"].items():
            mi = self.market_index[mid]
            self.markets[mi].open_interest = open_interest
            self.markets[mi].last_trade = last_trade or 0
            for row in resting:
                o = self._revive(mi, row, False)
                order = &self.orders[o]
                self._rest(o)
                self._expose(&self.subs[order.sub], mi, order.is_buy, order.remaining, order.price)
                if order.expires_at >= 0:
                    self._push_expiry(order.expires_at, order.order_id)
            for row, command in conditional:
                o = self._revive(mi, row, True)
                (<dict>self.triggers[mi])[row[0]] = (
                    astuple(convert(command, PlaceOrder)), o)

    cdef int _revive(self, int mi, list row, bint conditional) except -1:
        order_id, owner, number, client_id, is_buy, price, remaining, reduce_only, expires = row
        cdef int s = self._sub(owner, number)
        cdef int o = self._alloc_order()
        cdef COrder* order = &self.orders[o]
        memset(order, 0, sizeof(COrder))
        order.order_id, order.client_id, order.price, order.remaining = (
            order_id, client_id, price, remaining)
        order.expires_at = -1 if expires is None else expires
        order.market, order.sub, order.level = mi, s, -1
        order.is_buy, order.reduce_only, order.conditional = is_buy, reduce_only, conditional
        map_put(&self.clients, s, client_id, o)
        self._link_to_sub(o)
        return o

    cdef list _order_row(self, int o):
        cdef COrder* order = &self.orders[o]
        return [order.order_id, self.sub_owner[order.sub], self.sub_number[order.sub],
                order.client_id, bool(order.is_buy), order.price, order.remaining,
                bool(order.reduce_only), order.expires_at if order.expires_at >= 0 else None]

    # -- reading the state (the engine's read-only views, snapshots, the scan) ------------------

    def allocated_bytes(self):
        """What the core holds in C allocations, at their capacity (the memory benchmark adds
        it to the Python objects tracemalloc sees; it cannot see these)."""
        cdef i64 total = sizeof(Slot) * (self.clients.mask + self.ids.mask + self.levels.mask
                                         + self.sub_index.mask + 4)
        total += self.cap_orders * sizeof(COrder) + self.cap_levels * sizeof(CLevel)
        total += self.n_markets * sizeof(CMarket) + self.cap_exp * 2 * sizeof(i64)
        for i in range(self.n_markets):
            total += (self.markets[i].bids.cap + self.markets[i].asks.cap) * sizeof(i64)
        total += self.cap_subs * (sizeof(CSub) + sizeof(int))
        for i in range(self.n_subs):
            total += self.subs[i].cap_holdings * sizeof(Holding)
        return total

    def take_dirty(self):
        """The (owner, number) of every subaccount changed (or made) since the last call, in
        key order: what the engine's liquidation scan must read again."""
        changed = []
        for s in range(self.n_subs):
            if self.subs[s].dirty:
                self.subs[s].dirty = False
                changed.append(self.sub_key[s])
        return sorted(changed)

    def keys(self):
        """Every subaccount's (owner, number), in the order they were made."""
        return list(self.sub_key)

    def has(self, owner, number):
        return self._find_sub(owner, number) >= 0

    def leaf(self, owner, number):
        """(collateral, {market id: (size, funding index)}): what the rollup and the
        liquidation scan read of a subaccount."""
        cdef CSub* sub = &self.subs[self._sub(owner, number)]
        cdef Holding* h
        positions = {}
        for i in range(sub.n_holdings):
            h = &sub.holdings[i]
            if h.size:
                positions[self.market_ids[h.market]] = (h.size, int(h.funding_index))
        return int(sub.collateral), positions

    def subaccount(self, owner, number):
        """A copy of a subaccount as accounts.Subaccount, with its open orders (book.Order
        copies) and exposure: for margin math, the API and tests. Writing to it changes
        nothing here."""
        cdef int s = self._sub(owner, number)
        cdef CSub* csub = &self.subs[s]
        cdef Holding* h
        sub = Subaccount(owner, number)
        sub.collateral = int(csub.collateral)
        if csub.isolated_market >= 0:
            sub.isolated_market = self.market_ids[csub.isolated_market]
        opened = []
        for i in range(csub.n_holdings):
            h = &csub.holdings[i]
            mid = self.market_ids[h.market]
            if h.size:
                opened.append((h.opened, mid, Position(h.size, int(h.funding_index), int(h.cost))))
            if h.buy_qty or h.sell_qty:
                exposure = Exposure()
                exposure.buy_qty, exposure.buy_value = h.buy_qty, int(h.buy_value)
                exposure.sell_qty, exposure.sell_value = h.sell_qty, int(h.sell_value)
                sub.exposure[mid] = exposure
        for _, mid, position in sorted(opened, key=lambda row: row[0]):
            sub.positions[mid] = position
        o = csub.first_order
        while o >= 0:
            order = self._order_copy(o, sub)
            sub.orders[order.client_id] = order
            if self.orders[o].reduce_only and not self.orders[o].conditional:
                sub.reduce_only[order.client_id] = order
            o = self.orders[o].sub_next
        return sub

    cdef object _order_copy(self, int o, sub):
        cdef COrder* order = &self.orders[o]
        return new_order(order.order_id, sub, self.market_ids[order.market], order.client_id,
                         order.is_buy, order.price, order.remaining, order.reduce_only,
                         order.expires_at if order.expires_at >= 0 else None)

    def book_orders(self, market_id):
        """{order id: a copy of the order} for every resting order of a market."""
        cdef int mi = self.market_index[market_id]
        out = {}
        for s in range(self.n_subs):
            o = self.subs[s].first_order
            while o >= 0:
                if self.orders[o].market == mi and not self.orders[o].conditional:
                    out[self.orders[o].order_id] = self._order_copy(
                        o, self.subaccount(*self.sub_key[s]))
                o = self.orders[o].sub_next
        return dict(sorted(out.items()))

    def best(self, market_id, bint bids):
        """The best bid (or ask) in ticks, or None."""
        cdef i64 best = self._best(&self.markets[self.market_index[market_id]], bids)
        return None if best < 0 else best

    def depth(self, market_id, bint is_buy):
        """(price, size) per level of one side, best first (OrderBook.depth)."""
        cdef int mi = self.market_index[market_id], l, o
        cdef Heap* heap = &self.markets[mi].bids if is_buy else &self.markets[mi].asks
        prices = set()
        for i in range(heap.n):
            price = -heap.items[i] if is_buy else heap.items[i]
            if map_get(&self.levels, mi * 2 + is_buy, price) >= 0:
                prices.add(price)
        out = []
        for price in sorted(prices, reverse=is_buy):
            size = 0
            o = self.lv[map_get(&self.levels, mi * 2 + is_buy, price)].head
            while o >= 0:
                size += self.orders[o].remaining
                o = self.orders[o].newer
            out.append((price, size))
        return out

    def last_trade(self, market_id):
        cdef i64 price = self.markets[self.market_index[market_id]].last_trade
        return price or None

    def waiting(self, market_id):
        """{order id: its PlaceOrder} for the market's conditional orders."""
        return {oid: _as_command(fields)
                for oid, (fields, _) in self.triggers[self.market_index[market_id]].items()}

    def fee_collateral(self):
        return int(self.fees)

    def open_interest(self, market_id):
        return self.markets[self.market_index[market_id]].open_interest



cdef str _status_name(int status):
    for member, code in STATUS_CODES.items():
        if code == status:
            return str(member)
    return "?"

cdef object _as_command(tuple fields):
    """The PlaceOrder a conditional order's fields were read from."""
    return PlaceOrder(**dict(zip(PlaceOrder.__struct_fields__, fields)))


cdef bint _triggered(tuple fields, i64 mark) except -1:
    """Whether the mark fires a conditional order: a stop fires when the mark moves against the position it protects
    (a buy stop at or above its trigger, a sell stop at or below); a take-profit the other
    way."""
    side, kind, trigger = fields[5], fields[8], fields[12]
    rising, falling = mark >= trigger, mark <= trigger
    if kind is STOP_ORDER:
        return rising if side is BUY else falling
    return falling if side is BUY else rising


cdef i128 _unsettled(Holding* h, CMarket* m) except? -1:
    """A position's funding since it last settled (funding.index.settled_funding: the
    product of index change and size can pass 128 bits, so it is formed in Python ints)."""
    return settled_funding(h.size, int(h.funding_index), int(m.funding_index))


cdef i128 _scaled(i128 cost, i64 new, i64 old) except? -1:
    """⌊cost·new/old⌋ for 0 ≤ new ≤ old (subaccount.scaled_cost)."""
    cdef i128 whole = cost // old
    return whole * new + (cost - whole * old) * new // old

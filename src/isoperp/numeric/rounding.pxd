# Cython declarations for rounding.py (compiled in place; the .py stays the source).
cimport cython

from isoperp.numeric.native cimport int64, int128

cdef int128 FAST_AMOUNT
cdef int128 FAST_PPM

cpdef object ceil_div(object a, object b)
cpdef int128 mul_ppm_ceil(int128 amount, int128 ppm) noexcept
@cython.locals(whole=int128)
cpdef int128 mul_ppm_floor(int128 amount, int128 ppm) noexcept
@cython.locals(whole=int128, rest=int64)
cdef int128 _mul_ppm_floor_fast(int64 amount, int64 ppm) noexcept

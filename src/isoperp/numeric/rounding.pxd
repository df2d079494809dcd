# Cython declarations for rounding.py (compiled in place; the .py stays the source).
cimport cython

from isoperp.numeric.native cimport int128

cdef int128 PPM

cpdef object ceil_div(object a, object b)
@cython.locals(whole=int128)
cpdef int128 mul_ppm_ceil(int128 amount, int128 ppm) except? -1
@cython.locals(whole=int128)
cpdef int128 mul_ppm_floor(int128 amount, int128 ppm) except? -1

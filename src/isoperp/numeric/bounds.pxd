# Cython declarations for bounds.py (compiled in place; the .py stays the source).
cimport cython

from isoperp.numeric.native cimport int64

@cython.locals(number=int64)
cpdef int64 check_range(object name, object value, int64 low, int64 high) except? -1
cpdef object check_wide_range(object name, object value, object low, object high)
cdef object _outside(object name, object value, object low, object high)

# Cython declarations for applied.py (compiled in place; the .py stays the source).
cimport cython

cdef class Applied:
    cdef public list events
    cdef public frozenset touched

@cython.locals(result=Applied)
cpdef Applied applied(list events, frozenset touched)

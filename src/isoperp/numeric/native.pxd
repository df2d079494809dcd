# C integer types for the modules setup.py compiles. Every product the engine forms fits
# in int128 by the bounds in numeric/bounds.py; gcc provides the type.
cdef extern from *:
    ctypedef long long int128 "__int128"
ctypedef long long int64

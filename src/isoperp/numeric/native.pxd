# C integer types for the modules setup.py compiles. Every product the engine forms fits
# in int128 by the bounds in numeric/bounds.py; gcc provides the type. Cython sees it as a
# long long, so never apply abs() to an int128 (it would truncate to 64 bits).
cdef extern from *:
    ctypedef long long int128 "__int128"
ctypedef long long int64

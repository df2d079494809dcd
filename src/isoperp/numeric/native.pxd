# C integer types for the modules setup.py compiles. Every product the engine forms fits
# in int128 by the bounds in numeric/bounds.py; gcc provides the type. Cython sees it as a
# long long, so never apply abs() to an int128, nor divide (// or %) an int128 by an int64
# or the other way round: Cython may pick its 64-bit helper and truncate.
cdef extern from *:
    ctypedef long long int128 "__int128"
ctypedef long long int64

# Cython declarations for spec.py (compiled in place; the .py stays the source).
cimport cython

cdef long long PPM

@cython.locals(excess=cython.longlong, steps=cython.longlong)
cpdef long long imf_ppm(long long base_ppm, long long baseline_steps,
                        long long increment_steps, long long increment_ppm,
                        long long abs_size) except? -1

# Cython declarations for rounding.py (compiled in place; the .py stays the source).
cpdef object ceil_div(object a, object b)
cpdef object mul_ppm_ceil(object amount, object ppm)
cpdef object mul_ppm_floor(object amount, object ppm)

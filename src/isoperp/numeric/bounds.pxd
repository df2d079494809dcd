# Cython declarations for bounds.py (compiled in place; the .py stays the source).
cpdef object check_range(object name, object value, object low, object high)

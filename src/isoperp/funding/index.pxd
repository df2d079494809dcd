# Cython declarations for index.py (compiled in place; the .py stays the source).
cpdef object settled_funding(object size, object entry_index, object current_index)

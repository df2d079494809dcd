# Compiled (setup.py) so that raising a rejection runs no interpreted code; nothing to type.

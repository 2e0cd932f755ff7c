"""Pure-Python domain rules: no Django imports."""

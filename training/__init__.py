"""Training and evaluation recipes (not part of the installed package)."""

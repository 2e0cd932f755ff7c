"""Besluit: decision-making for associations of municipalities."""

__version__ = "0.1.0"

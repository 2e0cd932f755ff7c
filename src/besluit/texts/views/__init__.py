"""Pages of the texts app; urls.py joins them."""

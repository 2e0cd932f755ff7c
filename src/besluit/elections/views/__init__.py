"""The election pages: ``pages`` (read, forms) and ``actions`` (buttons), sharing ``common``."""

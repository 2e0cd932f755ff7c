import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts without cached power computations (the cache is per process)."""
    cache.clear()
    yield
    cache.clear()

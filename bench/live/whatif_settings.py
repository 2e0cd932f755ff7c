"""Settings of the --what-if server: the product's settings plus bench.live.whatif (diagnostic)."""

from besluit.settings import *  # noqa: F403
from besluit.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench.live.whatif.WhatIfConfig"]

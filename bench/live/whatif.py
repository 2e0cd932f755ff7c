"""A diagnostic what-if, NOT the product: the event stream gives its database connection back.

As shipped, ``besluit.live.stream.meeting_events`` loads the session, the user, the
meeting and the snapshot through the ORM and keeps that (pooled) database connection
for as long as the stream is open: each worker serves at most ``pool max_size`` (16)
streams and the next one fails after the pool's 30 s timeout. This app, installed only
by ``bench/live/whatif_settings.py`` when ``bench_live.py --what-if`` asks for it, wraps
the stream's database helpers so that the connection is released after each of them
(Django's ``close()`` hands a pooled connection back to the pool). It lets the benchmark
measure everything else (fan-out to 5,000 clients, ballots with 5,000 clients open) and
shows what that one change is worth. The product's code is not modified.
"""

from asgiref.sync import sync_to_async
from django.apps import AppConfig
from django.db import connections


def _releasing(wrapped):
    func = wrapped.func  # the plain function under asgiref's SyncToAsync

    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        finally:
            connections.close_all()  # the request's context: also what request.auser() opened

    return sync_to_async(run)


class WhatIfConfig(AppConfig):
    name = "bench.live.whatif"
    label = "bench_live_whatif"
    verbose_name = "benchmark what-if (not the product)"

    def ready(self) -> None:
        from besluit.live import stream

        for name in ("_load", "_snapshot", "_replay"):
            setattr(stream, name, _releasing(getattr(stream, name)))

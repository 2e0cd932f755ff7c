"""The ASGI application: three hot routes at the edge (see besluit.edge), the rest Django."""

import os
import re

from django.core.asgi import get_asgi_application

from besluit import startup

startup.restrict_file_modes()  # before the database, uploads or keys are created
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "besluit.settings")
django_application = get_asgi_application()

from besluit.converters import MAX_ID  # noqa: E402
from besluit.edge import ballots, code_form, codes, collector, events  # noqa: E402 (apps loaded)
from besluit.live.bus import hub  # noqa: E402
from besluit.security.addresses import ClientAddress  # noqa: E402
from besluit.security.bodylimit import BodyLimit  # noqa: E402

# The garbage collector's full passes stop a worker for a quarter of a second with
# thousands of streams open: they run when no ballots arrive (edge.collector).
collector.configure()
# A poll that opens: what its ballots need is read before they arrive (edge.ballots).
hub.watch(ballots.warm_on_opening)

EVENTS = re.compile(r"/live/meetings/(\d{1,25})/events")
BALLOTS = re.compile(r"/api/v1/polls/([^/]+)/ballots")
SEALED_BALLOTS = re.compile(r"/api/v1/polls/([^/]+)/sealed-ballots")
CODE_LOGIN = "/stemcode/"  # live.urls' code_login (tests/edge/test_edge_code_login.py)


async def _route(scope, receive, send):
    if scope["type"] == "http":
        collector.ensure_running()
        path = scope["path"]
        # An id no database column holds goes to Django, whose converter says 404.
        match = EVENTS.fullmatch(path) if scope["method"] == "GET" else None
        if match and int(match[1]) <= MAX_ID:
            return await events.stream(scope, receive, send, int(match[1]))
        if scope["method"] == "POST" and (match := BALLOTS.fullmatch(path)):
            return await ballots.cast(scope, receive, send, match[1])
        if scope["method"] == "POST" and (match := SEALED_BALLOTS.fullmatch(path)):
            return await ballots.cast_sealed(scope, receive, send, match[1])
        if path == CODE_LOGIN and scope["method"] == "POST":
            return await codes.login(scope, receive, send, django_application)
        if path == CODE_LOGIN and scope["method"] == "GET":
            return await code_form.form(scope, receive, send, django_application)
    return await django_application(scope, receive, send)


# Around both: the client's address by one rule (forwarded headers from trusted proxies
# only), and bodies over the limit refused before anyone reads them.
application = ClientAddress(BodyLimit(_route))

"""The hot paths of a live meeting, served beside Django (the "edge").

A general meeting puts two loads on the server at once: thousands of open event
streams (every phone, the projector, online viewers) and a burst of ballots in
the minute after the chair opens a poll (before it, a burst of logins). Django's
request cycle (middleware, a thread per sync view, the ORM per request) costs 5 to
15 times what these requests need (see ../docs/benchmarks.md). So ``besluit.asgi``
sends exactly three routes here and everything else to Django:

- ``GET /live/meetings/<id>/events``: the Server-Sent Events stream (edge.events),
  a coroutine per stream, no thread, messages encoded once per broadcast and written
  to idle streams from the broadcast itself;
- ``POST /api/v1/polls/<id>/ballots``: the ballot (edge.ballots), authenticated
  and validated in the event loop, then written in batches by edge.batcher;
- ``POST /stemcode/``: the login with a voting code (edge.codes), for a valid code;
  every other case (a wrong code, a throttled address, a failed CSRF check) goes on
  to Django's view, which answers it.

The rules stay where they are: who may vote and how a ballot is accepted in
voting.casting (the same code the Django endpoint and the web form call), access
checks in besluit.access, the stream's replay logic in live.stream. The edge only
does HTTP.
"""

"""A real webhook receiver on localhost, as an integrator would write one.

It verifies every request with the ``standardwebhooks`` package (signature over
``webhook-id.webhook-timestamp.body``, timestamp within five minutes), refuses a
``webhook-id`` it has accepted before (a replay: 409), can be told to fail the next N
requests (500), can hold the next N requests unanswered until released (to stop a
worker mid-request), and keeps every request it saw.
"""

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Seen:
    headers: dict
    body: bytes
    status: int
    reason: str = ""


@dataclass
class Receiver:
    secret: str = ""
    fail_next: int = 0
    requests: list[Seen] = field(default_factory=list)
    accepted: dict[str, dict] = field(default_factory=dict)  # webhook-id -> payload
    lock: threading.Lock = field(default_factory=threading.Lock)
    hold_next: int = 0
    held: threading.Event = field(default_factory=threading.Event)  # a request is held
    release: threading.Event = field(default_factory=threading.Event)

    def handle(self, headers: dict, body: bytes) -> tuple[int, str]:
        with self.lock:
            hold = self.hold_next > 0
            self.hold_next -= hold
        if hold:
            self.held.set()
            self.release.wait(timeout=60)
            return 503, "held"  # nobody reads this: the sender was stopped meanwhile
        with self.lock:
            try:
                payload = Webhook(self.secret).verify(body, headers)
            except WebhookVerificationError as exc:
                return self._log(headers, body, 401 if "signature" in str(exc) else 400, str(exc))
            msg_id = headers.get("webhook-id", "")
            if msg_id in self.accepted:
                return self._log(headers, body, 409, "replay")
            if self.fail_next > 0:
                self.fail_next -= 1
                return self._log(headers, body, 500, "failing on purpose")
            self.accepted[msg_id] = payload
            return self._log(headers, body, 204, "")

    def _log(self, headers, body, status, reason):
        self.requests.append(Seen(headers, body, status, reason))
        return status, reason

    def payloads(self, event_type: str | None = None) -> list[dict]:
        return [p for p in self.accepted.values() if event_type in (None, p["type"])]


def start(receiver: Receiver) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, reason = receiver.handle(headers, body)
            data = json.dumps({"reason": reason}).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # a held request's sender was stopped meanwhile

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/hooks"

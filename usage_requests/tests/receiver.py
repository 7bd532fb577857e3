"""A real HTTP receiver for the webhook tests: a ``ThreadingHTTPServer`` on
127.0.0.1 in a thread, recording every request, answering 200 unless told
to fail the next few requests."""

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def event_id(self) -> str:
        return self.headers["ConsentCast-Event-Id"]

    @property
    def event_type(self) -> str:
        return self.headers["ConsentCast-Event-Type"]


@dataclass
class Receiver:
    server: ThreadingHTTPServer
    requests: list[Received] = field(default_factory=list)
    failures_left: int = 0
    fail_status: int = 500
    # Seconds each answer takes, to widen a race's window.
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/consentcast"

    def fail_next(self, count: int = 1, status: int = 500) -> None:
        with self.lock:
            self.failures_left, self.fail_status = count, status

    def answer(self) -> int:
        with self.lock:
            if self.failures_left:
                self.failures_left -= 1
                return self.fail_status
            return 200

    @property
    def types(self) -> list[str]:
        return [received.event_type for received in self.requests]


def start_receiver() -> Receiver:
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            time.sleep(receiver.delay)
            status = receiver.answer()
            with receiver.lock:
                receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
            answer = b'{"ok": true}' if status == 200 else b"receiver broke"
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver = Receiver(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver

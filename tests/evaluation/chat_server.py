"""A small local HTTP server speaking OpenAI's ``/v1/chat/completions`` protocol.

This is the one permitted stand-in of the project (no model server can run on CI machines):
the ``llm_judge`` talks to it over real HTTP on 127.0.0.1. It answers with a scripted
sequence of replies (status code, assistant content), the last one repeating, and records
every request it received.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Script:
    """Replies to give, in order: (HTTP status, assistant content, delay in seconds)."""

    replies: list[tuple[int, str, float]]
    requests: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next(self) -> tuple[int, str, float]:
        with self.lock:
            index = min(len(self.requests) - 1, len(self.replies) - 1)
            return self.replies[index]


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            return

        def _send(self, status: int, doc: dict[str, Any]) -> None:
            body = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.path == "/v1/models":
                self._send(200, {"object": "list", "data": [{"id": "judge", "object": "model"}]})
            else:
                self._send(404, {"error": "not found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length) or b"{}")
            with script.lock:
                script.requests.append({"path": self.path, "body": request})
            status, content, delay = script.next()
            if delay:
                time.sleep(delay)
            if self.path != "/v1/chat/completions":
                self._send(404, {"error": "not found"})
            elif status != 200:
                self._send(status, {"error": {"message": content}})
            else:
                message = {"role": "assistant", "content": content}
                self._send(
                    200,
                    {
                        "id": "chatcmpl-1",
                        "object": "chat.completion",
                        "model": request.get("model"),
                        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                    },
                )

    return Handler


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        # A client that timed out and hung up is part of the timeout tests, not an error.
        return


@contextmanager
def chat_server(replies: list[tuple[int, str, float]]) -> Iterator[tuple[str, Script]]:
    """Serve ``replies`` on an ephemeral 127.0.0.1 port; yields (base URL, script)."""
    script = Script(replies)
    server = _QuietServer(("127.0.0.1", 0), _handler(script))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", script
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"

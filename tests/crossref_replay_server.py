"""A local Crossref for tests: real recorded responses (tests/crossref_replay/, whose
README gives their source and licence), or a 429, a slow answer, for failure paths.

Used by tests/test_verification.py and by the RC504/RC505 cases of
tests/rules/cases (``crossref_replay: true``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from refcheck import online

REPLAY = Path(__file__).resolve().parent / "crossref_replay"
WORK_DOI = "10.1371/journal.pone.0033693"


class Replay(BaseHTTPRequestHandler):
    """Crossref as recorded: the one work, a 404 for any other DOI, the search for any query."""

    mode = "replay"  # "replay", "429", "slow"
    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Replay.requests.append(self.path)
        if Replay.mode == "429":
            self._send(429, b"Too many requests", "text/plain", {"Retry-After": "0"})
            return
        if Replay.mode == "slow":
            time.sleep(1.5)
        url = urlsplit(self.path)
        if url.path.startswith("/works/"):
            if unquote(url.path[len("/works/"):]).lower() == WORK_DOI:
                self._send(200, (REPLAY / "work-10.1371-journal.pone.0033693.json").read_bytes())
            else:
                self._send(404, (REPLAY / "not-found.txt").read_bytes(), "text/plain")
        elif url.path == "/works":
            self._send(200, (REPLAY / "search-query-ecology-author-boettiger.json").read_bytes())
        else:
            self._send(404, b"Resource not found.", "text/plain")

    def _send(self, code: int, body: bytes, kind: str = "application/json", headers: dict | None = None) -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def replaying(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[str]]:
    """A local Crossref for the duration; yields the list of paths it was asked for."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Replay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Replay.mode, Replay.requests = "replay", []
    monkeypatch.setenv("REFCHECK_CROSSREF_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("REFCHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(online, "RATE", 1000.0)  # the tests need not be polite to themselves
    online.reset_sessions()
    yield Replay.requests
    server.shutdown()
    server.server_close()
    online.reset_sessions()

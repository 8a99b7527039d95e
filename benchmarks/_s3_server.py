"""A local S3 (moto's server) that counts the requests it answers, by kind.

Round trips are what make an `s3://` lake slow, and their count is deterministic where seconds
on a loaded machine are not: `CountingS3` serves moto on loopback and tallies every S3 request
as LIST, GET, HEAD, PUT, DELETE or OTHER. `counts()` reads the tally, `reset()` zeroes it.

The server runs in its own process by default (`python -m benchmarks._s3_server PORT`), so it
does not compete with the client for one GIL; `threaded=True` serves it from a thread of the
calling process instead (moto's `ThreadedMotoServer` way), which the S3 benchmark compares.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

KINDS = ("LIST", "GET", "HEAD", "PUT", "DELETE", "OTHER")
_ADMIN = "/__requests"
_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through an HTTP proxy


def request_kind(method: str, path: str, query: str) -> str:
    """An S3 request's kind from its method, path-style path and query string."""
    keyed = "/" in path.strip("/")  # /bucket/key... names an object; /bucket alone the bucket
    if method == "HEAD":
        return "HEAD"
    if method == "GET":
        return "GET" if keyed and "uploadId" not in query else "LIST"
    if method == "PUT":
        return "PUT"
    if method == "DELETE" or (method == "POST" and "delete" in query.split("&")):
        return "DELETE"
    return "OTHER"


class _Counting:
    """WSGI middleware: count each request, answer the tally at `_ADMIN`."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app, self.lock = app, threading.Lock()
        self.counts, self.detail = Counter[str](), Counter[str]()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(_ADMIN):
            with self.lock:
                body = json.dumps(dict(self.detail if path.endswith("/detail") else self.counts)).encode()
                if path.endswith("/reset"):
                    self.counts.clear()
                    self.detail.clear()
            start_response("200 OK", [("Content-Type", "application/json")])
            return [body]
        method, query = environ["REQUEST_METHOD"], environ.get("QUERY_STRING", "")
        params = sorted({p.split("=", 1)[0] for p in query.split("&") if p})
        with self.lock:
            self.counts[request_kind(method, path, query)] += 1
            self.detail[f"{method} {'object' if '/' in path.strip('/') else 'bucket'} {' '.join(params)}"] += 1
        return self.app(environ, start_response)


def _serve(port: int) -> Any:
    """moto's server (as `ThreadedMotoServer` makes it) behind the counter, bound to loopback."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    app = _Counting(DomainDispatcherApplication(create_backend_app))
    return make_server("127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CountingS3:
    """A counting moto S3 on 127.0.0.1; `url` is its endpoint. Use as a context manager."""

    def __init__(self, *, threaded: bool = False) -> None:
        self.threaded = threaded
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._proc: subprocess.Popen | None = None
        self._server: Any = None

    def __enter__(self) -> CountingS3:
        if self.threaded:
            self._server = _serve(self.port)
            threading.Thread(target=self._server.serve_forever, daemon=True).start()
        else:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "benchmarks._s3_server", str(self.port)],
                cwd=Path(__file__).resolve().parent.parent,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + 30
        while True:
            try:
                self.reset()
                return self
            except OSError:
                if time.monotonic() > deadline or (self._proc and self._proc.poll() is not None):
                    self.__exit__()
                    raise RuntimeError("the counting S3 server did not start") from None
                time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(timeout=10)

    def _admin(self, path: str) -> dict[str, int]:
        with _LOOPBACK.open(f"{self.url}{_ADMIN}{path}", timeout=5) as answer:
            return json.loads(answer.read())

    def counts(self) -> dict[str, int]:
        """Requests answered since the last reset, by kind (every kind present, zeros too)."""
        return self._by_kind(self._admin(""))

    def detail(self) -> dict[str, int]:
        """Requests since the last reset by method, object or bucket, and query parameters (to see what they are)."""
        return self._admin("/detail")

    def reset(self) -> dict[str, int]:
        """Zero the tally; returns what it was (as `counts`)."""
        return self._by_kind(self._admin("/reset"))

    @staticmethod
    def _by_kind(got: dict[str, int]) -> dict[str, int]:
        return {k: got.get(k, 0) for k in KINDS}


if __name__ == "__main__":
    _serve(int(sys.argv[1])).serve_forever()

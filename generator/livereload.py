"""The preview's web server: files from the output folder, live-reload events, nothing else.

It knows nothing of the site. It serves files below one folder (refusing `..`,
encoded separators and symlinks that lead out), injects the reload script into
HTML responses (never into the files), streams Server-Sent Events from the
`ReloadHub`, and holds requests while the `Gate` says a build is due or running.
"""

from __future__ import annotations

import contextlib
import html
import json
import mimetypes
import queue
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from generator.buildloop import Gate
from generator.reloads import CLOSED, ReloadHub

PREFIX = "/__kb/"  # the preview's own URLs; no site output lives there
SCRIPT = resources.files("generator").joinpath("livereload.js").read_bytes()
BODY_END = re.compile(rb"</body\s*>", re.I)
TEXT_TYPES = ("text/", "application/javascript", "application/json", "application/xml")
mimetypes.add_type("text/calendar", ".ics")
mimetypes.add_type("application/atom+xml", ".xml")  # our .xml outputs are feeds and sitemaps


@dataclass(frozen=True, slots=True)
class Found:
    status: int  # 200, 301 or 404
    path: Path | None = None  # the file to send (200)
    location: str = ""  # where to go (301)


def locate(out: Path, raw_path: str) -> Found:
    """The file below `out` a request path names; 404 for anything that would leave `out`."""
    lowered = raw_path.lower()
    if "%2f" in lowered or "%5c" in lowered or "%00" in lowered:
        return Found(404)  # an encoded separator is never part of one of our names
    decoded = unquote(raw_path)
    parts = decoded.split("/")
    if "\\" in decoded or "\x00" in decoded or any(p in (".", "..") for p in parts):
        return Found(404)
    root = out.resolve()
    target = out.joinpath(*[p for p in parts if p])
    try:
        real = target.resolve()
        if not real.is_relative_to(root):
            return Found(404)  # a symlink pointing out of the output
        if real.is_dir():
            if not decoded.endswith("/"):
                return Found(301, location=raw_path + "/")
            real = (target / "index.html").resolve()
            if not real.is_relative_to(root):
                return Found(404)
        return Found(200, real) if real.is_file() else Found(404)
    except (OSError, ValueError):  # names too long, loops, odd bytes
        return Found(404)


def inject(page: bytes, version: str, status: int) -> bytes:
    """The page with the reload script added before </body> (or at the end)."""
    tag = (
        f'<script src="{PREFIX}livereload.js" data-version="{html.escape(version)}" '
        f'data-status="{status}"></script>'
    ).encode()
    matches = list(BODY_END.finditer(page))
    if not matches:
        return page + tag
    at = matches[-1].start()
    return page[:at] + tag + page[at:]


def content_type(path: Path) -> str:
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith(TEXT_TYPES) else kind


NOT_BUILT = (
    b"<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'><title>Nog geen site</title>"
    b"</head><body><h1>De site is nog niet gebouwd</h1><p>Herstel de fout (zie de terminal); "
    b"deze pagina laadt dan vanzelf opnieuw.</p></body></html>"
)
NOT_FOUND = (
    b"<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'><title>Niet gevonden</title>"
    b"</head><body><h1>Pagina niet gevonden</h1></body></html>"
)


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # request threads never keep the process alive
    allow_reuse_address = True
    request_queue_size = 64  # a page and its assets arrive together
    wait_timeout = 30.0  # longest a request waits for a running build
    keepalive = 10.0  # seconds between pings that reveal a vanished event listener

    def __init__(
        self,
        address: tuple[str, int],
        out: Path,
        hub: ReloadHub,
        gate: Gate,
        status: Callable[[], dict] | None = None,
    ):
        self.out = out
        self.hub = hub
        self.gate = gate
        self.status = status or (lambda: {})
        super().__init__(address, PreviewHandler)

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return  # the browser went away mid-response: nothing to do
        super().handle_error(request, client_address)


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "Kennisbank-preview"

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        pass  # one line per build on the terminal is enough

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        split = urlsplit(self.path)
        if split.path.startswith(PREFIX):
            self._own(split.path[len(PREFIX) :], split.query, head)
            return
        self.server.gate.wait_ready(self.server.wait_timeout)
        version = (
            self.server.hub.version
        )  # read before the file: a newer file only reloads once more
        out = self.server.out
        if not out.is_dir():
            self._send(503, "text/html; charset=utf-8", inject(NOT_BUILT, version, 200), head)
            return
        found = locate(out, split.path)
        if found.status == 301:
            location = found.location + (f"?{split.query}" if split.query else "")
            self._send(301, "text/plain; charset=utf-8", b"", head, {"Location": location})
            return
        if found.status == 200 and found.path is not None:
            try:
                body = found.path.read_bytes()
            except OSError:
                found = Found(404)
            else:
                kind = content_type(found.path)
                if kind.startswith("text/html"):
                    body = inject(body, version, 200)
                self._send(200, kind, body, head)
                return
        self._not_found(version, head)

    def _not_found(self, version: str, head: bool) -> None:
        page = locate(self.server.out, "/404.html")
        body = NOT_FOUND
        if page.path is not None:
            with contextlib.suppress(OSError):
                body = page.path.read_bytes()
        self._send(404, "text/html; charset=utf-8", inject(body, version, 404), head)

    def _send(
        self, status: int, kind: str, body: bytes, head: bool, extra: dict | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")  # a preview is never cached
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _own(self, name: str, query: str, head: bool) -> None:
        if name == "livereload.js":
            self._send(200, "text/javascript; charset=utf-8", SCRIPT, head)
        elif name == "events" and not head:
            self._events(parse_qs(query))
        elif name == "status":
            body = json.dumps(
                {
                    "version": self.server.hub.version,
                    "problems": self.server.hub.problems,
                    "listeners": self.server.hub.listeners,
                    **self.server.status(),
                }
            ).encode()
            self._send(200, "application/json", body, head)
        else:
            self._send(404, "text/plain; charset=utf-8", b"onbekend", head)

    def _events(self, params: dict[str, list[str]]) -> None:
        """One Server-Sent Events stream, open until the page or the server goes away."""
        since = self.headers.get("Last-Event-ID") or params.get("v", [""])[0]
        path = params.get("path", ["/"])[0]
        status = params.get("status", ["200"])[0]
        hub = self.server.hub
        subscriber = hub.subscribe(path, int(status) if status.isdigit() else 200, since)
        self.close_connection = True
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                try:
                    message = subscriber.messages.get(timeout=self.server.keepalive)
                except queue.Empty:
                    message = b": ping\n\n"  # fails once the page is gone
                if message is CLOSED:
                    return
                self.wfile.write(message)
                self.wfile.flush()
        except (ConnectionError, TimeoutError, OSError):
            return
        finally:
            hub.unsubscribe(subscriber)

"""Which open pages must react to a build, and the Server-Sent Events that tell them.

Each open page subscribes with its own URL path. After every finished build the
hub decides per page: reload it (its own output changed, or an image/script
it may use), swap its stylesheets (only CSS changed), or leave it alone. Every
event carries the build's version id, so a page that reconnects (or that was
served just before a build) catches up on what it missed.
"""

from __future__ import annotations

import json
import queue
import secrets
import threading
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import unquote

from generator.errors import Problem

# Outputs no page displays directly: when only these change, no page reloads for them.
UNSEEN_SUFFIXES = (".html", ".xml", ".ics", ".txt", ".json", ".webmanifest")
CLOSED = None  # the message that ends a subscriber's stream


def output_candidates(url_path: str, status: int = 200) -> set[str]:
    """Output files (relative to the output folder) that a URL path may show."""
    path = unquote(url_path.split("?", 1)[0].split("#", 1)[0]).lstrip("/")
    if path == "" or path.endswith("/"):
        found = {path + "index.html"}
    elif "." in path.rsplit("/", 1)[-1]:
        found = {path}
    else:
        found = {path, path + "/index.html"}
    if status == 404:
        found.add("404.html")
    return found


def decide(own: set[str], changed: set[str]) -> str | None:
    """'reload', 'css' or None for a page showing one of `own`, after `changed`."""
    if own & changed:
        return "reload"
    others = [path for path in changed if not path.endswith(UNSEEN_SUFFIXES)]
    if any(not path.endswith(".css") for path in others):
        return "reload"  # an image, script or font this page may use
    return "css" if others else None


def problem_data(problems: list[Problem]) -> list[dict]:
    """The errors of a build as the overlay shows them (warnings stay on the terminal)."""
    return [
        {
            "where": f"{p.path}:{p.line}" if p.line else p.path,
            "message": p.message,
        }
        for p in problems
        if p.is_error
    ]


def sse(event: str, data: object, version: str) -> bytes:
    # json.dumps never emits a raw newline, so the data fits on one `data:` line.
    payload = json.dumps(data, ensure_ascii=False)
    return f"id: {version}\nevent: {event}\ndata: {payload}\n\n".encode()


@dataclass(eq=False, slots=True)
class Subscriber:
    own: set[str]
    messages: queue.Queue = field(default_factory=queue.Queue)


class ReloadHub:
    """The current build version and its errors, and the pages listening for changes."""

    def __init__(self, history: int = 200):
        self.boot = secrets.token_hex(4)  # a restarted server gets other version ids
        self.number = 0
        self.problems: list[dict] = []
        self._history: deque[tuple[int, frozenset[str]]] = deque(maxlen=history)
        self._subscribers: set[Subscriber] = set()
        self._lock = threading.Lock()

    @property
    def version(self) -> str:
        return f"{self.boot}-{self.number}"

    def record(self, changed: set[str], problems: list[Problem]) -> None:
        """A build finished (its files are written): tell every open page what concerns it."""
        with self._lock:
            self.number += 1
            self._history.append((self.number, frozenset(changed)))
            self.problems = problem_data(problems)
            for subscriber in self._subscribers:
                self._tell(subscriber, decide(subscriber.own, changed))

    def _tell(self, subscriber: Subscriber, action: str | None) -> None:
        version = self.version
        if action:
            subscriber.messages.put(sse(action, {"version": version}, version))
        subscriber.messages.put(sse("problems", self.problems, version))

    def changed_since(self, version: str | None) -> set[str] | None:
        """Outputs changed after build `version`; None when that is unknown (too old, other run)."""
        boot, _, number = (version or "").partition("-")
        if boot != self.boot or not number.isdigit():
            return None
        number_ = int(number)
        if number_ == self.number:
            return set()
        if not self._history or number_ < self._history[0][0] - 1 or number_ > self.number:
            return None
        changed: set[str] = set()
        for built, paths in self._history:
            if built > number_:
                changed |= paths
        return changed

    def subscribe(self, url_path: str, status: int, since: str | None) -> Subscriber:
        subscriber = Subscriber(output_candidates(url_path, status))
        with self._lock:
            missed = self.changed_since(since)
            action = "reload" if missed is None else decide(subscriber.own, missed)
            self._tell(subscriber, action)
            self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(subscriber)

    def close(self) -> None:
        """End every open stream (the server is stopping)."""
        with self._lock:
            for subscriber in self._subscribers:
                subscriber.messages.put(CLOSED)
            self._subscribers.clear()

    @property
    def listeners(self) -> int:
        with self._lock:
            return len(self._subscribers)

"""Stable digests of plain values: what a cached output depended on, in 16 bytes."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from generator.model import Page


def hash_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class Digester:
    """Digests values; pages are digested once per state and remembered by source."""

    def __init__(self, page_digests: dict[str, str] | None = None):
        self.page_digests = page_digests if page_digests is not None else {}
        # Shared values (terms, configs, long lists) are digested once per build, by
        # identity; the value itself is kept so its id cannot be reused meanwhile.
        self._by_identity: dict[int, tuple[object, str]] = {}

    def shared(self, value: object) -> str:
        known = self._by_identity.get(id(value))
        if known is None:
            h = hashlib.blake2b(digest_size=16)
            _feed_plain(h, value, self)
            known = self._by_identity[id(value)] = (value, h.hexdigest())
        return known[1]

    def page(self, page: Page) -> str:
        known = self.page_digests.get(page.source)
        if known is None:
            h = hashlib.blake2b(digest_size=16)
            for item in dataclasses.fields(page):
                _feed(h, getattr(page, item.name), self)
            known = self.page_digests[page.source] = h.hexdigest()
        return known

    def of(self, value: object) -> str:
        h = hashlib.blake2b(digest_size=16)
        _feed(h, value, self)
        return h.hexdigest()


def _feed(h, value: object, digester: Digester) -> None:
    if (isinstance(value, list | tuple) and len(value) > 8) or (
        dataclasses.is_dataclass(value) and not isinstance(value, type | Page)
    ):
        h.update(b"#" + digester.shared(value).encode())
    else:
        _feed_plain(h, value, digester)


def _feed_plain(h, value: object, digester: Digester) -> None:  # noqa: C901 - one flat type switch
    if value is None or isinstance(value, bool | int | float):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, str):  # Markup too
        data = value.encode("utf-8", "surrogatepass")
        h.update(b"s%d:" % len(data))
        h.update(data)
    elif isinstance(value, Page):
        h.update(b"P" + digester.page(value).encode())
    elif isinstance(value, datetime | date | time):
        h.update(f"t:{value.isoformat()}:{value.tzinfo!s};".encode())
    elif isinstance(value, ZoneInfo):
        h.update(f"z:{value.key};".encode())
    elif isinstance(value, list | tuple):
        h.update(b"[%d" % len(value))
        for item in value:
            _feed(h, item, digester)
        h.update(b"]")
    elif isinstance(value, set | frozenset):
        _feed(h, sorted(value, key=repr), digester)
    elif isinstance(value, dict):
        h.update(b"{%d" % len(value))
        for key, item in value.items():
            _feed(h, key, digester)
            _feed(h, item, digester)
        h.update(b"}")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        h.update(f"d:{type(value).__qualname__}".encode())
        for item in dataclasses.fields(value):
            _feed(h, getattr(value, item.name), digester)
    else:
        h.update(f"r:{type(value).__qualname__}:{value!r};".encode())

"""Stable digests of plain values: what a cached output depended on, in 16 bytes."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time
from functools import partial
from zoneinfo import ZoneInfo

import xxhash
from markupsafe import Markup

from generator.model import Page
from generator.taxonomy import Term

# A long list or a dataclass instance shared by many outputs is digested once per build.
SHARED_LENGTH = 8
# Terms by value, kept across builds: the preview digests a fresh build's terms again
# (each holds the sources of all its pages), 17 ms of a rebuild after one edit at 10k.
_TERMS: dict[Term, bytes] = {}
_TERMS_KEPT = 20_000


# XXH3, 128 bits: telling changed bytes from unchanged ones needs no cryptographic
# hash (nothing here is a secret or a signature), and it hashes a 20 kB page in 0.3 us
# where SHA-256 took 11 us, and a short text in a fifth of SHA-256's time. Its hex
# digest has the 32 characters the cache keeps.
new_hash = xxhash.xxh3_128


def hash_bytes(data: bytes) -> str:
    return xxhash.xxh3_128_hexdigest(data)


_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _dataclass_fields(kind: type) -> tuple[str, ...] | None:
    try:
        return _FIELDS[kind]
    except KeyError:
        names = (
            tuple(f.name for f in dataclasses.fields(kind))
            if dataclasses.is_dataclass(kind)
            else None
        )
        _FIELDS[kind] = names
        return names


_PLAIN_JSON = None  # orjson.dumps of plain values only, once first asked for


def _plain_json_writer():
    """orjson, imported where the render first needs it: its import (with uuid's) was
    2.5 ms of every build's start. It refuses what these options pass through instead
    of writing their fields or its own form of them."""
    global _PLAIN_JSON
    import orjson

    options = (
        orjson.OPT_PASSTHROUGH_DATACLASS
        | orjson.OPT_PASSTHROUGH_DATETIME
        | orjson.OPT_PASSTHROUGH_SUBCLASS
    )
    _PLAIN_JSON = partial(orjson.dumps, option=options)
    return _PLAIN_JSON


def _plain_json(value: list) -> bytes | None:
    """'J' and the JSON of a value made of texts, numbers, booleans, lists and dicts with
    text keys; None for anything else. What `_feed` hashes never starts with 'J'. orjson
    writes None, NaN and infinities alike, as null: those are left to `_feed` too."""
    try:
        json = (_PLAIN_JSON or _plain_json_writer())(value)
    except TypeError:
        return None
    return None if b"null" in json else b"J" + json


_EMPTY_LIST = new_hash(b"[0]").hexdigest()


class Digester:
    """Digests values; pages are digested once per state and remembered by source."""

    def __init__(self, page_digests: dict[str, str] | None = None):
        self.page_digests = page_digests if page_digests is not None else {}
        self.made: list[str] = []  # sources whose digest this digester worked out, in order
        # Shared values are remembered by identity; the value is kept so its id stays unique.
        self._by_identity: dict[int, tuple[object, bytes]] = {}

    def page(self, page: Page) -> str:
        known = self.page_digests.get(page.source)
        if known is None:
            h = new_hash()
            for name in _dataclass_fields(Page):
                self._feed(h, getattr(page, name))
            known = self.page_digests[page.source] = h.hexdigest()
            self.made.append(page.source)
        return known

    def of(self, value: object) -> str:
        kind = type(value)
        # The answers most questions get, hashed in one piece: the same bytes `_feed`
        # hashes, without its calls per value.
        if kind is str:
            data = value.encode("utf-8", "surrogatepass")
            return new_hash(b"s%d:%s" % (len(data), data)).hexdigest()
        if kind is list:
            if not value:
                return _EMPTY_LIST
            if type(value[0]) is Page and all(type(item) is Page for item in value):
                return new_hash(self._pages(value)).hexdigest()
            if len(value) <= SHARED_LENGTH and type(value[0]) is dict:
                json = _plain_json(value)  # structured data: written by orjson in C, 10x faster
                if json is not None:
                    return new_hash(json).hexdigest()
        h = new_hash()
        self._feed(h, value)
        return h.hexdigest()

    def _pages(self, pages: list | tuple) -> bytes:
        """What `_feed_sequence` hashes for a list of pages, in one piece. Pages are hashed
        in line at any length: a list page's twenty (and its cards' lists) is a new list
        each time, which hashing by identity (`_shared`) walked item by item all the same."""
        known = self.page_digests
        digests = [known.get(item.source) or self.page(item) for item in pages]
        return b"[%d%s]" % (len(pages), ("P" + "P".join(digests)).encode() if digests else b"")

    def _shared(self, value: object, fields: tuple[str, ...] | None) -> bytes:
        known = self._by_identity.get(id(value))
        if known is None:
            h = new_hash()
            if fields is None:
                self._feed_sequence(h, value)
            else:
                h.update(type(value).__qualname__.encode())
                for name in fields:
                    self._feed(h, getattr(value, name))
            known = self._by_identity[id(value)] = (value, b"#" + h.digest())
        return known[1]

    def _term(self, term: Term) -> bytes:
        # By identity first: hashing a term walks all its page sources, and one build
        # shows the same term objects again and again.
        known = self._by_identity.get(id(term))
        if known is not None:
            return known[1]
        known = _TERMS.get(term)
        if known is None:
            known = self._shared(term, _dataclass_fields(Term))
            # Equal terms digest alike only when their values are texts (1 == 1.0).
            texts = (term.taxonomy, term.slug, term.name, term.url, *term.spellings)
            if all(type(text) is str for text in texts):
                if len(_TERMS) >= _TERMS_KEPT:
                    _TERMS.clear()
                _TERMS[term] = known
        else:
            self._by_identity[id(term)] = (term, known)
        return known

    def _feed_sequence(self, h, value) -> None:
        h.update(b"[%d" % len(value))
        for item in value:
            self._feed(h, item)
        h.update(b"]")

    def _feed(self, h, value: object) -> None:  # noqa: C901 - one flat type switch
        kind = type(value)
        if kind is str or kind is Markup:
            data = value.encode("utf-8", "surrogatepass")
            h.update(b"s%d:" % len(data))
            h.update(data)
        elif value is None or kind is bool or kind is int or kind is float:
            h.update(f"{kind.__name__}:{value!r};".encode())
        elif kind is Page:
            h.update(b"P" + self.page(value).encode())
        elif kind is list or kind is tuple:
            first = type(value[0]) if value else None
            if first is Page and all(type(item) is Page for item in value):
                h.update(self._pages(value))
            elif (
                first is Term
                and len(value) <= SHARED_LENGTH
                and all(type(item) is Term for item in value)
            ):
                # A page's terms (`site.terms_of`): what _feed_sequence hashes, in one piece.
                h.update(b"[%d%s]" % (len(value), b"".join([self._term(t) for t in value])))
            elif len(value) > SHARED_LENGTH:
                h.update(self._shared(value, None))
            else:
                self._feed_sequence(h, value)
        elif kind is dict:
            h.update(b"{%d" % len(value))
            for key, item in value.items():
                self._feed(h, key)
                self._feed(h, item)
            h.update(b"}")
        elif kind is datetime or kind is date or kind is time:
            h.update(f"t:{value.isoformat()}:{value.tzinfo!s};".encode())
        elif kind is ZoneInfo:
            h.update(f"z:{value.key};".encode())
        elif kind is set or kind is frozenset:
            self._feed(h, sorted(value, key=repr))
        elif kind is Term:
            h.update(self._term(value))
        elif (fields := _dataclass_fields(kind)) is not None:
            h.update(self._shared(value, fields))
        elif isinstance(value, str):
            self._feed(h, str(value))
        else:
            h.update(f"r:{kind.__qualname__}:{value!r};".encode())

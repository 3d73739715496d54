"""Checks on a whole build/ folder: well-formed, and nothing injected survives.

Used by the property tests: every HTML page must parse under html5lib's strict
mode, carry no `on*=` attribute, no `javascript:`/`data:` link, no script except
our own and JSON-LD that parses; every XML, JSON and iCalendar file must parse.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import html5lib
from icalendar import Calendar

URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "srcset")
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


def check_html(path: Path, needle: str) -> None:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        tree = parser.parse(path.read_bytes())
    except html5lib.html5parser.ParseError as error:
        raise AssertionError(f"{path}: not well-formed HTML: {error}") from None
    for element in tree.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), f"{path}: <{element.tag} {name}=...>"
            if name in URL_ATTRIBUTES:
                squeezed = "".join(value.split()).lower()
                assert not squeezed.startswith(BAD_SCHEMES), f"{path}: {name}={value!r}"
        if element.tag == "script":
            text = element.text or ""
            if element.get("type") == "application/ld+json":
                json.loads(text)  # data only, and it must stay parseable
            else:
                assert needle not in text + element.get("src", ""), f"{path}: injected script"
        if element.tag in ("iframe", "object", "embed", "base", "form"):
            # our templates have such elements; an injected one would carry the needle
            assert needle not in " ".join(element.attrib.values()), (
                f"{path}: injected <{element.tag}>"
            )


def check_build(build: Path, needle: str) -> int:
    """Checks every output file; returns how many were checked."""
    count = 0
    for path in sorted(build.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".html":
            check_html(path, needle)
        elif path.suffix == ".xml":
            try:
                ElementTree.fromstring(path.read_bytes())
            except ElementTree.ParseError as error:
                raise AssertionError(f"{path}: not well-formed XML: {error}") from None
        elif path.suffix == ".json":
            json.loads(path.read_bytes())
        elif path.suffix == ".ics":
            raw = path.read_bytes()
            calendar = Calendar.from_ical(raw)
            events = calendar.walk("VEVENT")
            # a value can never open a component of its own
            assert raw.count(b"\nBEGIN:VEVENT") == len(events), path
        else:
            continue
        count += 1
    return count

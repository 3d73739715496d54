"""A quick parser for the small YAML that nearly all front matter is.

PyYAML builds a node per key and value, resolves each scalar in Python and then
our structure checks and construction walk those nodes again: ~170 us for ten
lines of front matter. Most front matter is `key: value` lines, one nested
mapping and lists of quoted strings; those are parsed here with plain string
operations and a few regular expressions (~30 us). Anything else (comments, tabs, anchors, tags, multi-line or escaped
scalars, duplicate keys, odd indentation, floats, ...) is declined with None so
that PyYAML parses it and our usual messages report its problems.

Plain scalars are typed with PyYAML's own implicit resolver table (YAML 1.1:
`yes` and `on` are booleans, `~` is null, dates stay text as in our loader);
tests/test_yamlload.py compares both paths on generated documents.
"""

from __future__ import annotations

import re
from functools import lru_cache

from generator.textclean import is_clean

# Characters YAML forbids or treats as line breaks (\x85, \u2028, \u2029), tabs,
# \r, BOMs, surrogates: all left to PyYAML, which reports or handles them. Listed, not
# as the class of all the others: compiling that one took 3 ms of every build's start.
_ODD = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
# A key at the start of the text's indentation, then ': ' or the end of the line.
# PyYAML refuses simple keys over 1024 characters; ours stay far below that.
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,99}):(?: |$)")
_DOUBLE = re.compile(r'"([^"\\]*)"')  # no escapes: those need PyYAML's decoding
_SINGLE = re.compile(r"'([^']*)'")  # no '' (an escaped quote)
# One-line flow sequence: quoted items, or plain ones without flow indicators or ':'.
_ITEM = r"""(?:"[^"\\]*"|'[^']*'|[^ ,\[\]{}#:"'][^,\[\]{}#:"']*)"""
_FLOW = re.compile(rf"\[ *(?:{_ITEM}(?: *, *{_ITEM})*)? *\]")
_FLOW_ITEM = re.compile(r""""([^"\\]*)"|'([^']*)'|([^ ,\[\]{}#:"'][^,\[\]{}#:"']*)""")
# What int() reads exactly as PyYAML does (no octal, 0x, _, sexagesimal; no 4300+ digits).
_SIMPLE_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]{0,17})")
# A one-line flow mapping's `key: value`: a plain key, then a plain value without flow
# indicators, quotes or ':', or a one-line flow sequence; then ',' or the end.
_FLOW_PAIR = re.compile(
    r" *([A-Za-z_][A-Za-z0-9_-]{0,99}): +(\[[^\[\]{}]*\]|[^ ,\[\]{}:][^,\[\]{}:]*?) *(,|$)"
)
_TAG = "tag:yaml.org,2002:"
_STR, _TIMESTAMP, _BOOL, _NULL, _INT = (
    _TAG + name for name in ("str", "timestamp", "bool", "null", "int")
)
# PyYAML's implicit resolvers (its resolver.py, YAML 1.1) in the order it adds them, with
# the first characters each is tried for ('' for the empty scalar). Written out, not read
# from PyYAML, so that a build whose site.yaml and front matter are all simple never
# imports it (a tenth of a build's start); tests/test_yamlload.py checks that this is
# PyYAML's own table.
_IMPLICIT = (
    (
        _BOOL,
        r"""^(?:yes|Yes|YES|no|No|NO
                    |true|True|TRUE|false|False|FALSE
                    |on|On|ON|off|Off|OFF)$""",
        "yYnNtTfFoO",
    ),
    (
        _TAG + "float",
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$""",
        "-+0123456789.",
    ),
    (
        _INT,
        r"""^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+
                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$""",
        "-+0123456789",
    ),
    (_TAG + "merge", r"^(?:<<)$", "<"),
    (
        _NULL,
        r"""^(?: ~
                    |null|Null|NULL
                    | )$""",
        ("~", "n", "N", ""),
    ),
    (
        _TIMESTAMP,
        r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
                    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
                     (?:[Tt]|[ \t]+)[0-9][0-9]?
                     :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
                     (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
        "0123456789",
    ),
    (_TAG + "value", r"^(?:=)$", "="),
    (_TAG + "yaml", r"^(?:!|&|\*)$", "!&*"),
)


def _by_first_character() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """The resolvers by first character, as BaseResolver.resolve looks them up."""
    table: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, pattern, firsts in _IMPLICIT:
        compiled = re.compile(pattern, re.X if "\n" in pattern else 0)
        for first in firsts:
            table.setdefault(first, []).append((tag, compiled))
    return table


_RESOLVERS = _by_first_character()
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}


class _Decline(Exception):
    """Outside the quick subset: PyYAML decides."""


Lines = dict[tuple[str, ...], int]


def quick_mapping(text: str, first_line: int) -> tuple[dict, Lines] | None:
    """(data, lines of keys) as yamlload's PyYAML path makes them, or None to decline."""
    if _ODD.search(text) or not is_clean(text):
        return None  # so, too, the strings found need no clean_value
    # Blank lines separate nothing in block YAML, and a comment line is nothing at all
    # (nothing here spans lines); whitespace-only lines are declined below.
    rows = [
        (number, line)
        for number, line in enumerate(text.split("\n"), first_line)
        if line and not line.lstrip(" ").startswith("#")
    ]
    lines: Lines = {}
    try:
        data, end = _mapping(rows, 0, 0, (), lines)
    except _Decline:
        return None
    return (data, lines) if end == len(rows) else None


def _mapping(rows: list, start: int, indent: int, trail: tuple, lines: Lines) -> tuple[dict, int]:
    """Keys at exactly `indent` spaces from rows[start] on; stops at a smaller indent."""
    data: dict = {}
    at = start
    while at < len(rows):
        number, line = rows[at]
        if indent and not line.startswith("  "):
            break  # back to the top level
        match = _KEY.match(line, indent)
        if match is None:
            raise _Decline  # a comment, a list, deeper indentation, a continuation, ...
        key = match[1]
        if key in data or not _is_text_key(key):
            raise _Decline  # PyYAML names the duplicate; `yes:` or `null:` is no text key
        lines[(*trail, key)] = number
        rest = line[match.end() :].strip(" ")
        at += 1
        if rest:
            if rest[0] == "[":
                data[key] = _flow(rest)
            elif rest[0] == "{" and rest[-1] == "}":
                data[key] = _flow_mapping(rest[1:-1], number, (*trail, key), lines)
            else:
                data[key] = _scalar(rest)
        else:
            data[key], at = _nested(rows, at, indent, (*trail, key), lines)
    return data, at


def _nested(rows: list, at: int, indent: int, trail: tuple, lines: Lines) -> tuple[object, int]:
    """The value of a key with nothing after its colon: a mapping, a block list or null."""
    if at == len(rows):
        return None, at
    line = rows[at][1]
    if line.startswith(" " * (indent + 2) + "- "):
        return _block_list(rows, at, indent + 2)
    if line.startswith(" " * indent + "- "):
        return _block_list(rows, at, indent)  # YAML allows `- item` at the key's indentation
    if indent == 0 and line.startswith("  ") and line[2:3] not in (" ", ""):
        return _mapping(rows, at, 2, trail, lines)  # one nested level, two spaces in
    # Anything else is the parent's next line: the value is null, or the parent declines.
    return None, at


def _block_list(rows: list, at: int, indent: int) -> tuple[list, int]:
    """`- item` lines at `indent`; items are scalars (a list of mappings is declined)."""
    prefix = " " * indent + "- "
    items = []
    while at < len(rows) and rows[at][1].startswith(prefix):
        item = rows[at][1][len(prefix) :].strip(" ")
        if not item:
            raise _Decline  # `- ` alone is a null item; rare enough to leave to PyYAML
        items.append(_scalar(item))
        at += 1
    return items, at


def _flow(text: str) -> list:
    """A one-line flow sequence such as ["a b", 'c', d, 12]."""
    if len(text) > 3 and text.startswith('["') and text.endswith('"]') and "\\" not in text:
        # Most: double-quoted texts, ', ' between them (tags), split without the two
        # regular expressions; any other quote in them leaves it to those.
        items = text[2:-2].split('", "')
        if not any('"' in item for item in items):
            return items
    if not _FLOW.fullmatch(text):
        raise _Decline  # nested, unclosed, trailing comma, comment after it, ...
    items: list = []
    for double, single, plain in _FLOW_ITEM.findall(text[1:-1]):
        items.append(_typed(plain.rstrip(" ")) if plain else double or single)
    return items


def _flow_mapping(inner: str, number: int, trail: tuple, lines: Lines) -> dict:
    """A one-line flow mapping such as {title: Projecten, required: [city, organisation]}
    (what site.yaml's sections and taxonomies are written as): plain keys, and plain
    values or flow sequences. Quotes, nesting and anything odder are declined."""
    data: dict = {}
    if not inner.strip(" "):
        return data  # `{}`
    at = 0
    while at < len(inner):
        match = _FLOW_PAIR.match(inner, at)
        if match is None:
            raise _Decline
        key, value = match[1], match[2]
        if key in data or not _is_text_key(key):
            raise _Decline
        lines[(*trail, key)] = number
        data[key] = _flow(value) if value[0] == "[" else _scalar(value)
        at = match.end()
        if match[3] == "," and at == len(inner):
            raise _Decline  # a comma at the end: left to PyYAML
    return data


def _scalar(text: str) -> object:
    """A one-line scalar with no surrounding spaces: quoted text, or typed plain text."""
    first = text[0]
    if first == '"' and text[-1] == '"' and len(text) > 1:
        inner = text[1:-1]
        if '"' not in inner and "\\" not in inner:  # what _DOUBLE takes, without it
            return inner
    if first == '"' or first == "'":
        match = (_DOUBLE if first == '"' else _SINGLE).fullmatch(text)
        if match is None:
            raise _Decline  # escapes, text after the closing quote, unclosed, ...
        return match[1]
    return _typed(text)


@lru_cache(maxsize=4096)  # the same names, places and numbers on page after page
def _typed(text: str) -> object:
    """A plain scalar's value, by PyYAML's resolver; odd starts and tricky types are declined."""
    first = text[0]
    if (
        first in ",[]{}#&*!|>'\"%@`?:"
        or (first == "-" and (len(text) == 1 or text[1] == " "))
        or ": " in text
        or "#" in text
        or text[-1] == ":"
    ):
        raise _Decline  # indicators, a nested mapping, a comment: PyYAML's grammar
    tag = _resolve(text)
    if tag in (_STR, _TIMESTAMP):  # our loader keeps timestamps as text
        return text
    if tag == _BOOL:
        return _BOOLS[text.lower()]
    if tag == _NULL:
        return None
    if tag == _INT and _SIMPLE_INT.fullmatch(text):
        return int(text)
    raise _Decline  # floats, octal, hex, 1_000, 1:30, merge keys, ...


@lru_cache(maxsize=256)  # a site uses a few dozen keys, each on most pages
def _is_text_key(key: str) -> bool:
    return _resolve(key) == _STR


def _resolve(text: str) -> str:
    """The tag PyYAML's resolver gives a non-empty plain scalar (BaseResolver.resolve)."""
    for tag, pattern in _RESOLVERS.get(text[0], ()):
        if pattern.match(text):
            return tag
    return _STR

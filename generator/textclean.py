"""Remove characters that no output format can carry.

Control characters (other than tab and newline), lone surrogates and Unicode
noncharacters are invisible to editors (they arrive by copy and paste, or from
YAML escapes such as "\\x01" or "\\ud800"), yet one of them makes an Atom feed or
sitemap invalid XML, an HTML page non-conforming, or the UTF-8 writer fail.
"""

from __future__ import annotations

import re

_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(
        f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
    )
    + "]"
)


# Checked on the UTF-8 bytes, which C scans far faster than a regex scans a str
# (2 against 24 microseconds for a 5 kB page). ASCII bytes that are fine in text:
_ASCII_VISIBLE = bytes([9, 10, 13, *range(0x20, 0x7F)])
# ...and every byte a longer UTF-8 sequence can hold: those are looked at apart.
_VISIBLE_BYTES = _ASCII_VISIBLE + bytes(range(0x80, 0x100))
_BELOW_ASTRAL = bytes(range(0xF0))
# _INVISIBLE's characters beyond ASCII, as UTF-8 ('surrogatepass' for the surrogates):
# C1 controls, surrogates, U+FDD0-U+FDEF and U+FFFE/U+FFFF, U+nFFFE/U+nFFFF beyond.
# Lead bytes occur only at the start of a character, so every match is a whole one.
# One pattern per lead byte: a literal first byte lets the search skip ahead fast.
_WIDE_INVISIBLE = [
    re.compile(rb"\xc2[\x80-\x9f]"),
    re.compile(rb"\xed[\xa0-\xbf]"),
    re.compile(rb"\xef(?:\xb7[\x90-\xaf]|\xbf[\xbe\xbf])"),
]
# U+nFFFE and U+nFFFF beyond the first plane: slower to find (no literal first byte),
# so looked for only in text that has such characters at all.
_ASTRAL_INVISIBLE = re.compile(rb"[\xf0-\xf4][\x8f\x9f\xaf\xbf]\xbf[\xbe\xbf]")


def is_clean(text: str) -> bool:
    """True when clean_text leaves `text` (and so every piece of it) unchanged."""
    if text.isascii():
        return not text.encode("ascii").translate(None, _ASCII_VISIBLE)
    data = text.encode("utf-8", "surrogatepass")
    if data.translate(None, _VISIBLE_BYTES) or any(p.search(data) for p in _WIDE_INVISIBLE):
        return False
    return not (data.translate(None, _BELOW_ASTRAL) and _ASTRAL_INVISIBLE.search(data))


def clean_text(text: str) -> str:
    return text if is_clean(text) else _INVISIBLE.sub("", text)


def clean_value(value: object) -> object:
    """`clean_text` on every string (keys included) inside parsed YAML."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_value(k): clean_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    return value

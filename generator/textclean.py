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


# Searching for astral characters in a class is ~10x slower than for BMP ones, so
# the full search runs only on text that has an astral character at all.
_ASCII_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BMP_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def is_clean(text: str) -> bool:
    """True when clean_text leaves `text` (and so every piece of it) unchanged."""
    if text.isascii():
        return _ASCII_INVISIBLE.search(text) is None
    return not (_BMP_INVISIBLE.search(text) or (_ASTRAL.search(text) and _INVISIBLE.search(text)))


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

"""Slugs, URLs and output paths: the only place these rules live."""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache

PAGE_SEGMENT = "pagina"  # /tags/wonen/pagina/2/


# Plain ASCII words apart by one space or '-' (file names): python-slugify would only
# lower-case them and join them with '-'.
_PLAIN_WORDS = re.compile(r"[A-Za-z0-9]+(?:[ -][A-Za-z0-9]+)*")


@lru_cache(maxsize=65536)
def slugify(text: str) -> str:
    """'Gemengd wonen' -> 'gemengd-wonen', 'dé' -> 'de', 'Yılmaz' -> 'yilmaz'."""
    text = str(text)
    if len(text) <= 120 and _PLAIN_WORDS.fullmatch(text):
        return text.lower().replace(" ", "-")  # the common case, several times faster
    from slugify import slugify as full_slugify  # 3-4 ms to import: only when needed

    return full_slugify(text, lowercase=True, max_length=120, word_boundary=True)


def section_url(section: str) -> str:
    return f"/{section}/"


def page_url(section: str | None, slug: str) -> str:
    return f"/{section}/{slug}/" if section else f"/{slug}/"


def term_url(taxonomy_path: str, term_slug: str) -> str:
    return f"/{taxonomy_path}/{term_slug}/"


def paginated_url(first_url: str, number: int) -> str:
    """Page 1 of a list lives at its own URL; page n at <url>pagina/n/."""
    return first_url if number <= 1 else f"{first_url}{PAGE_SEGMENT}/{number}/"


def output_path(url: str) -> str:
    """'/a/b/' -> 'a/b/index.html'; '/feed.xml' -> 'feed.xml' (relative, posix)."""
    path = url.lstrip("/")
    if not path or path.endswith("/"):
        return f"{path}index.html"
    return path


def normalise_alias(alias: str) -> str | None:
    """'oud/pad' or '/oud/pad' -> '/oud/pad/'; None when unusable (.., scheme)."""
    alias = alias.strip()
    if not alias or "://" in alias or alias.startswith("//"):
        return None
    parts = [p for p in alias.split("/") if p]
    if not parts or any(p in (".", "..") for p in parts):
        return None
    path = "/" + "/".join(parts)
    last = parts[-1]
    return path if "." in last and last.endswith((".html", ".htm")) else path + "/"


def absolute(base_url: str, url: str) -> str:
    return base_url.rstrip("/") + "/" + url.lstrip("/")


def relative_source(from_source: str, link: str) -> str:
    """Resolve a Markdown link target relative to its source file (posix, normalised)."""
    if link.startswith("/"):
        return _resolved("", link.lstrip("/"))
    # The folder by one C call. Sources are relative paths ('content/a/b.md'): for those
    # posixpath.dirname differs only after a '//', which normpath makes alike.
    return _resolved(from_source.rpartition("/")[0], link)


@lru_cache(maxsize=65536)  # many pages of one folder link to the same page
def _resolved(folder: str, link: str) -> str:
    return posixpath.normpath(posixpath.join(folder, link))

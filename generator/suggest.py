"""Did you mean …?: the closest known name to a misspelt one, or None."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from generator.i18n import text

# Dutch words editors write for the standard (English) front-matter keys.
DUTCH_KEYS = {
    "titel": "title",
    "datum": "date",
    "bijgewerkt": "updated",
    "samenvatting": "summary",
    "trefwoorden": "tags",
    "onderwerpen": "tags",
    "auteur": "author",
    "auteurs": "author",
    "schrijver": "author",
    "concept": "draft",
    "adres": "slug",
    "locatie": "location",
    "plaats": "location",
    "aanmelden": "registration",
    "begin": "start",
    "einde": "end",
}

CUTOFF = 0.75  # close enough to be a slip of the finger, far enough to spare own keys


def closest(word: str, known: Iterable[str], cutoff: float = CUTOFF) -> str | None:
    """The known name nearest to `word` (case-insensitive), if any is near enough."""
    choices = {k.casefold(): k for k in known if k != word}
    if not choices:
        return None
    import difflib  # only for a mistake: 1 ms of every start otherwise

    found = difflib.get_close_matches(word.casefold(), list(choices), n=1, cutoff=cutoff)
    return choices[found[0]] if found else None


def unknown_slug(kind: str, slug: str, known: Iterable[str]) -> str:
    """The 'unknown-<kind>' message: the known slugs, and a did-you-mean when one is close."""
    known = set(known)
    listed = ", ".join(sorted(known)) or "nog geen"
    guess = closest(slug, known)
    if guess:
        return text(f"unknown-{kind}-suggest", slug=slug, suggestion=guess, known=listed)
    return text(f"unknown-{kind}", slug=slug, known=listed)


def closest_key(key: str, known: Iterable[str]) -> str | None:
    known = set(known)
    translated = DUTCH_KEYS.get(key.casefold())
    if translated in known and translated != key:
        return translated
    # A typo rarely hits the first letter; requiring it spares own keys such as
    # 'organisation' that happen to look like 'registration'.
    found = closest(key, known)
    return found if found and found[0].casefold() == key[:1].casefold() else None


def closest_path(target: str, sources: Iterable[str]) -> str | None:
    """A source path like `target`: same folder and a similar name first, then anywhere."""
    sources = list(sources)
    folder, name = posixpath.split(target)
    here = [s for s in sources if posixpath.dirname(s) == folder]
    by_name = {posixpath.basename(s): s for s in here}
    found = closest(name, by_name, cutoff=0.7)
    if found:
        return by_name[found]
    # A file in another folder with (nearly) the same name: the folder was wrong.
    elsewhere = {}
    for s in sources:
        elsewhere.setdefault(posixpath.basename(s), s)
    found = closest(name, elsewhere, cutoff=0.85) or (name if name in elsewhere else None)
    return elsewhere[found] if found else None


def relative_link(from_source: str, to_source: str) -> str:
    """How to write a link from one source to another: '../projecten/parana.md'."""
    return posixpath.relpath(to_source, posixpath.dirname(from_source))

"""Front-matter keys that look like a slip of the finger: 'sumary', 'tag', 'auteur'.

A key far from every known key is the editor's own (`homes_for_helpers`) and
passes silently; a key close to a known one is almost always a typo whose value
would otherwise vanish without a word, so it gets a warning with the suggestion.
"""

from __future__ import annotations

from functools import lru_cache

from generator.config import SiteConfig
from generator.errors import Problem
from generator.i18n import text
from generator.model import Page
from generator.suggest import closest_key

STANDARD_KEYS = (
    "title",
    "date",
    "updated",
    "summary",
    "tags",
    "author",
    "draft",
    "slug",
    "aliases",
)
EVENT_KEYS = ("start", "end", "location", "registration")


def known_keys(config: SiteConfig) -> set[str]:
    known = set(STANDARD_KEYS) | set(EVENT_KEYS) | set(config.taxonomies)
    for section in config.sections.values():
        known.update(section.required)
    return known


def nested_keys(config: SiteConfig) -> set[str]:
    """Keys that may stand one level down (`project: {city: ...}`): taxonomies, required."""
    nested = set(config.taxonomies)
    for section in config.sections.values():
        nested.update(section.required)
    return nested


@lru_cache(maxsize=4096)
def _guess(key: str, known: frozenset[str]) -> str | None:
    """The known key `key` looks like a slip for; the same keys recur on every page."""
    return None if key in known else closest_key(key, known)


def key_sets(config: SiteConfig) -> tuple[frozenset[str], frozenset[str]]:
    """(known keys, keys known one level down) for `unknown_keys_of`."""
    return frozenset(known_keys(config)), frozenset(nested_keys(config))


def unknown_keys_of(page: Page, keys: tuple[frozenset[str], frozenset[str]]) -> list[Problem]:
    """A page's keys that look like slips, with their suggestions. Asked as each page is
    parsed, beside the other checks of its own front matter: in the parse workers, and
    kept in the cache with them, not again for every page at every build."""
    top, nested = keys
    problems = []
    for key, value in page.meta.items():
        if isinstance(value, dict):
            # A container such as `project:` is the editor's own; its keys are checked.
            trails = [(str(key), str(inner)) for inner in value if inner not in nested]
        elif key in top:
            continue  # nearly every key: known (a known key needs no guess)
        else:
            trails = [(str(key),)]
        for trail in trails:
            found = _guess(trail[-1], nested if len(trail) > 1 else top)
            if found:
                problems.append(
                    Problem(
                        page.source,
                        page.line_of(*trail),
                        text("unknown-key", key=trail[-1], suggestion=found),
                        severity="warning",
                    )
                )
    return problems

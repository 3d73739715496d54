"""Front-matter keys that look like a slip of the finger: 'sumary', 'tag', 'auteur'.

A key far from every known key is the editor's own (`homes_for_helpers`) and
passes silently; a key close to a known one is almost always a typo whose value
would otherwise vanish without a word, so it gets a warning with the suggestion.
"""

from __future__ import annotations

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


def unknown_keys(pages: list[Page], config: SiteConfig) -> list[Problem]:
    known = known_keys(config)
    problems = []
    for page in pages:
        for key, value in page.meta.items():
            trail: tuple[str, ...] = (str(key),)
            if isinstance(value, dict):
                # A container such as `project:` is the editor's own; its keys are checked.
                for inner in value:
                    problems.extend(_check(page, (*trail, str(inner)), known))
            else:
                problems.extend(_check(page, trail, known))
    return problems


def _check(page: Page, trail: tuple[str, ...], known: set[str]) -> list[Problem]:
    key = trail[-1]
    if key in known:
        return []
    guess = closest_key(key, known)
    if guess is None:
        return []
    return [
        Problem(
            page.source,
            page.line_of(*trail),
            text("unknown-key", key=key, suggestion=guess),
            severity="warning",
        )
    ]

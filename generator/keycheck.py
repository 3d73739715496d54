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


def nested_keys(config: SiteConfig) -> set[str]:
    """Keys that may stand one level down (`project: {city: ...}`): taxonomies, required."""
    nested = set(config.taxonomies)
    for section in config.sections.values():
        nested.update(section.required)
    return nested


def unknown_keys(pages: list[Page], config: SiteConfig) -> list[Problem]:
    top, nested = known_keys(config), nested_keys(config)
    guesses: dict[tuple[str, bool], str | None] = {}  # the same keys recur on every page

    def guess(key: str, inner: bool) -> str | None:
        if (key, inner) not in guesses:
            known = nested if inner else top
            guesses[(key, inner)] = None if key in known else closest_key(key, known)
        return guesses[(key, inner)]

    problems = []
    for page in pages:
        for key, value in page.meta.items():
            if isinstance(value, dict):
                # A container such as `project:` is the editor's own; its keys are checked.
                trails = [(str(key), str(inner)) for inner in value if inner not in nested]
            elif key in top:
                continue  # nearly every key: known (a known key needs no guess)
            else:
                trails = [(str(key),)]
            for trail in trails:
                found = guess(trail[-1], len(trail) > 1)
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

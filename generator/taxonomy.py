"""Terms and their pages, from pages. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from generator.config import TaxonomyConfig
from generator.model import Page
from generator.urls import slugify, term_url


@dataclass(frozen=True, slots=True)
class Term:
    taxonomy: str  # taxonomy key
    slug: str
    name: str  # the spelling most pages use
    url: str
    pages: tuple[str, ...]  # page sources, newest first
    spellings: tuple[str, ...]  # every spelling seen, for did-you-mean and warnings


def newest_first(pages: list[Page]) -> list[Page]:
    """Newest first; undated pages last, by title; source breaks ties so order is stable."""
    return sorted(pages, key=newest_key)


def newest_key(page: Page) -> tuple:
    """The order of `newest_first`: by date, then by title where dates tie."""
    moment = page.sort_moment
    if moment is None:
        return (1, 0.0, page.title.casefold(), page.source)
    return (0, -moment.timestamp(), page.title.casefold(), page.source)


def collect_terms(
    pages: list[Page], taxonomy: TaxonomyConfig, presorted: bool = False
) -> dict[str, Term]:
    """Group every page's values for `taxonomy` by slug ("Gemengd wonen" == "gemengd wonen").

    A term's pages are newest first; `presorted` says `pages` already are (as the
    site model's are), which saves sorting them again for every taxonomy."""
    members: dict[str, list[str]] = {}  # slug -> page sources, newest first
    spellings: dict[str, dict[str, int]] = {}  # slug -> spelling -> pages using it
    wanted = taxonomy.key
    # Sorted once, here: each term's pages are then met in the site's order (sorting
    # every term's list again took a third of the preview's rebuild after a new title).
    for page in pages if presorted else newest_first(pages):
        for key, values in page.terms:
            if key != wanted:
                continue
            source = page.source
            for value in values:
                slug = slugify(value)
                counts = spellings.get(slug)
                if counts is None:
                    spellings[slug] = {value: 1}
                    members[slug] = [source]
                    continue
                counts[value] = counts.get(value, 0) + 1
                sources = members[slug]
                if sources[-1] != source:  # a page's values come together: once per page
                    sources.append(source)
    terms = {}
    for slug in sorted(members):
        counts = spellings[slug]
        # Most used spelling wins; ties go to the alphabetically first, for stable output.
        name = min(counts, key=lambda s: (-counts[s], s))
        terms[slug] = Term(
            taxonomy=taxonomy.key,
            slug=slug,
            name=name,
            url=term_url(taxonomy.path, slug),
            pages=tuple(members[slug]),
            spellings=tuple(sorted(counts)),
        )
    return terms


def paginate(items: list, per_page: int) -> list[list]:
    """At least one (possibly empty) page, so every list has its first URL."""
    if not items:
        return [[]]
    return [items[i : i + per_page] for i in range(0, len(items), per_page)]

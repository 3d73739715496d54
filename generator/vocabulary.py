"""Vocabulary governance: synonyms fold into one term, closed value lists, and
warnings for terms that are nearly the same. Pure: pages in, pages and problems out.

Terms already merge by slug (case, accents and spacing around words give one
term page); this module warns when editors still write one term in two ways,
and when two slugs differ only by a hyphen or a Dutch plural ending
(woning/woningen, bewoner/bewoners, auto/auto's), so that the list of terms
stays clean before it grows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace

from generator.config import SiteConfig, TaxonomyConfig
from generator.errors import Problem
from generator.i18n import text
from generator.model import Page
from generator.pages import lookup
from generator.suggest import closest
from generator.urls import slugify


@dataclass(frozen=True, slots=True)
class Redirect:
    """What alias.html needs: where to send the reader, and the name to show."""

    title: str
    url: str


def govern(pages: list[Page], config: SiteConfig) -> tuple[list[Page], list[Problem]]:
    """Check closed lists and fold synonyms. The warnings about near-duplicate terms
    are `near_duplicate_terms` of the pages this returns (the build makes them beside
    the Markdown)."""
    problems: list[Problem] = []
    for taxonomy in config.taxonomies.values():
        if taxonomy.values:
            problems.extend(_closed_values(pages, taxonomy))
    mappings = _spellings(config)
    has_tags = "tags" in config.taxonomies
    folded = [_fold(page, mappings, has_tags) for page in pages] if mappings else pages
    return folded, problems


def near_duplicate_terms(pages: list[Page], config: SiteConfig) -> list[Problem]:
    """Warnings about terms spelled nearly alike, in every taxonomy (pages as governed)."""
    problems: list[Problem] = []
    for taxonomy in config.taxonomies.values():
        problems.extend(near_duplicates(pages, taxonomy))
    return problems


def _line(page: Page, key: str) -> int:
    found = lookup(page.meta, key)
    return page.line_of(*found[1]) if found else 1


def _closed_values(pages: list[Page], taxonomy: TaxonomyConfig) -> list[Problem]:
    allowed = {slugify(v) for v in taxonomy.values}
    mains = {slugify(m) for _s, m in taxonomy.synonyms}
    allowed |= {slugify(s) for s, m in taxonomy.synonyms if slugify(m) in allowed | mains}
    problems = []
    for page in pages:
        for key, values in page.terms:
            if key != taxonomy.key:
                continue
            for value in values:
                if slugify(value) in allowed:
                    continue
                guess = closest(value, taxonomy.values, cutoff=0.6)
                message = (
                    text("closed-value-suggest", value=value, key=key, suggestion=guess)
                    if guess
                    else text(
                        "closed-value", value=value, key=key, known=", ".join(taxonomy.values)
                    )
                )
                problems.append(Problem(page.source, _line(page, key), message))
    return problems


def _spellings(config: SiteConfig) -> dict[str, dict[str, str]]:
    """taxonomy key -> {slug: spelling to use}, from closed lists and synonyms."""
    mappings = {}
    for key, taxonomy in config.taxonomies.items():
        # A closed list also fixes the spelling: 'Wonen' is shown as the list writes it.
        mapping = {slugify(v): v for v in taxonomy.values}
        mapping.update({slugify(s): m for s, m in taxonomy.synonyms})
        if mapping:
            mappings[key] = mapping
    return mappings


def _fold(page: Page, mappings: dict[str, dict[str, str]], has_tags: bool) -> Page:
    """The page with every synonym replaced by its main term (as site.yaml spells it)."""
    changed = False
    terms = []
    for key, values in page.terms:
        mapping = mappings.get(key)
        new = tuple(mapping.get(slugify(v), v) for v in values) if mapping else values
        changed |= new != values
        terms.append((key, new))
    if not changed:
        return page
    tags = dict(terms).get("tags", page.tags) if has_tags else page.tags
    return replace(page, terms=tuple(terms), tags=tags)


def loose_key(value: str) -> str:
    """One key for spellings an editor would call the same word.

    The slug already ignores case, accents and spacing; then hyphens go
    ('ex-daklozen' = 'exdaklozen') and one Dutch plural ending: -'s, -s, -en.
    """
    key = slugify(value).replace("-", "")
    for ending in ("en", "s"):
        if key.endswith(ending) and len(key) - len(ending) >= 4:
            return key[: -len(ending)]
    return key


def near_duplicates(pages: list[Page], taxonomy: TaxonomyConfig) -> list[Problem]:
    """A warning at the first use of each spelling that is not the most used one."""
    uses: Counter[str] = Counter()
    first: dict[str, tuple[str, int]] = {}
    for page in sorted(pages, key=lambda p: p.source):
        for key, values in page.terms:
            if key != taxonomy.key:
                continue
            for value in values:
                uses[value] += 1
                if value not in first:
                    first[value] = (page.source, _line(page, key))
    groups: dict[str, list[str]] = defaultdict(list)
    for value in uses:
        groups[loose_key(value)].append(value)
    problems = []
    for spellings in groups.values():
        if len(spellings) < 2:
            continue
        # The most used spelling is the norm; ties go to the alphabetically first.
        norm = min(spellings, key=lambda s: (-uses[s], s))
        source, line = first[norm]
        where = f"{source}:{line}"
        for value in sorted(spellings):
            if value == norm:
                continue
            at_source, at_line = first[value]
            problems.append(
                Problem(
                    at_source,
                    at_line,
                    text("near-duplicate", value=value, key=taxonomy.key, other=norm, where=where),
                    severity="warning",
                )
            )
    return problems


def synonym_redirects(terms: dict, taxonomy: TaxonomyConfig) -> list[tuple[str, Redirect]]:
    """(synonym slug, where it redirects) for each synonym whose main term has a page."""
    redirects = []
    for synonym, main in taxonomy.synonyms:
        term = terms.get(slugify(main))
        slug = slugify(synonym)
        if term is not None and slug not in terms:
            redirects.append((slug, Redirect(term.name, term.url)))
    return redirects

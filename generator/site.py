"""The site model: published pages with their lists, terms, authors and events. Pure."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime

from generator.config import SiteConfig
from generator.errors import Problem
from generator.events import latest_key, soonest_key, split_events
from generator.i18n import text
from generator.linkcheck import exact_line
from generator.markdown import Rendered
from generator.model import Page, TextDocument
from generator.suggest import closest_path, relative_link, unknown_slug
from generator.taxonomy import Term, collect_terms, newest_first, newest_key
from generator.urls import section_url


@dataclass(frozen=True, slots=True)
class PublishOptions:
    now: datetime
    drafts: bool = False
    future: bool = False


def is_published(page: Page, options: PublishOptions) -> bool:
    if page.draft and not options.drafts:
        return False
    return not (page.date and page.date.at > options.now and not options.future)


@dataclass(slots=True)
class Site:
    config: SiteConfig
    now: datetime
    pages: dict[str, Page]  # source -> page, published only
    newest: tuple[str, ...]  # every page's source, newest first: the order lists keep
    rendered: dict[str, Rendered]  # source -> rendered body (pages and texts)
    sections: dict[str, tuple[str, ...]]  # section -> page sources, newest first
    terms: dict[str, dict[str, Term]]  # taxonomy key -> slug -> term
    authors: dict[str, str]  # author slug -> author page source
    by_author: dict[str, tuple[str, ...]]  # author slug -> page sources, newest first
    upcoming: tuple[str, ...]
    past: tuple[str, ...]
    intros: dict[str | None, TextDocument] = field(default_factory=dict)
    term_texts: dict[tuple[str, str], TextDocument] = field(default_factory=dict)
    backlinks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    assets: list[tuple[str, str]] = field(default_factory=list)  # (source, output path)
    scheduled: tuple = ()  # (date, url) of pages held back until their date (rebuild.json)
    preview: bool = False  # mark drafts and future pages (BuildOptions.mark_unpublished)
    _article_order: tuple[str, ...] | None = None  # articles() is asked often; sort once
    memo: dict = field(default_factory=dict)  # derived lookups computed once per site model

    def page_list(self, sources: tuple[str, ...] | list[str]) -> list[Page]:
        pages = self.pages
        try:  # the site's own lists hold published pages only: looked up in one C loop
            return list(map(pages.__getitem__, sources))
        except KeyError:
            return [pages[s] for s in sources if s in pages]

    def articles(self) -> list[Page]:
        """Pages of the ordinary ('pages' kind) sections, newest first."""
        if self._article_order is None:
            self._article_order = tuple(s for s in self.newest if self.pages[s].kind == "page")
        return [self.pages[s] for s in self._article_order]


@dataclass(slots=True)
class Arrangement:
    """The parts of the site model that come from the published pages alone: the build
    works them out beside the Markdown (engine), which they do not need."""

    pages: dict[str, Page]
    ordered: list[Page]  # newest first
    terms: dict[str, dict[str, Term]]
    authors: dict[str, str]
    sections: dict[str | None, tuple[str, ...]]
    by_author: dict[str, tuple[str, ...]]
    upcoming: tuple[Page, ...]
    past: tuple[Page, ...]


def arrange(config: SiteConfig, published: list[Page], now: datetime) -> Arrangement:
    ordered = newest_first(published)  # sorted once; every list below keeps this order
    terms = {
        key: collect_terms(ordered, tax, presorted=True) for key, tax in config.taxonomies.items()
    }
    authors = {p.slug: p.source for p in published if p.kind == "author"}
    # One pass over the pages for all sections and authors (a pass per author was
    # 500 x 10,000 steps at 10,000 pages).
    in_section: dict[str | None, list[str]] = {name: [] for name in config.sections}
    by_author_lists: dict[str, list[str]] = {slug: [] for slug in authors}
    for page in ordered:
        if page.section in in_section:
            in_section[page.section].append(page.source)
        for slug in dict.fromkeys(page.authors):
            if slug in by_author_lists:
                by_author_lists[slug].append(page.source)
    upcoming, past = split_events([p for p in published if p.kind == "event"], now)
    return Arrangement(
        pages={p.source: p for p in published},
        ordered=ordered,
        terms=terms,
        authors=authors,
        sections={name: tuple(sources) for name, sources in in_section.items()},
        by_author={slug: tuple(sources) for slug, sources in by_author_lists.items()},
        upcoming=tuple(upcoming),
        past=tuple(past),
    )


def assemble(
    config: SiteConfig,
    published: list[Page],
    rendered: dict[str, Rendered],
    now: datetime,
    intros: dict[str | None, TextDocument],
    term_texts: dict[tuple[str, str], TextDocument],
    arranged: Arrangement | None = None,
) -> Site:
    """The site model; `arranged`: `arrange` of the same pages, worked out already."""
    if arranged is None:
        arranged = arrange(config, published, now)
    pages = arranged.pages
    backlinks: dict[str, list[str]] = {}
    for page in arranged.ordered:
        body = rendered.get(page.source)
        if body is None:
            continue
        # Each page once per target however often it links there (Rendered.targets).
        source = page.source
        for target in body.targets:
            if target in pages and target != source:
                linking = backlinks.get(target)
                if linking is None:
                    backlinks[target] = [source]
                else:
                    linking.append(source)
    return Site(
        config=config,
        now=now,
        pages=pages,
        newest=tuple(p.source for p in arranged.ordered),
        rendered=rendered,
        sections=arranged.sections,
        terms=arranged.terms,
        authors=arranged.authors,
        by_author=arranged.by_author,
        upcoming=tuple(p.source for p in arranged.upcoming),
        past=tuple(p.source for p in arranged.past),
        intros=intros,
        term_texts=term_texts,
        backlinks={k: tuple(v) for k, v in backlinks.items()},
    )


def with_ties_reordered(site: Site, moved: set[str]) -> Site:
    """The site after pages in `moved` changed titles, as `assemble` would make it again.

    Titles order pages only where their dates (or events' starts) tie, and `moved`
    holds every page of such a tie: so each list keeps its pages and their places,
    and only the pages of `moved` are sorted again among the places they held.
    At 10,000 pages this is a few milliseconds, where assembling is 200."""
    pages = site.pages

    def again(sources: tuple[str, ...], key) -> tuple[str, ...]:
        places = [i for i, source in enumerate(sources) if source in moved]
        if len(places) < 2:
            return sources
        ordered = sorted((pages[sources[i]] for i in places), key=key)
        fixed = list(sources)
        for place, page in zip(places, ordered, strict=True):
            fixed[place] = page.source
        return tuple(fixed)

    def newest(lists: dict) -> dict:
        return {name: again(sources, newest_key) for name, sources in lists.items()}

    terms = {
        key: {
            slug: term
            if (reordered := again(term.pages, newest_key)) is term.pages
            else dataclasses.replace(term, pages=reordered)
            for slug, term in by_slug.items()
        }
        for key, by_slug in site.terms.items()
    }
    return dataclasses.replace(
        site,
        newest=again(site.newest, newest_key),
        sections=newest(site.sections),
        terms=terms,
        by_author=newest(site.by_author),
        backlinks=newest(site.backlinks),
        upcoming=again(site.upcoming, soonest_key),
        past=again(site.past, latest_key),
        _article_order=None,
        memo={},
    )


def check_references(
    all_pages: list[Page],
    published: list[Page],
    rendered: dict[str, Rendered],
    options: PublishOptions,
) -> list[Problem]:
    """Authors that exist, links that resolve to something published."""
    problems: list[Problem] = []
    author_slugs = {p.slug for p in all_pages if p.kind == "author"}
    by_source = {p.source: p for p in all_pages}
    # Pages that exist but are not published: mostly none, and then no link needs a look
    # (36,000 links at 10,000 pages).
    unpublished = by_source.keys() - {p.source for p in published}
    for page in published:
        for slug in page.authors:
            if slug not in author_slugs:
                message = unknown_slug("author", slug, author_slugs)
                problems.append(Problem(page.source, page.line_of("author"), message))
        body = rendered.get(page.source)
        if body is None:
            continue
        for link in body.missing:
            guess = closest_path(link.target, by_source)
            message = (
                text(
                    "missing-link-suggest",
                    href=link.href,
                    target=link.target,
                    suggestion=relative_link(page.source, guess),
                )
                if guess
                else text("missing-link", href=link.href, target=link.target)
            )
            problems.append(Problem(page.source, exact_line(page, link.line, link.href), message))
        for link in body.links if unpublished else ():
            if link.target in unpublished:
                target = by_source[link.target]
                reason = (
                    "een concept (draft)"
                    if target.draft
                    else "nog niet gepubliceerd (datum in de toekomst)"
                )
                problems.append(
                    Problem(
                        page.source,
                        exact_line(page, link.line, link.href),
                        f"de link '{link.href}' wijst naar {link.target}, dat {reason} is; "
                        "de link werkt pas als die pagina gepubliceerd is",
                        severity="warning",
                    )
                )
    return problems


def check_unique_urls(claims: list[tuple[str, str, int]]) -> list[Problem]:
    """`claims` are (url, source, line) for everything written; one URL, one owner.

    URLs are compared case-insensitively: on macOS and Windows (and most CDNs'
    storage) 'Parana/' and 'parana/' are the same folder.
    """
    problems: list[Problem] = []
    owners: dict[str, tuple[str, str, int]] = {}
    for url, source, line in claims:
        key = url.casefold()
        if key in owners:
            first_url, first_source, first_line = owners[key]
            where = f"{first_source}:{first_line}" if first_line else first_source
            problems.append(
                Problem(
                    source,
                    line,
                    f"het adres {url} is al in gebruik door {where}; "
                    "geef een van beide een andere 'slug' of bestandsnaam",
                )
            )
        else:
            owners[key] = (url, source, line)
    return problems


def generated_urls(config: SiteConfig) -> list[tuple[str, str, int]]:
    """URLs the site itself produces; a page may not take them."""
    claims = [("/", "site.yaml", 0), ("/404.html", "site.yaml", 0), ("/zoeken/", "site.yaml", 0)]
    claims += [(section_url(name), "site.yaml", 0) for name in config.sections]
    claims += [(f"/{t.path}/", "site.yaml", 0) for t in config.taxonomies.values()]
    return claims

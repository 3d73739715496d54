"""Every HTML output of the site as a render job: URL, template candidates, context."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter

from markupsafe import Markup

from generator.model import Page
from generator.rendered import Rendered
from generator.site import Site
from generator.taxonomy import paginate
from generator.urls import PAGE_SEGMENT, output_path, paginated_url, section_url, term_url
from generator.views import Crumb, Pager, SiteView
from generator.vocabulary import synonym_redirects

SEARCH_URL = "/zoeken/"
_SOURCE = attrgetter("source")


@dataclass(slots=True)
class RenderJob:
    url: str
    templates: tuple[str, ...]  # first one that exists is used
    context: dict = field(default_factory=dict)
    sources: tuple[str, ...] = ()  # content sources this output shows (for dependencies)
    # The rendered Markdown the context's `content` is made from where the job is
    # rendered (see `complete`), or None when the context is complete as it is.
    content_from: Rendered | None = None

    def complete(self) -> dict:
        """The context to render with. A page's `content` (its HTML as Markup) is made
        here, by whoever renders the page, and let go with this dict once it is rendered:
        made for every page in the parent before the workers forked, and kept, these
        copies were 44 MB and 50 ms at 10,000 pages."""
        if self.content_from is None:
            return self.context
        return {**self.context, "content": Markup(self.content_from.html)}  # in its place


def _text_html(site: Site, text) -> Markup | None:
    if text is None:
        return None
    return Markup(site.rendered[text.source].html)


def render_jobs(site: Site, view: SiteView, wanted: set[str] | None = None) -> Iterator[RenderJob]:
    """Every output; with `wanted` (output paths), the content pages and lists outside
    it are skipped (the preview's fast path: a list of 10,000 pages is not even made)."""
    lists = None if wanted is None else list_folders(wanted)
    yield from _home(site, view)
    for name, section in site.config.sections.items():
        if not _list_wanted(section_url(name), lists):
            continue
        if section.kind == "events":
            yield _events_page(site, name)
        else:
            yield from _section_lists(site, name)
    for page in site.pages.values():
        if page.kind == "author":
            if _list_wanted(page.url, lists):
                yield from _author_pages(site, page)
        elif wanted is None or output_path(page.url) in wanted:
            yield _content_job(site, page)
    yield from _taxonomies(site, lists)
    yield RenderJob("/404.html", ("404.html",), {"crumbs": []})
    yield RenderJob(SEARCH_URL, ("search.html",), {"crumbs": [Crumb("Home", "/")]})
    for page in site.pages.values():
        for alias in page.aliases:
            yield RenderJob(alias, ("alias.html",), {"target": page}, (page.source,))


_LIST_PAGE = re.compile(rf"(?:^|(?<=/)){PAGE_SEGMENT}/[0-9]+/$")


def list_folders(wanted: set[str]) -> set[str]:
    """The folders of the lists that may have an output in `wanted`: 'tags/x/' for
    'tags/x/index.html' and for 'tags/x/pagina/2/index.html'."""
    folders = set()
    for rel in wanted:
        if rel.endswith("index.html"):
            folder = rel[: -len("index.html")]
            folders.add(folder)
            folders.add(_LIST_PAGE.sub("", folder))
    return folders


def _list_wanted(first_url: str, lists: set[str] | None) -> bool:
    if lists is None:
        return True
    rel = output_path(first_url)
    return not rel.endswith("index.html") or rel[: -len("index.html")] in lists


def _home(site: Site, view: SiteView) -> Iterator[RenderJob]:
    articles = site.articles()[: site.config.home_articles]
    events = view.upcoming(site.config.home_events)
    intro = site.intros.get(None)
    yield RenderJob(
        "/",
        ("home.html",),
        {
            "articles": articles,
            "events": events,
            "intro": _text_html(site, intro),
            "intro_title": intro.title if intro else "",
            "crumbs": [],
        },
        tuple(p.source for p in articles + events),
    )


def _listing(
    site: Site, first_url: str, items: list[Page], templates: tuple[str, ...], context: dict
) -> Iterator[RenderJob]:
    chunks = paginate(items, site.config.per_page)
    for number, chunk in enumerate(chunks, start=1):
        yield RenderJob(
            paginated_url(first_url, number),
            templates,
            {**context, "items": chunk, "pager": Pager(number, len(chunks), first_url)},
            tuple(map(_SOURCE, chunk)),
        )


def _section_lists(site: Site, name: str) -> Iterator[RenderJob]:
    section = site.config.sections[name]
    intro = site.intros.get(name)
    templates = (
        f"{name}/list.html",
        "authors.html" if section.kind == "authors" else "section.html",
    )
    items = site.page_list(site.sections[name])
    if section.kind == "authors":
        items.sort(key=lambda p: p.title.casefold())
    context = {
        "section": section,
        "intro": _text_html(site, intro),
        "crumbs": [Crumb("Home", "/")],
    }
    yield from _listing(site, section_url(name), items, templates, context)


def _events_page(site: Site, name: str) -> RenderJob:
    section = site.config.sections[name]
    intro = site.intros.get(name)
    upcoming = site.page_list(site.upcoming)
    past = site.page_list(site.past)
    return RenderJob(
        section_url(name),
        (f"{name}/list.html", "events.html"),
        {
            "section": section,
            "intro": _text_html(site, intro),
            "upcoming": upcoming,
            "past": past,
            "crumbs": [Crumb("Home", "/")],
        },
        tuple(p.source for p in upcoming + past),
    )


@lru_cache(maxsize=256)  # a few sections and kinds; their pages are most of all outputs
def _page_templates(section: str | None, kind: str) -> tuple[str, ...]:
    return tuple(
        name
        for name in (f"{section}/page.html" if section else None, f"{kind}.html", "page.html")
        if name
    )


def _content_job(site: Site, page: Page) -> RenderJob:
    """The job of a page that is no list (all but an author's)."""
    # `content` keeps its place in the context (its digest goes by order): see complete().
    context = {"page": page, "content": None, "pager": None, "items": []}
    templates = _page_templates(page.section, page.kind)
    return RenderJob(page.url, templates, context, (page.source,), site.rendered[page.source])


def _author_pages(site: Site, page: Page) -> Iterator[RenderJob]:
    """An author's page: their own text over the list of what they wrote."""
    templates = _page_templates(page.section, page.kind)
    rendered = site.rendered[page.source]
    context = {"page": page, "content": Markup(rendered.html)}
    written = site.page_list(site.by_author.get(page.slug, ()))
    for job in _listing(site, page.url, written, templates, context):
        job.sources = (page.source, *job.sources)
        yield job


def _taxonomies(site: Site, lists: set[str] | None) -> Iterator[RenderJob]:
    for key, taxonomy in site.config.taxonomies.items():
        terms = list(site.terms[key].values())
        yield RenderJob(
            f"/{taxonomy.path}/",
            ("terms.html",),
            {"taxonomy": taxonomy, "terms": terms, "crumbs": [Crumb("Home", "/")]},
        )
        for term in terms:
            if not _list_wanted(term.url, lists):
                continue
            text = site.term_texts.get((key, term.slug))
            context = {
                "taxonomy": taxonomy,
                "term": term,
                "text": _text_html(site, text),
                "text_title": text.title if text else "",
                "crumbs": [Crumb("Home", "/"), Crumb(taxonomy.title, f"/{taxonomy.path}/")],
            }
            items = site.page_list(term.pages)
            yield from _listing(site, term.url, items, ("term.html",), context)
        # The URL of a synonym (site.yaml `synonyms`) leads to its main term's page.
        for slug, target in synonym_redirects(site.terms[key], taxonomy):
            yield RenderJob(term_url(taxonomy.path, slug), ("alias.html",), {"target": target})

"""What templates see: read-only helpers over the site model and one list page."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from generator import related, seo
from generator.events import is_upcoming
from generator.model import Page
from generator.site import Site
from generator.taxonomy import Term
from generator.urls import paginated_url


@dataclass(frozen=True, slots=True)
class Pager:
    number: int  # 1-based
    total: int
    first_url: str

    def url(self, number: int) -> str:
        return paginated_url(self.first_url, number)

    @property
    def prev_url(self) -> str | None:
        return self.url(self.number - 1) if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url(self.number + 1) if self.number < self.total else None


@dataclass(frozen=True, slots=True)
class Crumb:
    title: str
    url: str


class SiteView:
    """The site as templates may read it; no template can change the model."""

    # Read from site.yaml, whose digest keys the whole build cache: an output need not
    # record reading them (a third of the questions a page asks). `section_title` asks
    # site.yaml alone too: an article page asked it for each related page, a card once.
    # `preview` comes from the build options, which key the cache as well; every page
    # asks it once.
    CONFIGURED = frozenset(
        {
            "preview",
            "title",
            "base_url",
            "language",
            "description",
            "sections",
            "taxonomies",
            "events_section",
            "section_title",
        }
    )

    # Answered from the page asked about alone (its source file, where it sits) and
    # site.yaml. A page reaches a template only in its render context or in the answer
    # to a recorded question, and both are digested with the page's own digest: when the
    # page changes, so does that output's record. Recording these as well only made
    # records longer: a list page's cards asked `summary` twenty times.
    OWN_PAGE = frozenset({"summary", "crumbs"})

    def __init__(self, site: Site):
        self._site = site
        config = site.config
        self.title = config.title
        self.base_url = config.base_url
        self.language = config.language
        self.description = config.description
        self.now = site.now
        self.preview = site.preview  # the preview marks drafts and future pages
        self.sections = list(config.sections.values())
        self.taxonomies = list(config.taxonomies.values())
        self.events_section = config.section_of_kind("events")
        self._crumbs: dict[str | None, tuple[Crumb, ...]] = {}

    def html(self, source: str) -> Markup:
        return Markup(self._site.rendered[source].html)

    def summary(self, page: Page) -> str:
        if page.summary:
            return page.summary
        rendered = self._site.rendered.get(page.source)
        return rendered.first_paragraph if rendered else ""

    def page(self, source: str) -> Page | None:
        return self._site.pages.get(source)

    def pages(self, sources) -> list[Page]:
        return self._site.page_list(sources)

    def authors_of(self, page: Page) -> list[Page]:
        return [
            self._site.pages[self._site.authors[slug]]
            for slug in page.authors
            if slug in self._site.authors
        ]

    def terms_of(self, page: Page, only: str | None = None) -> list[tuple[str, list[Term]]]:
        """(taxonomy title, terms) for every taxonomy the page uses (or just `only`)."""
        from generator.urls import slugify

        found = []
        values = dict(page.terms)
        for key, taxonomy in self._site.config.taxonomies.items():
            if only is not None and key != only:
                continue
            slugs = []
            for value in values.get(key, ()):
                slug = slugify(value)
                if slug not in slugs:
                    slugs.append(slug)
            terms = [self._site.terms[key][s] for s in slugs if s in self._site.terms[key]]
            if terms:
                found.append((taxonomy.title, terms))
        return found

    def terms(self, key: str) -> list[Term]:
        return list(self._site.terms.get(key, {}).values())

    def backlinks(self, page: Page) -> list[Page]:
        return self._site.page_list(self._site.backlinks.get(page.source, ()))

    def scheduled(self, page: Page) -> bool:
        """Dated after now: published only from its date on (the preview marks it).

        A question with a yes/no answer, not `site.now` in the template: the
        dependency records would see the clock change and re-render every page."""
        return bool(page.date and page.date.at > self._site.now)

    def is_upcoming(self, page: Page) -> bool:
        return is_upcoming(page, self._site.now)

    def upcoming(self, limit: int | None = None) -> list[Page]:
        events = self._site.page_list(self._site.upcoming)
        return events[:limit] if limit else events

    def past(self) -> list[Page]:
        return self._site.page_list(self._site.past)

    def section_title(self, name: str | None) -> str:
        section = self._site.config.sections.get(name) if name else None
        return section.title if section else ""

    def crumbs(self, page: Page) -> tuple[Crumb, ...]:
        # One tuple per section, shared by its pages: the dependency records digest a
        # shared value once, not for every page.
        known = self._crumbs.get(page.section)
        if known is None:
            known = (Crumb("Home", "/"),)
            if page.section:
                known += (Crumb(self.section_title(page.section), f"/{page.section}/"),)
            self._crumbs[page.section] = known
        return known

    def related(self, page: Page) -> list[Page]:
        """Pages that share the most tags with this one (not the ones it already links to)."""
        shown = self._site.backlinks.get(page.source, ())
        return related.related_pages(self._site, page, 4, leaving_out=shown)

    def named_events(self, page: Page) -> list[Page]:
        return related.named_events(self._site, page)

    def structured(self, url: str, page: Page | None) -> list[dict]:
        """schema.org data for one output: the site on the home page, else the page itself.

        Breadcrumbs are added by the template from its own crumbs.
        """
        site = self._site
        items = []
        if url == "/":
            items.append(seo.website(site))
        if page is not None and page.kind == "event" and page.event:
            items.append(seo.event(site, page, self.summary(page), self.is_upcoming(page)))
        elif page is not None and page.kind == "page":
            items.append(seo.article(site, page, self.summary(page)))
        return items

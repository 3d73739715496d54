"""The site model from the cache's source entries, as a build assembles it.

The build assembles its model with the pieces here (`texts_by_key`, `finish`), and
`model_again` makes the model of an earlier build from that build's entries and the
time it ran at: what a first build that left its digests to the next (records.DEFERRED)
rendered from, for the next build to compare its answers with. Pure.
"""

from __future__ import annotations

from datetime import datetime

from generator import extras
from generator.buildtypes import BuildOptions
from generator.config import SiteConfig
from generator.model import Page, TextDocument
from generator.site import PublishOptions, Site, assemble, is_published
from generator.vocabulary import govern


def texts_by_key(entries: dict) -> tuple[dict, dict[tuple[str, str], TextDocument]]:
    """(section intros by section, term texts by (taxonomy, slug)): the texts of the
    entries, by where discovery found them (SourceEntry.origin), in the entries' order."""
    intros: dict[str | None, TextDocument] = {}
    term_texts: dict[tuple[str, str], TextDocument] = {}
    for entry in entries.values():
        if entry.text is not None and entry.origin[0] == "text":
            kind, key = entry.origin[1]
            if kind == "intro":
                intros[key] = entry.text
            else:
                term_texts[key] = entry.text
    return intros, term_texts


def finish(
    site: Site, pages: list[Page], published: list[Page], assets: list, options: BuildOptions
) -> Site:
    """The model's parts that come from the build rather than the published pages."""
    site.assets = assets
    site.scheduled = extras.scheduled(pages, published)
    site.preview = options.mark_unpublished
    return site


def model_again(
    config: SiteConfig, options: BuildOptions, entries: dict, now: datetime
) -> Site | None:
    """The model a build of `entries` at `now` rendered from (its assets left out: no
    template sees them). None when an entry lacks what the model needs (its Markdown)."""
    pages, _problems = govern([e.page for e in entries.values() if e.page is not None], config)
    publish = PublishOptions(now=now, drafts=options.drafts, future=options.future)
    published = [p for p in pages if is_published(p, publish)]
    texts = [s for s, e in entries.items() if e.text is not None]
    rendered = {s: entries[s].rendered for s in [p.source for p in published] + texts}
    if any(body is None for body in rendered.values()):
        return None
    intros, term_texts = texts_by_key(entries)
    site = assemble(config, published, rendered, now, intros, term_texts)
    return finish(site, pages, published, [], options)


def deferred_model(config: SiteConfig, options: BuildOptions, state) -> tuple[Site, dict] | None:
    """The model the deferred records of `state` (a cache.CacheState) were made from,
    with the entries it was made from; None without such records, or when it cannot be
    made again (they then count as changed)."""
    if state.deferred_at is None or not state.records:
        return None
    site = model_again(config, options, state.sources, state.deferred_at)
    return None if site is None else (site, state.sources)

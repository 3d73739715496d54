"""SiteBuilder: the build pipeline, remembering between builds what it may reuse.

config -> discover -> parse (changed sources only) -> Markdown (changed only)
-> checks -> site model -> render (outputs whose inputs changed) -> write.
The CLI makes one SiteBuilder per build and keeps its memory in `.cache/`;
the preview server keeps one alive and tells it which files changed.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import datetime
from functools import partial
from pathlib import Path

from generator import cache, cachesources, collector, remodel, search
from generator.buildtypes import BuildOptions, BuildResult, Timer
from generator.config import SiteConfig, load_config
from generator.content import discover
from generator.digest import Digester
from generator.errors import errors_only
from generator.linkcheck import check_links
from generator.loading import SourceEntry, load_sources, racy, render_sources
from generator.outguard import MARKER, MARKER_TEXT
from generator.output import output_writer
from generator.premodel import WithoutMarkdown, without_markdown
from generator.site import (
    PublishOptions,
    Site,
    assemble,
    check_references,
    is_published,
)
from generator.textedit import body_edits
from generator.vocabulary import govern

# Files modified this close to (or after) the previous build's start are compared by
# content, not trusted by size and mtime: file systems stamp times coarsely.
RACY_WINDOW_NS = 2_000_000_000


class SiteBuilder:
    def __init__(
        self,
        root: Path,
        out: Path | None,
        options: BuildOptions,
        workers: int | None = None,
        persistent_cache: bool = True,
        progress=None,
        builds_again: bool = True,
    ):
        """`builds_again`: False for a one-off build (the command line), which then skips
        keeping what the preview's next, faster build needs."""
        from generator.parallel import worker_count

        self.root = root
        self.out = out.absolute() if out is not None else None
        self.options = options
        self.workers = worker_count(workers)
        self.persistent_cache = persistent_cache and out is not None
        self.progress = progress
        self.builds_again = builds_again
        self._state: cache.CacheState | None = None
        self._site: Site | None = None  # the last good site model, for the fast path
        self._problems: list = []
        self._urls: dict[str, str] = {}
        self._mentions: dict[str, set[str]] | None = {}  # None: not all known
        self._found = None  # the last discovery, reused when only existing files changed
        self._assets: list[str] | None = None  # output paths of the assets last copied

    def _key(self, config: SiteConfig) -> tuple:
        # strict and external change what is reported, never what is written.
        options = dataclasses.replace(self.options, now=None, strict=False, external=False)
        return (
            cache.FORMAT,
            cache.generator_fingerprint(),
            config.fingerprint,
            repr(options),
            str(self.out),
        )

    def _previous_state(self, key: tuple) -> cache.CacheState:
        if self._state is not None and self._state.key == key:
            return self._state
        if self.persistent_cache:
            return cache.load(cache.cache_file(self.root, self.out), key)
        return cache.CacheState(key=key)

    def build(self, changed: set[str] | None = None) -> BuildResult:
        """Build; `changed` (sources relative to the root) is a hint from a file watcher."""
        started = time.perf_counter()
        timer = Timer()
        result = BuildResult()
        try:
            with collector.held_back():
                self._build(changed, timer, result)
        finally:
            result.timings = timer.timings
            result.seconds = time.perf_counter() - started
        return result

    def _config(self, result: BuildResult) -> SiteConfig | None:
        config, problems = load_config(self.root)
        result.problems.extend(problems)
        if config is not None and self.options.base_url:
            config = dataclasses.replace(config, base_url=self.options.base_url.rstrip("/") + "/")
        return config

    def _now(self, config: SiteConfig) -> datetime:
        now = self.options.now or datetime.now(config.zone)
        return (
            now.replace(tzinfo=config.zone) if now.tzinfo is None else now.astimezone(config.zone)
        )

    def _build(self, changed: set[str] | None, timer: Timer, result: BuildResult) -> None:
        with timer.stage("config"):
            config = self._config(result)
        if config is None:
            return
        key = self._key(config)
        started_ns = time.time_ns()
        with timer.stage("cache load"):
            state = self._previous_state(key)
        in_memory = state is self._state
        racy_after_ns = state.started_ns - RACY_WINDOW_NS
        with timer.stage("discover"):
            if (
                in_memory
                and changed is not None
                and self._found is not None
                and all(c in state.sources and (self.root / c).is_file() for c in changed)
            ):
                found = self._found  # only existing sources changed: same files, same places
            else:
                found = discover(self.root, config)
            self._found = found
            result.problems.extend(found.problems)
        with timer.stage("front matter"):
            trusted = set(state.sources) - changed if (in_memory and changed is not None) else None
            # The workers' pickles of a cold build's sources, for the cache to store.
            pickles = (
                cachesources.SourcePickles(cache.cache_file(self.root, self.out))
                if self.persistent_cache
                else None
            )
            entries = load_sources(
                self.root,
                config,
                found,
                state.sources,
                self.workers,
                trusted,
                racy_after_ns,
                pickles,
                beside=_render_side,
            )
        if in_memory and changed is not None:
            with timer.stage("fast path"):
                if self._body_edits_only(state, entries, changed, timer, result):
                    return
        site = self._model(config, found, entries, timer, result, pickles)
        # A source read again only because it was written just before the last build
        # (racy, see load_sources) and found unchanged keeps its entry, so its cache shard
        # is not written again; the cache is still saved, for its start time: until then
        # such a source stays racy and is read again at every build.
        reparsed = (
            entries.keys() != state.sources.keys()
            or any(entry is not state.sources.get(source) for source, entry in entries.items())
            or any(racy(entry.stat, racy_after_ns) for entry in entries.values())
        )
        sources_state = dataclasses.replace(
            state, sources=entries, started_ns=started_ns, premade=pickles
        )
        if site is None:
            # Remember the parsing work, keep the records of the output as it still is;
            # deferred ones can no longer be checked: the model they need is not kept.
            sources_state.deferred_at = None
            self._state = sources_state
            self._site = None  # the fast path needs a good build to start from
            if self.persistent_cache:
                with timer.stage("cache save"):
                    cache.save(cache.cache_file(self.root, self.out), sources_state)
            return
        with timer.stage("model before"):  # only after a first build (deferred.py)
            previous = remodel.deferred_model(config, self.options, state)
        self._write(site, sources_state, entries, timer, result, reparsed, previous=previous)

    def _body_edits_only(
        self, state: cache.CacheState, entries, changed: set[str], timer: Timer, result
    ) -> bool:
        """The preview's fast path (textedit.body_edits): only outputs that showed the
        edited pages are made again. False when it does not apply (then the full
        incremental build runs)."""
        if self._site is None or not state.records or self._mentions is None:
            return False
        edited = body_edits(self._site, state.sources, entries, changed, self._urls, self._mentions)
        if edited is None:
            return False
        site, affected = edited
        result.problems[:] = list(self._problems)
        state = dataclasses.replace(state, sources=entries)
        self._write(site, state, entries, timer, result, True, only=affected)
        return True

    def _model(
        self, config, found, entries: dict[str, SourceEntry], timer, result, pickles=None
    ) -> Site | None:
        for entry in entries.values():
            result.problems.extend(entry.problems)
        pages = [e.page for e in entries.values() if e.page is not None]
        with timer.stage("vocabulary"):
            pages, vocabulary_problems = govern(pages, config)
            result.problems.extend(vocabulary_problems)
        publish = PublishOptions(
            now=self._now(config), drafts=self.options.drafts, future=self.options.future
        )
        published = [p for p in pages if is_published(p, publish)]
        urls = {p.source: p.url for p in pages}
        texts = [s for s, e in entries.items() if e.text is not None]
        done_beside: list[WithoutMarkdown] = []  # made beside the Markdown, if it was
        with timer.stage("markdown"):
            render_sources(
                entries,
                [p.source for p in published] + texts,
                urls,
                self.workers,
                pickles,
                beside=partial(
                    self._beside_markdown, config, pages, published, publish.now, done_beside
                ),
            )
        rendered = {s: entries[s].rendered for s in [p.source for p in published] + texts}
        with timer.stage("checks"):
            # Without workers for the Markdown, nothing was done beside it.
            early = (
                done_beside[0]
                if done_beside
                else without_markdown(config, pages, published, publish.now)
            )
            result.problems.extend(early.near_duplicates)
            result.problems.extend(check_references(pages, published, rendered, publish))
            result.problems.extend(early.checks)
            result.problems.extend(check_links(self.root, published, rendered))
        if self.options.external:
            from generator.external import check_external  # threads and JSON: 5 ms a start

            with timer.stage("external links"):
                result.problems.extend(check_external(self.root, published, rendered))
        if self.options.strict:
            result.problems[:] = [dataclasses.replace(p, severity="error") for p in result.problems]
        if errors_only(result.problems):
            return None
        with timer.stage("model"):
            intros, term_texts = remodel.texts_by_key(entries)
            site = assemble(
                config, published, rendered, publish.now, intros, term_texts, early.arranged
            )
            # As remodel.model_again makes it again, for the build after a deferred one.
            site = remodel.finish(site, pages, published, found.assets, self.options)
        return site

    def _beside_markdown(self, config, pages, published, now, done: list) -> None:
        """What needs the published pages but not their Markdown, done by the parent
        beside the workers' Markdown (parallel.map_chunks): the templates compiled, the
        site model's lists arranged, the checks of front matter alone. At 10,000 pages
        some 150 ms that came after the Markdown, in this process alone."""
        _render_side().prepare_templates(self.root, config)
        done.append(without_markdown(config, pages, published, now))

    def _remember(self, site: Site, records, result: BuildResult, only: set[str] | None) -> None:
        """What the fast path needs from the last good build (kept in memory only)."""
        self._site = site
        if only is None:
            self._problems = list(result.problems)
            self._urls = {s: e.page.url for s, e in self._state.sources.items() if e.page}
            self._mentions = {}
        # After a fast build only the re-rendered outputs can mention something new;
        # mentions they dropped stay listed, which only makes the next check wider.
        for rel in records if only is None else only & records.keys():
            mentions = records[rel].mentions
            if mentions is None:  # a deferred record (deferred.py): no fast path
                self._mentions = None
                return
            for source in mentions:
                self._mentions.setdefault(source, set()).add(rel)

    def _write(
        self,
        site: Site,
        state: cache.CacheState,
        entries,
        timer: Timer,
        result: BuildResult,
        reparsed: bool,
        only: set[str] | None = None,
        previous: tuple[Site, dict] | None = None,
    ) -> None:
        """Render and write; `previous`: see remodel.deferred_model."""
        writer = output_writer(self.out, state.manifest)
        # A one-off first build leaves its digests to the next build (deferred.py).
        defer = not self.builds_again and not state.records and only is None
        writer.begin()
        digester = Digester({s: e.page_digest for s, e in entries.items() if e.page_digest})
        # A first build's sources, by cache shard, checked against the workers' pickles
        # while the render runs, not in the save after it.
        laid_out: list[cachesources.SourcesLaidOut] = []
        beside = (
            (lambda: laid_out.append(cachesources.lay_out_sources(state)))
            if self.persistent_cache and state.premade is not None
            else None
        )
        try:
            writer.write(MARKER, MARKER_TEXT)  # lets the next build know this folder is ours
            with timer.stage("render"):
                records, problems, rendered_count = _render_side().render_outputs(
                    self.root,
                    site,
                    state.records,
                    writer,
                    digester,
                    self.workers,
                    self.progress,
                    only,
                    result.render_costs,
                    beside,
                    defer,
                    previous,
                )
            if problems:
                writer.abort()
                result.problems.extend(problems)
                self._site = None
                return
            assets = self._assets_and_search(site, writer, timer, result, only)
            if errors_only(result.problems):
                writer.abort()
                return
            with timer.stage("write"):
                writer.commit()
        except BaseException:
            writer.abort()
            raise
        finally:
            for source, digest in digester.page_digests.items():
                if source in entries:
                    entries[source].page_digest = digest
        deferred_at = site.now if defer else None
        new_state = dataclasses.replace(
            state, records=records, manifest=writer.manifest(), deferred_at=deferred_at
        )
        self._state = new_state
        self._assets = assets  # as committed: what the next fast path may keep
        if self.builds_again:
            self._remember(site, records, result, only)
        completed = state.deferred_at is not None  # deferred records, now with their digests
        changed = reparsed or rendered_count or writer.changed or completed
        self._save(new_state, timer, laid_out[0] if laid_out else None, bool(changed))
        result.pages = len(site.pages)
        result.files = len(writer.produced)
        result.written = writer.written
        result.rendered = rendered_count
        result.changed = set(writer.changed)

    def _assets_and_search(self, site: Site, writer, timer: Timer, result, only) -> list[str]:
        """Copy the assets (output paths returned) and index the output for search."""
        with timer.stage("assets"):
            if only is not None and self._assets is not None:
                # The fast path runs only when page sources alone changed: no asset did.
                assets = self._assets
                for rel in assets:
                    writer.trust(rel)
            else:
                assets = _render_side().copy_assets(self.root, site, writer)
        with timer.stage("search"):
            result.problems.extend(search.index_output(writer, search.wanted(self.options)))
        return assets

    def _save(self, state: cache.CacheState, timer: Timer, laid_out, changed: bool) -> None:
        """Save the cache when anything in it changed; `laid_out`: see cache.save."""
        if self.persistent_cache and changed:
            with timer.stage("cache save"):
                cache.save(cache.cache_file(self.root, self.out), state, laid_out)
        elif state.premade is not None:  # pickles made for a save that is not needed
            state.premade.pack.discard()
            state.premade = None


def _render_side():
    """generator.rendering, loaded once a build gets to it: Jinja, Babel and the render's
    modules are a fifth of the start. A first build loads them beside the workers'
    front matter (the `beside` of load_sources), where that takes no time of its own."""
    import babel.dates  # noqa: F401 - writes the dates of the render

    import generator.rendering

    return generator.rendering

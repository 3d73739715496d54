"""Render every output whose inputs changed; keep the others as they are.

Rendering is spread over forked workers that inherit the site model and the
compiled templates; each writes its files into the output's staging area and
sends back only small records. Output bytes never depend on the worker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from generator.deps import QueryReplayer, RecordingSite, mentioned_pages
from generator.digest import Digester
from generator.errors import Problem
from generator.feedjobs import feed_jobs
from generator.outputs import RenderJob, render_jobs
from generator.parallel import map_chunks
from generator.partials import PARTIAL, PartialCache
from generator.records import DEFERRED, NEVER_FRESH, OutputRecord
from generator.render import TEMPLATES_DIR, make_environment, template_problem
from generator.site import Site
from generator.templatedigests import TemplateDigests
from generator.urls import output_path
from generator.views import SiteView

STATIC_DIR = "static"


def render_outputs(
    root: Path,
    site: Site,
    old_records: dict[str, OutputRecord],
    writer,
    digester: Digester,
    workers: int,
    progress=None,
    only: set[str] | None = None,
    costs: dict[str, list] | None = None,
    beside: Callable[[], None] | None = None,
    defer: bool = False,
    previous: tuple[Site, dict] | None = None,
) -> tuple[dict[str, OutputRecord], list[Problem], int]:
    """Render what changed. With `only`, the caller knows that every other output is
    unchanged: those are kept without being checked (the preview's fast path).
    `costs` receives, per template (or feed file name), [outputs made, seconds spent],
    summed over every process (`--timings`). `beside`: work of the caller's own, done
    while workers render (see map_chunks). `defer` (a first build's alone, without
    `old_records`): leave the digests to the next build (deferred.py); `previous`: the
    model of the build that left them, with the source entries it was made from."""
    env = make_environment(root, site.config)
    view = SiteView(site)
    env.globals.update(site=view)
    records: dict[str, OutputRecord] = {}
    templates = TemplateDigests(env, root / TEMPLATES_DIR)
    todo, candidates, problems = _sort_jobs(
        site, view, templates, old_records, records, writer, digester, only, defer
    )
    if problems:
        return records, problems, 0
    before = _previous(previous)
    replayer = QueryReplayer(view, digester)
    todo += _changed(candidates, old_records, records, writer, digester, replayer, workers, before)
    if only is not None:  # outputs whose jobs were not even made are unchanged too
        for rel, record in old_records.items():
            if rel not in records and rel not in only:
                records[rel] = record
                writer.trust(rel)
    for name in {item[2] for item in todo}:
        try:
            env.get_template(name)  # compile once, before workers fork
        except Exception:  # noqa: S112 - each output using it reports it, with its line
            continue
    feeds = _feeds_to_make(site, old_records, records, writer, digester, only, before, defer)
    render_page = _page_renderer(root, env, view, digester, writer, defer)
    # Lists last, together: the workers take chunks from the back (parallel._claim), so
    # one process renders them all and each card once (a card is on several lists).
    todo.sort(key=lambda item: bool(item[1].context.get("items")))
    made = _make(feeds, todo, render_page, writer, digester, workers, progress, costs, beside)
    for rel, state, changed, record, problem in made:
        if problem is not None:
            problems.append(problem)
        else:
            writer.accept(rel, state, changed)
            records[rel] = record
    return records, problems[:1], len(made)


def _sort_jobs(
    site: Site, view, templates, old_records, records, writer, digester, only, defer: bool
) -> tuple[list, list, list[Problem]]:
    """(outputs to make, outputs to check, problems): a first build makes every output,
    its workers digesting its inputs as they render (None) or leaving that to the next
    build (DEFERRED); a rebuild checks each; the preview's fast path (`only`) makes
    those in `only` and keeps the others, recorded into `records`."""
    todo: list[tuple[str, RenderJob, str, str, str | None]] = []
    candidates: list[tuple[str, RenderJob, str, str]] = []
    problems: list[Problem] = []
    first = DEFERRED if defer else None  # the context digest of a first build's outputs
    for job in render_jobs(site, view, only):
        chosen, template_digest = templates.choose(job.templates)
        if chosen is None:
            names = ", ".join(job.templates)
            message = f"geen template voor {job.url}: maak een van {names}"
            problems.append(Problem(TEMPLATES_DIR, 0, message))
            continue
        rel = output_path(job.url)
        if only is None:
            if not old_records:
                todo.append((rel, job, chosen, template_digest, first))
            else:
                candidates.append((rel, job, chosen, template_digest))
        elif rel in only:
            context_digest = digester.of((job.url, job.complete()))
            todo.append((rel, job, chosen, template_digest, context_digest))
        else:
            records[rel] = old_records.get(rel)
            writer.trust(rel)
    return todo, candidates, problems


def _changed(
    candidates: list, old_records, records, writer, digester, replayer, workers: int, before
) -> list:
    """The candidates to make again, as `todo` items; the unchanged ones are kept (their
    file and record; a deferred record completed with its digests)."""
    todo = []
    for (rel, job, chosen, template_digest), (context_digest, unchanged) in zip(
        candidates,
        _check(candidates, old_records, digester, replayer, workers, before),
        strict=True,
    ):
        if unchanged and writer.keep(rel):
            records[rel] = old_records[rel] if unchanged is True else unchanged
        else:
            todo.append((rel, job, chosen, template_digest, context_digest))
    return todo


def _make(
    feeds: list, todo: list, render_page, writer, digester, workers, progress, costs, beside
) -> list[tuple]:
    """Make the feeds and outputs in the workers: (rel, file state, changed, record,
    problem) of each. `costs`, `beside`: see render_outputs."""

    def work_range(indexes: range) -> list:
        # Pages and feeds in one pool: a second pool would fork again, and its workers
        # would copy again the memory the first ones had already copied on writing.
        # Feeds first: the sitemap alone is 55 ms at 10,000 pages, which at the end
        # kept one process busy while the other had finished.
        made = []
        for i in indexes:
            started = time.perf_counter()
            if i < len(feeds):
                result = _make_feed(*feeds[i], writer, digester)
                kind = feeds[i][0].path.rpartition("/")[2]
            else:
                job = todo[i - len(feeds)]
                result = render_page(*job)
                kind = job[2]  # the template chosen
            made.append((*result, kind, time.perf_counter() - started))
        return made

    count = len(todo) + len(feeds)
    if progress is not None:
        progress.start("pagina's maken", count)
    advance = progress.advance if progress is not None else None
    results = map_chunks(work_range, count, workers, advance, beside=beside)
    if progress is not None:
        progress.finish()
    if costs is not None:
        for *_result, kind, seconds in results:
            spent = costs.setdefault(kind, [0, 0.0])
            spent[0] += 1
            spent[1] += seconds
    return [result[:5] for result in results]


def prepare_templates(root: Path, config) -> None:
    """Parse and compile every HTML template, for the render to find done: the compiled
    code is kept by process (render._COMPILED) and what each template references by its
    digest (templatedigests._REFERENCES). The build does this beside the Markdown, where it takes
    no time of its own; at 10,000 pages it was 60 ms before the render workers forked.
    A template that does not compile is left for the render to report; the others are
    prepared all the same."""
    env = make_environment(root, config)
    templates = TemplateDigests(env, root / TEMPLATES_DIR)
    for name in env.list_templates(filter_func=lambda name: name.endswith(".html")):
        try:
            templates.closure(name)
            env.get_template(name)
        except Exception:  # noqa: S112 - the render meets the same fault and reports it
            continue


def _previous(previous: tuple[Site, dict] | None):
    """deferred.Previous of the model `previous` (see render_outputs), if any."""
    if previous is None:
        return None
    from generator.deferred import Previous

    return Previous.of(*previous)


def _page_renderer(root: Path, env, view: SiteView, digester: Digester, writer, defer: bool):
    """Renders one output in a worker: (rel, file state, changed, record, problem)."""
    # Serves every output one process renders; without digests when they are deferred.
    recording = RecordingSite(view, digester, digests=not defer)
    # A bound method, not the object: Jinja calls a plain function or method by a short
    # way (render._Context.call), an object with __call__ by its slow general one.
    env.globals[PARTIAL] = PartialCache(env, recording).__call__

    def render_page(rel, job: RenderJob, chosen, template_digest, context_digest):
        context = job.complete()
        if context_digest is None:
            context_digest = digester.of((job.url, context))
        recording.start()
        try:
            html = env.get_template(chosen).render(context, url_path=job.url, site=recording)
        except Exception as error:  # any template fault becomes a Problem with its line
            return rel, None, False, None, template_problem(error, root)
        rel, state, changed = writer.write_file(rel, html.encode("utf-8"))
        queries = tuple(recording.log.items()) if recording.replayable else NEVER_FRESH
        mentions = (
            None  # not worked out either, with the digests
            if context_digest == DEFERRED
            else frozenset(
                recording.mentioned | set(job.sources) | mentioned_pages(list(context.values()))
            )
        )
        record = OutputRecord(template_digest, context_digest, queries, state.digest, mentions)
        record.pack()
        return rel, state, changed, record, None

    return render_page


def _check(
    candidates: list, old_records, digester: Digester, replayer, workers: int, before
) -> list:
    """(context digest, inputs unchanged?) per candidate output, worked out by the workers:
    replaying the recorded questions is most of a rebuild's work when little changed.
    Unchanged is True, or for a deferred record the record with its digests (`before`:
    deferred.Previous); False: made again. Page digests the workers make come back too,
    for the cache."""

    def check_range(indexes: range) -> list:
        # The digests this chunk makes, by where the digester's list of them stands: not
        # by comparing all of them before and after, which at 10,000 pages was ~1 ms a
        # chunk, 60 ms of a rebuild with nothing changed.
        mark = len(digester.made)
        verdicts = []
        for i in indexes:
            rel, job, _chosen, template_digest = candidates[i]
            context_digest = digester.of((job.url, job.complete()))
            old = old_records.get(rel)
            if old is not None and before is not None and old.deferred:
                completed = before.page_record(rel, old, template_digest, context_digest, replayer)
                unchanged = completed or False
            else:
                unchanged = (
                    old is not None
                    and old.template == template_digest
                    and old.context == context_digest
                    and replayer.unchanged(old.queries)
                )
            verdicts.append((context_digest, unchanged, None))
        if verdicts:
            made = {source: digester.page_digests[source] for source in digester.made[mark:]}
            verdicts[-1] = (*verdicts[-1][:2], made)
        return verdicts

    results = map_chunks(check_range, len(candidates), workers)
    for _digest, _unchanged, made in results:
        if made:
            digester.page_digests.update(made)
    return [(digest, unchanged) for digest, unchanged, _made in results]


def _feeds_to_make(
    site: Site, old_records, records, writer, digester: Digester, only, before, defer: bool
) -> list:
    """(job, context digest, None or DEFERRED) of the feeds to make; the others are
    kept. `before` and `defer`: see render_outputs."""
    todo: list[tuple] = []
    for job in feed_jobs(site, only):
        if only is not None and job.path not in only and job.path in old_records:
            continue  # kept with the outputs whose jobs were not made
        old = old_records.get(job.path)
        if old is None:  # nothing to compare: the worker digests the inputs, or not
            todo.append((job, DEFERRED if defer else None))
            continue
        context_digest = digester.of(job.inputs)
        if before is not None and old.deferred:
            kept = before.feed_record(job.path, old, context_digest)
            if kept is not None and writer.keep(job.path):
                records[job.path] = kept
                continue
        elif old.context == context_digest and writer.keep(job.path):
            records[job.path] = old
            continue
        todo.append((job, context_digest))
    return todo


def _make_feed(job, context_digest: str | None, writer, digester: Digester) -> tuple:
    """Makes one feed in a worker, as render_page makes a page."""
    rel, state, changed = writer.write_file(job.path, job.make())
    mentions = None  # a deferred record's: not worked out, nor are its inputs gathered
    if context_digest != DEFERRED:
        if context_digest is None:
            context_digest = digester.of(job.inputs)
        mentions = frozenset(mentioned_pages(job.inputs))
    record = OutputRecord("", context_digest, (), state.digest, mentions)
    record.pack()
    return rel, state, changed, record, None


def copy_assets(root: Path, site: Site, writer) -> list[str]:
    """Copy static/ and the pages' bundle files; their output paths."""
    copied = []
    static = root / STATIC_DIR
    if static.is_dir():
        for path in sorted(static.rglob("*")):
            if path.is_file() and not any(
                part.startswith(".") for part in path.relative_to(static).parts
            ):
                rel = path.relative_to(static).as_posix()
                writer.copy(path, rel)
                copied.append(rel)
    for source, target in site.assets:
        writer.copy(root / source, target)
        copied.append(target)
    for page in site.pages.values():
        if not page.bundle_assets:
            continue
        bundle_dir = page.source.rsplit("/", 1)[0] + "/"
        folder = output_path(page.url)[: -len("index.html")]
        for asset in page.bundle_assets:
            rel = folder + asset[len(bundle_dir) :]
            writer.copy(root / asset, rel)
            copied.append(rel)
    return copied

"""The one orchestrator: config -> discover -> parse -> markdown -> model -> render -> write."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import jinja2

from generator import feeds
from generator.config import SiteConfig, load_config
from generator.content import Discovery, discover
from generator.errors import Problem, errors_only
from generator.frontmatter import normalise_text, parse_document
from generator.markdown import Rendered, render_markdown
from generator.model import Page, TextDocument
from generator.outguard import MARKER, MARKER_TEXT
from generator.output import DiscardOutput, StagedOutput
from generator.outputs import render_jobs
from generator.pages import build_page
from generator.render import make_environment, template_problem
from generator.site import (
    PublishOptions,
    Site,
    assemble,
    check_references,
    check_unique_urls,
    generated_urls,
    is_published,
)
from generator.urls import output_path
from generator.views import SiteView

STATIC_DIR = "static"


@dataclass(frozen=True, slots=True)
class BuildOptions:
    now: datetime | None = None  # None: the current time
    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    mark_unpublished: bool = False  # the preview marks drafts and future pages


@dataclass(slots=True)
class BuildResult:
    problems: list[Problem] = field(default_factory=list)
    pages: int = 0
    files: int = 0
    written: int = 0
    changed: set[str] = field(default_factory=set)  # output paths added, changed or removed
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not errors_only(self.problems)


class _Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


def _read(root: Path, source: str) -> tuple[str | None, Problem | None]:
    try:
        raw = (root / source).read_bytes()
    except OSError as error:
        return None, Problem(source, 0, f"kan het bestand niet lezen ({error.strerror})")
    return normalise_text(raw, source)


def _load_pages(
    root: Path, config: SiteConfig, found: Discovery
) -> tuple[list[Page], list[Problem]]:
    pages: list[Page] = []
    problems: list[Problem] = []
    for src in found.pages:
        text, problem = _read(root, src.source)
        if problem:
            problems.append(problem)
            continue
        doc = parse_document(text, src.source)
        if doc.problems:
            problems.extend(doc.problems)
            continue
        page, page_problems = build_page(src, doc, config)
        problems.extend(page_problems)
        if page is not None:
            pages.append(page)
    return pages, problems


def _load_texts(root: Path, sources: dict) -> tuple[dict, list[Problem]]:
    texts = {}
    problems: list[Problem] = []
    for key, source in sources.items():
        text, problem = _read(root, source)
        if problem:
            problems.append(problem)
            continue
        doc = parse_document(text, source)
        if doc.problems:
            problems.extend(doc.problems)
            continue
        title = doc.meta.get("title", "")
        texts[key] = TextDocument(
            source, str(title) if title else "", doc.meta, doc.body, doc.body_line
        )
    return texts, problems


def _with_base_url(config: SiteConfig, base_url: str | None) -> SiteConfig:
    if not base_url:
        return config
    from dataclasses import replace

    return replace(config, base_url=base_url.rstrip("/") + "/")


def load_site(
    root: Path, options: BuildOptions, timer: _Timer
) -> tuple[Site | None, list[Problem]]:
    """Everything up to the site model; no output is touched."""
    with timer.stage("config"):
        config, problems = load_config(root)
    if config is None:
        return None, problems
    config = _with_base_url(config, options.base_url)
    now = options.now or datetime.now(config.zone)
    now = now.replace(tzinfo=config.zone) if now.tzinfo is None else now.astimezone(config.zone)
    publish = PublishOptions(now=now, drafts=options.drafts, future=options.future)
    with timer.stage("discover"):
        found = discover(root, config)
        problems.extend(found.problems)
    with timer.stage("front matter"):
        pages, page_problems = _load_pages(root, config, found)
        problems.extend(page_problems)
        intros, text_problems = _load_texts(root, found.intros)
        term_texts, term_problems = _load_texts(root, found.term_texts)
        problems.extend(text_problems + term_problems)
    published = [p for p in pages if is_published(p, publish)]
    urls = {p.source: p.url for p in pages}
    with timer.stage("markdown"):
        rendered: dict[str, Rendered] = {}
        for page in published:
            rendered[page.source] = render_markdown(page.body, page.source, page.body_line, urls)
        for text in [*intros.values(), *term_texts.values()]:
            rendered[text.source] = render_markdown(text.body, text.source, text.body_line, urls)
    with timer.stage("checks"):
        problems.extend(check_references(pages, published, rendered, publish))
        claims = generated_urls(config)
        for page in published:
            claims.append(
                (page.url, page.source, page.line_of("slug") if "slug" in page.meta else 1)
            )
            claims.extend((alias, page.source, page.line_of("aliases")) for alias in page.aliases)
        problems.extend(check_unique_urls(claims))
    if errors_only(problems):
        return None, problems
    with timer.stage("model"):
        site = assemble(config, published, rendered, now, intros, term_texts)
        site.assets = found.assets
    return site, problems


def _render_all(site: Site, root: Path, writer, timer: _Timer) -> tuple[int, list[Problem]]:
    env = make_environment(root, site.config)
    view = SiteView(site)
    env.globals.update(site=view)
    files = 0
    with timer.stage("render"):
        for job in render_jobs(site, view):
            try:
                template = env.select_template(job.templates)
                html = template.render(job.context, url_path=job.url)
            except jinja2.TemplatesNotFound as error:
                return files, [
                    Problem(
                        "templates",
                        0,
                        f"geen template voor {job.url}: maak een van {', '.join(error.templates)}",
                    )
                ]
            except Exception as error:  # any template fault is reported, with its line
                return files, [template_problem(error, root)]
            writer.write(output_path(job.url), html.encode("utf-8"))
            files += 1
    with timer.stage("feeds"):
        files += _write_feeds(site, writer)
    return files, []


def _write_feeds(site: Site, writer) -> int:
    config = site.config
    articles = site.articles()
    writer.write("feed.xml", feeds.atom_feed(site, config.title, "/feed.xml", "/", articles))
    count = 1
    tags = config.taxonomies.get("tags")
    if tags:
        for term in site.terms["tags"].values():
            feed_url = f"{term.url}feed.xml"
            pages = site.page_list(term.pages)
            title = f"{config.title}: {term.name}"
            writer.write(
                output_path(feed_url), feeds.atom_feed(site, title, feed_url, term.url, pages)
            )
            count += 1
    events = config.section_of_kind("events")
    if events:
        upcoming = site.page_list(site.upcoming)
        writer.write(f"{events.name}/agenda.ics", feeds.calendar_file(site, config.title, upcoming))
        count += 1
        for source in site.upcoming + site.past:
            page = site.pages[source]
            writer.write(
                output_path(page.url + "event.ics"), feeds.calendar_file(site, page.title, [page])
            )
            count += 1
    stamped = [("/", None)] + [
        (p.url, (p.updated or p.date).at if (p.updated or p.date) else None)
        for p in site.pages.values()
    ]
    writer.write("sitemap.xml", feeds.sitemap(site, stamped))
    writer.write("robots.txt", feeds.robots(site))
    return count + 2


def _copy_assets(root: Path, site: Site, writer) -> int:
    count = 0
    static = root / STATIC_DIR
    if static.is_dir():
        for path in sorted(static.rglob("*")):
            if path.is_file() and not any(
                part.startswith(".") for part in path.relative_to(static).parts
            ):
                writer.copy(path, path.relative_to(static).as_posix())
                count += 1
    for source, target in site.assets:
        writer.copy(root / source, target)
        count += 1
    for page in site.pages.values():
        bundle_dir = page.source.rsplit("/", 1)[0] + "/"
        for asset in page.bundle_assets:
            writer.copy(
                root / asset, output_path(page.url)[: -len("index.html")] + asset[len(bundle_dir) :]
            )
            count += 1
    return count


def build(root: Path, out: Path | None, options: BuildOptions) -> BuildResult:
    """Build the site in `root` into `out` (None: check only, nothing written)."""
    started = time.perf_counter()
    timer = _Timer()
    result = BuildResult()
    site, problems = load_site(root, options, timer)
    result.problems = problems
    if site is None:
        result.timings, result.seconds = timer.timings, time.perf_counter() - started
        return result
    writer = StagedOutput(out) if out is not None else DiscardOutput()
    writer.begin()
    try:
        writer.write(MARKER, MARKER_TEXT)  # lets the next build know this folder is ours
        files, render_problems = _render_all(site, root, writer, timer)
        if render_problems:
            writer.abort()
            result.problems.extend(render_problems)
        else:
            with timer.stage("assets"):
                files += _copy_assets(root, site, writer)
            with timer.stage("write"):
                writer.commit()
    except BaseException:
        writer.abort()
        raise
    result.pages = len(site.pages)
    result.files = files
    result.written = writer.written
    result.changed = set(writer.changed)
    result.timings = timer.timings
    result.seconds = time.perf_counter() - started
    return result

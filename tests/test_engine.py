"""The build engine: parallel and cached builds give exactly the bytes of a cold
one-worker build; the cache is invalidated by what it depends on, and a damaged or
foreign cache is never trusted."""

import dataclasses
import os
import pickle
import shutil
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import generator
from generator import cache, cachepacks, cachesources
from generator.build import BuildOptions, build
from tests.sitekit import PROJECT, benchmark_corpus, build_site, tree

OPTIONS = BuildOptions(now=datetime(2024, 6, 1, 12, 0))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A 300-article corpus from the benchmark generator: big enough for the worker pool."""
    return benchmark_corpus(tmp_path_factory.mktemp("corpus"), 300)


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("reference") / "out"
    result = build(corpus, out, OPTIONS, workers=1, persistent_cache=False)
    assert result.ok, result.problems
    return tree(out)


def test_parallel_build_gives_the_bytes_of_a_one_worker_build(corpus, reference, tmp_path):
    result = build(corpus, tmp_path / "out", OPTIONS, workers=2, persistent_cache=False)
    assert result.ok
    assert tree(tmp_path / "out") == reference


def test_a_pages_html_is_copied_into_its_context_only_where_it_is_rendered(
    corpus, tmp_path, monkeypatch
):
    """Before the workers fork, the parent makes every output's job; a copy of each
    page's HTML (as Markup, for `{{ content }}`) was 44 MB and 50 ms of its time at
    10,000 pages. The copy is made by the process that renders the page, in the place
    the context had, so the context's digest is as it was, and is not kept after."""
    from markupsafe import Markup

    from generator import digest, rendering

    made: list = []
    original = rendering.render_jobs

    def keeping(*args):
        for job in original(*args):
            made.append(job)
            yield job

    monkeypatch.setattr(rendering, "render_jobs", keeping)
    assert build(corpus, tmp_path / "out", OPTIONS, workers=1, persistent_cache=False).ok
    articles = [job for job in made if "page" in job.context and "content" in job.context]
    articles = [job for job in articles if job.context["content"] is None]
    assert len(articles) > 100  # made without the copy, and none kept after rendering
    job = articles[0]
    context = job.complete()
    html = context["content"]
    out = (tmp_path / "out" / job.url.strip("/") / "index.html").read_text(encoding="utf-8")
    assert type(html) is Markup and html in out
    whole = {"page": job.context["page"], "content": html, "pager": None, "items": []}
    assert list(context) == list(whole)
    assert digest.Digester().of((job.url, context)) == digest.Digester().of((job.url, whole))


def test_lists_are_rendered_last_and_together(corpus, tmp_path, monkeypatch):
    """List pages (sections, tags, authors: the ones showing cards) come after every
    other output in the render pool, so the worker that works from its back renders
    them all and each card once."""
    from generator import rendering

    order: list[bool] = []
    make = rendering._page_renderer

    def noting(*args):
        render_page = make(*args)

        def render(rel, job, *rest):
            order.append(bool(job.context.get("items")))
            return render_page(rel, job, *rest)

        return render

    monkeypatch.setattr(rendering, "_page_renderer", noting)
    assert build(corpus, tmp_path / "out", OPTIONS, workers=1, persistent_cache=False).ok
    lists = order.index(True)
    assert lists > len(order) / 2 and all(order[lists:])


def test_timings_say_what_each_template_cost_in_every_process(corpus, tmp_path, capsys):
    """`--timings` ends with the render time per template and feed kind, the workers'
    outputs counted with the parent's, dearest first; a rebuild that renders nothing
    lists nothing."""
    out = tmp_path / "out"
    result = build(corpus, out, OPTIONS, workers=2, persistent_cache=False)
    articles = len([p for p in out.glob("articles/*/index.html") if p.parent.name != "pagina"])
    assert result.render_costs["page.html"][0] == articles > 200
    assert result.render_costs["event.ics"][0] == len(list(out.glob("events/*/event.ics")))
    assert sum(count for count, _seconds in result.render_costs.values()) == result.rendered
    assert all(seconds > 0 for _count, seconds in result.render_costs.values())

    site = tmp_path / "site"  # the command line keeps a cache beside the sources
    shutil.copytree(corpus, site, symlinks=True)
    first = build_site(capsys, site, "--timings", "--jobs", "2")
    assert first.code == 0
    lines = first.err.splitlines()
    start = lines.index("  maken per template (alle processen samen):")
    rows = [line.split() for line in lines[start + 1 :] if line.startswith("    ")]
    listed = [row[0] for row in rows]
    assert {"page.html", "term.html", "sitemap.xml", "feed.xml"} <= set(listed)
    spent = [float(row[-2]) for row in rows]  # '... = 1795.6 ms'
    assert spent == sorted(spent, reverse=True)  # dearest first
    page_line = next(line for line in lines if line.split()[:1] == ["page.html"])
    assert page_line.split()[1] == str(articles)
    again = build_site(capsys, site, "--timings")
    assert again.code == 0 and "maken per template" not in again.err


def test_cached_rebuild_renders_nothing_and_gives_the_same_bytes(corpus, reference, tmp_path):
    out = tmp_path / "out"
    assert build(corpus, out, OPTIONS, workers=2).ok
    again = build(corpus, out, OPTIONS, workers=2)
    assert again.ok and again.rendered == 0 and again.written == 0
    assert tree(out) == reference


def test_one_edit_rerenders_only_what_depends_on_it(corpus, reference, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(corpus, site, symlinks=True)
    out = site / "build"
    first = build(site, out, OPTIONS)
    article = sorted((site / "content/articles").glob("*.md"))[7]
    article.write_text(
        article.read_text(encoding="utf-8") + "\nEen nieuwe alinea.\n", encoding="utf-8"
    )
    second = build(site, out, OPTIONS)
    assert second.ok
    assert 0 < second.rendered < first.rendered / 5
    assert "Een nieuwe alinea." in (out / f"articles/{article.stem}/index.html").read_text(
        encoding="utf-8"
    )
    full = tmp_path / "full"
    build(site, full, OPTIONS, workers=1, persistent_cache=False)
    assert tree(out) == tree(full)


def _prepared(corpus: Path, tmp_path: Path) -> tuple[Path, Path, int]:
    site = tmp_path / "site"
    shutil.copytree(corpus, site, symlinks=True)
    first = build(site, site / "build", OPTIONS)
    assert first.ok
    assert build(site, site / "build", OPTIONS).rendered == 0
    return site, site / "build", first.rendered


def test_template_change_rerenders_the_pages_using_it(corpus, tmp_path):
    site, out, everything = _prepared(corpus, tmp_path)
    card = site / "templates/partials/event_card.html"
    card.write_text(card.read_text(encoding="utf-8") + "<!-- nieuw -->\n", encoding="utf-8")
    result = build(site, out, OPTIONS)
    assert 0 < result.rendered < everything
    assert "<!-- nieuw -->" in (out / "events/index.html").read_text(encoding="utf-8")


def test_config_change_invalidates_the_cache(corpus, tmp_path):
    site, out, everything = _prepared(corpus, tmp_path)
    config = site / "site.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("Benchmark-kennisbank", "Andere naam")
    )
    result = build(site, out, OPTIONS)
    assert result.rendered == everything
    assert "Andere naam" in (out / "index.html").read_text(encoding="utf-8")


def test_generator_version_change_invalidates_the_cache(corpus, tmp_path, monkeypatch):
    site, out, everything = _prepared(corpus, tmp_path)
    monkeypatch.setattr(generator, "__version__", generator.__version__ + "-next")
    cache.generator_fingerprint.cache_clear()
    try:
        assert build(site, out, OPTIONS).rendered == everything
    finally:
        monkeypatch.undo()
        cache.generator_fingerprint.cache_clear()


def test_damaged_cache_is_ignored(corpus, reference, tmp_path):
    site, out, everything = _prepared(corpus, tmp_path)
    cache_file = cache.cache_file(site, out)
    cache_file.write_bytes(cache_file.read_bytes()[:5000])
    result = build(site, out, OPTIONS)
    assert result.ok and result.rendered == everything
    assert tree(out) == reference


def _shards(site: Path, out: Path) -> list[Path]:
    return sorted(cache.cache_file(site, out).with_suffix(".shards").iterdir())


@pytest.mark.parametrize("damage", ["truncated", "missing"])
def test_damaged_cache_shard_is_ignored(corpus, reference, tmp_path, damage):
    site, out, everything = _prepared(corpus, tmp_path)
    shard = max(_shards(site, out), key=lambda p: p.stat().st_size)
    if damage == "truncated":
        shard.write_bytes(shard.read_bytes()[: shard.stat().st_size // 2])
    else:
        shard.unlink()
    result = build(site, out, OPTIONS)
    assert result.ok and result.rendered == everything
    assert tree(out) == reference


def _index(site: Path, out: Path) -> tuple:
    """(sizes of the packs, shard segments by part) as the cache index names them."""
    _magic, _form, _key, _started, sizes, _bounds, parts, _deferred = pickle.loads(
        cache.cache_file(site, out).read_bytes()
    )
    return sizes, parts


def _stored(site: Path, out: Path) -> cache.CacheState:
    """The cache as the last build saved it, loaded with the key it was saved under."""
    index = cache.cache_file(site, out)
    return cache.load(index, pickle.loads(index.read_bytes())[2])


def _append(article: Path, text: str) -> None:
    article.write_text(article.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_sources_read_again_for_their_time_alone_keep_their_cache_shards(corpus, tmp_path):
    """A source written just before a build (its mtime within RACY_WINDOW_NS of the
    build's start, or later) is read again at the next build: it may have changed within
    the clock's resolution. Found unchanged, it keeps its cache shard: the next save
    writes the index alone (with the new start time) and leaves no pickles behind. Its
    entry was replaced instead, so every such build wrote all the sources' shards again
    (on a fast machine, a copied site's files were racy for builds to come)."""
    site = tmp_path / "site"
    shutil.copytree(corpus, site, symlinks=True)
    later = time.time_ns() + 600 * 10**9  # racy for every build of this test
    for path in (site / "content").rglob("*.md"):
        os.utime(path, ns=(later, later))
    out = site / "build"
    assert build(site, out, OPTIONS).ok
    assert build(site, out, OPTIONS).ok  # completes the first build's records (deferred.py)
    sizes, parts = _index(site, out)
    started = pickle.loads(cache.cache_file(site, out).read_bytes())[3]
    again = build(site, out, OPTIONS)
    assert again.ok and again.rendered == 0
    assert _index(site, out) == (sizes, parts)  # no shard was written again
    assert pickle.loads(cache.cache_file(site, out).read_bytes())[3] > started
    assert {p.name for p in _shards(site, out)} == set(sizes)  # no pack or pickles left


def test_one_edit_rewrites_only_the_cache_shards_that_changed(corpus, tmp_path):
    site, out, _everything = _prepared(corpus, tmp_path)
    first = _index(site, out)[0]
    # The sources as the workers pickled them, the rest, and the records as the second
    # build completed them (deferred.py).
    assert len(first) <= 3
    article = sorted((site / "content/articles").glob("*.md"))[3]
    _append(article, "\nNog een alinea.\n")
    assert build(site, out, OPTIONS).ok
    sizes, parts = _index(site, out)
    (new_pack,) = sizes.keys() - first.keys()
    assert {p.name for p in _shards(site, out)} == set(sizes) <= {new_pack, *first}
    shards = [segments for part in parts.values() for segments in part]
    rewritten = [segments for segments in shards if segments[0][0] == new_pack]
    assert 0 < len(rewritten) < len(shards) / 4
    assert sizes[new_pack] < sum(first.values()) / 4
    source = article.relative_to(site).as_posix()
    assert "Nog een alinea." in _stored(site, out).sources[source].rendered.html
    assert build(site, out, OPTIONS).rendered == 0


def test_questions_about_site_yaml_alone_are_not_recorded(corpus, tmp_path):
    """site.yaml keys the whole cache, so a question only it answers (a section's title,
    asked for every related page and card) needs no place in the records; a question
    about the pages does."""
    site = tmp_path / "site"
    shutil.copytree(corpus, site, symlinks=True)
    assert build(site, site / "build", OPTIONS).ok
    records = _stored(site, site / "build").records
    asked = {key[0] for record in records.values() for key, _digest in record.queries}
    assert "related" in asked and "backlinks" in asked
    assert "section_title" not in asked
    config = site / "site.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("title: Artikelen", "title: Verhalen"),
        encoding="utf-8",
    )
    assert build(site, site / "build", OPTIONS).ok
    article = next((site / "build/articles").glob("*/index.html")).read_text(encoding="utf-8")
    assert "(verhalen)" in article and "(artikelen)" not in article


def test_questions_about_a_page_alone_are_not_recorded_yet_its_edit_reaches_every_list(
    corpus, tmp_path
):
    """`site.summary(page)` and `site.crumbs(page)` are answered from the page alone, and
    a template only ever holds a page that its context or a recorded answer digested: no
    record asks them (a list page's twenty cards asked `summary` each). An edited summary
    still reaches every list that shows the page's card, as in a full build."""
    site, out, _everything = _prepared(corpus, tmp_path)
    asked = {
        key[0] for record in _stored(site, out).records.values() for key, _digest in record.queries
    }
    assert "summary" not in asked and "crumbs" not in asked and "related" in asked
    article = sorted((site / "content/articles").glob("*.md"))[5]
    text = article.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("summary:"))
    article.write_text(text.replace(old, 'summary: "Een heel nieuwe samenvatting."'), "utf-8")
    rebuilt = build(site, out, OPTIONS)
    assert rebuilt.ok and 0 < rebuilt.rendered < _everything / 4
    showing = [
        path.relative_to(out).as_posix()
        for path in out.rglob("*.html")
        if "Een heel nieuwe samenvatting." in path.read_text(encoding="utf-8")
    ]
    assert any(rel.startswith("tags/") for rel in showing)
    assert any(rel.startswith("authors/") for rel in showing)
    fresh = tmp_path / "fresh"
    shutil.copytree(site, fresh, symlinks=True, ignore=shutil.ignore_patterns(".cache", "build"))
    assert build(fresh, fresh / "build", OPTIONS, persistent_cache=False).ok
    assert tree(out) == tree(fresh / "build")


def test_whether_the_build_is_a_preview_is_not_recorded_but_keys_the_cache(corpus, tmp_path):
    """`site.preview` comes from the build options, which key the cache: no output records
    asking it, and a preview build over the same output still shows its banners."""
    site = tmp_path / "site"
    shutil.copytree(corpus, site, symlinks=True)
    (site / "content/articles/in-de-maak.md").write_text(
        "---\ntitle: In de maak\ndate: 2024-05-01\ndraft: true\n---\nNog niet af.\n",
        encoding="utf-8",
    )
    drafts = dataclasses.replace(OPTIONS, drafts=True)
    draft_page = site / "build/articles/in-de-maak/index.html"
    assert build(site, site / "build", drafts).ok
    asked = {
        key[0]
        for record in _stored(site, site / "build").records.values()
        for key, _digest in record.queries
    }
    assert "preview" not in asked and "related" in asked
    assert "preview-banner" not in draft_page.read_text(encoding="utf-8")
    preview = dataclasses.replace(drafts, mark_unpublished=True)
    assert build(site, site / "build", preview).ok
    assert "preview-banner" in draft_page.read_text(encoding="utf-8")
    assert build(site, site / "build", drafts).ok
    assert "preview-banner" not in draft_page.read_text(encoding="utf-8")


def test_many_edits_never_let_the_cache_grow_past_twice_what_it_holds(
    corpus, tmp_path, monkeypatch
):
    """Every edit writes a new pack; once the packs hold more than DEAD_LIMIT times the
    bytes still used, the live shards are copied into the new pack and the old packs
    go. (A lower limit here, so that this happens within a few edits: one edit of an
    article leaves about 3% of the bytes dead at 300 articles.)"""
    monkeypatch.setattr(cachepacks, "DEAD_LIMIT", 1.1)
    site, out, _everything = _prepared(corpus, tmp_path)
    articles = sorted((site / "content/articles").glob("*.md"))
    counts = [len(_index(site, out)[0])]
    for number, article in enumerate(articles[:8]):
        _append(article, f"\nAlinea {number}.\n")
        assert build(site, out, OPTIONS).ok
        sizes, parts = _index(site, out)
        used = sum(n for part in parts.values() for segs in part for _name, _at, n in segs)
        assert sum(sizes.values()) <= cachepacks.DEAD_LIMIT * used
        assert {p.name for p in _shards(site, out)} == set(sizes)  # dead packs removed
        counts.append(len(sizes))
    assert 1 in counts[1:]  # a compaction: everything in the newest pack
    assert build(site, out, OPTIONS).rendered == 0


def test_a_save_stopped_halfway_leaves_no_temporary_file_behind(corpus, tmp_path):
    """A pack being written is a dot file named after its writer's process; once that
    process is gone, the next save removes it. One of a running process is kept."""
    site, out, _everything = _prepared(corpus, tmp_path)
    folder = cache.cache_file(site, out).with_suffix(".shards")
    gone = folder / ".pack-0123456789abcdef.bin.999999999.tmp"  # beyond any process id
    running = folder / f".pack-fedcba9876543210.bin.{os.getppid()}.tmp"
    for leftover in (gone, running):
        leftover.write_bytes(b"half a pack")
    _append(sorted((site / "content/articles").glob("*.md"))[0], "\nMeer.\n")
    assert build(site, out, OPTIONS).ok
    assert not gone.exists() and running.exists()


def test_sources_shards_are_runs_of_names_small_where_the_processes_meet():
    """The parent parses shards from the front and a worker from the back: they meet
    near the middle, where short shards keep the one that is done first from waiting
    long for the other's last shard."""
    names = [f"content/artikelen/{number:05d}.md" for number in range(10_000)]
    bounds = cachesources.source_bounds(list(reversed(names)))
    assert list(bounds) == sorted(bounds) and len(bounds) == cache.SHARDS["sources"] - 1
    sizes = Counter(cachesources.source_shard(name, bounds) for name in names)
    shards = [sizes[number] for number in range(cache.SHARDS["sources"])]
    assert sum(shards) == len(names)
    middle = len(shards) // 2
    assert max(shards[middle - 4 : middle + 4]) * 4 < min(shards[:4] + shards[-4:])
    assert shards == [sizes[number] for number in sorted(sizes)]  # no shard left empty
    # Each shard a run of neighbouring names.
    assert [cachesources.source_shard(name, bounds) for name in names] == sorted(
        cachesources.source_shard(name, bounds) for name in names
    )
    assert cachesources.source_bounds([]) == ("",) * (cache.SHARDS["sources"] - 1)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text("abc/", max_size=4), max_size=30),
    st.lists(st.text("abc/", max_size=4), min_size=1, max_size=8),
)
def test_shard_runs_are_the_runs_of_each_names_shard(names, bounds):
    """The stages split the sorted names by shard with a search per shard: the same
    runs as the shard of every name, one by one."""
    names, bounds = sorted(names), tuple(sorted(bounds))
    runs, shards = cachesources.shard_runs(names, bounds)
    assert [
        (name, shard) for (a, b), shard in zip(runs, shards, strict=True) for name in names[a:b]
    ] == [(name, cachesources.source_shard(name, bounds)) for name in names]
    assert len(set(shards)) == len(shards)  # one run per shard


def _pickled_as_by_a_worker(index: Path):
    """(entry, its pickles): one source's entry and the bytes a worker made of it."""
    from generator.loading import SourceEntry

    entry = SourceEntry(("text", "intro"), (1, 2), "abc")
    pickles = cachesources.SourcePickles(index)
    pickles.bounds = cachesources.source_bounds(["a.md"])
    segment = pickles.store(pickle.dumps([entry]))
    number = cachesources.source_shard("a.md", pickles.bounds)
    pickles.add_parsed({number: cachesources.PickledChunk(("a.md",), [entry], segment)})
    return entry, pickles


def test_a_page_digest_set_after_the_pickle_is_stored_with_it(tmp_path):
    """The engine sets a page digest in place after rendering; when the entry is the
    very object the workers' bytes were pickled from, the saved cache still has it."""
    index = tmp_path / "cache" / "build-x.pickle"
    entry, pickles = _pickled_as_by_a_worker(index)
    entry.page_digest = "set-later"
    state = cache.CacheState(key=("k",), sources={"a.md": entry}, premade=pickles)
    cache.save(index, state)
    assert cache.load(index, ("k",)).sources["a.md"].page_digest == "set-later"


def test_an_entry_changed_after_the_pickle_is_stored_as_it_is_now(tmp_path):
    """The workers' bytes are stored only while the entries are what they hold: an
    entry replaced since (a file read again, a different page) is pickled anew."""
    from generator.loading import SourceEntry

    index = tmp_path / "cache" / "build-x.pickle"
    _entry, pickles = _pickled_as_by_a_worker(index)
    now = SourceEntry(("text", "intro"), (1, 3), "abd")
    state = cache.CacheState(key=("k",), sources={"a.md": now}, premade=pickles)
    cache.save(index, state)
    loaded = cache.load(index, ("k",)).sources["a.md"]
    assert (loaded.stat, loaded.digest) == ((1, 3), "abd")


class _Untouchable:
    """An entry whose every field read fails."""

    def __getattribute__(self, name):
        raise AssertionError(f"the check read an entry's {name}")


def test_whether_pickles_still_hold_the_sources_is_told_by_identity_alone(tmp_path):
    """Beside the render, reading every field of every entry wrote to the memory the
    render worker shares (reference counts): each is the very entry the build made of
    the pickled results, or it is not what the bytes hold."""
    pickles = cachesources.SourcePickles(tmp_path / "cache" / "build-x.pickle")
    names = ["a.md", "b.md"]
    pickles.bounds = cachesources.source_bounds(names)
    shard = {name: cachesources.source_shard(name, pickles.bounds) for name in names}
    parsed = {name: _Untouchable() for name in names}
    pickles.add_parsed(
        {
            number: cachesources.PickledChunk(
                tuple(n for n in names if shard[n] == number),
                [parsed[n] for n in names if shard[n] == number],
                ("pack", 0, 0),
            )
            for number in set(shard.values())
        }
    )
    whole = _Untouchable()  # b.md with its rendered Markdown
    pickles.join("b.md", parsed["b.md"], whole)
    pickles.rendered[shard["b.md"]] = cachesources.PickledChunk(
        ("b.md",), [("html", ())], ("pack", 0, 0)
    )

    def verdicts(sources: dict) -> set[bool]:
        state = cache.CacheState(key=("k",), sources=sources, premade=pickles)
        laid_out = cachesources.lay_out_sources(state)
        return {laid_out.as_pickled[number] for number in set(shard.values())}

    assert verdicts({"a.md": parsed["a.md"], "b.md": whole}) == {True}
    assert False in verdicts({"a.md": _Untouchable(), "b.md": whole})  # replaced since
    assert False in verdicts({"a.md": parsed["a.md"], "b.md": parsed["b.md"]})  # no Markdown
    pickles.join("a.md", _Untouchable(), _Untouchable())  # joined to another entry
    assert False in verdicts({"a.md": parsed["a.md"], "b.md": whole})


def test_a_cold_build_stores_its_sources_as_the_workers_pickled_them(corpus, tmp_path, monkeypatch):
    """Their pickles are kept, not made again; loaded back, they are the same entries."""
    from generator.engine import SiteBuilder
    from generator.loading import SourceEntry

    pickled_types: list[type] = []
    pickled = cachepacks.pickled

    def spying(value):
        items = value.values() if isinstance(value, dict) else value
        if isinstance(items, list | type({}.values())):
            pickled_types.extend(type(item) for item in items)
        return pickled(value)

    for module in (cache, cachesources):  # the two that pickle for the cache
        monkeypatch.setattr(module, "pickled", spying)
    site = tmp_path / "site"
    shutil.copytree(corpus, site, symlinks=True)
    builder = SiteBuilder(site, site / "build", OPTIONS, workers=2)
    assert builder.build().ok
    assert SourceEntry not in pickled_types  # the parse and Markdown pickles were stored
    index = cache.cache_file(site, site / "build")
    stored = cache.load(index, builder._state.key)
    assert stored.sources == builder._state.sources
    assert any(entry.rendered and entry.link_urls for entry in stored.sources.values())


class _Planted:
    def __reduce__(self):
        return (Path.touch, (Path("/tmp/kennisbank-cache-was-executed"),))


def test_foreign_cache_is_never_executed(corpus, tmp_path):
    site, out, everything = _prepared(corpus, tmp_path)
    marker = Path("/tmp/kennisbank-cache-was-executed")
    marker.unlink(missing_ok=True)
    cache.cache_file(site, out).write_bytes(pickle.dumps(_Planted()))
    result = build(site, out, OPTIONS)
    assert result.ok and result.rendered == everything
    assert not marker.exists()


def test_a_records_shard_of_anything_but_packed_records_discards_the_cache(
    corpus, reference, tmp_path
):
    """Records are stored as their packed bytes; a shard holding anything else (an
    older cache's record objects, a number) is no cache of ours: all is made again."""
    site, out, everything = _prepared(corpus, tmp_path)
    index = cache.cache_file(site, out)
    magic, form, key, started_ns, sizes, bounds, parts, deferred = pickle.loads(index.read_bytes())
    data = pickle.dumps({"index.html": 1})
    (index.with_suffix(".shards") / "pack-changed.bin").write_bytes(data)
    parts["records"][0] = [("pack-changed.bin", 0, len(data))]
    sizes["pack-changed.bin"] = len(data)
    index.write_bytes(pickle.dumps((magic, form, key, started_ns, sizes, bounds, parts, deferred)))
    result = build(site, out, OPTIONS)
    assert result.ok and result.rendered == everything
    assert tree(out) == reference


def test_a_damaged_record_in_the_cache_has_its_output_made_again(corpus, reference, tmp_path):
    """Records are unpacked only where they are compared, after the cache was loaded:
    one that cannot be read (or names a class to run) counts as changed."""
    site, out, _everything = _prepared(corpus, tmp_path)
    marker = Path("/tmp/kennisbank-cache-was-executed")
    marker.unlink(missing_ok=True)
    index = cache.cache_file(site, out)
    magic, form, key, started_ns, sizes, bounds, parts, deferred = pickle.loads(index.read_bytes())
    folder = index.with_suffix(".shards")
    number, ((pack, offset, length),) = max(enumerate(parts["records"]), key=lambda i: i[1][0][2])
    with open(folder / pack, "rb") as file:
        file.seek(offset)
        records = pickle.loads(file.read(length))
    first, second = sorted(records)[:2]
    assert all(type(packed) is bytes for packed in records.values())  # stored packed
    records[first] = b"no pickle at all"
    records[second] = pickle.dumps(_Planted())
    data = pickle.dumps(records)
    (folder / "pack-changed.bin").write_bytes(data)
    parts["records"][number] = [("pack-changed.bin", 0, len(data))]
    sizes["pack-changed.bin"] = len(data)
    index.write_bytes(pickle.dumps((magic, form, key, started_ns, sizes, bounds, parts, deferred)))
    result = build(site, out, OPTIONS)
    assert result.ok and result.rendered == 2
    assert not marker.exists()
    assert tree(out) == reference


def _run_cli(corpus: Path, out: Path, terminal: bool) -> str:
    import os
    import pty

    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["TERM"] = "xterm"
    args = [sys.executable, "-m", "generator", "build", "--source", str(corpus), "--out", str(out)]
    if not terminal:
        proc = subprocess.run(args, capture_output=True, text=True, env=env, cwd=PROJECT)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout + proc.stderr
    leader, follower = pty.openpty()
    proc = subprocess.Popen(args, stdout=follower, stderr=follower, env=env, cwd=PROJECT)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(timeout=300) == 0
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_on_a_terminal_only_and_one_summary_line(corpus, tmp_path):
    on_terminal = _run_cli(corpus, tmp_path / "a", terminal=True)
    assert "pagina's maken [" in on_terminal
    piped = _run_cli(corpus, tmp_path / "b", terminal=False)
    assert "[" not in piped and "#" not in piped
    lines = [line for line in piped.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("gebouwd: 319 pagina's") and lines[0].endswith("pagina's/s)")


def _with_project_templates(root: Path, article: str) -> Path:
    """A site of one article (`content/artikelen/a.md`) with the project's templates."""
    from tests.sitekit import write_site

    write_site(root, f"-- content/artikelen/a.md --\n{article}", templates=False)
    shutil.copytree(PROJECT / "templates", root / "templates")
    shutil.copytree(PROJECT / "static", root / "static")
    return root


def _compiles(monkeypatch, entry=lambda name: name) -> list:
    """What Jinja compiles from here on: `entry(name)` of each template."""
    import jinja2

    compiled = []
    original = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(entry(name))
        return original(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return compiled


def test_the_preview_compiles_a_template_again_only_when_it_changed(tmp_path, monkeypatch):
    """Every build makes a new Jinja environment; compiled templates are kept for the
    process by file and source, so a rebuild compiles only the template that was edited
    (compiling them all was a third of a rebuild after one edit at 10,000 pages)."""
    from generator.engine import SiteBuilder

    root = _with_project_templates(tmp_path / "site", "---\ntitle: A\n---\nTekst.\n")
    compiled = _compiles(monkeypatch)
    builder = SiteBuilder(root, tmp_path / "out", OPTIONS, workers=1, persistent_cache=False)
    assert builder.build().ok
    assert "page.html" in compiled and "base.html" in compiled
    compiled.clear()
    page = root / "content/artikelen/a.md"
    page.write_text(page.read_text(encoding="utf-8") + "Meer.\n", encoding="utf-8")
    assert builder.build({"content/artikelen/a.md"}).ok
    assert compiled == []
    footer = root / "templates/partials/footer.html"
    footer.write_text(footer.read_text(encoding="utf-8") + "<!-- nieuw -->\n", encoding="utf-8")
    assert builder.build({"templates/partials/footer.html"}).ok
    assert compiled == ["partials/footer.html"]
    assert "<!-- nieuw -->" in (tmp_path / "out/artikelen/a/index.html").read_text(encoding="utf-8")


def test_a_cold_build_parses_each_template_once(tmp_path, monkeypatch):
    """Finding what a template references (for the dependency records) parses it; the
    compiler then uses that parse instead of parsing the template again."""
    import jinja2.parser

    root = _with_project_templates(tmp_path / "site", "---\ntitle: A\ntags: [wonen]\n---\nT.\n")
    parsed: Counter[str] = Counter()
    original = jinja2.parser.Parser.__init__

    def counting(self, environment, source, *args, **kwargs):
        parsed[source] += 1
        original(self, environment, source, *args, **kwargs)

    monkeypatch.setattr(jinja2.parser.Parser, "__init__", counting)
    result = build(root, tmp_path / "out", OPTIONS, workers=1)
    assert result.ok, result.problems
    page = (root / "templates/page.html").read_text(encoding="utf-8")
    assert parsed[page] == 1 and len(parsed) > 5
    assert set(parsed.values()) == {1}, [n for n in parsed.values() if n != 1]


def _large_site(root: Path) -> Path:
    """A site with enough pages that a worker shares the Markdown with the parent."""
    from generator.parallel import MIN_PARALLEL_ITEMS

    _with_project_templates(root, "---\ntitle: A\ntags: [wonen]\n---\nT.\n")
    for n in range(MIN_PARALLEL_ITEMS + 10):
        (root / f"content/artikelen/p{n}.md").write_text(
            f"---\ntitle: Pagina {n}\ntags: [wonen]\n---\nTekst {n}.\n", encoding="utf-8"
        )
    return root


def _while_inside(monkeypatch, module, name: str) -> list[bool]:
    """[flag]: True while `module.name` runs (it is wrapped for the test)."""
    inside = [False]
    original = getattr(module, name)

    def wrapped(*args, **kwargs):
        inside[0] = True
        try:
            return original(*args, **kwargs)
        finally:
            inside[0] = False

    monkeypatch.setattr(module, name, wrapped)
    return inside


def test_a_large_first_build_compiles_its_templates_beside_the_markdown(tmp_path, monkeypatch):
    """While a worker renders Markdown, the parent parses and compiles every template:
    the render, which starts with the workers idle, then finds them done."""
    import generator.rendering

    root = _large_site(tmp_path / "site")
    rendering = _while_inside(monkeypatch, generator.rendering, "render_outputs")
    compiled = _compiles(monkeypatch, lambda name: (name, rendering[0]))  # while rendering?
    monkeypatch.setattr(generator.render, "_COMPILED", generator.render._CompiledTemplates())
    monkeypatch.setattr(generator.templatedigests, "_REFERENCES", {})
    result = build(root, tmp_path / "out", OPTIONS, workers=2)
    assert result.ok, result.problems
    assert [name for name, during in compiled if during] == []
    assert {name for name, _ in compiled} >= {"page.html", "base.html", "partials/card.html"}


def test_a_large_first_build_checks_its_cached_sources_beside_the_render(tmp_path, monkeypatch):
    """Whether the workers' pickles still hold the sources (a third of the cache save
    at 10,000 pages) is worked out while a worker renders; the save after it writes.
    The cache it leaves is whole: the next build renders nothing."""
    import generator.cache as cache
    import generator.rendering

    root = _large_site(tmp_path / "site")
    rendering = _while_inside(monkeypatch, generator.rendering, "render_outputs")
    saving = _while_inside(monkeypatch, cache, "save")
    checked: list[tuple[bool, bool]] = []  # (while rendering, while saving) per shard
    original = cachesources._as_pickled

    def as_pickled(*args):
        checked.append((rendering[0], saving[0]))
        return original(*args)

    monkeypatch.setattr(cachesources, "_as_pickled", as_pickled)
    assert build(root, tmp_path / "out", OPTIONS, workers=2).ok
    assert checked and set(checked) == {(True, False)}
    again = build(root, tmp_path / "out", OPTIONS, workers=2)
    assert again.ok and again.rendered == 0 and again.written == 0


def test_a_large_first_build_arranges_its_model_beside_the_markdown(tmp_path, monkeypatch):
    """The site model's lists and the checks of front matter alone are worked out by the
    parent while a worker renders Markdown, once, and their problems still reported."""
    import generator.engine as engine
    import generator.premodel as premodel
    from generator.parallel import MIN_PARALLEL_ITEMS

    root = _large_site(tmp_path / "site")
    arranged: list[bool] = []  # for each arrangement: made during the Markdown?
    original_arrange = premodel.arrange

    def arrange(*args, **kwargs):
        arranged.append(in_markdown[0])
        return original_arrange(*args, **kwargs)

    monkeypatch.setattr(premodel, "arrange", arrange)
    in_markdown = _while_inside(monkeypatch, engine, "render_sources")
    result = build(root, tmp_path / "out", OPTIONS, workers=2)
    assert result.ok, result.problems
    assert arranged == [True]
    tag_page = (tmp_path / "out/tags/wonen/index.html").read_text(encoding="utf-8")
    assert f"Onderwerpen: {MIN_PARALLEL_ITEMS + 11} pagina" in tag_page  # all, with their tag

    (root / "content/artikelen/p3.md").write_text(
        "---\ntitle: Drie\nslug: p4\ntags: [woningen]\n---\nT.\n", encoding="utf-8"
    )
    (root / "content/artikelen/p5.md").write_text(
        "---\ntitle: Vijf\ntags: [woning, wonen]\n---\nT.\n", encoding="utf-8"
    )
    shutil.rmtree(root / ".cache")
    result = build(root, tmp_path / "out", OPTIONS, workers=2)
    clashes = [p for p in result.problems if "al in gebruik" in p.message]
    assert len(clashes) == 1, result.problems
    assert clashes[0].path in ("content/artikelen/p3.md", "content/artikelen/p4.md")
    alike = [p for p in result.problems if "lijkt op" in p.message]
    assert [(p.path, p.severity) for p in alike] == [("content/artikelen/p3.md", "warning")]


def test_a_template_that_does_not_compile_is_reported_with_its_line_not_raised(
    tmp_path, monkeypatch
):
    """Compiling the templates ahead (beside the Markdown, and before the render
    workers fork) leaves a broken one to the render, which names file and line: it
    raised a traceback out of the build. The templates after it are prepared still."""
    from generator.config import load_config
    from generator.rendering import prepare_templates

    root = _with_project_templates(tmp_path / "site", "---\ntitle: A\n---\nT.\n")
    (root / "templates/page.html").write_text("{% if %}\n", encoding="utf-8")
    config, _ = load_config(root)
    compiled = _compiles(monkeypatch)
    monkeypatch.setattr(generator.render, "_COMPILED", generator.render._CompiledTemplates())
    monkeypatch.setattr(generator.templatedigests, "_REFERENCES", {})
    prepare_templates(root, config)  # no exception: the render reports it
    assert {"partials/card.html", "term.html"} <= set(compiled)  # after page.html, by name
    result = build(root, tmp_path / "out", OPTIONS, workers=1)
    assert not result.ok
    assert any(p.path.endswith("page.html") and p.line == 1 for p in result.problems), (
        result.problems
    )


def test_the_render_cost_benchmark_still_measures_every_part_of_the_page(corpus):
    """benchmarks/render_costs.py takes parts out of our templates by pattern; a
    template change that makes one no longer match must show here, not be skipped."""
    done = subprocess.run(
        [
            sys.executable,
            str(PROJECT / "benchmarks/render_costs.py"),
            "--corpus",
            str(corpus),
            "--pages",
            "30",
            "--rounds",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "30 article pages" in done.stdout
    assert "as a rebuild renders it" in done.stdout
    assert "as a first build renders it" in done.stdout
    assert "not found" not in done.stdout, done.stdout
    for label in ("JSON-LD", "see also", "terms", "related", "backlinks"):
        assert label in done.stdout, done.stdout
    lists = subprocess.run(
        [sys.executable, str(PROJECT / "benchmarks/render_costs.py"), "--corpus", str(corpus)]
        + ["--template", "term.html", "--pages", "5", "--rounds", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert lists.returncode == 0, lists.stderr[-3000:]
    assert "5 outputs of term.html" in lists.stdout and "as a rebuild renders it" in lists.stdout

"""A one-off first build leaves its digests to the next build (generator/deferred.py):
that next build still makes exactly the bytes of a clean full build, remakes only what
changed, and leaves records as complete as a digesting build's."""

import dataclasses
import pickle
import re
import shutil
from datetime import datetime
from pathlib import Path

import pytest

from generator import cache
from generator.build import BuildOptions, build
from generator.engine import SiteBuilder
from generator.records import DEFERRED
from tests.sitekit import benchmark_corpus, tree

OPTIONS = BuildOptions(now=datetime(2024, 6, 1, 12, 0))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """120 articles with events, tags and links, from the benchmark's generator."""
    return benchmark_corpus(tmp_path_factory.mktemp("corpus"), 120)


def _site(corpus: Path, tmp_path: Path) -> tuple[Path, Path]:
    site = tmp_path / "site"
    shutil.copytree(corpus, site, symlinks=True)
    return site, site / "build"


def _one_off(site: Path, out: Path, options: BuildOptions = OPTIONS):
    """A build as the command line runs it: the first of them defers its digests."""
    return build(site, out, options, workers=2)


def _full(site: Path, out: Path, options: BuildOptions = OPTIONS) -> dict[str, bytes]:
    result = build(site, out, options, workers=1, persistent_cache=False)
    assert result.ok, result.problems
    return tree(out)


def _stored(site: Path, out: Path) -> cache.CacheState:
    key = pickle.loads(cache.cache_file(site, out).read_bytes())[2]
    return cache.load(cache.cache_file(site, out), key)


def _retitle(path: Path, title: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^title: .*$", f'title: "{title}"', text, count=1), "utf-8")


def _fields(record) -> tuple:
    return (record.template, record.context, record.queries, record.output)


def test_a_first_build_logs_questions_and_the_next_completes_their_digests(corpus, tmp_path):
    site, out = _site(corpus, tmp_path)
    first = _one_off(site, out)
    assert first.ok, first.problems
    stored = _stored(site, out)
    assert stored.deferred_at == OPTIONS.now.replace(tzinfo=stored.deferred_at.tzinfo)
    records = stored.records.values()
    assert all(r.deferred and r.mentions is None for r in records)
    assert all(digest == "" for r in records for _key, digest in r.queries)
    assert any(key[0] == "related" for r in records for key, _digest in r.queries)

    again = _one_off(site, out)
    assert again.ok and again.rendered == 0 and not again.changed
    completed = _stored(site, out)
    assert completed.deferred_at is None
    assert not any(r.deferred for r in completed.records.values())
    # The digests are those a build that digests as it renders (the preview's) records.
    digesting = SiteBuilder(site, tmp_path / "digesting", OPTIONS, workers=2)
    assert digesting.build().ok
    made = digesting._state.records
    assert made.keys() == completed.records.keys()
    assert all(_fields(completed.records[rel]) == _fields(made[rel]) for rel in made)
    assert _one_off(site, out).rendered == 0  # and the third build checks as usual


WITH_UNPUBLISHED = dataclasses.replace(OPTIONS, drafts=True, future=True, mark_unpublished=True)


@pytest.mark.parametrize("options", [OPTIONS, WITH_UNPUBLISHED], ids=["published", "unpublished"])
def test_an_edit_after_a_first_build_remakes_only_what_showed_the_page(corpus, tmp_path, options):
    """Also with drafts and future pages shown and marked: the model made again publishes
    and marks what the first build did."""
    site, out = _site(corpus, tmp_path)
    articles = sorted((site / "content/articles").glob("*.md"))
    draft = articles[1].read_text(encoding="utf-8").replace("---\n", "---\ndraft: true\n", 1)
    articles[1].write_text(draft, encoding="utf-8")
    future = re.sub(r"(?m)^date: .*$", "date: 2030-01-01", articles[4].read_text("utf-8"), count=1)
    articles[4].write_text(future, encoding="utf-8")
    first = _one_off(site, out, options)
    assert first.ok, first.problems
    _retitle(articles[7], "Een titel die nergens anders staat")
    again = _one_off(site, out, options)
    assert again.ok
    assert 0 < again.rendered < first.rendered / 4
    assert tree(out) == _full(site, tmp_path / "reference", options)
    shown = [rel for rel, data in tree(out).items() if b"nergens anders staat" in data]
    assert len(shown) > 3  # its own page, its lists, the pages it is related to, feeds


def test_time_passing_after_a_first_build_is_seen_by_the_next(corpus, tmp_path):
    """The model is made again at the time the first build ran, not the next one's: an
    event that has passed in between moves on the events page and the home page."""
    site, out = _site(corpus, tmp_path)
    events = sorted((site / "content/events").glob("*.md"))
    starts = sorted(
        datetime.fromisoformat(m.group(1))
        for path in events
        if (m := re.search(r"(?m)^start: (\S+)$", path.read_text(encoding="utf-8")))
    )
    middle = starts[len(starts) // 2]
    before = dataclasses.replace(OPTIONS, now=middle.replace(hour=0, minute=0))
    after = dataclasses.replace(OPTIONS, now=middle.replace(hour=23, minute=59))
    assert _one_off(site, out, before).ok
    later = _one_off(site, out, after)
    assert later.ok and later.rendered > 0
    assert "events/index.html" in later.changed
    assert tree(out) == _full(site, tmp_path / "reference", after)


def test_a_failed_build_after_a_first_build_leaves_nothing_stale(corpus, tmp_path):
    """A failed build saves the sources it read but keeps the outputs' records: deferred
    ones can then no longer be checked against the model they came from, and count as
    changed. Checked against the failed build's sources, a page retitled together with
    the broken one would keep its old title on every list."""
    site, out = _site(corpus, tmp_path)
    assert _one_off(site, out).ok
    articles = sorted((site / "content/articles").glob("*.md"))
    broken = articles[2]
    original = broken.read_text(encoding="utf-8")
    broken.write_text(original.replace("title:", "title: [", 1), encoding="utf-8")
    _retitle(articles[5], "Tijdens de fout hernoemd")
    failed = _one_off(site, out)
    assert not failed.ok
    broken.write_text(original, encoding="utf-8")
    fixed = _one_off(site, out)
    assert fixed.ok, fixed.problems
    assert tree(out) == _full(site, tmp_path / "reference")


def test_a_damaged_time_of_a_first_build_discards_the_cache(corpus, tmp_path):
    site, out = _site(corpus, tmp_path)
    first = _one_off(site, out)
    assert first.ok
    index = cache.cache_file(site, out)
    *head, _deferred_at = pickle.loads(index.read_bytes())
    for damaged in ("yesterday", datetime(2024, 6, 1)):  # not a time; no time zone
        index.write_bytes(pickle.dumps((*head, damaged)))
        assert _stored(site, out).records == {}
    index.write_bytes(pickle.dumps((*head, "yesterday")))
    again = _one_off(site, out)
    assert again.ok and again.rendered == first.rendered
    assert tree(out) == _full(site, tmp_path / "reference")


def test_the_preview_digests_as_it_renders(corpus, tmp_path):
    """The preview builds again within seconds and needs every record's pages for its
    fast path: it never defers."""
    site, out = _site(corpus, tmp_path)
    builder = SiteBuilder(site, out, OPTIONS, workers=2)
    assert builder.build().ok
    assert builder._state.deferred_at is None
    assert not any(r.context == DEFERRED for r in builder._state.records.values())
    assert all(r.mentions is not None for r in builder._state.records.values())

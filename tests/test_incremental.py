"""Incremental equals full: after any sequence of edits, the output of an
incremental build is byte for byte the output of a clean full build."""

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build import BuildOptions, build
from generator.engine import SiteBuilder
from tests.sitekit import DEFAULT_SITE_YAML, PROJECT, tree, write_site

OPTIONS = BuildOptions(now=datetime(2024, 6, 1, 12, 0))
TAGS = ["wonen", "Wonen", "zorg", "buurt", "dé kans"]
AUTHORS = ["redactie", "anna", None]
WORDS = st.text(alphabet="abcdefghijklmnop ", min_size=1, max_size=10).map(str.strip).filter(bool)
NAMES = st.sampled_from(["a", "b", "c", "d", "e", "f"])


def _article(fields: dict) -> str:
    lines = ["---", f'title: "{fields["title"]}"', f"date: {fields['date']}"]
    if fields["tags"]:
        lines.append("tags: [" + ", ".join(f'"{t}"' for t in fields["tags"]) + "]")
    if fields["author"]:
        lines.append(f"author: {fields['author']}")
    if fields["draft"]:
        lines.append("draft: true")
    if fields["slug"]:
        lines.append(f"slug: {fields['slug']}")
    lines += ["---", "", fields["body"], ""]
    if fields["link"]:
        lines.append(f"Zie ook [de ander]({fields['link']}.md).")
    return "\n".join(lines) + "\n"


def _fresh_article(title: str) -> dict:
    return {
        "title": title,
        "date": "2020-01-01",
        "tags": ["wonen"],
        "author": "redactie",
        "draft": False,
        "slug": None,
        "body": f"Over {title}.",
        "link": None,
    }


EDITS = st.one_of(
    st.tuples(st.just("body"), NAMES, WORDS),
    st.tuples(st.just("title"), NAMES, WORDS),
    st.tuples(
        st.just("date"), NAMES, st.dates(datetime(2019, 1, 1).date(), datetime(2025, 1, 1).date())
    ),
    st.tuples(st.just("tags"), NAMES, st.lists(st.sampled_from(TAGS), max_size=3)),
    st.tuples(st.just("author"), NAMES, st.sampled_from(AUTHORS)),
    st.tuples(st.just("draft"), NAMES, st.booleans()),
    st.tuples(st.just("slug"), NAMES, st.sampled_from([None, "eigen-adres", "ander-adres"])),
    st.tuples(st.just("link"), NAMES, st.sampled_from([None, "a", "b", "c"])),
    st.tuples(st.just("new"), NAMES, WORDS),
    st.tuples(st.just("delete"), NAMES, st.none()),
    st.tuples(st.just("rename"), NAMES, NAMES),
    st.tuples(st.just("template"), st.sampled_from(["page.html", "partials/card.html"]), WORDS),
    st.tuples(st.just("author_name"), st.sampled_from(["redactie", "anna"]), WORDS),
)


class Site:
    def __init__(self, root: Path):
        self.root = root
        self.articles: dict[str, dict] = {"a": _fresh_article("Alfa"), "b": _fresh_article("Beta")}
        write_site(
            root,
            """
-- content/auteurs/redactie.md --
---
title: Redactie
---
-- content/auteurs/anna.md --
---
title: Anna
---
-- content/evenementen/dag.md --
---
title: Dag
start: 2024-07-01 10:00
tags: [wonen]
---
""",
            templates=False,
        )
        shutil.copytree(PROJECT / "templates", root / "templates")
        shutil.copytree(PROJECT / "static", root / "static")
        (root / "content/artikelen").mkdir()
        for name in self.articles:
            self._write(name)

    def path(self, name: str) -> str:
        return f"content/artikelen/{name}.md"

    def _write(self, name: str) -> None:
        (self.root / self.path(name)).write_text(_article(self.articles[name]), encoding="utf-8")

    def apply(self, edit: tuple) -> set[str]:
        """Apply one edit on disk; the sources a file watcher would report."""
        kind, name, value = edit
        if kind == "template":
            target = self.root / "templates" / name
            target.write_text(
                target.read_text(encoding="utf-8") + f"<!-- {value} -->\n", encoding="utf-8"
            )
            return {f"templates/{name}"}
        if kind == "author_name":
            (self.root / f"content/auteurs/{name}.md").write_text(
                f"---\ntitle: {value}\n---\n", encoding="utf-8"
            )
            return {f"content/auteurs/{name}.md"}
        if kind == "new":
            if name in self.articles:
                return set()
            self.articles[name] = _fresh_article(value)
            self._write(name)
            return {self.path(name)}
        if name not in self.articles or len(self.articles) < 2 and kind in ("delete", "rename"):
            return set()
        if kind == "delete":
            del self.articles[name]
            (self.root / self.path(name)).unlink()
            return {self.path(name)}
        if kind == "rename":
            if value in self.articles:
                return set()
            self.articles[value] = self.articles.pop(name)
            (self.root / self.path(name)).rename(self.root / self.path(value))
            return {self.path(name), self.path(value)}
        if kind == "date":
            value = value.isoformat()
        self.articles[name][kind] = value
        self._write(name)
        return {self.path(name)}


def _full_build(root: Path, out: Path):
    if out.exists():
        shutil.rmtree(out)
    return build(root, out, OPTIONS, workers=1, persistent_cache=False)


@pytest.mark.parametrize("mode", ["watcher", "command-line", "after-a-first-build"])
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(edits=st.lists(EDITS, min_size=1, max_size=6))
def test_incremental_build_equals_full_build(tmp_path_factory, mode, edits):
    root = tmp_path_factory.mktemp("site")
    site = Site(root)
    out, reference = root / "build", root / "reference"
    builder = SiteBuilder(root, out, OPTIONS, workers=1)
    assert builder.build().ok
    for edit in edits:
        if mode == "after-a-first-build":  # deferred digests: the next build completes them
            shutil.rmtree(root / ".cache")
            SiteBuilder(root, out, OPTIONS, workers=1, builds_again=False).build()
        changed = site.apply(edit)
        if mode == "watcher":
            result = builder.build(changed)
        elif mode == "after-a-first-build":
            result = SiteBuilder(root, out, OPTIONS, workers=1, builds_again=False).build()
        else:
            result = SiteBuilder(root, out, OPTIONS, workers=1).build()
        full = _full_build(root, reference)
        assert result.ok == full.ok, (edit, result.problems, full.problems)
        if full.ok:
            assert tree(out) == tree(reference), edit


@pytest.mark.parametrize(
    ("other_date", "title", "fast"),
    [
        (None, "Zulu", True),  # same date: "Alfa" < "Beta" but "Zulu" > "Beta": lists again
        (None, "Aap", True),  # same date, still before "Beta": nothing moves
        (datetime(2021, 3, 4).date(), "Zulu", True),  # no other page of its date
    ],
)
def test_a_retitled_page_in_the_preview_equals_a_full_build(tmp_path, other_date, title, fast):
    """A title edit takes the preview's fast path; pages of the same date are ordered
    by title, so where the new title moves the page among them the lists are sorted
    again and every output showing one of them is rendered again."""
    site = Site(tmp_path)
    if other_date:
        site.apply(("date", "b", other_date))
    out, reference = tmp_path / "build", tmp_path / "reference"
    builder = SiteBuilder(tmp_path, out, OPTIONS, workers=1)
    assert builder.build().ok
    result = builder.build(site.apply(("title", "a", title)))
    assert result.ok
    assert _full_build(tmp_path, reference).ok
    assert tree(out) == tree(reference)
    assert title in (out / "index.html").read_text(encoding="utf-8")
    # The fast path returns before the site model is made again.
    assert ("model" not in result.timings) == fast


def _paginated_site(root: Path) -> Path:
    """Seven articles with one tag, author and event, three to a list page: the oldest
    shows on page 3 of its section, tag and author lists, and in their feeds."""
    spec = "-- site.yaml --\n" + DEFAULT_SITE_YAML + "per_page: 3\n"
    spec += "-- content/auteurs/anna.md --\n---\ntitle: Anna\n---\n"
    spec += "-- content/evenementen/dag.md --\n---\ntitle: Dag\nstart: 2024-07-01 10:00\n---\n"
    for n in range(7):
        spec += (
            f"-- content/artikelen/a{n}.md --\n---\ntitle: Artikel {n}\n"
            f"date: 2020-01-0{n + 1}\ntags: [wonen]\nauthor: anna\nevents: [dag]\n---\n"
            f"Over {n}.\n"
        )
    return write_site(root, spec, templates=False)


@pytest.mark.parametrize(
    "edit",
    [
        ("Over 0.", "Over nul, nu langer."),  # the body: its lists and pages show its summary
        ("title: Artikel 0", "title: Artikel nul"),  # the title, shown on page 3 of each list
    ],
)
def test_the_preview_remakes_the_later_pages_of_a_list(tmp_path, edit):
    """The fast path makes only the jobs of the outputs that showed the page; a list's
    page 3 lives at <list>/pagina/3/ and must be among them."""
    root = _paginated_site(tmp_path)
    shutil.copytree(PROJECT / "templates", root / "templates")
    shutil.copytree(PROJECT / "static", root / "static")
    out, reference = tmp_path / "build", tmp_path / "reference"
    builder = SiteBuilder(root, out, OPTIONS, workers=1)
    assert builder.build().ok
    assert (out / "tags/wonen/pagina/3/index.html").is_file()
    source = root / "content/artikelen/a0.md"
    source.write_text(source.read_text(encoding="utf-8").replace(*edit), encoding="utf-8")
    result = builder.build({"content/artikelen/a0.md"})
    assert result.ok and "model" not in result.timings  # the fast path was taken
    assert _full_build(root, reference).ok
    assert tree(out) == tree(reference)
    for page_3 in ("tags/wonen", "artikelen", "auteurs/anna"):
        assert "nul" in (out / page_3 / "pagina/3/index.html").read_text(encoding="utf-8")


def test_the_preview_keeps_static_files_and_bundle_files_when_a_text_changes(tmp_path):
    """The fast path copies no assets (none can have changed); it keeps the ones the
    last build copied, so none is pruned from the output."""
    root = write_site(
        tmp_path / "site",
        "-- content/artikelen/b/index.md --\n---\ntitle: B\n---\n![Foto](foto.png)\n",
        templates=False,
    )
    (root / "content/artikelen/b/foto.png").write_bytes(b"\x89PNG fake")
    shutil.copytree(PROJECT / "templates", root / "templates")
    shutil.copytree(PROJECT / "static", root / "static")
    out, reference = tmp_path / "build", tmp_path / "reference"
    builder = SiteBuilder(root, out, OPTIONS, workers=1)
    assert builder.build().ok
    page = root / "content/artikelen/b/index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nMeer tekst.\n", encoding="utf-8")
    result = builder.build({"content/artikelen/b/index.md"})
    assert result.ok and "model" not in result.timings and "assets" in result.timings
    assert _full_build(root, reference).ok
    assert tree(out) == tree(reference)
    assert (out / "artikelen/b/foto.png").read_bytes() == b"\x89PNG fake"
    assert (out / "css/site.css").is_file()

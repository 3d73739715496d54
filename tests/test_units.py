"""Unit tests of the pure modules: urls, dates, frontmatter, markdown, taxonomy, events, config."""

import dataclasses
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config import TaxonomyConfig, load_config
from generator.content import PageSource
from generator.dates import long_date, parse_moment, short_date
from generator.events import split_events
from generator.frontmatter import normalise_text, parse_document
from generator.markdown import render_markdown
from generator.pages import build_page, lookup
from generator.site import assemble, with_ties_reordered
from generator.taxonomy import collect_terms, newest_first, paginate
from generator.urls import normalise_alias, output_path, paginated_url, relative_source, slugify
from tests.sitekit import DEFAULT_SITE_YAML, PROJECT, fresh_python

ZONE = ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("dé", "de"),
        ("Gemengd wonen", "gemengd-wonen"),
        ("Mehmet Yılmaz", "mehmet-yilmaz"),
        ("Café de Straat!", "cafe-de-straat"),
        ("dak- en thuislozen", "dak-en-thuislozen"),
        ("  ", ""),
    ],
)
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_slugify_plain_words_shortcut_agrees_with_python_slugify():
    import random

    from slugify import slugify as reference

    rng = random.Random(4)
    alphabet = "abcXYZ019"
    for _ in range(3000):
        words = ["".join(rng.choices(alphabet, k=rng.randint(1, 14))) for _ in range(9)]
        text = "".join(w + rng.choice(" -") for w in words)[: rng.randint(1, 130)].strip(" -")
        expected = reference(text, lowercase=True, max_length=120, word_boundary=True)
        assert slugify(text) == expected, text


def test_urls_and_output_paths():
    assert output_path("/") == "index.html"
    assert output_path("/artikelen/a/") == "artikelen/a/index.html"
    assert output_path("/feed.xml") == "feed.xml"
    assert paginated_url("/tags/wonen/", 1) == "/tags/wonen/"
    assert paginated_url("/tags/wonen/", 3) == "/tags/wonen/pagina/3/"
    assert (
        relative_source("content/artikelen/a.md", "../projecten/p.md") == "content/projecten/p.md"
    )


@pytest.mark.parametrize(
    ("alias", "normal"),
    [
        ("oud/adres", "/oud/adres/"),
        ("/2019/a.html", "/2019/a.html"),
        ("/../etc/passwd", None),
        ("https://elders.nl/x", None),
        ("//elders.nl/x", None),
        ("", None),
    ],
)
def test_aliases_are_normalised_or_refused(alias, normal):
    assert normalise_alias(alias) == normal


def test_moments_parse_with_the_site_time_zone():
    bare = parse_moment("2019-10-03", ZONE)
    assert not bare.has_time and bare.at.tzinfo is ZONE
    timed = parse_moment("2019-10-03 14:00", ZONE)
    assert timed.has_time and timed.at.utcoffset().total_seconds() == 7200
    explicit = parse_moment("2019-12-03T14:00:00+00:00", ZONE)
    assert explicit.at.utcoffset().total_seconds() == 0
    assert parse_moment("2019-13-45", ZONE) is None
    assert parse_moment(["2019-01-01"], ZONE) is None


def test_dutch_dates_come_from_babel():
    moment = parse_moment("2019-10-03", ZONE)
    assert long_date(moment) == "donderdag 3 oktober 2019"
    assert short_date(moment) == "3 oktober 2019"


def test_front_matter_split_with_bom_and_crlf():
    text, problem = normalise_text("\ufeff---\r\ntitle: A\r\n---\r\nTekst\r\n".encode(), "a.md")
    assert problem is None
    doc = parse_document(text, "a.md")
    assert doc.problems == [] and doc.meta == {"title": "A"}
    assert doc.body.strip() == "Tekst" and doc.body_line == 4
    assert doc.line_of("title") == 2


def test_front_matter_keeps_dates_as_text_for_validation():
    doc = parse_document("---\ntitle: A\ndate: 2019-10-03\n---\n", "a.md")
    assert doc.meta["date"] == "2019-10-03"


def test_not_utf8_names_the_line():
    _, problem = normalise_text(b"---\ntitle: A\n---\ncaf\xe9\n", "a.md")
    assert problem.line == 4 and "UTF-8" in problem.message


def test_markdown_rewrites_links_and_reports_missing_ones():
    urls = {"content/projecten/parana.md": "/projecten/parana/"}
    text = "# Kop\n\nZie [P](../projecten/parana.md#doel) en [X](x.md).\n\n| a |\n|---|\n| 1 |\n\nNoot[^1]\n\n[^1]: n\n"
    rendered = render_markdown(text, "content/artikelen/a.md", 10, urls)
    assert 'href="/projecten/parana/#doel"' in rendered.html
    assert '<h1 id="kop">' in rendered.html and "<table>" in rendered.html
    assert 'class="footnotes"' in rendered.html
    assert [m.target for m in rendered.missing] == ["content/artikelen/x.md"]
    assert rendered.missing[0].line == 12
    assert rendered.first_paragraph.startswith("Zie P en X")


def test_markdown_escapes_raw_html():
    rendered = render_markdown("<script>alert(1)</script>\n", "content/a.md", 1, {})
    assert "<script>" not in rendered.html


def _page(source: str, date: str | None, tags=(), title="T", start: str | None = None, end=None):
    meta = {"title": title, "tags": list(tags)}
    if date:
        meta["date"] = date
    section = "evenementen" if start else "artikelen"
    if start:
        meta["start"] = start
        if end:
            meta["end"] = end
    text = (
        "---\n"
        + "\n".join(
            f"{k}: {v!r}" if not isinstance(v, list) else f"{k}: {v}" for k, v in meta.items()
        )
        + "\n---\n"
    )
    config, _ = _config()
    page, problems = build_page(
        PageSource(source, section, name=Path(source).stem), parse_document(text, source), config
    )
    assert page is not None, problems
    return page


def _config():
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "site.yaml").write_text(DEFAULT_SITE_YAML, encoding="utf-8")
        return load_config(Path(folder))


def test_terms_merge_by_slug_and_keep_the_most_used_spelling():
    pages = [
        _page("content/artikelen/a.md", "2019-01-01", ["Gemengd wonen"]),
        _page("content/artikelen/b.md", "2019-02-01", ["gemengd wonen"]),
        _page("content/artikelen/c.md", "2019-03-01", ["gemengd wonen", "dé kans"]),
    ]
    terms = collect_terms(pages, TaxonomyConfig("tags", "tags", "Onderwerpen"))
    assert list(terms) == ["de-kans", "gemengd-wonen"]
    assert terms["gemengd-wonen"].name == "gemengd wonen"
    assert terms["gemengd-wonen"].pages == (
        "content/artikelen/c.md",
        "content/artikelen/b.md",
        "content/artikelen/a.md",
    )
    assert terms["gemengd-wonen"].url == "/tags/gemengd-wonen/"
    # Two spellings of one term on one page: both counted, the page listed once.
    twice = [*pages, _page("content/artikelen/d.md", "2019-04-01", ["Dé kans", "dé kans"])]
    terms = collect_terms(twice, TaxonomyConfig("tags", "tags", "Onderwerpen"))
    assert terms["de-kans"].pages == ("content/artikelen/d.md", "content/artikelen/c.md")
    assert terms["de-kans"].name == "dé kans" and terms["de-kans"].spellings == (
        "Dé kans",
        "dé kans",
    )


def test_newest_first_puts_undated_pages_last_and_paginate_keeps_one_page():
    pages = [
        _page("content/artikelen/x.md", None, title="Zonder"),
        _page("content/artikelen/y.md", "2020-01-01"),
    ]
    assert [p.source for p in newest_first(pages)] == [
        "content/artikelen/y.md",
        "content/artikelen/x.md",
    ]
    assert paginate([], 20) == [[]]
    assert paginate(list(range(45)), 20)[2] == [40, 41, 42, 43, 44]


def test_events_split_around_now_using_their_end():
    now = datetime(2024, 6, 1, 12, 0, tzinfo=ZONE)
    running = _page(
        "content/evenementen/r.md", None, start="2024-06-01 09:00", end="2024-06-01 17:00"
    )
    later = _page("content/evenementen/l.md", None, start="2024-07-01 10:00")
    soon = _page("content/evenementen/s.md", None, start="2024-06-02 10:00")
    old = _page("content/evenementen/o.md", None, start="2023-01-01 10:00")
    older = _page("content/evenementen/oo.md", None, start="2022-01-01 10:00")
    upcoming, past = split_events([later, old, running, older, soon], now)
    assert [p.slug for p in upcoming] == ["r", "s", "l"]
    assert [p.slug for p in past] == ["o", "oo"]


def test_nested_keys_are_found_one_level_down():
    assert lookup({"project": {"city": "Utrecht"}}, "city") == ("Utrecht", ("project", "city"))
    assert lookup({"city": "Leiden", "project": {"city": "Utrecht"}}, "city") == (
        "Leiden",
        ("city",),
    )
    assert lookup({"project": {"deep": {"city": "x"}}}, "city") is None


def test_config_reads_sections_and_taxonomies():
    config, problems = _config()
    assert problems == []
    assert config.sections["projecten"].required == ("city", "organisation")
    assert config.section_of_kind("events").name == "evenementen"
    assert config.taxonomies["city"].path == "steden"
    assert config.base_url == "https://test.example.nl/"


def test_template_output_is_escaped_exactly_as_jinja_escapes_it(tmp_path):
    import jinja2
    from markupsafe import Markup

    from generator.render import make_environment

    class Shown:
        def __html__(self):
            return "<em>al veilig</em>"

    source = (
        "{{ text }}|{{ safe }}|{{ number }}|{{ shown }}|{{ text ~ safe }}|"
        "{% set block %}<b>{{ text }}</b>{% endset %}{{ block }}|"
        "{% macro wrap(x) %}<i>{{ x }}</i>{% endmacro %}{{ wrap(text) }}|{{ wrap(safe) }}|"
        "{{ 'x<y' }}|{% autoescape false %}{{ text }}{% endautoescape %}"
    )
    values = dict(text="a<b & \"c\" 'd'>", safe=Markup("<b>vet</b>"), number=3, shown=Shown())
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.html").write_text(source, encoding="utf-8")
    config, problems = _config()
    assert config is not None, problems
    ours = make_environment(tmp_path, config).get_template("t.html").render(**values)
    plain = jinja2.Environment(autoescape=True).from_string(source).render(**values)
    assert ours == plain
    assert "a&lt;b &amp; &#34;c&#34; &#39;d&#39;&gt;|<b>vet</b>|3|<em>al veilig</em>|" in ours


def test_markup_is_written_as_it_is_not_copied():
    """A page's content, its partials and every card on a list are Markup: escaping
    copied each of them twice (7% of a tag page's render time)."""
    from markupsafe import Markup

    from generator.render import _escape_output

    content = Markup("<p>" + "gemengd wonen " * 1000 + "</p>")
    assert _escape_output(content) is content

    class Shouting(Markup):  # a subclass may say otherwise: it is asked, as escape does
        def __html__(self):
            return Markup(str.upper(self))

    assert _escape_output(Shouting("<b>ja</b>")) == "<B>JA</B>"


_LAYERED = {
    "base.html": (
        "<title>{% block title %}Basis{% endblock %}</title>\n"
        "{% set header %}[{% block kop %}kop{% endblock %}]{% endset %}{{ header }}\n"
        "{% for n in [1, 2] %}{% block rij scoped %}<{{ n }}>{% endblock %}{% endfor %}\n"
        "<main>{% block main %}{% endblock %}</main>\n"
    ),
    "mid.html": (
        '{% extends "base.html" %}'
        "{% block title %}Midden · {{ super() }}{% endblock %}"
        '{% block main %}<div>{% include "part.html" %}{% block inner %}i{% endblock %}</div>'
        "{% endblock %}"
    ),
    "page.html": (
        '{% extends "mid.html" %}'
        "{% macro card(x) %}<c>{% include 'part.html' %}{{ x }}</c>{% endmacro %}"
        "{% block kop %}{{ title }}{% endblock %}"
        "{% block rij %}({{ n }}, {{ super() }}){% endblock %}"
        "{% block inner %}{{ card(title) }}{{ super() }}{% endblock %}"
    ),
    "part.html": "<p>{{ title }}</p>\n",
    "broken.html": '{% extends "mid.html" %}{% block inner %}\n\n{{ title.nope }}{% endblock %}',
}


def _layered_site(tmp_path):
    from generator.render import make_environment

    (tmp_path / "templates").mkdir()
    for name, text in _LAYERED.items():
        (tmp_path / "templates" / name).write_text(text, encoding="utf-8")
    config, problems = _config()
    assert config is not None, problems
    return make_environment(tmp_path, config)


def test_blocks_parents_and_includes_render_exactly_as_jinja_renders_them(tmp_path):
    env = _layered_site(tmp_path)
    plain = jinja2.Environment(
        loader=jinja2.DictLoader(_LAYERED),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    values = {"title": "A & <B>"}
    ours = env.get_template("page.html").render(values)
    assert ours == plain.get_template("page.html").render(values)
    assert "<title>Midden · Basis</title>" in ours and "[A &amp; &lt;B&gt;]" in ours
    assert "(1, <1>)(2, <2>)" in ours


def test_a_block_or_parent_template_is_handed_on_as_one_piece(tmp_path):
    """Not piece by piece through every level (render._CodeGenerator): the page's own
    generator yields a handful of texts, where Jinja's yielded each piece of every level."""
    env = _layered_site(tmp_path)
    template = env.get_template("page.html")
    pieces = list(template.root_render_func(template.new_context({"title": "t"})))
    assert len(pieces) == 1  # the whole parent chain, joined where page.html uses it
    assert "".join(pieces) == template.render(title="t")


def test_an_error_in_a_block_names_its_template_and_line(tmp_path):
    from generator.render import template_problem

    env = _layered_site(tmp_path)
    with pytest.raises(jinja2.UndefinedError) as caught:
        env.get_template("broken.html").render(title="t")
    problem = template_problem(caught.value, tmp_path)
    assert (problem.path, problem.line) == ("templates/broken.html", 3)


def test_templates_see_globals_set_after_they_were_first_rendered(tmp_path):
    from generator.render import make_environment

    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "inner.html").write_text("[{{ x }}]", encoding="utf-8")
    (tmp_path / "templates" / "t.html").write_text(
        '{{ x }}{% include "inner.html" %}', encoding="utf-8"
    )
    config, problems = _config()
    assert config is not None, problems
    env = make_environment(tmp_path, config)
    env.globals["x"] = 1
    template = env.get_template("t.html")
    assert template.render() == "1[1]"
    env.globals["x"] = 2
    assert template.render() == "2[2]"
    env.globals.update(x=3)
    assert template.render() == "3[3]"
    assert template.render(x=4) == "4[4]"  # a value passed wins over a global
    del env.globals["x"]
    with pytest.raises(jinja2.UndefinedError):
        template.render()


def _split_by_lines(text: str):
    """parse_document's split as it was first written, line by line: the reference."""
    lines = text.split("\n")
    if not text.strip() or lines[0].rstrip() != "---":
        return None
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if closing is None:
        return None
    return "\n".join(lines[closing + 1 :]), closing + 2


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["---", "...", "--- ", "---\t", "----", " ---", "...\x1c", "---\u2028"])
        | st.sampled_from(["title: A", "", " ", "tekst", "- x", "..", "-- -", "\u00a0"]),
        max_size=7,
    )
)
def test_the_front_matter_closes_where_a_line_by_line_reading_says(lines):
    text = "\n".join(lines)
    doc = parse_document(text, "a.md")
    expected = _split_by_lines(text)
    if expected is None:
        assert doc.problems and doc.problems[0].line == 1
    else:
        assert (doc.body, doc.body_line) == expected


_TIE_DATES = ["2020-01-01", "2020-01-02", "2020-01-03"]
_TIE_TITLES = ["Aap", "aap", "Beta", "Zulu", "noot", "Mies"]


def _tie_site(specs: list[tuple]) -> tuple:
    """Articles and events on few dates (so they tie), with tags, authors and links."""
    config, _ = _config()
    pages = []
    for i, (date, title, tags, authors, event) in enumerate(specs):
        if event:
            page = _page(f"content/evenementen/e{i}.md", None, tags, title, f"{date} 10:00")
        else:
            page = _page(f"content/artikelen/p{i}.md", date, tags, title)
        pages.append(dataclasses.replace(page, authors=authors))
    for slug in ("anna", "bob"):
        author = _page(f"content/auteurs/{slug}.md", None, title=slug.title())
        pages.append(dataclasses.replace(author, kind="author", section="auteurs", slug=slug))
    urls = {p.source: p.url for p in pages}
    rendered = {
        p.source: render_markdown(
            "".join(f"[{q.title}](../artikelen/{Path(q.source).name}) " for q in pages[:3]),
            p.source,
            1,
            urls,
        )
        for p in pages
    }
    return config, pages, rendered


@settings(max_examples=120, deadline=None)
@given(
    specs=st.lists(
        st.tuples(
            st.sampled_from(_TIE_DATES),
            st.sampled_from(_TIE_TITLES),
            st.lists(st.sampled_from(["wonen", "zorg"]), max_size=2, unique=True),
            st.sampled_from([(), ("anna",), ("anna", "bob")]),
            st.booleans(),
        ),
        min_size=2,
        max_size=9,
    ),
    retitled=st.dictionaries(st.integers(0, 8), st.sampled_from(_TIE_TITLES), min_size=1),
)
def test_reordering_tied_pages_gives_the_site_assembling_gives(specs, retitled):
    """The preview's way after new titles (with_ties_reordered) against assembling the
    whole site again: every list in the same order."""
    config, pages, rendered = _tie_site(specs)
    now = datetime(2020, 1, 2, 0, 0, tzinfo=ZONE)
    before = assemble(config, pages, rendered, now, {}, {})
    changed = [i for i in retitled if i < len(specs)]
    after = [
        dataclasses.replace(p, title=retitled[i]) if i in changed else p
        for i, p in enumerate(pages)
    ]
    moved = set()
    for i in changed:
        page = after[i]
        moved.update(p.source for p in after if p.sort_moment == page.sort_moment)
        if page.event:
            moved.update(
                p.source for p in after if p.event and p.event.start.at == page.event.start.at
            )
    edited = dataclasses.replace(before, pages={p.source: p for p in after})
    got = with_ties_reordered(edited, moved)
    expected = assemble(config, after, rendered, now, {}, {})
    for name in ("newest", "sections", "terms", "by_author", "backlinks", "upcoming", "past"):
        assert getattr(got, name) == getattr(expected, name), name
    assert [p.source for p in got.articles()] == [p.source for p in expected.articles()]


@pytest.mark.parametrize(
    "value",
    [
        {"@type": "Article", "headline": "Zomer </script> & <b> \u2028 café"},
        {1: "een sleutel die geen tekst is", "groot": 2**70},  # orjson refuses: json writes it
    ],
)
def test_json_ld_is_json_that_cannot_close_its_script(value):
    from generator.render import _json_ld

    text = str(_json_ld(value))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == json.loads(json.dumps(value))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab &<>\"'\n\r\t\x00\x0b\ufffeé"), max_size=20))
def test_feed_text_and_attributes_are_escaped_as_the_standard_library_does(text):
    """Feeds escape with their own copy of saxutils' escape and quoteattr (whose module
    imports urllib.request, and with it ssl, http and email, at every build's start)."""
    from xml.sax.saxutils import escape, quoteattr

    from generator.feeds import _attr, _x, _xml_safe

    assert _x(text) == escape(_xml_safe(text))
    assert _attr(text) == quoteattr(_xml_safe(text))


def test_a_build_does_not_load_what_only_the_external_link_check_uses():
    """urllib.request brings ssl, http and email, the check itself a thread pool: 15 ms of
    every start, for a check that runs only when asked for."""
    code = (
        "import sys, generator.cli, generator.engine;"
        "print(sorted(m for m in ('urllib.request', 'ssl', 'http.client', 'generator.external',"
        " 'concurrent.futures') if m in sys.modules))"
    )
    assert fresh_python(code).strip() == "[]"


def test_the_render_side_loads_beside_the_front_matter_not_at_the_start():
    """Jinja, Babel and the render's modules are a fifth of the start (20 ms): a build
    loads them while its workers parse front matter, and `new` and `--help` not at all."""
    code = (
        "import sys, generator.cli, generator.engine;"
        "print(sorted(m for m in ('jinja2', 'babel', 'generator.rendering', 'generator.render')"
        " if m in sys.modules));"
        "generator.engine._render_side();"
        "print(all(m in sys.modules for m in ('jinja2', 'babel.dates', 'generator.rendering')))"
    )
    assert fresh_python(code).split("\n")[:2] == ["[]", "True"]


def test_a_build_loads_icalendar_only_when_it_makes_a_calendar():
    """25 ms of every start otherwise; the feeds are made in one process (the parent
    takes the render pool from the front), so the import falls there, in parallel."""
    code = (
        "import sys, generator.cli, generator.engine; print('icalendar' in sys.modules);"
        "from generator.feeds import _timezone_block; _timezone_block('Europe/Amsterdam');"
        "print('icalendar' in sys.modules)"
    )
    assert fresh_python(code).split() == ["False", "True"]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab\\^;,: \té€😀")), max_size=320))
def test_calendar_lines_are_folded_as_icalendar_folds_them(line):
    """feeds.folded folds the content lines of a calendar (icalendar's own to_ical goes
    through every line character by character: 50 of an event calendar's 250 us). The
    bytes are icalendar's, at every length, with an escape or a multi-byte character
    right at a fold."""
    from icalendar.parser import Contentline

    from generator.feeds import folded

    assert folded(line) == Contentline(line).to_ical()


def test_templates_write_characters_beyond_latin_1_as_entities():
    """Python keeps a text in one byte a character only while every character in it is
    Latin-1: one '…' in the header made every page twice the size to build, join and
    encode (5% of an article page's render time, benchmarks/render_costs.py). Templates
    write such characters as entities (&hellip;, &rarr;), which readers see the same."""
    for path in sorted((PROJECT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            wide = sorted({char for char in line if ord(char) > 0xFF})
            assert not wide, f"{path.relative_to(PROJECT)}:{number}: write {wide} as entities"


@pytest.mark.parametrize("base_url", ["https://voorbeeld.nl/", "https://voorbeeld.nl/kb/"])
@given(path=st.text(alphabet="/ab#?.:", max_size=8))
@settings(max_examples=150, deadline=None)
def test_the_url_filter_puts_a_site_path_under_the_base_url_and_leaves_the_rest(base_url, path):
    import dataclasses

    from generator.render import make_environment

    config, _problems = _config()
    config = dataclasses.replace(config, base_url=base_url)
    url = make_environment(Path("."), config).filters["url"]
    prefix = base_url.removeprefix("https://voorbeeld.nl").rstrip("/")
    expected = prefix + "/" + path.lstrip("/") if path.startswith("/") else path
    assert url(path) == expected


def test_a_build_starts_without_libraries_only_later_stages_need():
    """What the command line imports runs before the first workers fork, in one process:
    PyYAML (only for YAML the quick parser declines), OpenSSL's hashes (none are
    needed) and orjson (the render's) are not among it."""
    from tests.sitekit import fresh_python

    code = (
        "import sys\n"
        "import generator.cli\n"
        "print(sorted(m for m in ('yaml', '_hashlib', 'orjson', 'jinja2') if m in sys.modules))\n"
    )
    assert fresh_python(code).strip() == "[]"

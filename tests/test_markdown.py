"""generator/markdown.py: what the engine (cmark-gfm) must get right for us."""

from urllib.parse import SplitResult, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.markdown import render_markdown
from generator.markdown_quick import render_quick as _render_quick
from generator.markdown_walk import render_walked as _render_walked
from generator.rendered import PLAIN_PATH as _PLAIN_PATH
from tests.sitekit import fresh_python

URLS = {
    "content/projecten/parana.md": "/projecten/parana/",
    "content/artikelen/b.md": "/artikelen/b/",
}


def render(text: str, first_line: int = 1):
    return render_markdown(text, "content/artikelen/a.md", first_line, URLS)


def test_a_link_on_line_n_of_a_paragraph_reports_line_n():
    text = "Eerste regel\ntweede regel\nderde [weg](weg.md) en\n[ook](ook.md) hier\n"
    rendered = render(text, first_line=5)
    assert [(m.target, m.line) for m in rendered.missing] == [
        ("content/artikelen/weg.md", 7),
        ("content/artikelen/ook.md", 8),
    ]


@pytest.mark.parametrize("raw", ["", "<br>\n"])  # the quick way, and the walk (raw HTML)
def test_the_sources_a_text_links_to_are_listed_once_each_in_the_order_first_linked(raw):
    """What the site's backlinks are made of, worked out where the Markdown is rendered."""
    text = raw + "[b](b.md), [weg](weg.md#x) en [p](../projecten/parana.md)\n\n[b](b.md#kop)\n"
    assert render(text).targets == (
        "content/artikelen/b.md",
        "content/artikelen/weg.md",
        "content/projecten/parana.md",
    )


def test_links_in_lists_quotes_tables_and_footnotes_are_rewritten_with_their_lines():
    text = (
        "- punt [a](b.md)\n"  # 1
        "  - dieper [p](../projecten/parana.md#doel)\n"  # 2
        "\n"
        "> citaat\n"  # 4
        "> met [c](b.md)\n"  # 5
        "\n"
        "| kolom |\n"  # 7
        "|---|\n"
        "| [d](b.md) |\n"  # 9
        "\n"
        "Tekst[^n]\n"  # 11
        "\n"
        "[^n]: noot met [e](b.md)\n"  # 13
    )
    rendered = render(text)
    assert [link.line for link in rendered.links] == [1, 2, 5, 9, 13]
    assert rendered.missing == ()
    assert rendered.html.count('href="/artikelen/b/"') == 4
    assert 'href="/projecten/parana/#doel"' in rendered.html
    assert ".md" not in rendered.html


def test_parsed_and_rendered_pages_pickle_as_calls_of_their_classes():
    """What crosses from the workers and goes into the cache: each object a call of its
    class with its field values (REDUCE), not a new object whose state a __setstate__
    then sets (NEWOBJ and BUILD), which took more opcodes and calls per object."""
    import pickle
    import pickletools

    from generator.cache import _unpickle
    from generator.errors import Problem

    rendered = render("# Een\n\nTekst met [een link](b.md) en [weg](weg.md).\n")
    problem = Problem("content/a.md", 3, "iets")
    for value in (rendered, problem):
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        opcodes = {op.name for op, _arg, _pos in pickletools.genops(data)}
        assert "REDUCE" in opcodes and not opcodes & {"NEWOBJ", "BUILD"}
        assert _unpickle(data) == value  # the cache's own, careful unpickler takes it


def test_rendered_markdown_crosses_to_the_parent_as_plain_data_but_keeps_its_headings():
    """Every page's Rendered is pickled by a worker, unpickled by the parent and kept in
    the cache: its headings travel as plain rows (no Heading objects, half of its
    pickling time), and are Headings again where they are read."""
    import pickle

    from generator.rendered import Heading

    rendered = render("# Een\n\nTekst met [een link](b.md).\n\n## Twee\n")
    data = pickle.dumps(rendered, protocol=pickle.HIGHEST_PROTOCOL)
    assert b"Heading" not in data
    again = pickle.loads(data)  # noqa: S301 - made just above
    assert again.headings == (Heading(1, "een", "Een"), Heading(2, "twee", "Twee"))
    assert again == rendered


def test_headings_get_the_ids_markdown_it_anchors_gave():
    text = (
        "# Kop\n\n## Kop\n\nKop\n---\n\n### `code` en *nadruk*\n\n#### !!!\n\n##### Vijf\n\n# Kop\n"
    )
    rendered = render(text)
    anchors = [(h.level, h.anchor) for h in rendered.headings]
    assert anchors == [
        (1, "kop"),
        (2, "kop-1"),
        (2, "kop-2"),
        (3, "code-en-nadruk"),
        (4, "kop-3"),
        (5, ""),
        (1, "kop-4"),
    ]
    assert '<h1 id="kop">' in rendered.html and '<h2 id="kop-2">' in rendered.html
    assert '<h4 id="kop-3">' in rendered.html and "<h5>Vijf</h5>" in rendered.html


def test_heading_ids_stay_in_order_with_footnotes_and_code():
    text = "# Een[^1]\n\n```\n<h2>geen kop</h2>\n```\n\n## Twee\n\n[^1]: noot\n\n# Drie\n"
    html = render(text).html
    assert html.index('<h1 id="een">') < html.index('<h2 id="twee">') < html.index('id="drie"')
    assert "&lt;h2&gt;geen kop&lt;/h2&gt;" in html


def test_raw_html_is_shown_as_text_and_never_runs():
    text = (
        "Tekst met <b>vet</b> en <img src=x onerror=alert(1)>\n\n"
        "<script>alert(1)</script>\n\n"
        "<div>\nblok\n</div>\n\n"
        "<!-- opmerking -->\n\n"
        "[x](javascript:alert(1))\n"
    )
    html = render(text).html
    assert "&lt;b&gt;vet&lt;/b&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<p>&lt;div&gt;\nblok\n&lt;/div&gt;</p>" in html
    assert "&lt;!-- opmerking --&gt;" in html
    assert "<script" not in html and "<div" not in html and "<!--" not in html
    assert "<b>" not in html and "<img" not in html and "javascript:" not in html


def test_markdown_inside_raw_html_is_still_rendered_and_its_links_checked():
    text = (
        '<div class="kader">\n'  # 1
        "Lees [dit](b.md) en *dat*\n"  # 2
        "</div>\n\n"
        "> <b>citaat</b> met [weg](weg.md)\n\n"  # 5
        "<https://example.org/x>\n\n"  # 7
        "```html\n<div>code</div>\n```\n"  # 9-11
    )
    rendered = render(text)
    html = rendered.html
    assert '&lt;div class=&quot;kader&quot;&gt;\nLees <a href="/artikelen/b/">dit</a>' in html
    assert "<em>dat</em>" in html and "&lt;b&gt;citaat&lt;/b&gt;" in html
    assert [(m.target, m.line) for m in rendered.missing] == [("content/artikelen/weg.md", 5)]
    assert '<a href="https://example.org/x">https://example.org/x</a>' in html
    assert '<pre><code class="language-html">&lt;div&gt;code&lt;/div&gt;\n</code></pre>' in html
    assert "<div" not in html and "\\" not in html


def test_first_paragraph_is_plain_text_of_the_first_paragraph_with_text():
    text = (
        "# Kop\n\n![alleen een beeld](x.png)\n\n- Eerste *echte* [tekst](b.md)\n  met `code` <i>\n"
    )
    rendered = render(text)
    assert rendered.first_paragraph == "Eerste echte tekst met code <i>"


def test_tables_strikethrough_and_footnotes():
    text = "| a | b |\n|:-:|--:|\n| 1 | 2 |\n\n~~weg~~ en ~blijft~\n\nNoot[^x]\n\n[^x]: uitleg\n"
    html = render(text).html
    assert "<table>" in html and '<th style="text-align: center">a</th>' in html
    assert "<del>weg</del>" in html and "~blijft~" in html
    assert 'class="footnotes"' in html and 'href="#fn-x"' in html and 'id="fn-x"' in html
    assert "aria-label" not in html  # cmark-gfm's is English


def test_images_files_external_and_own_anchors_with_lines():
    text = "# Doel\n\n![Een *foto*](foto.jpg)\n[pdf](bijlage.pdf) [site](https://example.org)\n[mail](mailto:a@b.nl) [hier](#doel)\n"
    rendered = render(text, first_line=3)
    assert rendered.images == (("foto.jpg", "Een foto", 5),)
    assert rendered.files == (("bijlage.pdf", 6),)
    assert rendered.external == (("https://example.org", 6),)
    assert rendered.own_anchors == (("doel", 7),)


def test_odd_characters_survive():
    rendered = render("a\x00b &amp; &copy; é 😀\n")
    assert rendered.html == "<p>a\ufffdb &amp; © é 😀</p>\n"


def test_backslash_line_breaks_count_as_lines():
    # cmark itself forgets these in the lines of links; markdown.py counts them.
    rendered = render("een\\\ntwee\\\n[drie](drie.md) ![vier](4.png)\n", first_line=2)
    assert [m.line for m in rendered.missing] == [4]
    assert rendered.images == (("4.png", "vier", 4),)


def test_a_paragraph_right_above_a_table_keeps_its_lines():
    rendered = render("x\n\n![foto](x.png) [a](a.md)\n| a |\n|---|\n| [b](b.md) |\n")
    assert rendered.images == (("x.png", "foto", 3),)
    assert [(link.href, link.line) for link in rendered.links] == [("a.md", 3), ("b.md", 6)]


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=st.characters(max_codepoint=0x17F), max_size=30)
    | st.from_regex(r"\A(\.\./)?[a-z/._-]{0,20}\.md\Z")
)
def test_a_link_taken_as_a_plain_path_is_what_urlsplit_makes_of_it(href):
    """The walk skips urlsplit for addresses that are a plain relative path; for those,
    urlsplit would have given the whole address back as the path."""
    if _PLAIN_PATH.fullmatch(href):
        assert urlsplit(href) == SplitResult("", "", href, "", "")


def test_later_paragraphs_still_have_their_links_and_raw_html_on_any_line():
    """Paragraphs after the first are walked only when their lines can hold a link or
    raw HTML: a link on the third line of one, and a tag in a table-less paragraph,
    must still be found."""
    text = (
        "Eerste alinea.\n\n"
        "Tweede alinea zonder iets.\n\n"
        "Derde alinea,\nover twee regels\\\nen dan [de ander](b.md) op de derde.\n\n"
        "Vierde met <b>vet</b> als tekst.\n"
    )
    rendered = render_markdown(text, "content/a/p.md", 10, {"content/a/b.md": "/a/b/"})
    assert [(link.target, link.line) for link in rendered.links] == [("content/a/b.md", 16)]
    assert 'href="/a/b/"' in rendered.html
    assert "&lt;b&gt;vet&lt;/b&gt;" in rendered.html


# Pieces of Markdown for the quick way (no walk of cmark's tree), to be compared with the
# walk: what it handles, and (last line) what it must leave to the walk.
PIECES = [
    "# Kop",
    "## Kop twee",
    "### Kop [l](a.md) drie",
    "Setext [l](c.md)\ntwee\n---",
    "Kop\n===",
    "tekst",
    "*nadruk*",
    "**vet**",
    "_x_",
    "~~weg~~",
    "a > b \"q\" 'e'",
    "ä ö",
    "regel  \nbreak",
    "[link](a.md)",
    "[x](../b.md#frag)",
    "[ext](https://e.nl/x?a=1)",
    "[f](file.pdf)",
    "[w](#kop)",
    "[v](mailto:a@b.nl)",
    "[q](/a.md)",
    "[r](c.md?x=1)",
    "[s](//[x)",
    "[u](%20.md)",
    "[leeg]()",
    '[z](a.md "titel")',
    "[a [b] c](a.md)",
    "[a\nb](a.md)",
    "[*e*](a.md)",
    "**[b](c.md)**",
    "[x](a.md)[y](c.md)",
    "[k]( a.md)",
    "[[n](a.md)](c.md)",
    "[j](javascript:alert(1))",
    "[é](é.md)",
    "[sp](a b.md)",
    "[par](a(b).md)",
    "](x)",
    "[niet](",
    "[x] (a.md)",
    "[x](a.md) ](",
    "> quote",
    "> [q](a.md)",
    "> > diep\n> nog",
    "- item",
    "- [li](a.md)",
    "1. een",
    "   - diep",
    "- [ ] taak",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "| [l](a.md) | b |\n|---|---|\n| c | [d](c.md) |",
    "    ingesprongen [c](a.md)",
    "---",
    "***",
    "![i](a.png)",
    "[^1]",
    "[^1]: noot [n](a.md)",
    "[r]",
    "[a][r]",
    "[r]: a.md",
    "`[c](a.md)`",
    "<b>x</b>",
    "\\[x](a.md)",
    "&amp;",
]


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(PIECES), st.sampled_from(["", " ", "\n", "\n\n"])),
        min_size=1,
        max_size=16,
    )
)
def test_the_quick_way_renders_exactly_what_the_walk_renders(parts):
    """HTML, headings, links with their lines, first paragraph: the same Rendered."""
    text = "".join(piece + after for piece, after in parts)
    urls = {"content/a.md": "/a/", "content/x/c.md": "/c/", "content/x/a.md": "/x a/"}
    assert render_markdown(text, "content/x/p.md", 5, urls) == _render_walked(
        text, "content/x/p.md", 5, urls
    )


@pytest.mark.parametrize(
    "text",
    [
        # cmark-gfm gives the inlines of a table's first row the line above the table.
        "regel  \nbreak\n| [l](a.md) | b |\n|---|---|\n| c | [d](c.md) |\n",
        "Een [link](a.md) en dan een beeld ![i](b.png)\n",  # a '](' after the last link
        "[a](a.md)\n\n    [code](a.md)\n",  # a '](' that is no link
        "Tekst[^1] met [a](a.md)\n\n[^1]: noot\n",
        "[r]: a.md\n\n[a][r] en [b](c.md)\n",
        "- eerste punt\n\nTweede alinea\n",  # a first paragraph that cmark writes without <p>
        "Setext [l](c.md)\ntwee\n---\n\n[x\ny](a.md)\n",
        "Tekst\n\n[een link\nmet [haken] erin](a.md)\n",  # its '[' is on the line above
        "Oude regeleinden\rmet [een link](a.md)\r",  # '\r' ends a line for cmark too
    ],
)
def test_what_the_quick_way_cannot_read_from_html_is_left_to_the_walk(text):
    urls = {"content/x/a.md": "/a/", "content/x/c.md": "/c/"}
    assert render_markdown(text, "content/x/p.md", 1, urls) == _render_walked(
        text, "content/x/p.md", 1, urls
    )


def test_a_plain_article_is_rendered_the_quick_way():
    text = (
        "Inleiding met [een project](../projecten/parana.md) erin.\n\n"
        "## Doelgroepen\n\n"
        "- starters\n- statushouders\n\n"
        "| Doelgroep | Woningen |\n|---|---|\n| starters | 21 |\n\n"
        "Meer bij [b](b.md#kop) en [elders](https://example.org/x).\n"
    )
    quick = _render_quick(text, "content/artikelen/a.md", 3, URLS)
    assert quick is not None
    assert quick == _render_walked(text, "content/artikelen/a.md", 3, URLS)
    assert [(link.target, link.line) for link in quick.links] == [
        ("content/projecten/parana.md", 3),
        ("content/artikelen/b.md", 14),
    ]
    assert quick.first_paragraph == "Inleiding met een project erin."
    assert 'href="/projecten/parana/"' in quick.html
    assert '<h2 id="doelgroepen">' in quick.html


def test_plain_markdown_is_rendered_without_loading_cffis_parser():
    """cmarkgfm's compiled module renders the common text; the C declarations of the
    walk (parsed by pycparser, 20 ms in every process of a build) load only for a text
    that needs the walk."""
    code = (
        "import sys\n"
        "from generator.markdown import render_markdown\n"
        "r = render_markdown('# Kop\\n\\nTekst met [a](a.md).\\n', 'content/p.md', 1,"
        " {'content/a.md': '/a/'})\n"
        "assert r.html.startswith('<h1 id=\"kop\">'), r.html\n"
        "print(sorted(m for m in ('cffi', 'pycparser') if m in sys.modules))\n"
        "render_markdown('<b>x</b>\\n', 'content/p.md', 1, {})\n"
        "print(sorted(m for m in ('cffi', 'pycparser') if m in sys.modules))\n"
    )
    assert fresh_python(code).split("\n")[:2] == ["[]", "['cffi', 'pycparser']"]

"""Property-based tests: random and hostile front matter and Markdown.

Whatever an editor (or an attacker) writes, a build either succeeds or reports
errors with exit 1, never crashes; and what it writes is well-formed, with no
injected script or event-handler attribute anywhere (HTML, attributes, JSON-LD,
Atom, sitemap, iCalendar, JSON such as a search index).
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import xml.etree.ElementTree as ElementTree
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import html5lib
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.textclean import clean_text
from tests.outputcheck import check_build
from tests.sitekit import write_site

NEEDLE = "1337"
PAYLOADS = [
    "<script>alert(1337)</script>",
    "</script><script>alert(1337)</script>",
    '" onmouseover="alert(1337)',
    "' onfocus='alert(1337)' autofocus='",
    "<img src=x onerror=alert(1337)>",
    "<svg onload=alert(1337)>",
    "<iframe src=javascript:alert(1337)>",
    "javascript:alert(1337)",
    "]]><x>",
    "<!--",
    "-->",
    "&amp;&lt;&",
    "{{ 7*7 }}{% raw %}",
    "\\u003c/script\\u003e",
    "\nBEGIN:VEVENT\nSUMMARY:1337\nEND:VEVENT\n",
    "\r\n",
    "\u2028\u2029",
    "\x00\x01\x0b\x0c\x1b\x7f\x85",
    "\ufffe\uffff\U0010ffff",
    "Gemengd wonen",
    "dé",
]
# Bounded so the suite stays fast: each example is a whole build (~0.1-1 s).
# KENNISBANK_EXAMPLES=1000 searches harder (minutes), e.g. before a release.
EXAMPLES = int(os.environ.get("KENNISBANK_EXAMPLES", "100"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=10_000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HOSTILE_SETTINGS = settings(SETTINGS, max_examples=max(1, EXAMPLES * 2 // 5))
ERROR_LINE = re.compile(r"^(content|site\.yaml|templates)[^:]*(:\d+)*: fout: ")

hostile = st.lists(
    st.one_of(
        st.sampled_from(PAYLOADS),
        st.text(st.characters(exclude_categories=["Cs"]), max_size=8),
    ),
    min_size=1,
    max_size=4,
).map("".join)


def _build(site: Path) -> tuple[int, str]:
    err, out = io.StringIO(), io.StringIO()
    with redirect_stderr(err), redirect_stdout(out):
        try:
            code = main(["build", "--source", str(site), "--now", "2024-06-01T12:00"])
        except SystemExit as exit_:
            code = exit_.code
    return code, err.getvalue()


def _assert_reported(code: int, err: str) -> None:
    assert code in (0, 1), err
    assert "Traceback" not in err
    if code == 1:
        lines = err.splitlines()
        assert lines[-1].endswith("build/ is niet veranderd."), err
        assert any(ERROR_LINE.match(line) for line in lines), err


def _fm(data: dict) -> str:
    return "---\n" + yaml.safe_dump(data, allow_unicode=True) + "---\n"


# --- 1. anything at all never crashes a build ---

KEYS = [
    "title",
    "date",
    "updated",
    "summary",
    "tags",
    "author",
    "draft",
    "slug",
    "aliases",
    "start",
    "end",
    "location",
    "registration",
    "city",
    "organisation",
    "project",
]
yaml_chars = st.sampled_from(list("ab1é :-'\"[]{}#&*!|>%@`,?.\\/<>\t\n"))
raw_value = st.one_of(
    st.text(yaml_chars, max_size=20),
    st.sampled_from(
        [
            "2019-13-45",
            "2019-10-03 14:00",
            "0001-01-01",
            "9999-12-31T23:59+05:00",
            "true",
            "null",
            "~",
            "[a, b]",
            "{a: b}",
            "&a x",
            "*a",
            "!!binary aGk=",
            '"\\ud800"',
            '"\\x01"',
            "https://x.nl/",
            "javascript:x",
            "../../etc",
        ]
    ),
)
BASE = {"title": "Titel", "start": "2030-01-01", "city": "a", "organisation": "b"}
random_pairs = st.lists(st.tuples(st.sampled_from(KEYS), raw_value), max_size=4)


def _lines(pairs: list[tuple[str, str]], base: dict) -> str:
    merged = dict(base)  # random keys override the base: never a duplicate key
    merged.update(pairs)
    return "".join(f"{k}: {v}\n" for k, v in merged.items())


raw_front_matter = st.one_of(
    # mostly valid keys plus a few random ones, so that many examples reach rendering
    random_pairs.map(lambda pairs: _lines(pairs, BASE)),
    random_pairs.map(lambda pairs: _lines(pairs, {})),
    st.text(yaml_chars, max_size=80),
)
markdown = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "# Kop\n",
                "[a](b.md)",
                "[p](../projecten/p.md#x)",
                "![img](x.png)",
                "| a | b |\n|---|---|\n| 1 | 2 |\n",
                "[^1]\n\n[^1]: voet\n",
                "```\ncode\n",
                "<script>alert(1337)</script>",
                "[x](javascript:alert(1337))",
                "---\n",
                "\n\n",
                "* ",
                "> ",
                "&",
                "\x00",
            ]
        ),
        st.text(max_size=10),
    ),
    max_size=12,
).map("".join)


@SETTINGS
@given(
    section=st.sampled_from(["artikelen", "projecten", "evenementen", "auteurs", None]),
    front_matter=raw_front_matter,
    fenced=st.sampled_from([True, True, True, False]),
    body=markdown,
)
def test_anything_builds_or_is_reported(section, front_matter, fenced, body):
    with tempfile.TemporaryDirectory() as tmp:
        site = write_site(Path(tmp), "-- content/auteurs/redactie.md --\n---\ntitle: R\n---\n")
        path = Path(tmp, "content", section or "", "x.md")
        path.parent.mkdir(parents=True, exist_ok=True)
        text = f"---\n{front_matter}---\n{body}" if fenced else front_matter + body
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        code, err = _build(site)
        event(f"exit {code}: {err.split(': ')[1][:30] if code else ''}")
        _assert_reported(code, err)
        if code == 0:
            check_build(site / "build", NEEDLE)


# --- 2. hostile values that are valid are published escaped everywhere ---


@HOSTILE_SETTINGS
@given(
    title=hostile,
    summary=hostile,
    tags=st.lists(hostile, min_size=1, max_size=3),
    location=hostile,
    query=hostile,
    author=hostile,
    city=hostile,
    body=hostile,
)
def test_hostile_values_are_escaped_everywhere(
    title, summary, tags, location, query, author, city, body
):
    article = {
        "title": "T " + title,
        "date": "2019-05-01",
        "summary": summary,
        "tags": ["t " + t for t in tags],
        "author": "redactie",
    }
    event = {
        "title": "E " + title,
        "start": "2030-10-03 13:30",
        "location": location,
        "registration": "https://aanmelden.example.nl/?q=" + query,
        "summary": summary,
        "tags": ["t " + t for t in tags],
    }
    project = {"title": "P " + title, "city": "c " + city, "organisation": "o " + city}
    with tempfile.TemporaryDirectory() as tmp:
        site = write_site(Path(tmp), "")
        files = {
            "content/auteurs/redactie.md": _fm({"title": "A " + author}) + body,
            "content/artikelen/a.md": _fm(article) + body,
            "content/evenementen/e.md": _fm(event) + body,
            "content/projecten/p.md": _fm(project) + body,
        }
        for name, text in files.items():
            (site / name).parent.mkdir(parents=True, exist_ok=True)
            (site / name).write_text(text, encoding="utf-8")
        code, err = _build(site)
        assert code == 0, err
        assert check_build(site / "build", NEEDLE) > 10
        # escaped, not mangled or dropped: the exact text comes back out of HTML and Atom
        expected = _as_parsed(article["title"])
        page = html5lib.parse(
            (site / "build/artikelen/a/index.html").read_bytes(), namespaceHTMLElements=False
        )
        assert "".join(page.find(".//h1").itertext()) == expected
        feed = ElementTree.fromstring((site / "build/feed.xml").read_bytes())
        titles = [e.text or "" for e in feed.iter("{http://www.w3.org/2005/Atom}title")]
        assert expected in titles


def _as_parsed(text: str) -> str:
    """What a parser gives back for a front-matter text: cleaned, stripped, LF line ends."""
    return clean_text(text).strip().replace("\r\n", "\n").replace("\r", "\n")


# --- what the properties found, kept as plain regression tests ---


def test_title_with_line_breaks_cannot_inject_calendar_lines(tmp_path):
    site = write_site(
        tmp_path,
        "-- content/evenementen/e.md --\n"
        + _fm({"title": "E\nBEGIN:VEVENT\nSUMMARY:1337\nEND:VEVENT", "start": "2030-10-03"}),
    )
    code, err = _build(site)
    assert code == 0, err
    check_build(site / "build", NEEDLE)
    raw = (site / "build/evenementen/e/event.ics").read_bytes()
    assert raw.count(b"\r\nBEGIN:VEVENT\r\n") == 1
    assert b"X-WR-CALNAME:E\\nBEGIN:VEVENT\\nSUMMARY:1337\\nEND:VEVENT" in raw


def test_invisible_control_characters_never_reach_the_output(tmp_path):
    site = write_site(
        tmp_path,
        '-- content/artikelen/a.md --\n---\ntitle: "A\\x01B\\x85C\\uffff"\n---\nTekst\x1f met\x0b stuurtekens.\n',
    )
    code, err = _build(site)
    assert code == 0, err
    check_build(site / "build", NEEDLE)
    html = (site / "build/artikelen/a/index.html").read_text(encoding="utf-8")
    assert "<h1>ABC</h1>" in html and "Tekst met stuurtekens." in html

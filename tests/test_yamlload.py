"""generator/yamlload.py: front matter values are what PyYAML's safe loader makes
(timestamps kept as text), also on the quick paths that skip its generic machinery
(generator/quickyaml.py parses simple front matter without PyYAML at all)."""

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from generator.i18n import translate
from generator.quickyaml import _ODD, quick_mapping
from generator.textclean import _INVISIBLE, clean_text, clean_value, is_clean
from generator.yamlload import load_mapping
from generator.yamlpyyaml import _Loader
from generator.yamlpyyaml import load_with_pyyaml as _load_with_pyyaml

DOCUMENTS = [
    "title: Tekst\ncount: 12\nratio: 1.5\nhex: 0x1A\noctal: 0o17\nbig: 1_000\n",
    "yes_: yes\nno_: No\non_: on\ntrue_: true\nnull_: ~\nempty:\nnan: .nan\ninf: -.inf\n",
    "date: 2024-03-01\nwhen: 2024-03-01 10:30:00+01:00\nsexagesimal: 1:30\n",
    "quoted: '12'\ndouble: \"regel\\nnog een\"\nfolded: >\n  een\n  twee\nliteral: |\n  a\n  b\n",
    "tags: [wonen, zorg]\nproject:\n  city: Leiden\n  units: [1, 2.5, true, null]\n",
    "nested:\n  - naam: a\n    lijst: [[1, 2], {x: y}]\n  - b\n1: getal als sleutel\ntrue: waar\n",
    "set: !!set {a, b}\nbinary: !!binary aGFsbG8=\nstr: !!str 12\n",
    "? [a, b]\n: lijst als sleutel\n",
    "ordered: !!omap [a: 1, b: 2]\n",
    'tags: [", ", "", "a, b", "x"]\nsummary: ""\ntitle: "Een: twee # drie"\n',
]


def _reference(text: str):
    try:
        return ("ok", clean_value(yaml.load(text, Loader=_Loader)))
    except yaml.YAMLError as error:
        return ("error", type(error).__name__)


@pytest.mark.parametrize("text", DOCUMENTS)
def test_values_are_what_the_safe_loader_makes(text):
    loaded = load_mapping(text, "content/x.md")
    kind, expected = _reference(text)
    if kind == "ok":
        assert not loaded.problems
        assert loaded.data == expected
        assert [type(v) for v in loaded.data.values()] == [type(v) for v in expected.values()]
    else:
        assert loaded.problems and not loaded.data


def test_dates_stay_text_for_the_date_checks():
    loaded = load_mapping("date: 2024-03-01\n", "content/x.md")
    assert loaded.data == {"date": "2024-03-01"}


# --- the quick parser (generator/quickyaml.py) against the PyYAML path ---


def _pyyaml(text: str):
    return _load_with_pyyaml(text, "content/x.md", 2, "front matter")


def _assert_same_as_pyyaml(text: str, quick) -> None:
    slow = _pyyaml(text)
    assert not slow.problems, text
    data, lines = quick
    assert repr(data) == repr(slow.data), text  # order and types too: True is not 1
    assert lines == slow.lines, text


TYPICAL = [
    """title: "Wel project vrijwilliger huurder raad raad"
date: 2016-09-24
author: mehmet-yilmaz
summary: "Zorg bijeenkomst starter huis die buurt."
tags: ["activiteit vluchteling", "begeleiding dakloze", "bewoner afspraak"]
project:
  city: Almere
  organisation: Woonstad
  target_groups: ["starters"]
  homes: 235""",
    """title: 'Bijeenkomst 212: Ontmoeting, samen'
start: 2025-03-07T09:30:00
end: 2025-03-07T17:30:00
event:
  start: 2024-05-01 10:00
  end: 2024-05-01 12:30:00+02:00
  location: Utrecht, Jaarbeurs
location: Amersfoort
registration: https://www.example.org/aanmelden/212
tags: [huurder buurt, kamer bewoner]
""",
    """title: Wonen, zorg en buurt
date: 2020-01-01
updated: 2020-01-02
draft: true
aliases:
  - /oud/pad/
  - "/nog/een/"
related:
- artikel-a
- artikel-b

weight: -3
empty:
tags: []
""",
    'title: "Mehmet Yılmaz 🏠"',
    "",
]


@pytest.mark.parametrize("text", TYPICAL)
def test_typical_front_matter_takes_the_quick_path(text):
    quick = quick_mapping(text, 2)
    assert quick is not None
    _assert_same_as_pyyaml(text, quick)
    loaded = load_mapping(text, "content/x.md", first_line=2)
    assert (loaded.data, loaded.lines, loaded.problems) == (*quick, [])


DECLINED = [
    "title: A\ntitle: B",  # duplicate keys: PyYAML's path names both lines
    "project:\n  city: A\n  city: B",
    "yes: ja",  # keys that are no text under YAML 1.1
    "null: x",
    "title: A # opmerking",
    "sections: {a: {title: A}}",  # a flow mapping in one
    "sections: {a: b, a: c}",
    "sections: {title: 'it''s'}",
    "sections: {a: b,}",
    "sections: {a: https://x.nl}",
    "title: A\n  vervolg",  # a plain scalar over two lines
    "project:\n\tcity: A",
    'title: "een \\" aanhalingsteken"',
    "title: 'it''s'",
    "title: &a x\nb: *a",
    "title: !!str 12",
    "summary: >\n  gevouwen",
    "ratio: 1.5",
    "octal: 012",
    "hex: 0x1A",
    "big: 1_000",
    "time: 1:30",
    "huge: " + "9" * 5000,
    "tags: [a, [b]]",
    "tags: [a, b,]",
    'tags: ["]',  # an unclosed quote, not an empty text
    'tags: ["a" "b"]',
    'tags: ["a", "b\\"c"]',
    'title: "a"b"',
    "tags: [a: b]",
    "aliases:\n  - a: b",
    "deep:\n  deeper:\n    deepest: 1",
    "---\ntitle: A",
    "title: A\r\ndate: 2020-01-01",
    "\ufefftitle: A",
    "title: A\u2028B",
    "title: A\x85B",
    "title: \ufdd0",
    "- a\n- b",
    "  title: A",
    "k" * 101 + ": x",
]


@pytest.mark.parametrize("text", DECLINED)
def test_the_quick_path_declines_what_it_does_not_cover(text):
    assert quick_mapping(text, 2) is None


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("title: A\ndate: 2020-01-01\ntitle: B", 4, "(eerder op regel 2)"),
        ("project:\n  city: A\n  city: B", 4, "'city' staat twee keer in 'project'"),
        ("title: A\nproject:\n\tcity: x", 4, "er staat een tab"),
        ('title: Goed\nsummary: "niet gesloten\ntags: [a]', 3, "aanhalingsteken"),
    ],
)
def test_load_mapping_still_reports_bad_front_matter(text, line, needle):
    loaded = load_mapping(text, "content/x.md", first_line=2)
    assert [p.line for p in loaded.problems] == [line]
    assert needle in loaded.problems[0].message
    assert loaded.data == {}


# Each side of every range is_clean looks for, and characters whose UTF-8 ends like a
# noncharacter's (U+0FFE, U+10FFE, U+13FFE) without being one.
EDGES = (
    "a é🏠\x00\x08\t\n\x0b\x0c\r\x0e\x1f ~\x7f\x80\x85\x9f\xa0\u07ff\u0800\u0ffe"
    "\ud7ff\ud800\udbff\udc00\udfff\ue000\ufdcf\ufdd0\ufdef\ufdf0\ufeff\ufffd\ufffe\uffff"
    "\U00010000\U00010ffe\U00013ffe\U0001fffd\U0001fffe\U0001ffff\U0002fffe\U0003ffff"
    "\U0004fffe\U0007fffe\U000ffffe\U0010fffd\U0010fffe\U0010ffff"
)


def test_is_clean_finds_each_invisible_character_wherever_it_stands():
    for char in EDGES:
        for around in ("", "a", "é", "🏠", "\U00013ffe"):
            text = around + char + around
            assert is_clean(text) == (_INVISIBLE.search(text) is None), hex(ord(char))


@settings(max_examples=400, deadline=None)
@given(st.text(st.sampled_from(EDGES), max_size=8) | st.text(st.characters(codec=None), max_size=8))
def test_is_clean_tells_whether_there_is_an_invisible_character(text):
    # The quick path declines unclean text, so its strings need no clean_value.
    assert is_clean(text) == (_INVISIBLE.search(text) is None)
    assert is_clean(text) == (clean_text(text) == text)


def test_the_loader_and_the_quick_parser_resolve_with_pyyamls_table():
    # quickyaml types plain scalars with its own copy of this table (so that simple YAML
    # never imports PyYAML); our loader uses PyYAML's.
    from generator.quickyaml import _BOOLS, _RESOLVERS

    table = yaml.resolver.Resolver.yaml_implicit_resolvers
    assert _Loader.yaml_implicit_resolvers == table
    assert None not in table  # no catch-all resolvers to try after these
    assert _RESOLVERS.keys() == table.keys()
    for first, resolvers in table.items():
        ours = [(tag, pattern.pattern, pattern.flags) for tag, pattern in _RESOLVERS[first]]
        assert ours == [(tag, pattern.pattern, pattern.flags) for tag, pattern in resolvers]
    assert yaml.constructor.SafeConstructor.bool_values == _BOOLS


def test_simple_site_yaml_and_front_matter_are_read_without_importing_pyyaml(tmp_path):
    """PyYAML is imported only for what the quick parser declines: a build's start
    waited a tenth of its time for that import."""
    from tests.sitekit import DEFAULT_SITE_YAML, fresh_python

    (tmp_path / "site.yaml").write_text(DEFAULT_SITE_YAML, encoding="utf-8")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from generator.config import load_config\n"
        "from generator.frontmatter import parse_document\n"
        "from generator.report import site_language\n"
        "root = Path(sys.argv[1])\n"
        "config, problems = load_config(root)\n"
        "assert config is not None and not problems, problems\n"
        "assert site_language(root) == 'nl'\n"
        "doc = parse_document('---\\ntitle: Een\\ntags: [a, b]\\n---\\nTekst\\n', 'x.md')\n"
        "assert doc.meta['tags'] == ['a', 'b'] and not doc.problems, doc.problems\n"
        "print('yaml' in sys.modules)\n"
    )
    assert fresh_python(code, str(tmp_path)).strip() == "False"


def test_site_yaml_with_comments_and_flow_mappings_takes_the_quick_path():
    from tests.sitekit import DEFAULT_SITE_YAML

    text = "# de site\n" + DEFAULT_SITE_YAML.replace("sections:", "sections:  \n  # secties")
    text += "leeg: {}\nook: { }\n"
    quick = quick_mapping(text, 2)  # as front matter: site.yaml's first line is 1
    assert quick is not None
    _assert_same_as_pyyaml(text, quick)
    assert quick[0]["sections"]["projecten"] == {
        "title": "Projecten",
        "required": ["city", "organisation"],
    }
    assert quick[1][("sections", "projecten", "required")] == 10
    assert quick_mapping("# opmerking\ntitle: A", 2) == ({"title": "A"}, {("title",): 3})


# Each document is clean (only forms the quick path covers, with tricky text inside
# quotes) or noisy (tricky keys, values, lines and indentation mixed in), so that
# both the agreement and the declining get exercised.
KEYS = ["title", "date", "tags", "project", "city", "homes", "a_b", "x-y", "_k", "k9", "y"]
KEYS += ["summary", "author", "draft", "aliases", "start", "end", "event", "n", "On_", "Yes-"]
TRICKY_KEYS = ["yes", "No", "on", "OFF", "null", "Null", "true", "False", "~", "1", "1.5"]
TRICKY_KEYS += ["<<", "=", "a b", "-k", "k#", "k:", "'q'", '"q"', "é", "k" * 101]
# Plain scalars the quick path takes: text, YAML 1.1 booleans and nulls, ints, dates.
TOKENS = [
    *["wonen", "Almere", "De Alliantie", "mehmet-yilmaz", "/oud/pad/", "a  b", "Hallo, wereld"],
    *["yes", "No", "on", "Off", "y", "n", "null", "Null", "~", "true", "TRUE", "tRue", "NULL"],
    *["0", "-0", "12", "-3", "+3", "235", "1e3", "20240501", "2024-05-01x", "2024-5-1"],
    *["2024-05-01", "2024-05-01 10:00", "2024-05-01T10:00:00", "2024-05-01t10:00:00.5"],
    *["2024-05-01 10:00:00+01:00", "2024-05-01 10:00:00 Z", "2024-5-1 1:00:00", "a:b", "-a"],
    *["https://example.org/a?b=c", "--", "---", "...", "a,b", "a]", "a}", "a?", "it's"],
    *['say "hi"', "a\\b", "é", "Yılmaz", "🏠", "\xa0x", "x\xa0", "x'", 'x"', "a - b", "a ? b"],
]
# Plain scalars it must decline (or resolve exactly as PyYAML does).
TRICKY = [
    *["00", "012", "0o17", "0x1A", "0b101", "1_000", "1:30", "-1:30", "1.5", "1.0e+3", "9" * 30],
    *[".inf", "-.inf", ".nan", ".5", "1.", "<<", "=", "a: b", "a:", "a #b", "a#b", "#x", "-"],
    *["- a", "?", "? a", "?a", ":a", "[a", "{a}", "&a", "*a", "!x", "!!str x", "|", ">", "%x"],
    *["@x", "`x", "\ufdd0", "\U0001fffe", "\x85", "\u2028", "\ufeff", "\x01", "\t", "\r"],
    *["a\\nb", "https://example.org/#d"],
]
CHARS = "ab1 :-'\"[]{},#&*!|>%@`?.~\\/_+0\xa0é🏠\t"
QUOTABLE = "".join(c for c in CHARS if c not in "'\"\\\t")
# Lines that are no `key: value` or list item; but for blank ones the quick path declines.
ODD_LINES = [
    *["", "", "  ", "# opmerking", "  # c", "---", "...", "? a", ": b", "  vervolg"],
    *["\tkey: x", "key:value", "- x", " ", "key: x # c", "key: |", "  - x", "&a b: c"],
]


def _scalars(noisy: bool):
    plain = st.sampled_from(TOKENS)
    if noisy:
        plain = st.one_of(plain, st.sampled_from(TRICKY), st.text(CHARS, min_size=1, max_size=12))
    inside = st.one_of(plain, st.text(QUOTABLE, max_size=12))
    odd = ['"a\\"b"', "'a''b'", '"a" b', "'a'x", '"a', "'a"] if noisy else []
    return st.one_of(
        plain,
        inside.map(lambda text: f'"{text}"'),
        inside.map(lambda text: f"'{text}'"),
        st.sampled_from(['""', "''", *odd]),
    )


def _flows(noisy: bool):
    return st.builds(
        lambda inner, items, comma, outer: f"[{inner}{comma.join(items)}{outer}]",
        st.sampled_from(["", " "]),
        st.lists(SCALARS[noisy], max_size=4),
        st.sampled_from([", ", ",", " , ", *([",,"] if noisy else [])]),
        st.sampled_from(["", " ", *([",", ", [a]"] if noisy else [])]),
    )


SCALARS = {noisy: _scalars(noisy) for noisy in (False, True)}
FLOWS = {noisy: _flows(noisy) for noisy in (False, True)}


def _flow_mappings(noisy: bool):
    """{key: value, ...} on one line: values scalars or flow sequences; noisy ones with
    what the quick parser must decline or get right (nesting, odd commas and colons)."""
    keys = st.sampled_from(KEYS + TRICKY_KEYS if noisy else KEYS)
    values = st.one_of(SCALARS[noisy], FLOWS[noisy])
    if noisy:
        values = st.one_of(values, st.sampled_from(["{a: b}", "", "a:b", "a, b", "[a, {b: c}]"]))
    pair = st.builds(
        lambda key, colon, value: f"{key}{colon}{value}",
        keys,
        st.sampled_from([": ", ":  ", *([":", " : "] if noisy else [])]),
        values,
    )
    return st.builds(
        lambda inner, pairs, comma, outer: f"{{{inner}{comma.join(pairs)}{outer}}}",
        st.sampled_from(["", " "]),
        st.lists(pair, max_size=4, unique=not noisy),
        st.sampled_from([", ", ",", " , ", *([",,"] if noisy else [])]),
        st.sampled_from(["", " ", *([",", ", a"] if noisy else [])]),
    )


FLOW_MAPPINGS = {noisy: _flow_mappings(noisy) for noisy in (False, True)}
FORMS = ["scalar"] * 6 + ["flow", "flowmap", "empty", "mapping", "mapping", "list", "list"]
space = st.sampled_from(["", " ", "  "])


def _keys(noisy: bool, min_size: int = 0):
    """Keys of one mapping: in a clean document no duplicates."""
    pool = st.sampled_from(KEYS + TRICKY_KEYS if noisy else KEYS)
    return st.lists(pool, min_size=min_size, max_size=6 if noisy else 4, unique=not noisy)


@st.composite
def entry(draw, key: str, indent: int, depth: int, noisy: bool) -> list[str]:
    """A key with a value: on its line, nested under it, or (noisy) an odd line."""
    pad = " " * indent
    form = draw(st.sampled_from(FORMS + ["odd"] if noisy else FORMS))
    if form == "odd":
        return [draw(st.sampled_from(ODD_LINES))]
    head = f"{pad}{key}:{draw(st.sampled_from([' ', '  ', *([''] if noisy else [])]))}"
    if form == "scalar":
        return [head + draw(SCALARS[noisy]) + draw(space)]
    if form == "flow":
        return [head + draw(FLOWS[noisy]) + draw(space)]
    if form == "flowmap":
        return [head + draw(FLOW_MAPPINGS[noisy]) + draw(space)]
    lines = [f"{pad}{key}:{draw(space)}"]
    if form == "mapping" and depth < (2 if noisy else 1):
        child = indent + draw(st.sampled_from([2, 2, 1, 3, 4] if noisy else [2]))
        for child_key in draw(_keys(noisy, min_size=1)):
            lines += draw(entry(child_key, child, depth + 1, noisy))
    elif form == "list":
        item_pad = " " * (indent + draw(st.sampled_from([0, 2, 1, 4] if noisy else [0, 2])))
        items = st.one_of(SCALARS[noisy], st.sampled_from(["", "a: b", "[a]", "- a"]))
        for _ in range(draw(st.integers(1, 3))):
            item = draw(items if noisy else SCALARS[False])
            lines.append(f"{item_pad}-{draw(st.sampled_from([' ', '  ']))}{item}")
    return lines


@st.composite
def front_matter(draw) -> str:
    noisy = draw(st.booleans())
    lines: list[str] = []
    for key in draw(_keys(noisy)):
        lines += draw(entry(key, 0, 0, noisy))
        if draw(st.integers(0, 9)) == 0:
            lines.append("")  # blank lines are allowed anywhere
        if draw(st.integers(0, 9)) == 0:  # and so are comment lines, at any indentation
            lines.append(draw(st.sampled_from(["# opmerking", "  # c", "#", "    #: x"])))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(front_matter())
def test_the_quick_path_gives_what_pyyaml_gives(text):
    quick = quick_mapping(text, 2)
    event("quick path" if quick is not None else "declined")
    if quick is not None:
        _assert_same_as_pyyaml(text, quick)


def test_a_character_yaml_refuses_is_a_problem_with_its_line_not_an_exception():
    # Front matter and site.yaml are cleaned of such characters before they get here;
    # load_mapping still never raises on them.
    loaded = load_mapping('title: Tekst\nsummary: "a\x01b"\n', "content/x.md", first_line=2)
    assert [(p.line, p.message) for p in loaded.problems] == [
        (3, "ongeldige YAML: een teken dat YAML niet toestaat (U+0001); haal het weg")
    ]
    assert translate(loaded.problems[0].message, "en")[1] == (
        "invalid YAML: a character YAML does not allow (U+0001); remove it"
    )


def test_the_quick_path_leaves_to_pyyaml_exactly_the_characters_it_must():
    """What PyYAML's reader refuses, plus what YAML reads as a line break or space of its
    own (tabs, \\r, \\x85, \\u2028, \\u2029) and BOMs: every other character is plain text."""
    everything = "".join(map(chr, range(0x110000)))
    refused = {m.start() for m in yaml.reader.Reader.NON_PRINTABLE.finditer(everything)}
    special = {ord(c) for c in "\t\r\x85\u2028\u2029\ufeff"}
    assert {m.start() for m in _ODD.finditer(everything)} == refused | special

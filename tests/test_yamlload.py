"""generator/yamlload.py: front matter values are what PyYAML's safe loader makes
(timestamps kept as text), also on the quick path that skips its generic machinery."""

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.textclean import clean_text, clean_value, is_clean
from generator.yamlload import _Loader, load_mapping

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


@settings(max_examples=200, deadline=None)
@given(
    st.text(st.sampled_from("a é🏠\x01\x7f\x85\ufdd0\ufffe\U0001fffe\U0010ffff\ud800"), max_size=6)
)
def test_is_clean_tells_whether_clean_text_changes_anything(text):
    # The quick path declines unclean text, so its strings need no clean_value.
    assert is_clean(text) == (clean_text(text) == text)

"""`partial(name, **values)`: rendered once per set of values, yet every output that
uses it records the site questions it asked, as if it had been rendered there."""

import gc
import weakref
from datetime import UTC, datetime
from types import SimpleNamespace

import jinja2
from markupsafe import Markup

from generator.deps import RecordingSite
from generator.digest import Digester, new_hash
from generator.partials import PartialCache
from generator.templatedigests import TemplateDigests
from tests.test_units import _page


class CountingView:
    def __init__(self):
        self.asked = 0

    def status(self, name: str) -> str:
        self.asked += 1
        return f"status van {name}"


def _render_outputs(templates: dict[str, str], outputs: list[str]):
    env = jinja2.Environment(loader=jinja2.DictLoader(templates), autoescape=True)
    view = CountingView()
    recording = RecordingSite(view, Digester())
    env.globals["partial"] = PartialCache(env, recording)
    results = []
    for name in outputs:
        recording.start()
        html = env.get_template(name).render(site=recording)
        results.append((html, dict(recording.log), recording.replayable))
    return view, results


def test_a_partial_is_rendered_once_and_its_questions_logged_for_every_output():
    templates = {
        "card.html": "<p>{{ item }}: {{ site.status(item) }}</p>",
        "a.html": "A {{ partial('card.html', item='x') }}",
        "b.html": "B {{ partial('card.html', item='x') }} {{ partial('card.html', item='y') }}",
    }
    view, [(a, a_log, _), (b, b_log, _)] = _render_outputs(templates, ["a.html", "b.html"])
    assert a == "A <p>x: status van x</p>"
    assert b == "B <p>x: status van x</p> <p>y: status van y</p>"
    assert view.asked == 2  # x once, y once: the second x came from the cache
    assert ("status", "x") in a_log
    assert ("status", "x") in b_log and ("status", "y") in b_log


def test_a_partial_with_a_value_it_cannot_key_on_is_rendered_each_time():
    templates = {
        "card.html": "{{ site.status(items | join(',')) }}",
        "a.html": "{{ partial('card.html', items=['x', 'y']) }}",
    }
    view, results = _render_outputs(templates, ["a.html", "a.html"])
    assert view.asked == 1  # the question itself is still answered once per process
    assert all(log == {("status", "x,y"): log[("status", "x,y")]} for _, log, _ in results)


def test_the_template_digest_covers_the_partials_a_template_calls(tmp_path):
    (tmp_path / "card.html").write_text("kaart", encoding="utf-8")
    (tmp_path / "list.html").write_text("{{ partial('card.html', item=1) }}", encoding="utf-8")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path))
    before = TemplateDigests(env, tmp_path).choose(("list.html",))
    (tmp_path / "card.html").write_text("andere kaart", encoding="utf-8")
    after = TemplateDigests(env, tmp_path).choose(("list.html",))
    assert before[0] == after[0] == "list.html"
    assert before[1] != after[1]


class SharingView:
    """Answers one shared tuple to every `crumbs` question, a new one to `fresh`."""

    shared = ("Home", "Artikelen")

    def crumbs(self, name: str) -> tuple:
        return self.shared

    def fresh(self, name: str) -> tuple:
        return ("Home", name)


def test_an_answer_shared_by_many_questions_is_logged_with_its_own_digest_for_each():
    recording = RecordingSite(SharingView(), Digester())
    logs = []
    for name in ("a", "b"):
        recording.start()
        assert recording.crumbs(name) is SharingView.shared
        assert recording.fresh(name) == ("Home", name)
        logs.append(dict(recording.log))
    shared_digest = Digester().of(SharingView.shared)
    assert logs[0][("crumbs", "a")] == logs[1][("crumbs", "b")] == shared_digest
    assert logs[0][("fresh", "a")] == Digester().of(("Home", "a"))
    assert logs[1][("fresh", "b")] == Digester().of(("Home", "b"))
    assert logs[0][("fresh", "a")] != logs[1][("fresh", "b")]


class Answer:
    """An answer the test can hold weakly, to see whether the recorder still keeps it."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:  # how the digester digests an object it does not know
        return f"Answer({self.text!r})"


class PageQuestionsView:
    def __init__(self):
        self.asked = 0

    def about(self, page) -> Answer:
        self.asked += 1
        return Answer(page.source)

    def upcoming(self, limit: int) -> Answer:
        self.asked += 1
        return Answer(f"{limit} evenementen")

    def described(self, url: str, page) -> Answer:  # as site.structured(url_path, page)
        self.asked += 1
        return Answer(f"{url} {page.source if page else ''}")


def test_an_answer_about_one_page_is_kept_for_its_output_only():
    """A question about one page is asked by that page's own output: its answer is
    reused within that output (and its partials) and let go when the next one starts,
    where answers to other questions stay for every output. Kept all along, answers
    about pages were 45 MB of a 10,000-page build (and article pages' JSON-LD, asked
    with their URL, another 15 MB)."""
    page = _page("content/artikelen/a.md", "2024-05-01")
    view = PageQuestionsView()
    recording = RecordingSite(view, Digester())
    recording.start()
    about = recording.about(page)
    assert recording.about(page) is about
    again, (partial_log, _, _) = recording.apart(lambda: recording.about(page))
    assert again is about and view.asked == 1  # the partial reused the output's answer
    assert ("about", ("page", page.source)) in partial_log
    upcoming = weakref.ref(recording.upcoming(3))
    described = weakref.ref(recording.described("/a/", page))
    described_home = weakref.ref(recording.described("/", None))
    about = weakref.ref(about)
    del again
    digest = recording.log[("about", ("page", page.source))]

    recording.start()
    gc.collect()
    assert about() is None and upcoming() is not None
    assert described() is None and described_home() is not None
    asked = view.asked
    assert recording.upcoming(3) is upcoming()
    assert view.asked == asked  # still answered from before
    assert recording.about(page).text == page.source
    assert view.asked == asked + 1  # asked again, with the same digest logged
    assert recording.log[("about", ("page", page.source))] == digest


def test_digests_of_dicts_tell_apart_values_types_and_order():
    of = Digester().of
    article = {"@type": "Article", "headline": "Zomer", "author": [{"name": "Ans"}]}
    assert of(article) == of({"@type": "Article", "headline": "Zomer", "author": [{"name": "Ans"}]})
    assert of(article) != of({**article, "headline": "Winter"})
    assert of(article) != of({"headline": "Zomer", "@type": "Article", "author": [{"name": "Ans"}]})
    assert of({"n": 1}) != of({"n": "1"}) != of({"n": True})
    assert of({"n": 1}) != of({"n": 1.0})
    assert of({1: "a"}) != of({"1": "a"}) != of({True: "a"})
    # Values JSON cannot hold are digested all the same, and still by value.
    day = {"dag": datetime(2024, 6, 1, tzinfo=UTC)}
    assert of(day) == of({"dag": datetime(2024, 6, 1, tzinfo=UTC)})
    assert of(day) != of({"dag": datetime(2024, 6, 2, tzinfo=UTC)})


def test_structured_data_is_digested_by_value_whichever_way_it_is_written():
    """A list of dicts (the JSON-LD of a page) is digested from its JSON, unless it
    holds what JSON cannot tell apart: then by the general way, still by value."""
    of = Digester().of
    graph = [{"@type": "Article", "headline": "Zomer", "author": [{"name": "Ans"}]}]
    assert of(graph) == of([{"@type": "Article", "headline": "Zomer", "author": [{"name": "Ans"}]}])
    assert of(graph) != of([{**graph[0], "headline": "Winter"}])
    assert of(graph) != of([{"headline": "Zomer", "@type": "Article", "author": [{"name": "Ans"}]}])
    assert of(graph) != of(graph[0]) != of([graph[0], {}])
    assert len({of([{"n": v}]) for v in (1, 1.0, True, "1", None, float("nan"), "null")}) == 7
    assert of([{"n": None}]) == of([{"n": None}])
    assert of([{1: "a"}]) != of([{"1": "a"}])
    day = [{"dag": datetime(2024, 6, 1, tzinfo=UTC)}]
    assert of(day) != of([{"dag": datetime(2024, 6, 2, tzinfo=UTC)}])


def test_the_answers_most_questions_get_digest_as_any_value_does():
    """Texts and lists of pages (a list page's twenty as well) are hashed in one piece:
    the same digest as the general way, value by value, so no two answers are told apart
    less than before."""
    pages = [_page(f"content/artikelen/p{i}.md", f"2024-01-0{i + 1}") for i in range(3)]
    digester = Digester()

    def general(value):
        h = new_hash()
        digester._feed(h, value)
        return h.hexdigest()

    long = pages * 9
    for value in ("", "samenvatting é \ud800", [], pages, pages[:1], long, [*long, "x"]):
        assert digester.of(value) == general(value)
    assert digester.of(pages) != digester.of(pages[::-1]) != digester.of(pages[:2])
    assert digester.of(long) != digester.of(long[:-1]) != digester.of([*long[:-1], "x"])
    assert digester.of([long]) == digester.of([tuple(long)]) != digester.of([long[1:]])
    assert digester.of("") != digester.of([]) != digester.of(Markup(""))  # Markup: its own way


def test_a_pages_term_groups_digest_as_their_terms_one_by_one():
    """`site.terms_of(page)`: its lists of terms are hashed in one piece, the bytes the
    general way hashes term by term, and still tell terms and their order apart."""
    from generator.taxonomy import Term

    terms = [
        Term("tags", f"t{i}", f"T{i}", f"/tags/t{i}/", ("content/a.md",), ()) for i in range(3)
    ]
    digester = Digester()
    h = new_hash()
    h.update(b"[1[2s11:Onderwerpen[3")
    for term in terms:
        h.update(digester._term(term))
    h.update(b"]]]")
    assert digester.of([("Onderwerpen", terms)]) == h.hexdigest()
    assert digester.of([("Onderwerpen", terms)]) != digester.of([("Onderwerpen", terms[::-1])])
    assert digester.of([("Onderwerpen", terms)]) != digester.of([("Onderwerpen", terms[:2])])


def test_site_settings_are_not_logged_but_the_clock_is():
    """site.yaml keys the whole cache: reading its title is nothing to record. The
    clock changes between builds: an output that shows it must be made again."""
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"a.html": "{{ site.title }} {{ site.now }}"})
    )
    view = SimpleNamespace(CONFIGURED=frozenset({"title"}), title="Kennisbank", now="nu")
    recording = RecordingSite(view, Digester())
    for _ in range(2):  # the second time the title is found on the recorder itself
        recording.start()
        assert env.get_template("a.html").render(site=recording) == "Kennisbank nu"
        assert list(recording.log) == [("now",)]


def test_terms_are_digested_by_value_across_builds_and_a_number_is_no_text():
    """The preview's builds each have a fresh Digester; terms are remembered by value
    between them (an equal term digests alike without being walked again), while a
    term with other pages, or a name that is the number 1 rather than the text '1'
    (equal in Python: 1 == 1.0), gets its own digest."""
    from generator.taxonomy import Term

    def term(name="wonen", pages=("content/a.md", "content/b.md")):
        return Term("tags", "wonen", name, "/tags/wonen/", pages, ("wonen",))

    first = Digester().of([term()])
    walked: list = []
    later = Digester()
    walk = later._feed_sequence

    def noted(h, value):  # every list or tuple walked passes here
        walked.append(value)
        walk(h, value)

    later._feed_sequence = noted
    assert later.of([term()]) == first
    assert term().pages not in walked  # not the term's pages: it is known by value
    assert Digester().of([term(pages=("content/a.md",))]) != first
    assert Digester().of([term(name=1)]) != Digester().of([term(name=1.0)])

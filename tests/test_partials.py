"""`partial(name, **values)`: rendered once per set of values, yet every output that
uses it records the site questions it asked, as if it had been rendered there."""

import jinja2

from generator.deps import RecordingSite, TemplateDigests
from generator.digest import Digester
from generator.partials import PartialCache


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

"""Which open page reloads, swaps its CSS or stays, after a build (no socket needed)."""

from __future__ import annotations

import json

import pytest

from generator.errors import Problem
from generator.livereload import inject
from generator.reloads import ReloadHub, decide, output_candidates


@pytest.mark.parametrize(
    ("url", "status", "files"),
    [
        ("/", 200, {"index.html"}),
        ("/artikelen/a/", 200, {"artikelen/a/index.html"}),
        ("/artikelen/a", 200, {"artikelen/a", "artikelen/a/index.html"}),
        ("/404.html", 200, {"404.html"}),
        ("/artikelen/caf%C3%A9/", 200, {"artikelen/café/index.html"}),
        ("/weg/", 404, {"weg/index.html", "404.html"}),
    ],
)
def test_url_paths_map_to_their_output_files(url, status, files):
    assert output_candidates(url, status) == files


def test_a_page_reloads_only_when_its_own_output_changed():
    own = output_candidates("/artikelen/a/")
    assert decide(own, {"artikelen/a/index.html", "index.html"}) == "reload"
    assert decide(own, {"artikelen/b/index.html", "feed.xml", "sitemap.xml"}) is None
    assert decide(own, set()) is None


def test_a_css_only_change_swaps_stylesheets_and_an_image_change_reloads():
    own = output_candidates("/artikelen/a/")
    assert decide(own, {"css/site.css", "artikelen/b/index.html"}) == "css"
    assert decide(own, {"css/site.css", "artikelen/a/foto.jpg"}) == "reload"


def _events(hub: ReloadHub, subscriber) -> list[tuple[str, object]]:
    found = []
    while not subscriber.messages.empty():
        lines = subscriber.messages.get().decode().splitlines()
        event = next(line[7:] for line in lines if line.startswith("event: "))
        data = json.loads(next(line[6:] for line in lines if line.startswith("data: ")))
        found.append((event, data))
    return found


def test_open_pages_get_their_own_decision_after_each_build():
    hub = ReloadHub()
    hub.record({"index.html"}, [])
    a = hub.subscribe("/artikelen/a/", 200, hub.version)
    home = hub.subscribe("/", 200, hub.version)
    assert _events(hub, a) == [("problems", [])]
    _events(hub, home)
    hub.record({"artikelen/a/index.html"}, [])
    assert [name for name, _ in _events(hub, a)] == ["reload", "problems"]
    assert [name for name, _ in _events(hub, home)] == ["problems"]


def test_a_page_served_before_a_build_catches_up_when_it_connects():
    hub = ReloadHub()
    hub.record({"index.html"}, [])
    served_at = hub.version  # the version injected into the page
    hub.record({"artikelen/a/index.html"}, [])  # a build finished before the page subscribed
    hub.record({"css/site.css"}, [])
    assert [n for n, _ in _events(hub, hub.subscribe("/artikelen/a/", 200, served_at))][0] == (
        "reload"
    )
    assert [n for n, _ in _events(hub, hub.subscribe("/", 200, served_at))][0] == "css"
    unknown = hub.subscribe("/", 200, "ander-proces-3")  # the server restarted meanwhile
    assert _events(hub, unknown)[0][0] == "reload"


def test_build_errors_reach_every_page_and_clear_when_fixed():
    hub = ReloadHub()
    hub.record({"index.html"}, [])
    page = hub.subscribe("/", 200, hub.version)
    _events(hub, page)
    hub.record(set(), [Problem("content/a.md", 2, "<b>ongeldige</b> YAML")])
    assert _events(hub, page) == [
        ("problems", [{"where": "content/a.md:2", "message": "<b>ongeldige</b> YAML"}])
    ]
    late = hub.subscribe("/x/", 200, hub.version)
    assert _events(hub, late)[-1][1][0]["where"] == "content/a.md:2"
    hub.record({"index.html"}, [Problem("content/a.md", 3, "let op", severity="warning")])
    assert _events(hub, page) == [("reload", {"version": hub.version}), ("problems", [])]


def test_the_script_is_injected_before_body_end_and_its_attributes_escaped():
    page = b"<html><body><p>x</p></BODY></html>"
    result = inject(page, 'v"1', 404)
    assert result.endswith(b'data-status="404"></script></BODY></html>')
    assert b'data-version="v&quot;1"' in result
    assert inject(b"geen body", "v1", 200).startswith(b"geen body<script")

"""The built sample site opens in a real browser and links lead where they say."""

import functools
import http.server
import threading

import pytest

from tests.sitekit import PROJECT, run


@pytest.fixture
def served_sample(tmp_path, capsys):
    out = tmp_path / "out"
    result = run(
        capsys, "build", "--source", str(PROJECT), "--out", str(out), "--now", "2019-09-20T12:00"
    )
    assert result.code == 0, result.err
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_reader_goes_from_home_to_article_to_tag_page(page, served_sample):
    page.goto(served_sample + "/")
    assert page.locator("html").get_attribute("lang") == "nl"
    page.get_by_role("link", name="Gemengd wonen: een kans voor kwetsbare bewoners?").first.click()
    page.wait_for_url("**/artikelen/gemengd-wonen-kwetsbare-bewoners/")
    page.get_by_role("link", name="gemengd wonen", exact=True).first.click()
    page.wait_for_url("**/tags/gemengd-wonen/")
    assert page.get_by_role("heading", level=1).inner_text() == "Gemengd wonen"

"""The built site behind a real nginx: pretty URLs, the 404 page, aliases, a reader's path."""

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.readerkit import build_sample

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CONFIG = """
{user}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  default_type application/octet-stream;
  types {{
    text/html html;
    text/css css;
    text/javascript js;
    application/json json;
    application/xml xml;
    application/atom+xml atom;
    text/calendar ics;
    image/svg+xml svg;
    text/plain txt;
    application/wasm wasm;
  }}
  server {{
    listen 127.0.0.1:{port};
    root {root};
    index index.html;
    error_page 404 /404.html;
    location / {{ try_files $uri $uri/ =404; }}
  }}
}}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"nginx stopped: {process.stderr.read()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("nginx did not start listening in time")


@pytest.fixture(scope="module")
def nginx_url(tmp_path_factory):
    if not os.path.exists(NGINX):
        pytest.skip("nginx not found: apt-get install nginx")
    tmp = tmp_path_factory.mktemp("nginx")
    root = build_sample(tmp / "build")
    port = _free_port()
    # Workers run as the user that can read the test's private tmp folder.
    user = "user root;" if os.geteuid() == 0 else ""
    (tmp / "nginx.conf").write_text(CONFIG.format(user=user, tmp=tmp, port=port, root=root))
    process = subprocess.Popen(
        [NGINX, "-c", str(tmp / "nginx.conf"), "-p", str(tmp), "-e", str(tmp / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_port(port, process, time.monotonic() + 10)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def _get(url: str):
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_pretty_urls_and_directory_redirects(nginx_url):
    status, headers, body = _get(nginx_url + "/projecten/parana/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "<h1>Parana</h1>" in body
    status, headers, _ = _get(nginx_url + "/projecten/parana")
    assert status == 301 and headers["Location"].endswith("/projecten/parana/")
    status, headers, _ = _get(nginx_url + "/evenementen/agenda.ics")
    assert status == 200 and headers["Content-Type"].startswith("text/calendar")


def test_missing_page_gets_the_404_page_with_status_404(nginx_url):
    status, _, body = _get(nginx_url + "/bestaat/niet/")
    assert status == 404
    assert "Pagina niet gevonden" in body and 'name="robots" content="noindex"' in body


def test_alias_redirects_to_the_article(nginx_url, page):
    status, _, body = _get(nginx_url + "/2019/gemengd-wonen-kwetsbare-burgers/")
    assert status == 200
    assert (
        'http-equiv="refresh" content="0; url=/artikelen/gemengd-wonen-kwetsbare-bewoners/"' in body
    )
    page.goto(nginx_url + "/2019/gemengd-wonen-kwetsbare-burgers/")
    page.wait_for_url("**/artikelen/gemengd-wonen-kwetsbare-bewoners/")


def test_reader_goes_home_article_tag_and_searches(nginx_url, page):
    page.goto(nginx_url + "/")
    page.get_by_role("link", name="Gemengd wonen: een kans voor kwetsbare bewoners?").first.click()
    page.wait_for_url("**/artikelen/gemengd-wonen-kwetsbare-bewoners/")
    page.get_by_role("link", name="dakloosheid", exact=True).click()
    page.wait_for_url("**/tags/dakloosheid/")
    assert page.get_by_role("heading", level=1).inner_text() == "dakloosheid"
    page.get_by_label("Zoek in de kennisbank").fill("woonvoorzieningen")
    page.keyboard.press("Enter")
    page.locator("#zoekresultaten li h2 a", has_text="Parana").wait_for()

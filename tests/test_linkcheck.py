"""Link checks: anchors, images, attachments, alt text, and `check --external`."""

import http.server
import json
import threading
import time

import pytest

from generator.external import CACHE_FILE
from tests.sitekit import build_site, run, write_site
from tests.test_errors import reported

TARGET = """
-- content/artikelen/doel.md --
---
title: Doel
---
## Wie wonen er

## Hoe het begon
"""


def test_md_link_anchor_must_be_a_heading_of_the_target(tmp_path, capsys):
    write_site(
        tmp_path,
        TARGET
        + """
-- content/artikelen/a.md --
---
title: A
---
## Inleiding

Goed: [wie](doel.md#wie-wonen-er) en [hier](#inleiding).
Fout: [wie](doel.md#wie-woont-er), [hoe](doel.md#geschiedenis) en [hier](#slot).
""",
    )
    result = build_site(capsys, tmp_path)
    assert result.code == 1
    assert reported(result.err) == [
        "content/artikelen/a.md:7: de link 'doel.md#wie-woont-er' wijst naar het kopje "
        "'#wie-woont-er', maar dat staat niet in content/artikelen/doel.md; "
        "bedoelde je '#wie-wonen-er'?",
        "content/artikelen/a.md:7: de link 'doel.md#geschiedenis' wijst naar het kopje "
        "'#geschiedenis', maar dat staat niet in content/artikelen/doel.md; "
        "kopjes daar: #wie-wonen-er, #hoe-het-begon",
        "content/artikelen/a.md:7: de link '#slot' wijst naar het kopje '#slot', maar dat staat "
        "niet in content/artikelen/a.md; kopjes daar: #inleiding",
    ]
    assert "7 | Fout: [wie](doel.md#wie-woont-er)" in result.err
    # The caret stands under the anchor that is wrong: column 20, 13 characters.
    assert "content/artikelen/a.md:7:20: fout:" in result.err
    assert "\n  |                    ^^^^^^^^^^^^^\n" in result.err


def test_missing_images_and_attachments_are_errors_alt_text_a_warning(tmp_path, capsys):
    write_site(
        tmp_path,
        """
-- content/projecten/p/index.md --
---
title: P
city: Utrecht
organisation: Portaal
---
Een foto: ![De tuin](tuin.jpg) en ![](gevel.jpg)
en ![Plattegrond](plattegrnd.png), het [verslag](verslag.pdf)
en [het logo](/img/logo.svg).
-- content/projecten/p/tuin.jpg --
jpg
-- content/projecten/p/gevel.jpg --
jpg
-- content/projecten/p/plattegrond.png --
png
""",
    )
    result = build_site(capsys, tmp_path)
    assert result.code == 1
    assert reported(result.err) == [
        "content/projecten/p/index.md:7: 'plattegrnd.png' bestaat niet "
        "(gezocht: content/projecten/p/plattegrnd.png); bedoelde je 'plattegrond.png'?",
        "content/projecten/p/index.md:7: 'verslag.pdf' bestaat niet "
        "(gezocht: content/projecten/p/verslag.pdf); "
        "zet het bestand naast de pagina of verbeter de naam",
        "content/projecten/p/index.md:8: '/img/logo.svg' bestaat niet "
        "(gezocht: static/img/logo.svg); zet het bestand naast de pagina of verbeter de naam",
        "content/projecten/p/index.md:6: de afbeelding 'gevel.jpg' heeft geen alt-tekst; "
        "beschrijf in ![...](…) wat erop staat, voor wie de afbeelding niet ziet",
    ]
    # Fixed: only the alt-text warning remains, and the build goes through.
    page = tmp_path / "content/projecten/p/index.md"
    page.write_text(
        page.read_text()
        .replace("plattegrnd", "plattegrond")
        .replace(", het [verslag](verslag.pdf)", "")
        .replace("en [het logo](/img/logo.svg).", ""),
        encoding="utf-8",
    )
    result = build_site(capsys, tmp_path)
    assert result.code == 0, result.err
    assert [line.split(":")[0] for line in reported(result.err)] == ["content/projecten/p/index.md"]
    assert "waarschuwing: de afbeelding 'gevel.jpg' heeft geen alt-tekst" in result.err
    assert build_site(capsys, tmp_path, "--strict").code == 1


class _Sites(http.server.BaseHTTPRequestHandler):
    """/ok answers 200, /weg 404, /geen-head refuses HEAD but serves GET; counts requests."""

    hits: list[str] = []

    def _answer(self, with_body: bool) -> None:
        type(self).hits.append(f"{self.command} {self.path}")
        if self.path == "/geen-head" and self.command == "HEAD":
            self.send_response(405)
        elif self.path in ("/ok", "/geen-head"):
            self.send_response(200)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self):  # noqa: N802
        self._answer(False)

    def do_GET(self):  # noqa: N802
        self._answer(True)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_web():
    _Sites.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Sites)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_check_external_reports_the_dead_link_and_caches(tmp_path, capsys, local_web):
    write_site(
        tmp_path,
        f"""
-- content/artikelen/a.md --
---
title: A
---
Zie [dit]({local_web}/ok), [dat]({local_web}/geen-head)
en [die]({local_web}/weg).
""",
    )
    # Without --external no request leaves the machine.
    assert run(capsys, "check", "--source", str(tmp_path)).code == 0
    assert _Sites.hits == []
    first = run(capsys, "check", "--source", str(tmp_path), "--external")
    assert first.code == 1
    assert reported(first.err) == [
        f"content/artikelen/a.md:5: de externe link '{local_web}/weg' werkt niet (404); "
        "verbeter of verwijder de link"
    ]
    assert sorted(_Sites.hits) == ["GET /geen-head", "HEAD /geen-head", "HEAD /ok", "HEAD /weg"]
    cache = json.loads((tmp_path / CACHE_FILE).read_text())
    assert {url: entry["ok"] for url, entry in cache["links"].items()} == {
        f"{local_web}/ok": True,
        f"{local_web}/geen-head": True,
        f"{local_web}/weg": False,
    }
    # Second run: everything from the cache, not one request, the same report.
    _Sites.hits.clear()
    second = run(capsys, "check", "--source", str(tmp_path), "--external")
    assert second.code == 1 and reported(second.err) == reported(first.err)
    assert _Sites.hits == []
    # An expired entry is asked again.
    cache["links"][f"{local_web}/ok"]["checked"] = time.time() - 8 * 24 * 3600
    (tmp_path / CACHE_FILE).write_text(json.dumps(cache))
    run(capsys, "check", "--source", str(tmp_path), "--external")
    assert _Sites.hits == ["HEAD /ok"]


def test_unreachable_site_is_a_warning_not_cached(tmp_path, capsys, local_web):
    server_gone = local_web.rsplit(":", 1)[0] + ":9"  # discard port: connection refused
    write_site(
        tmp_path,
        f"""
-- content/artikelen/a.md --
---
title: A
---
Zie [dit]({server_gone}/x).
""",
    )
    result = run(capsys, "check", "--source", str(tmp_path), "--external")
    assert result.code == 0
    assert "waarschuwing: de externe link" in result.err and "niet bereikbaar" in result.err
    cache = json.loads((tmp_path / CACHE_FILE).read_text())
    assert cache["links"] == {}


def test_relative_files_of_a_plain_page_are_judged_as_the_browser_resolves_them(tmp_path, capsys):
    write_site(
        tmp_path,
        """
-- content/artikelen/a.md --
---
title: A
---
![Plattegrond](plattegrond.png) en ![Plattegrond](../plattegrond.png)
-- content/artikelen/plattegrond.png --
png
""",
    )
    result = build_site(capsys, tmp_path)
    assert result.code == 1
    assert reported(result.err) == [
        "content/artikelen/a.md:4: 'plattegrond.png' staat naast de pagina, maar de pagina "
        "staat op de site een map dieper; schrijf '../plattegrond.png', of maak van de pagina "
        "een map met index.md en het bestand erin"
    ]
    page = tmp_path / "content/artikelen/a.md"
    page.write_text(page.read_text().replace("](plattegrond", "](../plattegrond"), "utf-8")
    assert build_site(capsys, tmp_path).code == 0
    assert (tmp_path / "build/artikelen/plattegrond.png").is_file()


def test_an_address_that_is_no_url_is_an_error_not_a_crash(tmp_path, capsys):
    write_site(
        tmp_path,
        """
-- content/artikelen/a.md --
---
title: A
---
Een [link](//[x) en een ![foto](//[y).

En [elders](http://[z).
""",
    )
    result = build_site(capsys, tmp_path)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert reported(result.err) == [
        "content/artikelen/a.md:4: '//[x' is geen geldig adres (een link of afbeelding); "
        "controleer de haakjes [ ] en de schuine strepen in het adres",
        "content/artikelen/a.md:4: '//[y' is geen geldig adres (een link of afbeelding); "
        "controleer de haakjes [ ] en de schuine strepen in het adres",
        "content/artikelen/a.md:6: 'http://[z' is geen geldig adres (een link of afbeelding); "
        "controleer de haakjes [ ] en de schuine strepen in het adres",
    ]
    assert not (tmp_path / "build").exists()

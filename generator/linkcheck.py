"""Links inside the site: anchors of .md links, images and attachments beside
the page, alt text. Pure apart from asking whether files exist.

Links to .md sources that do not exist are site.py's; this module takes over
where the target exists: is the heading there, is the picture there.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.errors import Problem
from generator.i18n import text
from generator.markdown import Rendered
from generator.model import Page
from generator.suggest import closest
from generator.urls import relative_source

LOOKAHEAD = 40  # lines to search for the exact line of a link within its paragraph


def check_links(root: Path, published: list[Page], rendered: dict[str, Rendered]) -> list[Problem]:
    problems: list[Problem] = []
    for page in published:
        body = rendered.get(page.source)
        if body is None:
            continue
        problems.extend(_anchors(page, body, rendered))
        for src, alt, line in body.images:
            if urlsplit(src).scheme or not src:
                continue
            problems.extend(_file(root, page, src, exact_line(page, line, src)))
            if not alt.strip():
                problems.append(
                    Problem(
                        page.source,
                        exact_line(page, line, src),
                        text("image-alt", src=src),
                        severity="warning",
                    )
                )
        for href, line in body.files:
            problems.extend(_file(root, page, href, exact_line(page, line, href)))
        for href, line in body.invalid:
            problems.append(
                Problem(
                    page.source, exact_line(page, line, href), text("invalid-address", href=href)
                )
            )
    return problems


def exact_line(page: Page, line: int, needle: str) -> int:
    """Markdown gives the paragraph's first line; the link may stand lines further."""
    lines = page.body.split("\n")
    start = line - page.body_line
    for offset in range(max(start, 0), min(len(lines), max(start, 0) + LOOKAHEAD)):
        if needle in lines[offset]:
            return page.body_line + offset
    return line


def _anchors(page: Page, body: Rendered, rendered: dict[str, Rendered]) -> list[Problem]:
    problems = []
    # Only links with an anchor: most have none (36,000 links at 10,000 pages).
    wanted = [(ln.href, ln.target, ln.fragment, ln.line) for ln in body.links if ln.fragment]
    wanted += [(f"#{frag}", page.source, frag, line) for frag, line in body.own_anchors]
    for href, target, fragment, line in wanted:
        target_body = rendered.get(target)
        if target_body is None:
            continue  # the target is missing or unpublished: reported elsewhere
        anchors = [h.anchor for h in target_body.headings]
        if unquote(fragment) in anchors:
            continue
        guess = closest(unquote(fragment), anchors, cutoff=0.6)
        values = {"href": href, "anchor": fragment, "target": target}
        message = (
            text("missing-anchor", suggestion=guess, **values)
            if guess
            else text("missing-anchor-list", known=_listing(anchors), **values)
        )
        problems.append(Problem(page.source, exact_line(page, line, href), message))
    return problems


def _listing(anchors: list[str]) -> str:
    if not anchors:
        return "geen"
    return ", ".join(f"#{a}" for a in anchors[:8]) + (" …" if len(anchors) > 8 else "")


def _candidates(page: Page, path: str) -> list[str]:
    """Where a file must be for the browser to find it, as source paths.

    static/ and content/ are both copied to the site's root. A bundle's files
    stand beside its index.md in the output too; a plain page `x.md` becomes
    `x/index.html`, one level deeper than its source, so its relative links are
    resolved from the page's URL, as the browser does.
    """
    if path.startswith("/"):
        return [f"static{path}", f"content{path}"]
    if page.source.endswith("/index.md"):
        return [relative_source(page.source, path)]
    at = posixpath.normpath(posixpath.join(page.url, path))
    return [f"content{at}", f"static{at}"]


def _file(root: Path, page: Page, href: str, line: int) -> list[Problem]:
    path = unquote(urlsplit(href).path)
    if not path:
        return []
    candidates = _candidates(page, path)
    for candidate in candidates:
        if not candidate.startswith("..") and (root / candidate).is_file():
            return []
    beside = relative_source(page.source, path)
    if not path.startswith("/") and (root / beside).is_file():
        # Beside the source, but not where the browser looks: say how to link to it.
        right = posixpath.relpath("/" + beside.removeprefix("content/"), page.url)
        return [Problem(page.source, line, text("file-beside-page", src=href, right=right))]
    target = candidates[0]
    folder = root / posixpath.dirname(target)
    names = [p.name for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []
    guess = closest(posixpath.basename(target), [n for n in names if not n.endswith(".md")], 0.6)
    message = (
        text("missing-file-suggest", src=href, target=target, suggestion=guess)
        if guess
        else text("missing-file", src=href, target=target)
    )
    return [Problem(page.source, line, message)]

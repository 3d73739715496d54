"""What rendering Markdown gives (Rendered), and what both ways of rendering share:
heading ids, the sorting and rewriting of links, the summary's length. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from generator.slotstate import quick_state
from generator.urls import relative_source, slugify

SUMMARY_LENGTH = 220


@quick_state
@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    anchor: str  # '' for h5 and h6, which get no id
    text: str  # plain text


@quick_state
@dataclass(frozen=True, slots=True)
class Link:
    """A link from Markdown to another Markdown source."""

    target: str  # the source it points at, relative to the site root ('content/a/b.md')
    fragment: str  # '#anchor' part without '#', may be ''
    href: str  # as written
    line: int  # 1-based line in the source file


@quick_state
@dataclass(frozen=True, slots=True)
class Rendered:
    html: str
    # (level, anchor, text) of each heading: see `headings`.
    heading_rows: tuple[tuple[int, str, str], ...]
    links: tuple[Link, ...]  # every link to a .md source, resolved or not
    missing: tuple[Link, ...]  # links to .md sources that do not exist
    first_paragraph: str  # plain text, for a summary when none is given
    images: tuple[tuple[str, str, int], ...]  # (src, alt, line)
    # For the link checks (linkcheck.py): (href, line) of links to files beside the
    # page (attachments), to other sites, and to headings on the page itself.
    files: tuple[tuple[str, int], ...] = ()
    external: tuple[tuple[str, int], ...] = ()
    own_anchors: tuple[tuple[str, int], ...] = ()
    # (href, line) of links and images whose address is no URL at all ('//[x').
    invalid: tuple[tuple[str, int], ...] = ()
    # The sources its links point at, each once, in the order first linked: worked out
    # where the Markdown is rendered (in a worker), for the site's backlinks.
    targets: tuple[str, ...] = ()

    @property
    def headings(self) -> tuple[Heading, ...]:
        """Kept as plain rows, made into Headings when asked for: only the anchor checks
        and the preview ask, and each Rendered crosses from a worker to the parent and to
        the cache, where four Heading objects a page were half its pickling time."""
        return tuple(Heading(*row) for row in self.heading_rows)


def make_heading(level: int, text: str, slugs: set[str]) -> Heading:
    """A heading with its id (h1-h4 only), unique among the `slugs` given so far."""
    return Heading(level, _unique(slugify(text) or "kop", slugs) if level <= 4 else "", text)


_HEADING_TAG = re.compile(r"<h([1-4])>")
# cmark-gfm labels the footnotes' back links in English; markdown-it gave them no
# label, so a screen reader reads the arrow. Keep it that way on our Dutch pages.
_BACKREF_LABEL = re.compile(r' aria-label="Back to [^"]*"')  # 'reference 1', 'content'


def finish_html(html: str, headings: list[Heading]) -> str:
    """Give h1-h4 their ids: cmark writes none. Raw HTML never reaches the output and
    code is escaped, so the n-th '<hN>' in the HTML is the n-th such heading."""
    anchors = iter([h.anchor for h in headings if h.level <= 4])

    def with_id(match: re.Match[str]) -> str:
        anchor = next(anchors, None)
        return heading_tag(match[1], anchor) if anchor else match[0]

    return without_backref_labels(_HEADING_TAG.sub(with_id, html))


def heading_tag(level: str, anchor: str) -> str:
    """A heading's opening tag with its id, where cmark wrote `<h{level}>`."""
    return f'<h{level} id="{anchor}">'


def without_backref_labels(html: str) -> str:
    return _BACKREF_LABEL.sub("", html) if "footnote-backref" in html else html


class LinksFound:
    """The links of one text, sorted by `sort` into the lists of Rendered."""

    def __init__(self) -> None:
        self.links: list[Link] = []
        self.missing: list[Link] = []
        self.others: dict[str, list[tuple[str, int]]] = {
            "files": [],
            "external": [],
            "own_anchors": [],
            "invalid": [],
        }

    def sort(self, href: str, line: int, source: str, urls: dict) -> str | None:
        """Note a link of the text (`source`) in one of the lists; the page URL it must
        point at when it is a link to a .md source (None: leave it as it is)."""
        # Most links go to other sites and need no splitting (brackets may make it invalid).
        if href.startswith(("https://", "http://")) and "[" not in href and "]" not in href:
            self.others["external"].append((href, line))
            return None
        if PLAIN_PATH.fullmatch(href):  # most other links: a path to a source, no split
            if href.endswith(".md"):  # no file, site or anchor to note: straight to its URL
                return self._to_source(href, "", href, source, line, urls)
            parts = SplitResult("", "", href, "", "")
        else:
            try:
                parts = urlsplit(href)
            except ValueError:  # not an address at all: reported by the link checks
                self.others["invalid"].append((href, line))
                return None
        _note_link(parts, href, line, self.others)
        if parts.scheme or parts.netloc or not parts.path.endswith(".md"):
            return None  # not a link to a .md source: left as it is
        return self._to_source(parts.path, parts.fragment, href, source, line, urls)

    def _to_source(
        self, path: str, fragment: str, href: str, source: str, line: int, urls: dict
    ) -> str | None:
        """The page URL for a link to the .md source at `path` (None: it does not exist)."""
        target = relative_source(source, path)
        link = Link(target, fragment, href, line)
        self.links.append(link)
        url = urls.get(target)
        if url is None:
            self.missing.append(link)
            return None
        return url + (f"#{fragment}" if fragment else "")

    def rendered_with(
        self, html: str, headings: list[Heading], first_paragraph: str, images: Iterable = ()
    ) -> Rendered:
        """The text's Rendered: its HTML and headings, with these links."""
        return Rendered(
            html=html,
            heading_rows=tuple((h.level, h.anchor, h.text) for h in headings),
            links=tuple(self.links),
            missing=tuple(self.missing),
            first_paragraph=shorten(first_paragraph),
            images=tuple(images),
            files=tuple(self.others["files"]),
            external=tuple(self.others["external"]),
            own_anchors=tuple(self.others["own_anchors"]),
            invalid=tuple(self.others["invalid"]),
            targets=tuple(dict.fromkeys([link.target for link in self.links])),
        )


# A relative path that urlsplit would return whole as the path: no scheme (':'), no
# '//' host, no query, fragment or brackets, nothing it strips.
PLAIN_PATH = re.compile(r"(?!//)[^:#?\[\]\\%\s\x00-\x20\x7f]+")


def _unique(slug: str, slugs: set[str]) -> str:
    """'kop', 'kop-1', 'kop-2': the suffixes mdit_py_plugins' anchors gave before."""
    unique, n = slug, 1
    while unique in slugs:
        unique, n = f"{slug}-{n}", n + 1
    slugs.add(unique)
    return unique


def _note_link(
    parts: SplitResult, href: str, line: int, others: dict[str, list[tuple[str, int]]]
) -> None:
    """Sort a link that is not to a .md source: another site, a file, or '#kop'."""
    if parts.scheme in ("http", "https"):
        others["external"].append((href, line))
    elif parts.scheme or parts.netloc:
        return  # mailto:, tel: and the like
    elif not parts.path and parts.fragment:
        others["own_anchors"].append((parts.fragment, line))
    elif "." in parts.path.rsplit("/", 1)[-1] and not parts.path.endswith((".md", ".html", ".htm")):
        others["files"].append((href, line))


def shorten(text: str) -> str:
    if len(text) <= SUMMARY_LENGTH:
        return text
    cut = text[:SUMMARY_LENGTH].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + " …"

"""Markdown -> Rendered (HTML, headings, links). Pure: knows no Page, does no I/O.

The engine is GitHub's cmark-gfm (C, see cmark.py). The general way (markdown_walk)
parses a text into a tree, walks it once to collect and rewrite links, then lets cmark
render the tree. Most texts need no walk: the quick way (markdown_quick) reads the
same from cmark's HTML and the text, and leaves the others to the walk.
"""

from __future__ import annotations

from generator.markdown_quick import render_quick
from generator.markdown_walk import render_walked
from generator.rendered import SUMMARY_LENGTH, Heading, Link, Rendered

__all__ = ["SUMMARY_LENGTH", "Heading", "Link", "Rendered", "render_markdown"]


def render_markdown(text: str, source: str, first_line: int, urls: dict[str, str]) -> Rendered:
    """Render `text` (which starts at `first_line` of `source`).

    `urls` maps source paths ('content/projecten/parana.md') to page URLs;
    links to those sources are rewritten, links to unknown sources reported.
    """
    quick = render_quick(text, source, first_line, urls)
    return quick if quick is not None else render_walked(text, source, first_line, urls)

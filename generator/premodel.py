"""What the build works out from the published pages before their Markdown is in: the
site model's lists and the checks of front matter alone. The engine has them done
beside the workers' Markdown (parallel.map_chunks' `beside`). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from generator import related
from generator.config import SiteConfig
from generator.errors import Problem
from generator.model import Page
from generator.site import Arrangement, arrange, check_unique_urls, generated_urls
from generator.vocabulary import near_duplicate_terms


@dataclass(frozen=True, slots=True)
class WithoutMarkdown:
    arranged: Arrangement  # the site model's lists
    near_duplicates: list[Problem]  # warnings about terms spelled nearly alike
    checks: list[Problem]  # see page_checks


def without_markdown(
    config: SiteConfig, pages: list[Page], published: list[Page], now: datetime
) -> WithoutMarkdown:
    """The site model's lists and the problems found in front matter alone."""
    return WithoutMarkdown(
        arrange(config, published, now),
        near_duplicate_terms(pages, config),
        page_checks(config, pages, published),
    )


def page_checks(config: SiteConfig, pages: list[Page], published: list[Page]) -> list:
    """The checks that need no Markdown: events named that exist, URLs used once."""
    problems = related.check_event_refs(pages, published)
    claims = generated_urls(config)
    for page in published:
        claims.append((page.url, page.source, page.line_of("slug") if "slug" in page.meta else 1))
        claims.extend((alias, page.source, page.line_of("aliases")) for alias in page.aliases)
    return problems + check_unique_urls(claims)

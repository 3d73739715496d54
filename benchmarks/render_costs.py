#!/usr/bin/env python3
"""Where an article page's render time goes, measured inside one process.

    python benchmarks/render_costs.py [--articles 10000] [--pages 2000] [--rounds 3]
                                      [--template term.html]

Whole builds on a shared machine swing by 10% from run to run, which hides any
change smaller than that. This builds the corpus once (one process, no cache),
keeps its site model and templates, and then renders the same article pages again
and again, variants in turn, so that they are compared within seconds of each other:

  - Jinja asking the site directly, with dependency recording, as a rebuild does
    (the build's own render_page: recording, the context digest and the output's
    digest, its record then packed for the cache; the file itself is discarded), and
    as a first build does (the questions logged, their digests left to the next build:
    deferred.py);
  - each part of the page left out in turn (see PARTS), against the whole page;
  - the digest of each question's answer, per question.

Figures are microseconds per page, the median of the rounds. With `--template`, the
outputs of another template (a list page: term.html, section.html, author.html) are
rendered the first three ways, with the cards each round renders anew. Not run by the tests
(one of them runs it on a small corpus, to keep it working).
"""

from __future__ import annotations

import argparse
import gc
import pickle
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import jinja2  # noqa: E402

import generator.rendering as rendering  # noqa: E402
from generator import collector  # noqa: E402
from generator.build import BuildOptions, build  # noqa: E402
from generator.deps import RecordingSite  # noqa: E402
from generator.digest import Digester  # noqa: E402
from generator.output import DiscardOutput  # noqa: E402
from generator.outputs import render_jobs  # noqa: E402
from generator.partials import PARTIAL, PartialCache  # noqa: E402
from generator.records import DEFERRED  # noqa: E402
from generator.urls import output_path  # noqa: E402

# (label, template, pattern): the page without what the pattern matches. A pattern
# that no longer matches the template is reported as such, not measured.
PARTS = [
    ("JSON-LD", "base.html", r"\{% set ld_graph.*?</script>"),
    (
        "header and footer",
        "base.html",
        r"\{\{ partial\(\"partials/(header|footer)\.html\"[^}]*\}\}",
    ),
    (
        "breadcrumbs",
        "base.html",
        r"\{% if crumbs is defined and crumbs %\}\n<nav.*?</nav>\n\{% endif %\}",
    ),
    (
        "page meta",
        "page.html",
        r"\{% set authors = site\.authors_of\(page\) %\}.*?\{% if page\.draft %\}.*?\n",
    ),
    ("terms", "page.html", r"\{% include \"partials/terms\.html\" %\}"),
    ("see also", "page.html", r"\{% set mentioned = .*?(?=\{% endblock %\}\s*$)"),
    ("content", "page.html", r"\{\{ content \}\}"),
]


class Session:
    """The site model, environment and article jobs of one in-process build."""

    def __init__(self, root: Path, pages: int, template: str = "page.html"):
        self.root = root
        self.template = template
        captured: dict = {}
        original = rendering._page_renderer

        def capturing(root, env, view, digester, writer, defer):
            captured.update(env=env, view=view, digester=digester)
            return original(root, env, view, digester, writer, defer)

        rendering._page_renderer = capturing
        out = Path(tempfile.mkdtemp(prefix="render-costs-"))
        try:
            result = build(root, out / "site", BuildOptions(search=False), 1, False)
        finally:
            rendering._page_renderer = original
            shutil.rmtree(out, ignore_errors=True)
        if not result.ok:
            raise SystemExit(f"the corpus did not build: {result.problems[:3]}")
        self.env = captured["env"]
        self.view = captured["view"]
        # Each round digests afresh, from the page digests a build starts with.
        self.page_digests = dict(captured["digester"].page_digests)
        self.loader = self.env.loader
        jobs = render_jobs(self.view._site, self.view, None)
        self.jobs = [job for job in jobs if job.templates[-1] == template][:pages]
        for job in self.jobs:  # every variant renders the same, whole context
            job.context, job.content_from = job.complete(), None
        self._check_whole(template)
        self.sources = {
            name: self.loader.get_source(self.env, name)[0] for name in ("base.html", "page.html")
        }

    def _check_whole(self, template: str) -> None:
        """A page rendered from a job's context holds that page's HTML: a context still
        waiting for its `content` (RenderJob.complete) measured pages without their text."""
        job = next((job for job in self.jobs if "content" in job.context), None)
        if job is None:
            return  # a list template's jobs carry no page HTML of their own
        content = job.context["content"]
        html = self.env.get_template(template).render(job.context, url_path=job.url, site=self.view)
        if not content or str(content) not in html:
            raise SystemExit(f"{job.url}: its rendered page lacks its content")

    def _use(self, replaced: dict[str, str]) -> None:
        loaders = [jinja2.DictLoader(replaced), self.loader] if replaced else [self.loader]
        self.env.loader = jinja2.ChoiceLoader(loaders)
        self.env.cache.clear()

    def render(
        self, how: str, replaced: dict[str, str] | None = None, digester_type: type = Digester
    ) -> float:
        """Microseconds per article page; `how`: plain, recording or build (the build's
        own render_page, with its record packed for the cache and the file discarded)."""
        self._use(replaced or {})
        digester = digester_type(dict(self.page_digests))
        # As in a build (collector.held_back), also for a caller that did not hold the
        # collector back: otherwise collections of the whole site model land in
        # whichever variant happens to cross the threshold.
        collecting = gc.isenabled()
        gc.collect()
        gc.disable()
        if how in ("build", "first"):  # a rebuild's render, or a first build's (deferred.py)
            defer = how == "first"
            render_page = rendering._page_renderer(
                self.root, self.env, self.view, digester, DiscardOutput(), defer
            )
            context_digest = DEFERRED if defer else None
            started = time.perf_counter()
            for job in self.jobs:
                *_, record, problem = render_page(
                    output_path(job.url), job, self.template, "", context_digest
                )
                assert problem is None, problem
                pickle.dumps(record)
        else:
            recording = RecordingSite(self.view, digester)
            self.env.globals[PARTIAL] = PartialCache(self.env, recording).__call__
            template = self.env.get_template(self.template)
            started = time.perf_counter()
            for job in self.jobs:
                if how == "plain":
                    template.render(job.context, url_path=job.url, site=self.view)
                    continue
                recording.start()
                template.render(job.context, url_path=job.url, site=recording)
        elapsed = time.perf_counter() - started
        if collecting:
            gc.enable()
        self._use({})
        return elapsed / len(self.jobs) * 1e6

    def without(self, template: str, pattern: str) -> dict[str, str] | None:
        text, count = re.subn(pattern, "", self.sources[template], flags=re.S)
        return {template: text} if count else None

    def digests(self) -> dict[str, float]:
        """Microseconds per page spent digesting the answers to each question."""
        spent: Counter = Counter()
        asking = [""]  # the question being answered
        view = self.view

        class TimedDigester(Digester):
            def of(self, value):
                started = time.perf_counter()
                try:
                    return Digester.of(self, value)
                finally:
                    spent[asking[0]] += time.perf_counter() - started

        def asked(name, method):
            def answer(*args):
                result = method(*args)
                asking[0] = name  # after the call: a question may ask others on its way
                return result

            return answer

        for name in dir(type(view)):
            if not name.startswith("_") and callable(getattr(view, name)):
                setattr(view, name, asked(name, getattr(view, name)))
        try:
            self.render("recording", digester_type=TimedDigester)
        finally:
            for name in list(vars(view)):
                if callable(vars(view)[name]) and not name.startswith("_"):
                    delattr(view, name)
        spent.pop("", None)  # digests made outside any question (none while recording)
        return {name: seconds / len(self.jobs) * 1e6 for name, seconds in spent.items()}


def report(session: Session, rounds: int) -> list[str]:
    what = "article pages" if session.template == "page.html" else f"outputs of {session.template}"
    lines = [f"{len(session.jobs)} {what}, median of {rounds} rounds, µs per page", ""]
    ways: dict[str, list[float]] = {"plain": [], "recording": [], "build": [], "first": []}
    for _ in range(rounds):
        for how, figures in ways.items():
            figures.append(session.render(how))
    plain, recorded, as_built, first = (statistics.median(figures) for figures in ways.values())
    lines += [
        f"  Jinja, site asked directly        {plain:7.1f}",
        f"  with dependency recording         {recorded:7.1f}",
        f"  as a rebuild renders it           {as_built:7.1f}"
        f"   (beyond Jinja: {(as_built - plain) / as_built:.0%} of the page)",
        f"  as a first build renders it       {first:7.1f}"
        f"   (digests deferred: {(first - plain) / first:.0%})",
    ]
    if session.template != "page.html":
        return lines  # the parts and questions below are an article page's
    lines += ["", "  left out            page without it   saved"]
    for label, template, pattern in PARTS:
        replaced = session.without(template, pattern)
        if replaced is None:
            lines.append(f"  {label:<18}  (not found in {template})")
            continue
        rests, saved = [], []
        for _ in range(rounds):  # the whole page and the page without it, side by side
            whole = session.render("recording")
            rests.append(session.render("recording", replaced))
            saved.append(whole - rests[-1])
        lines.append(
            f"  {label:<18}  {statistics.median(rests):15.1f}   {statistics.median(saved):5.1f}"
        )
    lines += ["", "  answer digests, per question"]
    spent = session.digests()
    for name, micros in sorted(spent.items(), key=lambda item: -item[1]):
        lines.append(f"  {name:<18}  {micros:6.2f}")
    lines.append(f"  {'all':<18}  {sum(spent.values()):6.2f}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--pages", type=int, default=2_000, help="article pages rendered a round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--corpus", type=Path, help="a corpus made already (tests use this)")
    parser.add_argument(
        "--template",
        default="page.html",
        help="the outputs of this template instead (term.html, section.html: list pages)",
    )
    args = parser.parse_args(argv)
    if args.corpus is None:
        from run import make_corpus

        args.corpus = make_corpus(args.articles)
    session = Session(args.corpus, args.pages, args.template)
    with collector.held_back():  # as in a build: no collections walking the model
        lines = report(session, args.rounds)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

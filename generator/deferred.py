"""Digests a first build leaves to the build after it.

A one-off first build (the command line's) has nothing to compare its outputs with,
so it logs which questions each output asked and digests none of the answers, nor
the render contexts, nor the pages they mention (records.DEFERRED): that was a tenth of
a cold build. The build after it makes that build's site model again from the
entries the cache kept, at the time it ran (remodel.model_again), and asks each
logged question of both models: an output whose context and answers all digest
alike is kept, and its record then gets the new digests. So only the first build
after a cold one does this; its records are all complete.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.deps import QueryReplayer
from generator.digest import Digester
from generator.feedjobs import FeedJob, feed_jobs
from generator.outputs import RenderJob, render_jobs
from generator.records import OutputRecord
from generator.site import Site
from generator.urls import output_path
from generator.views import SiteView


@dataclass(slots=True)
class Previous:
    """The model deferred records were made from, with its outputs' jobs."""

    digester: Digester
    replayer: QueryReplayer
    jobs: dict[str, RenderJob]  # output path -> job
    feeds: dict[str, FeedJob]  # output path -> job

    @classmethod
    def of(cls, site: Site, entries: dict) -> Previous:
        """`entries`: the sources that model was made from (their page digests)."""
        view = SiteView(site)
        digester = Digester({s: e.page_digest for s, e in entries.items() if e.page_digest})
        return cls(
            digester,
            QueryReplayer(view, digester),
            {output_path(job.url): job for job in render_jobs(site, view)},
            {job.path: job for job in feed_jobs(site)},
        )

    def page_record(
        self,
        rel: str,
        record: OutputRecord,
        template_digest: str,
        context_digest: str,
        replayer: QueryReplayer,
    ) -> OutputRecord | None:
        """The deferred `record` of a page with its digests, when the output made now
        would be made from the same inputs (`replayer` answers in the new model); None
        when it must be made again."""
        if record.template != template_digest:
            return None
        job = self.jobs.get(rel)
        if job is None or self.digester.of((job.url, job.complete())) != context_digest:
            return None
        queries = []
        for key, _none in record.queries:
            digest = replayer.digest(key)
            if digest is None or digest != self.replayer.digest(key):
                return None
            queries.append((key, digest))
        return OutputRecord(template_digest, context_digest, tuple(queries), record.output, None)

    def feed_record(self, path: str, record: OutputRecord, inputs_digest: str):
        """The deferred `record` of a feed with its digest when its inputs are the same."""
        job = self.feeds.get(path)
        if job is None or self.digester.of(job.inputs) != inputs_digest:
            return None
        return OutputRecord("", inputs_digest, (), record.output, None)

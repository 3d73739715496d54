"""The cycle collector is held back during a build (it found nothing but cost 6-12%
of the time), runs again afterwards, and still collects if a build grows too much."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from generator import collector
from generator.build import BuildOptions, build
from tests.sitekit import write_site

ARTICLES = "".join(
    f"""
-- content/artikelen/a{number}.md --
---
title: Artikel {number}
date: 2024-01-{number % 28 + 1:02d}
tags: [wonen, zorg{number % 3}]
---
Tekst over gemengd wonen, met een [link](a{(number + 1) % 40}.md).
"""
    for number in range(40)
)


@contextmanager
def counting_collections() -> Iterator[list[int]]:
    """The generation of each collection run inside."""
    runs: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            runs.append(info["generation"])

    gc.callbacks.append(count)
    try:
        yield runs
    finally:
        gc.callbacks.remove(count)


def test_a_build_runs_no_collection_and_leaves_the_collector_on(tmp_path):
    root = write_site(tmp_path / "site", ARTICLES)
    out, options = tmp_path / "out", BuildOptions(now=datetime(2024, 6, 1))
    old_threshold = gc.get_threshold()
    gc.collect()
    gc.set_threshold(100)  # without holding back, a build this size collects many times
    try:
        with counting_collections() as collections:
            result = build(root, out, options, workers=1, persistent_cache=False)
    finally:
        gc.set_threshold(*old_threshold)
    assert result.ok, result.problems
    assert (out / "artikelen/a7/index.html").exists()
    # At most the one that catches up with the build's young objects, once re-enabled.
    assert len(collections) <= 1
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled_after_a_build(tmp_path):
    root = write_site(tmp_path / "site", ARTICLES)
    gc.disable()
    try:
        build(root, tmp_path / "out", BuildOptions(now=datetime(2024, 6, 1)), workers=1)
        assert not gc.isenabled()
    finally:
        gc.enable()


class _Ring:
    def __init__(self) -> None:
        self.me = self


def test_held_back_the_collector_still_frees_cycles_once_grown(monkeypatch):
    monkeypatch.setattr(collector, "START_LIMIT", 1_000)
    with collector.held_back():
        gc.collect()
        rings = [_Ring() for _ in range(2_000)]
        del rings  # cycles: refcounting alone never frees them
        with counting_collections() as collections:
            assert collector.collect_if_grown() >= 2_000
        assert collections == [0]


def test_the_limit_doubles_when_a_collection_finds_little(monkeypatch):
    monkeypatch.setattr(collector, "START_LIMIT", 1_000)
    with collector.held_back():
        gc.collect()
        kept = [[index] for index in range(1_500)]  # alive: nothing to free
        assert collector.collect_if_grown() == 0
        kept.extend([index] for index in range(1_500))
        assert collector.collect_if_grown() == 0  # under the doubled limit: no run
        assert collector._limit == 2_000
    assert gc.isenabled()


def test_with_the_collector_running_by_itself_nothing_is_forced():
    assert gc.isenabled()
    with counting_collections() as collections:
        assert collector.collect_if_grown() == 0
    assert collections == []


def test_a_build_in_a_process_that_ends_after_it_leaves_its_objects_alone(tmp_path):
    """`python -m generator build` ends with os._exit: no catch-up collection walks what
    the build made, and its model is not freed object by object before the exit."""
    from generator import build as build_module
    from generator.cli import main

    root = write_site(tmp_path / "site", ARTICLES)
    argv = ["build", "--source", str(root), "--out", str(tmp_path / "out"), "--jobs", "1"]
    kept_before = len(build_module._LEFT_FOR_EXIT)
    gc.collect()
    try:
        with counting_collections() as collections:
            assert main([*argv, "--now", "2024-06-01T12:00"], process_ends=True) == 0
            churn = [[index] for index in range(50_000)]  # what would trigger one
        assert collections == []
        assert not gc.isenabled()
        assert len(build_module._LEFT_FOR_EXIT) == kept_before + 1
    finally:
        del build_module._LEFT_FOR_EXIT[kept_before:]
        gc.enable()
    assert len(churn) == 50_000
    assert (tmp_path / "out/artikelen/a7/index.html").exists()

"""A progress bar for long builds on a terminal; silent when piped or in CI."""

from __future__ import annotations

import os
import time
from typing import TextIO

MIN_ITEMS = 200  # shorter stages finish before a bar is worth drawing


def wanted(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


class ProgressBar:
    def __init__(self, stream: TextIO, width: int = 30):
        self.stream = stream
        self.width = width
        self.total = 0
        self.done = 0
        self.label = ""
        self._drawn_at = 0.0

    def start(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, total, 0

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if self.total >= MIN_ITEMS and (now - self._drawn_at > 0.1 or self.done >= self.total):
            self._drawn_at = now
            filled = int(self.width * self.done / max(self.total, 1))
            bar = "#" * filled + "-" * (self.width - filled)
            self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total}")
            self.stream.flush()

    def finish(self) -> None:
        if self.total >= MIN_ITEMS:
            self.stream.write("\r" + " " * (len(self.label) + self.width + 30) + "\r")
            self.stream.flush()

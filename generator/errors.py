"""Problems found in content or configuration: values, never exceptions that escape."""

from __future__ import annotations

from dataclasses import dataclass

from generator.slotstate import quick_state


@quick_state
@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the sources, pointing at a file and line.

    `path` is relative to the site root (what an editor recognises);
    `line` is 1-based, 0 when the problem concerns the whole file.
    """

    path: str
    line: int
    message: str
    column: int = 0
    severity: str = "error"  # "error" or "warning"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        label = "" if self.is_error else "waarschuwing: "
        return f"{where}: {label}{self.message}"

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.message)


class BuildFailed(Exception):
    """Raised by the orchestrator when sources hold errors; carries all of them."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = sorted(problems, key=Problem.sort_key)


def errors_only(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]

"""Refuse output folders that a build would wreck, before anything is written.

A build replaces its output folder wholesale, so `--out .`, `--out content`,
`--out ~` or `--out /` would throw away sources or a home folder. Kennisbank
leaves a marker file in every folder it builds; a folder that exists, is not
empty and has no marker was not made by Kennisbank and is never touched.
"""

from __future__ import annotations

from pathlib import Path

from generator.errors import Problem

MARKER = ".kennisbank-build"
MARKER_TEXT = (
    b"Deze map is gemaakt door Kennisbank (python -m generator build).\n"
    b"Bij elke build wordt de hele map vervangen; zet hier niets met de hand neer.\n"
)
# Folders of the source tree that an output may never be, be inside, or contain.
PROTECTED = ("content", "templates", "static", "site.yaml", ".git")


def check_output(out: Path, root: Path) -> Problem | None:
    """None when `out` may be (re)built; otherwise why not, and what to do."""
    target = out.resolve()
    source = root.resolve()
    where = str(out)

    def refuse(why: str) -> Problem:
        return Problem(
            where, 0, f"deze uitvoermap wordt niet gebruikt: {why}; kies met --out een eigen map"
        )

    if target == Path(target.anchor):
        return refuse("dat is de hoofdmap van het systeem")
    if source.is_relative_to(target):
        return refuse(f"de bronmap {source} zou worden overschreven")
    for name in PROTECTED:
        protected = (source / name).resolve()
        if target.is_relative_to(protected) or protected.is_relative_to(target):
            return refuse(f"{name} zou worden overschreven")
    if target.exists() and not target.is_dir():
        return refuse("dat is een bestand, geen map")
    if target.is_dir() and not (target / MARKER).is_file() and any(target.iterdir()):
        return refuse(
            "de map is niet leeg en is niet door Kennisbank gemaakt, "
            "dus alles wat erin staat zou verdwijnen"
        )
    return None

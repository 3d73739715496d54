"""The command line: the only module that prints or exits."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from datetime import date, datetime
from pathlib import Path

from generator.build import BuildOptions, BuildResult, build
from generator.errors import Problem
from generator.i18n import word
from generator.outguard import check_output
from generator.progress import ProgressBar, wanted
from generator.report import FORMATS, render, site_language

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is geen ISO-datum; bijvoorbeeld 2019-10-03 of 2019-10-03T14:00"
        ) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m generator", description="Kennisbank: bouw en bekijk de site."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--source", type=Path, default=Path("."), help="map met site.yaml (standaard: hier)"
        )
        sub.add_argument("--drafts", action="store_true", help="ook concepten (draft: true)")
        sub.add_argument(
            "--future", action="store_true", help="ook pagina's met een datum in de toekomst"
        )
        sub.add_argument(
            "--now", type=_moment, help="doe alsof het nu dit moment is (ISO), voor tests"
        )
        sub.add_argument("--base-url", help="vervang base_url uit site.yaml")
        sub.add_argument("--timings", action="store_true", help="toon de tijd per stap")
        sub.add_argument("--jobs", type=int, help="aantal processen (standaard: alle kernen)")
        sub.add_argument(
            "--format",
            choices=FORMATS,
            default="text",
            help="text (standaard), github (annotaties voor GitHub Actions) of json",
        )
        sub.add_argument("--strict", action="store_true", help="behandel waarschuwingen als fouten")

    build_cmd = commands.add_parser("build", help="bouw de site in build/")
    common(build_cmd)
    build_cmd.add_argument("--out", type=Path, help="uitvoermap (standaard: build/ in de bronmap)")
    build_cmd.add_argument(
        "--no-search", action="store_true", help="geen zoekindex maken (sneller, voor metingen)"
    )
    check_cmd = commands.add_parser("check", help="controleer alles zonder iets te schrijven")
    common(check_cmd)
    check_cmd.add_argument(
        "--external", action="store_true", help="controleer ook links naar andere websites"
    )
    serve_cmd = commands.add_parser("serve", help="bouw, serveer en herlaad bij elke wijziging")
    serve_cmd.add_argument("--source", type=Path, default=Path("."))
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument("--now", type=_moment)
    serve_cmd.add_argument(
        "--poll",
        action="store_true",
        help="peil wijzigingen in plaats van inotify (WSL2, Docker, netwerkschijven; "
        "gaat vanzelf aan waar nodig)",
    )
    new_cmd = commands.add_parser("new", help="maak een nieuwe conceptpagina")
    new_cmd.add_argument("section")
    new_cmd.add_argument("title")
    new_cmd.add_argument("--source", type=Path, default=Path("."))
    return parser


def _colour(stream) -> bool:
    """Colour only for a person at a terminal (https://no-color.org)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")


def report(
    problems: list[Problem], root: Path | None = None, fmt: str = "text", language: str = "nl"
) -> None:
    """Text goes to stderr (for people); github and json to stdout (for machines)."""
    stream = sys.stderr if fmt == "text" else sys.stdout
    if problems or fmt == "json":
        stream.write(render(problems, root, language, fmt, _colour(stream)))


def _summary(result: BuildResult, verb: str) -> str:
    rate = result.pages / result.seconds if result.seconds else 0.0
    return (
        f"{verb}: {result.pages} pagina's, {result.files} bestanden "
        f"({result.written} gewijzigd) in {result.seconds:.2f} s ({rate:.0f} pagina's/s)"
    )


def _options(args: argparse.Namespace) -> BuildOptions:
    return BuildOptions(
        now=args.now,
        drafts=args.drafts,
        future=args.future,
        base_url=args.base_url,
        strict=args.strict,
        external=getattr(args, "external", False),
        search=not getattr(args, "no_search", False),
    )


def _run_build(args: argparse.Namespace, check_only: bool, process_ends: bool = False) -> int:
    root = args.source.resolve()
    out = None if check_only else (args.out or root / "build").absolute()
    language = site_language(root)
    refused = check_output(out, root) if out is not None else None
    if refused:
        report([refused], root, args.format, language)
        return EXIT_USAGE
    progress = ProgressBar(sys.stderr) if wanted(sys.stderr) else None
    result = build(
        root, out, _options(args), args.jobs, progress=progress, process_ends=process_ends
    )
    report(result.problems, root, args.format, language)
    if args.timings:
        for name, seconds in result.timings.items():
            print(f"  {name:<14} {seconds * 1000:8.1f} ms", file=sys.stderr)
        print(f"  {'(gerenderd)':<14} {result.rendered:8d} bestanden", file=sys.stderr)
        _print_render_costs(result.render_costs)
    # Machines read stdout in the github and json formats; the summary goes aside.
    summary = sys.stdout if args.format == "text" else sys.stderr
    warnings = sum(1 for p in result.problems if not p.is_error)
    if not result.ok:
        errors = sum(1 for p in result.problems if p.is_error)
        where = word("nothing_written" if check_only else "build_untouched", language)
        counts = word("errors_found", language, errors=errors)
        if warnings:
            counts += ", " + word("warnings_found", language, warnings=warnings)
        print(f"{counts}; {where}.", file=sys.stderr)
        return EXIT_CONTENT
    if warnings:
        print(word("warnings_found", language, warnings=warnings) + ".", file=sys.stderr)
    print(_summary(result, "gecontroleerd" if check_only else "gebouwd"), file=summary)
    return EXIT_OK


def _run_new(args: argparse.Namespace) -> int:
    root = args.source.resolve()
    from generator.newpage import create_page  # with Jinja, for `new` alone

    path, problem = create_page(root, args.section, args.title, date.today())
    if problem:
        report([problem], root, "text", site_language(root))
        return (
            EXIT_USAGE
            if problem.line == 0 and "bestaat al" not in problem.message
            else EXIT_CONTENT
        )
    print(f"aangemaakt: {path}")
    return EXIT_OK


def _run_serve(args: argparse.Namespace) -> int:
    from generator.serve import serve

    return serve(args.source.resolve(), args.host, args.port, now=args.now, poll=args.poll)


def _print_render_costs(costs: dict[str, list]) -> None:
    """Where rendering went, dearest template first (Hugo's --templateMetrics): the
    time of every process summed, so on two cores about twice the stage's own time."""
    if not costs:
        return
    print("  maken per template (alle processen samen):", file=sys.stderr)
    for kind, (count, seconds) in sorted(costs.items(), key=lambda item: -item[1][1]):
        each = seconds / count * 1e6
        print(
            f"    {kind:<24} {count:6d} x {each:7.0f} µs = {seconds * 1000:8.1f} ms",
            file=sys.stderr,
        )


def main(argv: list[str] | None = None, *, process_ends: bool = False) -> int:
    """`process_ends`: the process ends right after, without tearing down (__main__)."""
    # A build holds the collector back itself (collector.py); outside one (imports at
    # start-up, the preview between builds) collecting the youngest generation less
    # often still lets most short-lived objects die first.
    gc.set_threshold(20_000, 20, 20)
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            return _run_build(args, check_only=False, process_ends=process_ends)
        if args.command == "check":
            return _run_build(args, check_only=True, process_ends=process_ends)
        if args.command == "new":
            return _run_new(args)
        return _run_serve(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())

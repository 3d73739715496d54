"""The command line: the only module that prints or exits."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path

from generator.build import BuildOptions, BuildResult, build
from generator.errors import Problem
from generator.newpage import create_page
from generator.outguard import check_output

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

    build_cmd = commands.add_parser("build", help="bouw de site in build/")
    common(build_cmd)
    build_cmd.add_argument("--out", type=Path, help="uitvoermap (standaard: build/ in de bronmap)")
    check_cmd = commands.add_parser("check", help="controleer alles zonder iets te schrijven")
    common(check_cmd)
    serve_cmd = commands.add_parser("serve", help="bouw, serveer en herlaad bij elke wijziging")
    serve_cmd.add_argument("--source", type=Path, default=Path("."))
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument("--now", type=_moment)
    new_cmd = commands.add_parser("new", help="maak een nieuwe conceptpagina")
    new_cmd.add_argument("section")
    new_cmd.add_argument("title")
    new_cmd.add_argument("--source", type=Path, default=Path("."))
    return parser


def report(problems: list[Problem], stream=None) -> None:
    stream = stream or sys.stderr
    for problem in problems:
        print(problem.format(), file=stream)


def _summary(result: BuildResult, verb: str) -> str:
    rate = result.pages / result.seconds if result.seconds else 0.0
    return (
        f"{verb}: {result.pages} pagina's, {result.files} bestanden "
        f"({result.written} gewijzigd) in {result.seconds:.2f} s ({rate:.0f} pagina's/s)"
    )


def _options(args: argparse.Namespace) -> BuildOptions:
    return BuildOptions(
        now=args.now, drafts=args.drafts, future=args.future, base_url=args.base_url
    )


def _run_build(args: argparse.Namespace, check_only: bool) -> int:
    root = args.source.resolve()
    out = None if check_only else (args.out or root / "build").absolute()
    refused = check_output(out, root) if out is not None else None
    if refused:
        report([refused])
        return EXIT_USAGE
    result = build(root, out, _options(args))
    report(result.problems)
    if args.timings:
        for name, seconds in result.timings.items():
            print(f"  {name:<14} {seconds * 1000:8.1f} ms", file=sys.stderr)
    if not result.ok:
        errors = sum(1 for p in result.problems if p.is_error)
        where = "er is niets geschreven" if check_only else "build/ is niet veranderd"
        print(f"{errors} fout(en) gevonden; {where}.", file=sys.stderr)
        return EXIT_CONTENT
    print(_summary(result, "gecontroleerd" if check_only else "gebouwd"))
    return EXIT_OK


def _run_new(args: argparse.Namespace) -> int:
    path, problem = create_page(args.source.resolve(), args.section, args.title, date.today())
    if problem:
        report([problem])
        return (
            EXIT_USAGE
            if problem.line == 0 and "bestaat al" not in problem.message
            else EXIT_CONTENT
        )
    print(f"aangemaakt: {path}")
    return EXIT_OK


def _run_serve(args: argparse.Namespace) -> int:
    from generator.serve import serve

    return serve(args.source.resolve(), args.host, args.port, now=args.now)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            return _run_build(args, check_only=False)
        if args.command == "check":
            return _run_build(args, check_only=True)
        if args.command == "new":
            return _run_new(args)
        return _run_serve(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())

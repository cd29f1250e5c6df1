"""Command line for the knowledge base: ``helpdesk kb search|eval|import|export ...``.

The bot's CLI passes everything after ``kb`` to main(). Streams are
parameters so the bot and the tests can capture output without touching
sys.stdout; argparse is kept from calling sys.exit so main() always returns
an exit code (0 fine, 2 bad arguments or unreadable files).

``import`` and ``export`` need the database, which lives in a layer above this
package: the bot passes them in as :class:`Command` entries, so that one parser
holds every ``kb`` subcommand and ``helpdesk kb --help`` lists them all.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NoReturn

from knowledge.article import Article
from knowledge.evaluate import EVAL_FORMAT, EvalError, evaluate, evaluate_outcomes, in_force
from knowledge.evidence import MIN_PEOPLE, Outcome, collect
from knowledge.loader import LoadReport, load_articles, shipped_articles_dir
from knowledge.matcher import Match, Matcher

EXIT_OK = 0
EXIT_USAGE = 2


class _Exit(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """ArgumentParser that writes to given streams and raises instead of exiting."""

    def __init__(self, *args, out: IO[str], err: IO[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._out, self._err = out, err

    def _print_message(self, message: str, file: IO[str] | None = None) -> None:
        if message:
            (self._err if file is sys.stderr else self._out).write(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self._err.write(message)
        raise _Exit(status)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


@dataclass(frozen=True)
class Command:
    """A ``kb`` subcommand defined above this layer: its help, its arguments, and what it runs."""

    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def build_parser(
    out: IO[str], err: IO[str], *, more: Mapping[str, Command] | None = None,
    parents: Sequence[argparse.ArgumentParser] = (),
) -> argparse.ArgumentParser:
    """The ``kb`` argument parser (exposed so the bot can show its help).

    `more` adds the caller's subcommands; `parents` the caller's options (the bot's --db and --config),
    listed in every subcommand's help."""
    common = dict(out=out, err=err, formatter_class=argparse.RawDescriptionHelpFormatter, parents=list(parents))
    parser = _Parser(
        prog="helpdesk kb",
        description="Search the knowledge base, measure how well it matches queries, or move its articles\n"
                    "between the database and files.",
        **common,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    search = sub.add_parser(
        "search",
        help="suggest articles for a fault description",
        description=(
            "Suggest articles for a fault description.\n\n"
            "With QUERY, print the matches. Without QUERY, read one query per line\n"
            "from standard input and write one JSON line per query:\n"
            '  {"query": "...", "matches": [{"id": "...", "score": 0.87, "title": "...", "sure": true}]}\n'
            "The score is the confidence that the article is the one meant; below 0.7 the\n"
            "suggestions are guesses (sure: false, shown as \"did you mean\"). An empty match\n"
            "list means no match at all."
        ),
        epilog='example: helpdesk kb search "打印机卡纸了" --top 3',
        **common,
    )
    search.add_argument("query", nargs="?", metavar="QUERY", help="the text a user wrote")
    search.add_argument(
        "--kb", type=Path, metavar="DIR", help="folder of article .md files (default: the shipped articles)"
    )
    search.add_argument(
        "--top", type=_positive, default=3, metavar="N", help="at most N matches per query (default: 3)"
    )
    search.add_argument("--lang", choices=("zh", "en"), help="prefer titles in this language")
    search.add_argument("--json", action="store_true", help="print JSON instead of a table (QUERY mode)")

    ev = sub.add_parser(
        "eval",
        help="measure hit@1, hit@3 and rejection on labelled queries",
        description=(
            "Measure the matcher on a file of labelled queries.\n\n"
            f"{EVAL_FORMAT}\n\n"
            "hit@k counts in-scope queries whose article is among the top k;\n"
            "rejection is the share of out-of-scope queries that got no match."
        ),
        epilog="example: helpdesk kb eval queries.jsonl --kb articles/",
        **common,
    )
    ev.add_argument("queries", type=Path, nargs="?", metavar="QUERIES.jsonl", help="labelled queries")
    ev.add_argument(
        "--kb", type=Path, metavar="DIR", help="folder of article .md files (default: the shipped articles)"
    )
    ev.add_argument("--failures", action="store_true", help="also list every miss")
    ev.add_argument(
        "--outcomes", action="store_true",
        help="measure on the verdicts stored in the bot's database instead (✅ fixed it, ❌ didn't help, "
             "📗 fixed with), with and without what was learned from them, and list the learned phrasings",
    )
    for name, command in (more or {}).items():
        command.arguments(sub.add_parser(name, help=command.help, description=command.help + ".", **common))
    return parser


def _load(kb: Path | None, err: IO[str], stored: Sequence[Article] = ()) -> Matcher:
    """A matcher over :func:`_articles`."""
    return Matcher(_articles(kb, err, stored))


def _articles(kb: Path | None, err: IO[str], stored: Sequence[Article] = ()) -> list[Article]:
    """The articles of `kb`, or the shipped ones plus `stored` (the database's, which win)."""
    folder = kb if kb is not None else shipped_articles_dir()
    if not folder.is_dir():
        err.write(f"error: knowledge base folder not found: {folder}\n")
        raise _Exit(EXIT_USAGE)
    report: LoadReport = load_articles(folder)
    for problem in report.problems:
        err.write(f"warning: {problem.verb} {problem.path}: {problem.reason}\n")
    articles = {(a.id, a.lang): a for a in report.articles}
    if kb is None:
        articles.update({(a.id, a.lang): a for a in stored})
    if not articles:
        err.write(f"warning: no articles loaded from {folder}\n")
    return list(articles.values())


def _as_json(query: str, matches: list[Match]) -> str:
    payload = {
        "query": query,
        "matches": [{"id": m.id, "score": m.score, "title": m.title, "sure": m.sure} for m in matches],
    }
    return json.dumps(payload, ensure_ascii=False)


def _search(args: argparse.Namespace, stdin: IO[str], out: IO[str], err: IO[str],
            stored: Sequence[Article] = ()) -> int:
    matcher = _load(args.kb, err, stored)
    if args.query is None:
        for line in stdin:
            query = line.rstrip("\r\n")
            out.write(_as_json(query, matcher.search(query, top=args.top, lang=args.lang)) + "\n")
        return EXIT_OK
    matches = matcher.search(args.query, top=args.top, lang=args.lang)
    if args.json:
        out.write(_as_json(args.query, matches) + "\n")
    elif not matches:
        out.write("No match.\n")
    else:
        width = max(len(m.id) for m in matches)
        if not matches[0].sure:
            out.write("Not sure; did you mean:\n")
        for m in matches:
            out.write(f"{m.score:.2f}  {m.id:<{width}}  {m.title}\n")
    return EXIT_OK


def _eval(args: argparse.Namespace, out: IO[str], err: IO[str], stored: Stored) -> int:
    if args.outcomes:
        return _eval_outcomes(args, out, err, stored)
    if args.queries is None:
        err.write("error: give a QUERIES.jsonl file, or --outcomes for the stored verdicts\n")
        return EXIT_USAGE
    if not args.queries.is_file():
        err.write(f"error: queries file not found: {args.queries}\n")
        return EXIT_USAGE
    matcher = _load(args.kb, err)
    try:
        result = evaluate(args.queries, matcher)
    except EvalError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_USAGE
    out.write(
        f"queries:    {result.n} ({result.in_scope} in scope, "
        f"{result.out_of_scope} out of scope)\n"
        f"hit@1:      {result.hit1:.3f}\n"
        f"hit@3:      {result.hit3:.3f}\n"
        f"rejection:  {result.rejection:.3f}\n"
    )
    if result.kinds:
        out.write("by kind:\n" + "".join(f.line(kind) + "\n" for kind, f in result.kinds.items()))
    if args.failures:
        for f in result.failures:
            out.write(f"miss: expected {f.expect or '(nothing)'}, got {f.got or '[]'}: {f.query}\n")
    return EXIT_OK


def _eval_outcomes(args: argparse.Namespace, out: IO[str], err: IO[str], stored: Stored) -> int:
    outcomes = list(stored.outcomes)
    if not outcomes:
        out.write("No verdicts stored yet (the bot's database has none, or there is no database).\n")
        return EXIT_OK
    articles = _articles(args.kb, err, stored.articles)  # read once: the problems are reported once
    plain, taught = Matcher(articles), Matcher(articles)
    groups = collect(outcomes, stored.removed)
    taught.apply_evidence(groups)
    before, after = evaluate_outcomes(outcomes, plain), evaluate_outcomes(outcomes, taught)
    engineers = sum(o.by_engineer for o in outcomes)
    forced = in_force(groups)
    out.write(
        f"verdicts:   {len(outcomes)} on {len({o.article_id for o in outcomes})} articles "
        f"({before.helped - engineers} fixed it, {before.failed} didn't help, {engineers} engineer fixed with)\n"
        f"phrasings:  {len(groups)} groups, {sum(e.learned for e in groups)} learned, "
        f"{sum(e.against for e in groups)} against, {len(stored.removed)} removed by engineers "
        f"(a phrasing counts once {MIN_PEOPLE} people agree)\n"
        f"on the verdicts' own queries  without learning   with learning (in-sample)\n"
        f"  helped: hit@1            {before.hit1:>10.3f}   {after.hit1:>10.3f}\n"
        f"  helped: hit@3            {before.hit3:>10.3f}   {after.hit3:>10.3f}\n"
        f"  didn't help, still first {before.failed_first:>10.3f}   {after.failed_first:>10.3f}\n"
    )
    for e in forced:
        mark = "+" if e.learned else "-"
        out.write(f"{mark} {e.article_id}  fixed {len(e.helped_by)}, not {len(e.failed_by)}: {e.query}\n")
    return EXIT_OK


@dataclass(frozen=True)
class Stored:
    """What the bot's database adds: articles saved from chat, verdicts, and removed phrasings."""

    articles: Sequence[Article] = ()
    outcomes: Sequence[Outcome] = ()
    removed: frozenset[tuple[str, str]] = frozenset()


def main(
    argv: list[str],
    stdin: IO[str] = sys.stdin,
    stdout: IO[str] = sys.stdout,
    stderr: IO[str] | None = None,
    stored: Stored | Callable[[bool], Stored] | None = None,
    *,
    more: Mapping[str, Command] | None = None,
    parents: Sequence[argparse.ArgumentParser] = (),
) -> int:
    """Run ``kb`` with argv (the words after ``kb``); return the exit code.

    `stored` is what the bot's database holds: its articles are searched together with the shipped
    ones (without ``--kb``), its verdicts are what ``eval --outcomes`` measures. It may be a function,
    called only when the database is wanted, with True when the command cannot do without it (then
    it may raise: a missing database is the caller's error to word).
    """
    err = stderr if stderr is not None else sys.stderr
    parser = build_parser(stdout, err, more=more, parents=parents)

    def read(needed: bool) -> Stored:
        return stored(needed) if callable(stored) else (stored or Stored())

    try:
        args = parser.parse_args(argv)
        if more and args.command in more:
            return more[args.command].run(args)
        if args.command == "search":
            return _search(args, stdin, stdout, err, () if args.kb else read(False).articles)
        return _eval(args, stdout, err, read(True) if args.outcomes else Stored())
    except _Exit as exc:
        return exc.code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))

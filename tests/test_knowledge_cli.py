"""The ``helpdesk kb`` command line: search (one query, --json, stdin) and eval."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from knowledge.article import Article
from knowledge.cli import main
from knowledge.loader import render_article

ARTICLES = [
    Article(
        "printer-offline",
        "en",
        "Printer shows offline",
        "printer",
        ("My printer says offline",),
        "1. Restart the printer.",
        "",
    ),
    Article("printer-offline", "zh", "打印机显示脱机", "printer", ("打印机显示脱机",), "1. 重启打印机。", ""),
    Article(
        "pc-no-power", "en", "Computer won't turn on", "pc", ("My computer won't turn on",), "1. Check the plug.", ""
    ),
]


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    folder = tmp_path / "kb"
    for a in ARTICLES:
        path = folder / a.lang / f"{a.id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_article(a), encoding="utf-8")
    return folder


def run(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_search_human_readable(kb: Path) -> None:
    code, out, err = run(["search", "printer is offline", "--kb", str(kb)])
    assert code == 0, err
    first = out.splitlines()[0].split()
    assert first[1] == "printer-offline"
    assert 0 < float(first[0]) <= 1
    assert "Printer shows offline" in out


def test_search_no_match_says_so(kb: Path) -> None:
    code, out, _ = run(["search", "where do I buy a printer", "--kb", str(kb)])
    assert (code, out) == (0, "No match.\n")


def test_search_json(kb: Path) -> None:
    code, out, _ = run(["search", "打印机脱机了", "--kb", str(kb), "--json", "--top", "1"])
    assert code == 0
    payload = json.loads(out)
    assert payload["query"] == "打印机脱机了"
    assert [m["id"] for m in payload["matches"]] == ["printer-offline"]
    assert payload["matches"][0]["title"] == "打印机显示脱机"
    assert set(payload["matches"][0]) == {"id", "score", "title", "sure"}
    assert payload["matches"][0]["sure"] is True


def test_search_that_only_guesses_says_so() -> None:
    code, out, _ = run(["search", "打印机"])  # the shipped articles: a dozen are about printers
    assert code == 0 and out.startswith("Not sure; did you mean:\n")
    assert len(out.splitlines()) >= 3  # a one-word query about a device gets its articles to pick from


def test_search_stdin_writes_one_json_line_per_query(kb: Path) -> None:
    code, out, _ = run(
        ["search", "--kb", str(kb), "--lang", "en"],
        stdin="pc won't turn on\nhello\n\n电脑没反应开不了机\n",
    )
    assert code == 0
    lines = [json.loads(x) for x in out.splitlines()]
    assert [x["query"] for x in lines] == ["pc won't turn on", "hello", "", "电脑没反应开不了机"]
    assert [[m["id"] for m in x["matches"]][:1] for x in lines] == [["pc-no-power"], [], [], ["pc-no-power"]]


def test_problems_go_to_stderr_with_path_and_reason(kb: Path) -> None:
    bad = kb / "broken.md"
    bad.write_text("no front matter\n", encoding="utf-8")
    code, out, err = run(["search", "printer offline", "--kb", str(kb)])
    assert code == 0
    assert "printer-offline" in out
    assert str(bad) in err and "front matter missing" in err


def test_eval_prints_figures(kb: Path, tmp_path: Path) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"q": "printer offline", "expect": "printer-offline"}\n'
        '{"q": "computer is dead, will not turn on", "expect": "pc-no-power"}\n'
        '{"q": "can I take Friday off", "expect": null}\n',
        encoding="utf-8",
    )
    code, out, err = run(["eval", str(queries), "--kb", str(kb), "--failures"])
    assert code == 0, err
    assert "queries:    3 (2 in scope, 1 out of scope)" in out
    assert "hit@1:      1.000" in out
    assert "hit@3:      1.000" in out
    assert "rejection:  1.000" in out
    assert "miss:" not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "required"),
        (["frobnicate"], "invalid choice"),
        (["search", "x", "--top", "0"], "must be 1 or more"),
        (["search", "x", "--top", "many"], "invalid"),
        (["eval"], "give a QUERIES.jsonl file, or --outcomes"),
    ],
)
def test_bad_arguments_exit_2(argv: list[str], message: str) -> None:
    code, _, err = run(argv)
    assert code == 2
    assert message in err


def test_unreadable_files_exit_2(kb: Path, tmp_path: Path) -> None:
    code, _, err = run(["eval", str(tmp_path / "missing.jsonl"), "--kb", str(kb)])
    assert code == 2 and "queries file not found" in err
    code, _, err = run(["search", "x", "--kb", str(tmp_path / "nope")])
    assert code == 2 and "knowledge base folder not found" in err
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{oops\n", encoding="utf-8")
    code, _, err = run(["eval", str(broken), "--kb", str(kb)])
    assert code == 2 and "broken.jsonl:1: not JSON" in err


def test_eval_refuses_a_misspelled_key_naming_the_line_and_the_key(kb: Path, tmp_path: Path) -> None:
    """A misspelled "expect" would otherwise make an in-scope query out of scope and change the figures."""
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"q": "printer offline", "expect": "printer-offline"}\n\n'
                       '{"q": "computer is dead", "expcet": "pc-no-power"}\n', encoding="utf-8")
    code, out, err = run(["eval", str(queries), "--kb", str(kb)])
    assert (code, out) == (2, "")
    assert "q.jsonl:3: unknown key 'expcet'" in err


def test_eval_help_documents_the_file_format() -> None:
    code, out, _ = run(["eval", "--help"])
    assert code == 0
    assert '"q"       required' in out and '"expect"' in out and "No other key is accepted" in out


def test_help_goes_to_stdout_and_exits_0() -> None:
    code, out, _ = run(["search", "--help"])
    assert code == 0
    assert "--kb DIR" in out and "one JSON line per query" in out
    code, out, _ = run(["--help"])
    assert code == 0 and "eval" in out and "search" in out

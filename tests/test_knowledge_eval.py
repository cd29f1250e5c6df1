"""Evaluation: the queries file format, the figures, and the development-set targets."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from knowledge.article import Article
from knowledge.evaluate import EvalError, evaluate, load_queries
from knowledge.loader import load_articles
from knowledge.matcher import Matcher

DEV_SET = Path(__file__).parents[1].parent / "shared" / "kb-eval"


def art(art_id: str, title: str, *symptoms: str) -> Article:
    return Article(art_id, "en", title, "printer", symptoms, "1. Do it.", "test")


@pytest.fixture
def matcher() -> Matcher:
    return Matcher(
        [
            art("printer-offline", "Printer shows offline", "My printer says offline"),
            art("printer-paper-jam", "Printer paper jam", "Paper is stuck in the printer"),
        ]
    )


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n")
    return path


def test_figures_and_failures(tmp_path: Path, matcher: Matcher) -> None:
    queries = write_jsonl(
        tmp_path / "q.jsonl",
        [
            {"q": "printer offline", "expect": "printer-offline"},
            {"q": "paper jam", "expect": "printer-paper-jam"},
            {"q": "printer jammed", "expect": "printer-offline"},  # labelled wrong on purpose
            {"q": "where do I buy a printer", "expect": None},
            {"q": "hello", "expect": None},
        ],
    )
    result = evaluate(queries, matcher)
    assert (result.n, result.in_scope, result.out_of_scope) == (5, 3, 2)
    assert result.hit1 == pytest.approx(2 / 3)
    assert result.hit3 == pytest.approx(2 / 3)
    assert result.rejection == 1.0
    assert [(f.query, f.expect, f.got[:1]) for f in result.failures] == [
        ("printer jammed", "printer-offline", ["printer-paper-jam"])
    ]


def test_no_in_scope_queries_gives_zero_hits(tmp_path: Path, matcher: Matcher) -> None:
    result = evaluate(write_jsonl(tmp_path / "q.jsonl", [{"q": "hi", "expect": None}]), matcher)
    assert (result.hit1, result.hit3, result.rejection) == (0.0, 0.0, 1.0)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not JSON"),
        ('{"expect": null}', "string 'q'"),
        ('["q", "x"]', "string 'q'"),
        ('{"q": "x", "expect": 5}', "article id or null"),
    ],
)
def test_bad_lines_name_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"q": "ok", "expect": null}\n' + line + "\n")
    with pytest.raises(EvalError, match=rf"q\.jsonl:2: .*{message}"):
        load_queries(path)


def test_unreadable_queries_file(tmp_path: Path) -> None:
    with pytest.raises(EvalError, match="cannot read"):
        load_queries(tmp_path / "missing.jsonl")
    bad = tmp_path / "latin1.jsonl"
    bad.write_bytes('{"q": "café"}'.encode("latin-1"))
    with pytest.raises(EvalError, match="cannot read"):
        load_queries(bad)


@pytest.mark.skipif(not DEV_SET.is_dir() and not os.environ.get("CI"),
                    reason=f"development set not found at {DEV_SET} (CI has it beside the clone, and must)")
def test_development_set_meets_targets() -> None:
    report = load_articles(DEV_SET / "articles")
    assert report.problems == []
    result = evaluate(DEV_SET / "queries.jsonl", Matcher(report.articles))
    assert result.n >= 100
    assert result.hit3 >= 0.95, result.failures
    assert result.hit1 >= 0.85, result.failures
    assert result.rejection >= 0.85, result.failures

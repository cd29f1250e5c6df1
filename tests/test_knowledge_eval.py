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


def test_a_query_expecting_an_absent_article_is_refused(tmp_path: Path, matcher: Matcher) -> None:
    """It could only count as a miss: the figures would quietly fall (an article the loader skipped)."""
    queries = write_jsonl(tmp_path / "q.jsonl", [{"q": "printer offline", "expect": "printer-offline"},
                                                 {"q": "hdmi no sound", "expect": "room-hdmi-no-audio"}])
    with pytest.raises(EvalError, match=r"1 queries expect articles .* \(room-hdmi-no-audio; first on line 2\)"):
        evaluate(queries, matcher)


def test_figures_per_kind(tmp_path: Path, matcher: Matcher) -> None:
    queries = write_jsonl(tmp_path / "q.jsonl", [
        {"q": "paper jam", "expect": "printer-paper-jam", "kind": "keyword"},
        {"q": "printer jammed", "expect": "printer-offline", "kind": "keyword"},  # labelled wrong on purpose
        {"q": "hello", "expect": None, "kind": "smalltalk"},
        {"q": "printer offline", "expect": "printer-offline"},
    ])
    result = evaluate(queries, matcher)
    assert list(result.kinds) == ["keyword", "smalltalk"]
    keyword, smalltalk = result.kinds["keyword"], result.kinds["smalltalk"]
    assert (keyword.in_scope, keyword.hit1, keyword.hit3, keyword.out_of_scope) == (2, 1, 1, 0)
    assert (smalltalk.out_of_scope, smalltalk.rejected, smalltalk.in_scope) == (1, 1, 0)
    assert keyword.line("keyword") == "  keyword: hit@1 1/2, hit@3 1/2"
    assert smalltalk.line("smalltalk") == "  smalltalk: rejected 1/1"
    path = tmp_path / "bad.jsonl"
    path.write_text('{"q": "x", "kind": 3}\n')
    with pytest.raises(EvalError, match="'kind' must be a non-empty string"):
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

"""Loader: the article file format, its round trip and every way a file can be bad."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from knowledge.article import DEVICES, Article
from knowledge.loader import (
    ArticleError,
    load_articles,
    parse_article,
    render_article,
    shipped_articles_dir,
)

GOOD = """---
id: printer-paper-jam
lang: en
title: "Printer paper jam"
device: printer
symptoms:
  - "The printer says there's a paper jam"
  - "Paper is stuck inside the printer"
---

1. Switch the printer off.
2. Pull the sheet out slowly.
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def article_text(**overrides: str) -> str:
    fields = {
        "id": "wifi-drops",
        "lang": "zh",
        "title": '"Wi-Fi 老是断线"',
        "device": "network",
        "symptoms": '\n  - "Wi-Fi 老掉线"',
        "body": "1. 重启无线网卡。",
    }
    fields.update(overrides)
    body = fields.pop("body")
    front = "\n".join(f"{k}: {v}" for k, v in fields.items() if v != "<omit>")
    return f"---\n{front}\n---\n\n{body}\n"


def test_parse_good_file() -> None:
    a = parse_article(GOOD, "kb/en/jam.md")
    assert a == Article(
        id="printer-paper-jam",
        lang="en",
        title="Printer paper jam",
        device="printer",
        symptoms=("The printer says there's a paper jam", "Paper is stuck inside the printer"),
        body="1. Switch the printer off.\n2. Pull the sheet out slowly.",
        source="kb/en/jam.md",
    )


def test_render_parse_round_trip_keeps_everything_but_source() -> None:
    original = Article(
        id="pc-blue-screen",
        lang="zh",
        title='蓝屏 "死机": 代码 #1',
        device="pc",
        symptoms=("电脑蓝屏了：然后自己重启", "提示“你的设备遇到问题”", "- dash start"),
        body="1. 拍下终止代码。\n\n2. 联系服务台 --- 别慌。",
        source="db:7",
    )
    text = render_article(original)
    assert text.startswith("---\nid: pc-blue-screen\nlang: zh\n")
    again = parse_article(text, "elsewhere.md")
    assert again == dataclasses.replace(original, source="elsewhere.md")
    assert render_article(again) == text


def test_devices_tuple_is_the_documented_list() -> None:
    assert DEVICES == (
        "printer",
        "copier",
        "scanner",
        "pc",
        "laptop",
        "monitor",
        "network",
        "projector",
        "phone",
        "ups",
        "software",
        "account",
        "other",
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("no front matter at all\n", "front matter missing"),
        ("---\nid: x\nlang: en\n", "no closing"),
        (article_text(title='"unclosed'), "not valid YAML"),
        ("---\n- just\n- a list\n---\nbody\n", "not a YAML mapping"),
        (article_text(id="<omit>"), "missing 'id'"),
        (article_text(id='""'), "'id' is empty"),
        (article_text(id="Wifi Drops"), "not a slug"),
        (article_text(id="123"), "'id' must be a string"),
        (article_text(id="a" * 61), "longer than 60 characters"),  # it travels in a button's 64 bytes
        (article_text(lang="<omit>"), "missing 'lang'"),
        (article_text(lang="fr"), "lang 'fr'"),
        (article_text(title="<omit>"), "missing 'title'"),
        (article_text(device="fax-machine"), "unknown device"),
        (article_text(symptoms="just one string"), "list of strings"),
        (article_text(symptoms="\n  - 1\n  - 2"), "list of strings"),
        (article_text(symptoms="[]"), "at least one phrase"),
        (article_text(symptoms="<omit>"), "missing 'symptoms'"),
        (article_text(body=""), "no steps"),
        (article_text(body="   \n\n  "), "no steps"),
    ],
)
def test_parse_rejects_bad_input_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ArticleError, match=reason):
        parse_article(text, "bad.md")


def test_article_error_is_a_value_error() -> None:
    assert issubclass(ArticleError, ValueError)


def test_byte_order_mark_is_accepted() -> None:
    assert parse_article("\ufeff" + GOOD, "bom.md").id == "printer-paper-jam"


def test_load_folder_recurses_and_reports_problems(tmp_path: Path) -> None:
    write(tmp_path, "en/printer/jam.md", GOOD)
    write(tmp_path, "zh/deep/er/wifi.md", article_text())
    write(tmp_path, "notes.txt", "not an article")
    bad = write(tmp_path, "en/broken.md", article_text(lang="de"))
    report = load_articles(tmp_path)
    assert sorted((a.id, a.lang) for a in report.articles) == [
        ("printer-paper-jam", "en"),
        ("wifi-drops", "zh"),
    ]
    assert [(p.path, "lang 'de'" in p.reason) for p in report.problems] == [(str(bad), True)]


def test_an_unknown_device_keeps_the_article_as_other(tmp_path: Path) -> None:
    """A folder written elsewhere says "av" or "peripheral": the article's answers are kept (read as
    device 'other') and the file is named, instead of the whole article silently leaving the index."""
    write(tmp_path, "ok.md", GOOD)
    odd = write(tmp_path, "room.md", article_text(device="av"))
    report = load_articles(tmp_path)
    assert sorted((a.id, a.device) for a in report.articles) == [("printer-paper-jam", "printer"),
                                                                   ("wifi-drops", "other")]
    assert [(p.path, p.kept, p.verb) for p in report.problems] == [(str(odd), True, "kept")]
    assert "unknown device 'av'" in report.problems[0].reason and "read as 'other'" in report.problems[0].reason
    assert report.skipped == []


def test_load_reports_bad_encoding(tmp_path: Path) -> None:
    write(tmp_path, "ok.md", GOOD)
    latin = tmp_path / "gbk.md"
    latin.write_bytes(article_text().encode("gbk"))
    report = load_articles(tmp_path)
    assert [a.id for a in report.articles] == ["printer-paper-jam"]
    assert len(report.problems) == 1
    assert report.problems[0].path == str(latin)
    assert "not UTF-8" in report.problems[0].reason


def test_load_reports_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "ok.md", GOOD)
    locked = write(tmp_path, "locked.md", article_text())
    real_open = os.open

    def refusing_open(path: str | os.PathLike[str], flags: int, *args: int) -> int:
        if os.fspath(path).endswith("locked.md"):  # what a chmod 000 file does (tests may run as root)
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refusing_open)
    report = load_articles(tmp_path)
    assert [a.id for a in report.articles] == ["printer-paper-jam"]
    assert [(p.path, p.reason) for p in report.problems] == [(str(locked), "cannot read file: Permission denied")]


def test_load_reports_dangling_symlink(tmp_path: Path) -> None:
    (tmp_path / "gone.md").symlink_to(tmp_path / "nowhere.md")
    report = load_articles(tmp_path)
    assert report.articles == []
    assert report.problems[0].path == str(tmp_path / "gone.md")
    assert report.problems[0].reason.startswith("cannot read file")


def test_duplicate_id_in_one_language_names_both_files(tmp_path: Path) -> None:
    first = write(tmp_path, "a/jam.md", GOOD)
    second = write(tmp_path, "b/jam-copy.md", GOOD.replace("Printer paper jam", "Other title"))
    write(tmp_path, "c/jam-zh.md", GOOD.replace("lang: en", "lang: zh"))
    report = load_articles(tmp_path)
    kept = [a for a in report.articles if a.lang == "en"]
    assert [a.source for a in kept] == [str(first)]
    assert kept[0].title == "Printer paper jam"
    assert len(report.articles) == 2  # the zh version of the same id is fine
    (problem,) = report.problems
    assert problem.path == str(second)
    assert str(first) in problem.reason and str(second) in problem.reason


def test_hidden_folders_are_skipped(tmp_path: Path) -> None:
    write(tmp_path, ".git/x.md", "junk")
    write(tmp_path, "ok.md", GOOD)
    report = load_articles(tmp_path)
    assert len(report.articles) == 1
    assert report.problems == []


def test_missing_folder_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    report = load_articles(tmp_path / "absent")
    assert report.articles == []
    assert "not a folder" in report.problems[0].reason


def test_shipped_articles_dir_is_inside_the_package() -> None:
    folder = shipped_articles_dir()
    assert folder.name == "articles"
    assert folder.parent == Path(__file__).resolve().parents[1] / "knowledge"

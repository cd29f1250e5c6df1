"""Files from outside the bot are read defensively: `kb import`, `assets import` and `kb export`.

A folder of articles may hold a FIFO, a link out of it or a 5 MB file; a register may hold a cell
of 200,000 characters or line breaks inside quotes; an export folder may hold someone's edits.
None of these may hang, crash with a traceback, cut a chat message short or lose work.
"""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
import zoneinfo
from pathlib import Path

import pytest

from bot.cli.kb import MANIFEST, export_dir
from bot.domain.assets import MAX_LENGTH, RegisterError, parse_register
from bot.messages import t
from bot.texts import MAX_MESSAGE, render
from knowledge import authoring
from knowledge.loader import (
    MAX_BODY,
    MAX_FILE_BYTES,
    MAX_TITLE,
    ArticleError,
    load_articles,
    parse_article,
    shipped_articles_dir,
)

ROOT = Path(__file__).parents[1]
HEADER = "site,department,user,asset_no,device_type,brand,model,warranty,production_date,serial,ip,os\n"


def article(art_id: str = "stapler-jam", title: str = "Stapler jammed", body: str = "1. Open the door.") -> str:
    return (f'---\nid: {art_id}\nlang: en\ntitle: "{title}"\ndevice: copier\nsymptoms:\n'
            f'  - "the stapler is stuck"\n---\n\n{body}\n')


def _helpdesk(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin"), "HELPDESK_DB": str(tmp_path / "h.db"),
           "HELPDESK_CONFIG": os.devnull}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


def _opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path the loader opens; opening a FIFO fails the test instead of hanging it."""
    opened: list[str] = []
    real_open = os.open

    def recording_open(path: str | os.PathLike[str], flags: int, *args: int) -> int:
        opened.append(os.fspath(path))
        assert "pipe" not in os.fspath(path), "the FIFO was opened"
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", recording_open)
    return opened


# --- kb import: what is read from a folder ------------------------------------------------------

def test_a_fifo_is_skipped_without_being_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ok.md").write_text(article(), encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.md")
    opened = _opened(monkeypatch)
    report = load_articles(tmp_path)
    assert [a.id for a in report.articles] == ["stapler-jam"]
    assert [(p.path, p.reason) for p in report.problems] == [
        (str(tmp_path / "pipe.md"), "not a regular file (a FIFO)")]
    assert opened == [str(tmp_path / "ok.md")]


def test_kb_import_of_a_folder_with_a_fifo_finishes_and_says_why(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ok.md").write_text(article(), encoding="utf-8")
    os.mkfifo(folder / "pipe.md")
    result = _helpdesk(tmp_path, "kb", "import", str(folder))  # the timeout fails a hang
    assert result.returncode == 0, result.stderr
    assert f"skipped {folder / 'pipe.md'}: not a regular file (a FIFO)" in result.stderr
    assert "imported 1 article versions (1 articles), skipped 1 files" in result.stdout


def test_a_link_out_of_the_folder_is_skipped_and_one_inside_is_read(tmp_path: Path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text(article("secret-thing"), encoding="utf-8")
    folder = tmp_path / "kb"
    (folder / "real").mkdir(parents=True)
    (folder / "real" / "jam.md").write_text(article(), encoding="utf-8")
    os.symlink(outside, folder / "leak.md")
    os.symlink(folder / "real" / "jam.md", folder / "alias.md")  # inside: fine (a duplicate id, though)
    os.symlink(tmp_path, folder / "linked")  # a folder link is not walked into
    report = load_articles(folder)
    assert [a.id for a in report.articles] == ["stapler-jam"]
    assert report.articles[0].source == str(folder / "alias.md")  # read through the inside link
    reasons = {Path(p.path).name: p.reason for p in report.problems}
    assert reasons["leak.md"] == f"a link to {outside}, outside the folder: not followed"
    assert reasons["linked"] == "a link to a folder: not followed"
    assert "duplicate id" in reasons["jam.md"]
    assert "secret-thing" not in {a.id for a in report.articles}


def test_a_link_escaping_through_dot_dot_is_caught(tmp_path: Path) -> None:
    folder = tmp_path / "kb"
    folder.mkdir()
    (tmp_path / "x.md").write_text(article("outside-one"), encoding="utf-8")
    os.symlink("../x.md", folder / "up.md")  # relative, so only the resolved path tells
    report = load_articles(folder)
    assert report.articles == []
    assert "outside the folder" in report.problems[0].reason


def test_a_5_mb_file_is_skipped_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    huge = tmp_path / "huge.md"
    huge.write_text(article(body="x" * 5_000_000), encoding="utf-8")
    opened = _opened(monkeypatch)
    report = load_articles(tmp_path)
    assert report.articles == []
    (problem,) = report.problems
    assert problem.path == str(huge)
    assert f"larger than the limit of {MAX_FILE_BYTES // 1024} KiB; not read" in problem.reason
    assert opened == []


def test_a_5_mb_body_is_refused_naming_the_limit() -> None:
    with pytest.raises(ArticleError, match=f"the body is 5,000,000 characters, longer than the limit of {MAX_BODY:,}"):
        parse_article(article(body="x" * 5_000_000), "big.md")


def test_a_body_within_the_file_cap_but_over_the_body_cap_is_refused(tmp_path: Path) -> None:
    (tmp_path / "long.md").write_text(article(body="y" * (MAX_BODY + 1)), encoding="utf-8")
    (tmp_path / "edge.md").write_text(article("edge-case", body="y" * MAX_BODY), encoding="utf-8")
    report = load_articles(tmp_path)
    assert [a.id for a in report.articles] == ["edge-case"]
    assert f"limit of {MAX_BODY:,}" in report.problems[0].reason


def test_a_long_title_and_too_many_symptoms_are_refused() -> None:
    with pytest.raises(ArticleError, match=f"title is 5,000 characters, longer than the limit of {MAX_TITLE}"):
        parse_article(article(title="T" * 5000), "t.md")
    many = article().replace('  - "the stapler is stuck"\n', "".join(f'  - "s{i}"\n' for i in range(21)))
    with pytest.raises(ArticleError, match="21 phrases, more than the limit of 20"):
        parse_article(many, "s.md")


def test_the_longest_allowed_article_fits_one_chat_message_uncut() -> None:
    title, body = "标" * MAX_TITLE, "步" * MAX_BODY
    for lang in ("zh", "en"):
        shown = render(t("kb.article", title=title, body=body, note=t("kb.only_in.zh")), lang,
                       zoneinfo.ZoneInfo("Asia/Shanghai"))
        assert len(shown) <= MAX_MESSAGE and shown.endswith(body)


def test_the_chat_form_and_the_files_share_their_limits() -> None:
    assert (authoring.MAX_TITLE, authoring.MAX_STEPS) == (MAX_TITLE, MAX_BODY)
    form = authoring.new_form("long-one", "en", None)
    form.update(title="T" * MAX_TITLE, device="copier", symptoms=["stuck"], body="b" * MAX_BODY)
    assert authoring.finish(form, set()).title == "T" * MAX_TITLE  # the parser accepts what the form does


def test_every_shipped_article_still_loads() -> None:
    report = load_articles(shipped_articles_dir())
    assert report.problems == []
    assert len(report.articles) >= 80


# --- assets import: what is read from a CSV ---------------------------------------------------------

def _problems(data: str) -> list[str]:
    with pytest.raises(RegisterError) as caught:
        parse_register(data.encode())
    return [str(p) for p in caught.value.problems]


def test_a_200000_character_cell_is_a_row_problem_not_a_traceback() -> None:
    data = HEADER + "HQ,IT,x,A-1,pc,,,,,,,\n" + f"HQ,IT,x,A-2,pc,{'B' * 200_000},,,,,,\n"
    (problem,) = _problems(data)
    assert problem.startswith("line 3: a cell is longer than 131,072 characters")
    assert len(problem) < 300


def test_line_numbers_are_physical_lines_after_a_multi_line_cell() -> None:
    data = (HEADER
            + 'HQ,"Finance\nand\naccounts",Li Na,A-1,pc,,,,,,,\n'  # lines 2-4
            + "HQ,IT,x,A-2,toaster,,,,,,,\n"  # line 5
            + '"HQ\r\nnorth",IT,x,a-1,pc,,,,,,,\n')  # lines 6-7, a duplicate of line 2
    problems = _problems(data)
    assert len(problems) == 2
    assert problems[0].startswith("line 5: device type 'toaster' is not one of")
    assert problems[1] == "line 6: asset number a-1 is already on line 2"


def test_the_overflow_line_is_where_its_row_starts_and_earlier_problems_are_kept() -> None:
    data = (HEADER + "HQ,IT,x,,pc,,,,,,,\n"  # line 2: no asset number
            + f'HQ,"a\nb",x,A-3,pc,"{"C" * 200_000}",,,,,,\n')  # starts on line 3, overflows on 4
    problems = _problems(data)
    assert problems[0] == "line 2: asset_no is empty"
    assert problems[1].startswith("line 3: a cell is longer than")


def test_a_100k_brand_is_refused_with_the_limit_and_not_echoed() -> None:
    (problem,) = _problems(HEADER + f"HQ,IT,x,A-1,pc,{'H' * 100_000},,,,,,\n")
    assert problem == f"line 2: brand is 100,000 characters, longer than the limit of {MAX_LENGTH['brand']}"


@pytest.mark.parametrize(("column", "limit"), sorted(MAX_LENGTH.items()))
def test_each_column_is_held_to_its_cap(column: str, limit: int) -> None:
    cells = dict.fromkeys([*HEADER.strip().split(","), "core", "retired"], "")
    cells.update(site="HQ", asset_no="A-1", device_type="pc")
    cells[column] = "Z" * (limit + 1)
    row = ",".join(cells.values()) + "\n"
    (problem,) = _problems(",".join(cells) + "\n" + row)
    assert problem == f"line 2: {column} is {limit + 1} characters, longer than the limit of {limit}"


def test_a_huge_unknown_header_is_quoted_short() -> None:
    (problem,) = _problems("site,asset_no,device_type," + "Q" * 100_000 + "\nHQ,A-1,pc,x\n")
    assert problem.startswith("line 1: unknown column 'QQQ") and len(problem) < 300


def test_invisible_characters_are_removed_and_cells_kept_on_one_line() -> None:
    data = HEADER + '"HQ\u202e21F",IT,"Li\nNa",A-\u200b0042,pc,HP\u2066,,,,,,\n'
    (asset,) = parse_register(data.encode())
    assert (asset.site, asset.user, asset.asset_no, asset.brand) == ("HQ21F", "Li Na", "A-0042", "HP")


def test_cli_refuses_a_huge_cell_without_a_traceback_and_writes_nothing(tmp_path: Path) -> None:
    register = tmp_path / "r.csv"
    register.write_text(HEADER + "HQ,IT,x,A-1,pc,,,,,,,\n" + f"HQ,IT,x,A-2,pc,{'B' * 200_000},,,,,,\n",
                        encoding="utf-8")
    result = _helpdesk(tmp_path, "assets", "import", str(register))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "_csv.Error" not in result.stderr
    assert "line 3: a cell is longer than 131,072 characters" in result.stderr
    assert "nothing was changed" in result.stderr
    good = tmp_path / "g.csv"
    good.write_text(HEADER + "HQ,IT,x,A-1,pc,,,,,,,\n", encoding="utf-8")
    assert "(1 new, 0 updated)" in _helpdesk(tmp_path, "assets", "import", str(good)).stdout  # A-1 was not written


def test_cli_refuses_a_fifo_as_a_register_without_hanging(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.csv")
    result = _helpdesk(tmp_path, "assets", "import", str(tmp_path / "pipe.csv"))
    assert result.returncode == 2
    assert "not a regular file" in result.stderr


# --- kb export: what is written to a folder ----------------------------------------------------------

def _export(tmp_path: Path, folder: Path, force: bool = False) -> tuple[int, str]:
    err = io.StringIO()
    code = asyncio.run(export_dir(tmp_path / "h.db", folder, out=io.StringIO(), err=err, force=force))
    return code, err.getvalue()


def test_export_refuses_to_overwrite_a_local_edit_unless_forced(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    assert _export(tmp_path, folder) == (0, "")
    edited = next(iter(sorted((folder / "en").glob("*.md"))))
    original = edited.read_text(encoding="utf-8")
    edited.write_text(original + "\nMy local note.\n", encoding="utf-8")
    other = folder / "zh" / next(iter(sorted(p.name for p in (folder / "zh").glob("*.md"))))
    other.unlink()  # an export that writes anything would bring it back
    code, err = _export(tmp_path, folder)
    assert code == 1
    assert f"en/{edited.name}: changed since the last export" in err and "--force" in err
    assert edited.read_text(encoding="utf-8").endswith("My local note.\n")
    assert not other.exists()  # nothing at all was written
    code, err = _export(tmp_path, folder, force=True)
    assert code == 0 and f"overwriting en/{edited.name}" in err
    assert edited.read_text(encoding="utf-8") == original and other.exists()
    assert _export(tmp_path, folder) == (0, "")  # and the manifest now knows the new content


def test_export_over_files_it_did_not_write(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    assert _export(tmp_path, folder)[0] == 0
    (folder / MANIFEST).unlink()  # as if exported by hand or by an older version
    assert _export(tmp_path, folder) == (0, "")  # identical files are no loss
    stranger = sorted((folder / "en").glob("*.md"))[0]
    stranger.write_text("someone's draft\n", encoding="utf-8")
    (folder / MANIFEST).unlink()
    code, err = _export(tmp_path, folder)
    assert code == 1 and "not written by an export, and different" in err
    assert stranger.read_text(encoding="utf-8") == "someone's draft\n"


def test_export_never_writes_through_a_link_even_forced(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    assert _export(tmp_path, folder)[0] == 0
    target = sorted((folder / "en").glob("*.md"))[0]
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep me\n", encoding="utf-8")
    target.unlink()
    os.symlink(elsewhere, target)
    code, err = _export(tmp_path, folder, force=True)
    assert code == 1 and "not a regular file" in err
    assert elsewhere.read_text(encoding="utf-8") == "keep me\n"


def test_cli_export_takes_force(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    assert _helpdesk(tmp_path, "kb", "export", str(folder)).returncode == 0
    edited = sorted((folder / "en").glob("*.md"))[0]
    edited.write_text("edited\n", encoding="utf-8")
    refused = _helpdesk(tmp_path, "kb", "export", str(folder))
    assert refused.returncode == 1 and edited.read_text(encoding="utf-8") == "edited\n"
    forced = _helpdesk(tmp_path, "kb", "export", str(folder), "--force")
    assert forced.returncode == 0, forced.stderr
    assert edited.read_text(encoding="utf-8") != "edited\n"

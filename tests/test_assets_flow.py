"""The asset register: CSV import (all or nothing) and a reporter typing an asset number."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot.domain.assets import RegisterError, parse_register
from tests.conftest import ALICE, LINA
from tests.harness import BotHarness

HEADER = "site,department,user,asset_no,device_type,brand,model,warranty,production_date,serial,ip,os\n"
GOOD = HEADER + (
    "HQ-12F,Finance,Li Na,A-0042,printer,HP,LaserJet M404dn,2027-06-30,2023-05-01,CNB1234567,10.0.12.42,\n"
    "HQ-3F,HR,Alice,A-0043,pc,Lenovo,ThinkCentre M70,out,2020-01-10,PC998877,10.0.3.17,Windows 11\n"
)


def test_register_parses_every_column() -> None:
    printer, pc = parse_register(GOOD.encode())
    assert printer.asset_no == "A-0042" and printer.model == "LaserJet M404dn"
    assert printer.warranty_status(date(2026, 11, 23)) == "in"
    assert printer.warranty_status(date(2027, 7, 1)) == "out"
    assert pc.device_type == "pc" and pc.os == "Windows 11" and pc.warranty == "out"


def test_chinese_headers_and_bom_are_accepted() -> None:
    data = "\ufeff位置,资产编号,设备类型,品牌,型号\n总部12楼,B-1,打印机,Canon,iR2625\n".encode()
    (asset,) = parse_register(data)
    assert (asset.site, asset.asset_no, asset.device_type) == ("总部12楼", "B-1", "printer")


@pytest.mark.parametrize(("data", "expected"), [
    ("department,asset_no,device_type\nIT,A-1,pc\n", "line 1: missing column 'site'"),
    ("site,asset_no,device_type,colour\nHQ,A-1,pc,red\n", "line 1: unknown column 'colour'"),
    (HEADER + "HQ,IT,x,A-1,pc,,,,,,,\nHQ,IT,y,a-1,pc,,,,,,,\n", "line 3: asset number a-1 is already on line 2"),
    (HEADER + "HQ,IT,x,A-1,toaster,,,,,,,\n", "line 2: device type 'toaster' is not one of"),
    (HEADER + "HQ,IT,x,A-1,pc,,,maybe,,,,\n", "line 2: warranty 'maybe'"),
    (HEADER + "HQ,IT,x,A-1,pc,,,,,,999.1.1.1,\n", "line 2: IP address '999.1.1.1' is not valid"),
    (HEADER + "HQ,IT,x,,pc,,,,,,,\n", "line 2: asset_no is empty"),
    (HEADER + "HQ,IT\n", "line 2: 2 cells, the header has 12"),
    ("", "line 1: the header row is missing"),
])
def test_bad_registers_are_refused_with_line_and_reason(data: str, expected: str) -> None:
    with pytest.raises(RegisterError) as caught:
        parse_register(data.encode())
    assert expected in str(caught.value)


def test_bad_encoding_is_refused() -> None:
    with pytest.raises(RegisterError, match="not UTF-8"):
        parse_register("site,asset_no,device_type\n总部,A-1,pc\n".encode("gbk"))


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"HELPDESK_DB": str(tmp_path / "h.db"), "HELPDESK_CONFIG": os.devnull,
           "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                          env=env, cwd=Path(__file__).parents[1], timeout=60)


def test_cli_import_is_all_or_nothing(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    result = _cli(tmp_path, "assets", "import", str(good))
    assert result.returncode == 0, result.stderr
    assert "2 assets imported (2 new, 0 updated)" in result.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD + "HQ,IT,x,A-9,toaster,,,,,,,\nHQ,IT,x,A-0042,pc,,,,,,,\n", encoding="utf-8")
    result = _cli(tmp_path, "assets", "import", str(bad))
    assert result.returncode == 1
    assert "line 4: device type 'toaster'" in result.stderr
    assert "nothing was changed" in result.stderr
    result = _cli(tmp_path, "assets", "import", str(good))
    assert "(0 new, 2 updated)" in result.stdout


async def _load(desk: BotHarness) -> None:
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        await tx.assets.upsert(parse_register(GOOD.encode()), desk.clock.now())


async def test_typed_asset_number_fills_device_and_location(desk: BotHarness) -> None:
    await _load(desk)
    await desk.describe(LINA, "打印机一直卡纸")
    replies = await desk.say(LINA, " a-0042 ")
    card = replies[-1].text
    assert "HP LaserJet M404dn (A-0042)" in card and "HQ-12F / Finance" in card and "在保修期内" in card
    replies = await desk.press(LINA, "是这台")
    assert "哪个房间" in replies[-1].text  # site came from the register; the room is still asked
    await desk.say(LINA, "1203")
    await desk.press(LINA, "工作已停顿")
    replies = await desk.say(LINA, "13900001111")
    assert "HP LaserJet M404dn (A-0042)" in replies[-1].text and "HQ-12F / 1203" in replies[-1].text
    replies = await desk.press(LINA, "提交")
    assert "vip" in replies[-1].text  # the register's site put it in the VIP tier
    async with desk.storage.transaction() as tx:  # type: ignore[union-attr]
        ticket = await tx.tickets.get("HD-2026-00001")
    assert ticket is not None and ticket.asset_no == "A-0042" and ticket.device_type == "printer"


async def test_serial_number_is_found_and_unknown_asset_gets_clear_answer(desk: BotHarness) -> None:
    await _load(desk)
    await desk.describe(ALICE, "PC is very slow")
    replies = await desk.say(ALICE, "X-404")
    assert "can't find asset “X-404” in the register" in replies[0].text
    assert "Which device" in replies[-1].text
    replies = await desk.say(ALICE, "pc998877")
    assert "Lenovo ThinkCentre M70 (A-0043)" in replies[-1].text and "out of warranty" in replies[-1].text
    replies = await desk.press(ALICE, "No, another device")
    assert "Which device" in replies[-1].text

"""`helpdesk assets labels`: the PDF's QR codes, read back as a phone would read them (each page
rendered by pdfium, decoded by zxing-cpp), open a report for exactly the devices in service; the
command refuses clearly when it cannot make a sticker worth printing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp

from bot.cli import main as helpdesk
from bot.domain.assets import parse_register
from bot.domain.deep_link import link_for
from bot.services.labels import LAYOUTS, labels_pdf
from storage import open_storage

LONG = "LONG/ASSET/NUMBER/THAT/KEEPS/GOING/AND/GOING/00001"
REGISTER = (
    "site,asset_no,device_type,brand,model,retired\n"
    "HQ-12F,A-0042,printer,HP,LaserJet M404dn,\n"
    "总部-3F,总部/A 01,pc,联想,启天 M437,\n"
    f"HQ-3F,{LONG},ups,APC,SRT1000 with a very long model name indeed,\n"
    "HQ-3F,B-0009,projector,Epson,EB-X51,2026-01-31\n"
    + "".join(f"HQ-12F,P-{n:03d},pc,Lenovo,M70,\n" for n in range(30))
)
BOT = "office_helpdesk_bot"


def _links(pdf: bytes) -> list[list[str]]:
    """Each page's QR codes, as text, read off the page rendered at 200 dpi."""
    document = pypdfium2.PdfDocument(pdf)
    return [sorted(code.text for code in zxingcpp.read_barcodes(page.render(scale=200 / 72).to_pil()))
            for page in document]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "h.db"

    async def fill() -> None:
        storage = await open_storage(path)
        try:
            async with storage.transaction() as tx:
                await tx.assets.upsert(parse_register(REGISTER.encode()), datetime(2026, 11, 1, tzinfo=UTC))
        finally:
            await storage.close()

    asyncio.run(fill())
    return path


def test_every_devices_sticker_scans_to_its_own_link_on_both_layouts(db: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPDESK_DB", str(db))
    out = tmp_path / "labels.pdf"
    assert helpdesk(["assets", "labels", "--bot", BOT, "--out", str(out)]) == 0
    pages = _links(out.read_bytes())
    in_service = ["A-0042", "总部/A 01", LONG, *(f"P-{n:03d}" for n in range(30))]  # B-0009 was retired
    assert [len(page) for page in pages] == [24, 9]  # 3×8 a sheet
    assert sorted(link for page in pages for link in page) == sorted(link_for(BOT, a) for a in in_service)
    assert helpdesk(["assets", "labels", "--bot", BOT, "--out", str(out), "--layout", "2x5", "--site", "hq-3f",
                     "--lang", "en", "--force"]) == 0
    assert _links(out.read_bytes()) == [[link_for(BOT, LONG)]]


def test_the_label_says_what_it_is_in_the_deployments_language() -> None:
    from bot.domain.assets import Asset

    pdf = labels_pdf([Asset("A-0042", "printer", "HQ-12F", brand="HP", model="LaserJet M404dn")],
                     bot_username=BOT, desk_name="IT 服务台", layout=LAYOUTS["3x8"], lang="zh")
    text = pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert "A-0042" in text and "HP LaserJet M404dn" in text and "HQ-12F" in text and "扫码报修" in text
    assert "IT 服务台" in text
    english = labels_pdf([Asset("A-0042", "printer", "HQ-12F")], bot_username=BOT, desk_name="IT Help Desk",
                         layout=LAYOUTS["2x5"], lang="en")
    assert "Scan to report a fault" in pypdfium2.PdfDocument(english)[0].get_textpage().get_text_range()


def test_refusals_name_what_is_missing(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HELPDESK_DB", str(db))
    out = tmp_path / "labels.pdf"
    assert helpdesk(["assets", "labels", "--out", str(out)]) == 2
    assert "set [bot] username" in capsys.readouterr().err
    assert helpdesk(["assets", "labels", "--bot", "no", "--out", str(out)]) == 2
    assert "is not a Telegram username" in capsys.readouterr().err
    assert helpdesk(["assets", "labels", "--bot", BOT, "--out", str(out), "--site", "Mars"]) == 1
    assert "no device in service at Mars" in capsys.readouterr().err and not out.exists()
    out.write_bytes(b"mine")
    assert helpdesk(["assets", "labels", "--bot", BOT, "--out", str(out)]) == 2
    assert "exists; pass --force" in capsys.readouterr().err and out.read_bytes() == b"mine"
    monkeypatch.setenv("HELPDESK_DB", str(tmp_path / "none.db"))
    assert helpdesk(["assets", "labels", "--bot", BOT, "--out", str(tmp_path / "x.pdf")]) == 2
    assert "no database at" in capsys.readouterr().err and not (tmp_path / "none.db").exists()

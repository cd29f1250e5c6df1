"""How long a sheet of QR stickers takes (helpdesk assets labels), and whether each code still reads.

Makes N assets (asset numbers of the three payload forms: plain, base64url-packed, hashed), times
labels_pdf for both layouts, and reads every code of the first page back (pdfium renders it at 200 dpi,
zxing-cpp decodes) to check the sheet prints what it should. Prints a Markdown table.

    .venv/bin/python benchmarks/labels_bench.py [--assets 1000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.assets import Asset
from bot.domain.deep_link import link_for
from bot.services.labels import LAYOUTS, labels_pdf

BOT = "office_helpdesk_bot"


def assets(n: int) -> list[Asset]:
    forms = ("A-{:05d}", "总部/A {:05d}", "LONG/ASSET/NUMBER/THAT/KEEPS/GOING/AND/GOING/{:05d}")
    return [Asset(forms[i % 3].format(i), "printer", "HQ-12F", brand="HP", model="LaserJet M404dn") for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=1000)
    args = parser.parse_args()
    import pypdfium2
    import zxingcpp

    chosen = assets(args.assets)
    print("| layout | labels | sheets | seconds | per label | PDF size | first page read back |")
    print("|---|---|---|---|---|---|---|")
    for name, layout in LAYOUTS.items():
        start = time.perf_counter()
        pdf = labels_pdf(chosen, bot_username=BOT, desk_name="IT 服务台", layout=layout, lang="zh")
        took = time.perf_counter() - start
        page = pypdfium2.PdfDocument(pdf)[0].render(scale=200 / 72).to_pil()
        read = {code.text for code in zxingcpp.read_barcodes(page)}
        wanted = {link_for(BOT, a.asset_no) for a in chosen[:layout.per_sheet]}
        sheets = -(-len(chosen) // layout.per_sheet)
        print(f"| {name} | {len(chosen)} | {sheets} | {took:.2f} | {took / len(chosen) * 1000:.1f} ms | "
              f"{len(pdf) / 1024:.0f} KiB | {len(read & wanted)}/{len(wanted)} |")


if __name__ == "__main__":
    main()

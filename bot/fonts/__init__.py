"""The Chinese font the help desk brings along, for the report's chart and the QR stickers.

A subset of Noto Sans CJK SC Regular (SIL Open Font License, see OFL.txt): the characters of GB 2312,
Latin, punctuation, CJK symbols, full-width forms and every character of the bot's own texts, as
TrueType outlines (4.4 MB), so that matplotlib and reportlab can both embed it. A system's own Chinese
font is still preferred where there is one; this one means a machine without any needs no 103 MB font
package. `python -m bot.fonts.subset` remakes it from the full font.
"""

from __future__ import annotations

from pathlib import Path

CJK_TTF = Path(__file__).with_name("NotoSansSC-GB2312.ttf")

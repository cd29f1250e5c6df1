"""The asset register (设备登记): the devices under contract, and reading it from a CSV file.

Parsing is pure and all-or-nothing: it returns every asset or every problem (by the physical line
the row starts on, as an editor shows it), so the import can refuse a file without writing half of it.
Every field is cleaned of invisible characters and held to a length, so a register cannot put a
right-to-left override on an engineer's card or push the place and phone off it.
"""

from __future__ import annotations

import csv
import io
import ipaddress
from dataclasses import dataclass
from datetime import date

from bot.domain.devices import DEVICE_TYPES, device_type_from_text, normalise
from bot.domain.text import clean_text


@dataclass(frozen=True)
class Asset:
    asset_no: str
    device_type: str
    site: str
    department: str = ""
    user: str = ""
    brand: str = ""
    model: str = ""
    warranty: str = "unknown"
    """"in", "out", "unknown", or the ISO date the warranty ends."""
    production_date: date | None = None
    serial: str = ""
    ip: str = ""
    os: str = ""
    core: bool = False
    """A core device (核心设备): the contracts inspect it more often (monthly rather than quarterly)."""
    retired: date | None = None
    """The day it left service: no inspections are planned for it after that."""

    def warranty_status(self, today: date) -> str:
        """"in", "out" or "unknown" on `today` (a dated warranty expires by itself)."""
        if self.warranty in ("in", "out", "unknown"):
            return self.warranty
        return "in" if date.fromisoformat(self.warranty) >= today else "out"

    @property
    def label(self) -> str:
        """What a person recognises: "HP LaserJet M404 (A-0042)"."""
        name = " ".join(part for part in (self.brand, self.model) if part) or self.device_type
        return f"{name} ({self.asset_no})"


def asset_key(text: str) -> str:
    """Asset numbers and serials as typed ("a-0042 ", "Ａ－0042") compared in one form."""
    return normalise(text).upper()


COLUMNS: dict[str, tuple[str, ...]] = {
    "site": ("site", "location", "位置", "地点", "网点"),
    "department": ("department", "部门"),
    "user": ("user", "使用人", "用户"),
    "asset_no": ("asset_no", "asset number", "asset", "资产编号"),
    "device_type": ("device_type", "device type", "type", "设备类型"),
    "brand": ("brand", "品牌"),
    "model": ("model", "型号"),
    "warranty": ("warranty", "warranty status", "保修状态", "保修"),
    "production_date": ("production_date", "production date", "生产日期"),
    "serial": ("serial", "serial number", "序列号"),
    "ip": ("ip", "ip address", "ip地址"),
    "os": ("os", "操作系统"),
    "core": ("core", "core device", "核心", "核心设备"),
    "retired": ("retired", "retired on", "报废", "报废日期", "停用日期"),
}
"""Each field and the header names accepted for it (English or Chinese, any case)."""

REQUIRED = ("asset_no", "device_type", "site")

MAX_LENGTH: dict[str, int] = {
    "asset_no": 64, "serial": 64,
    "device_type": 32, "warranty": 32, "production_date": 32,
    "ip": 64,
    "brand": 100, "model": 100, "department": 100, "user": 100, "os": 100, "core": 16, "retired": 32,
    "site": 200,
}
"""The longest value each column may hold, in characters. The ticket card is one Telegram message
(4,096 characters) that shows the device ("brand model (asset_no)"), the site and, below them, the
place, the problem and the reporter's phone: with these caps the register's part stays under ~500
characters, so nothing after it is cut off. Asset numbers and serials are labels people type (64
is far beyond any real one); an IPv6 address with a zone fits in 64; a site is "building, floor, room".
"""

MAX_FILE_BYTES = 20 * 1024 * 1024
"""A register of every device of a large organisation is a few MB; a bigger file is a mistake (a
wrong file chosen), refused before it is read into memory."""

_SHOWN = 40
"""How much of a bad value a problem quotes: enough to find it, never a whole pasted document."""

_CORE_WORDS = {
    "yes": True, "y": True, "true": True, "1": True, "core": True, "是": True, "核心": True,
    "no": False, "n": False, "false": False, "0": False, "": False, "否": False,
}

_WARRANTY_WORDS = {
    "in": "in", "yes": "in", "valid": "in", "在保": "in", "保修期内": "in",
    "out": "out", "no": "out", "expired": "out", "过保": "out", "已过保": "out",
    "unknown": "unknown", "": "unknown", "未知": "unknown",
}


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line else self.reason


class RegisterError(ValueError):
    """The file cannot be imported; `problems` lists every reason, by line."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def parse_register(data: bytes) -> list[Asset]:
    """Read a CSV asset register (UTF-8, header row) or raise RegisterError with every problem."""
    if len(data) > MAX_FILE_BYTES:
        raise RegisterError([RowProblem(0, (
            f"the file is {len(data):,} bytes, larger than the limit of {MAX_FILE_BYTES // 1024 // 1024} MB"
        ))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegisterError([RowProblem(0, (
            f"the file is not UTF-8 (byte {exc.start}); save it as 'CSV UTF-8' and try again"
        ))]) from None
    rows, problems = _read_rows(text)
    if not rows or not any(cell.strip() for cell in rows[0][1]):
        raise RegisterError(problems or [RowProblem(1, "the header row is missing")])
    header_line, header = rows[0]
    columns, header_problems = _read_header(header, header_line)
    if header_problems:
        raise RegisterError(header_problems)
    assets: list[Asset] = []
    seen: dict[str, int] = {}
    seen_serial: dict[str, int] = {}
    for line, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(RowProblem(line, f"{len(row)} cells, the header has {len(header)}"))
            continue
        fields = {name: _cell(row[index]) for name, index in columns.items()}
        try:
            asset = _asset_from(fields)
        except ValueError as exc:
            problems.append(RowProblem(line, str(exc)))
            continue
        key = asset_key(asset.asset_no)
        if key in seen:
            problems.append(RowProblem(line, f"asset number {asset.asset_no} is already on line {seen[key]}"))
            continue
        seen[key] = line
        if asset.serial:
            serial = asset_key(asset.serial)
            if serial in seen_serial:
                problems.append(RowProblem(line, f"serial {asset.serial} is already on line {seen_serial[serial]}"))
                continue
            seen_serial[serial] = line
        assets.append(asset)
    problems.sort(key=lambda problem: problem.line)
    if problems:
        raise RegisterError(problems)
    if not assets:
        raise RegisterError([RowProblem(0, "the file has a header but no assets")])
    return assets


def _read_rows(text: str) -> tuple[list[tuple[int, list[str]]], list[RowProblem]]:
    """Every row with the physical line it starts on, and the problem that stopped the reading.

    A quoted cell may span lines, so a row's number is where the previous one ended, plus one
    (`line_num` counts physical lines). The csv module refuses a cell over its size limit; after
    that its position in the file is unknown, so reading stops there with that line's problem
    (the file is refused anyway, and the rows read before it are still checked).
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return rows, []
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                reason = (f"a cell is longer than {csv.field_size_limit():,} characters (the longest a "
                          f"column may hold is {max(MAX_LENGTH.values())}); the rows after it were not checked")
            else:
                reason = f"not readable as CSV ({exc}); the rows after it were not checked"
            return rows, [RowProblem(start, reason)]
        rows.append((start, row))


def _cell(value: str) -> str:
    """A cell as stored: invisible characters removed, and on one line (a quoted cell may hold line
    breaks, which would break the line of the card it is shown on)."""
    return " ".join(clean_text(value).split())


def _shown(value: str) -> str:
    """A value quoted in a problem, cut short: a 100,000-character cell must not flood the report."""
    return repr(value if len(value) <= _SHOWN else value[:_SHOWN] + "…")


def _read_header(header: list[str], line: int) -> tuple[dict[str, int], list[RowProblem]]:
    by_alias = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
    columns: dict[str, int] = {}
    problems: list[RowProblem] = []
    for index, cell in enumerate(_cell(cell) for cell in header):
        name = by_alias.get(" ".join(cell.strip().casefold().replace("_", " ").split()))
        name = name or by_alias.get(cell.strip().casefold())
        if name is None:
            problems.append(RowProblem(line, f"unknown column {_shown(cell.strip())}; known: {', '.join(COLUMNS)}"))
        elif name in columns:
            problems.append(RowProblem(line, f"column {name!r} appears twice"))
        else:
            columns[name] = index
    problems += [RowProblem(line, f"missing column {name!r}") for name in REQUIRED if name not in columns]
    return columns, problems


def _asset_from(fields: dict[str, str]) -> Asset:
    for name, value in fields.items():
        if len(value) > MAX_LENGTH[name]:
            raise ValueError(f"{name} is {len(value):,} characters, longer than the limit of {MAX_LENGTH[name]}")
    for name in REQUIRED:
        if not fields.get(name):
            raise ValueError(f"{name} is empty")
    device_type = device_type_from_text(fields["device_type"])
    if device_type is None:
        raise ValueError(
            f"device type {fields['device_type']!r} is not one of {', '.join(DEVICE_TYPES)}"
        )
    warranty = fields.get("warranty", "")
    if warranty.casefold() in _WARRANTY_WORDS:
        warranty = _WARRANTY_WORDS[warranty.casefold()]
    else:
        try:
            warranty = date.fromisoformat(warranty).isoformat()
        except ValueError:
            raise ValueError(
                f"warranty {warranty!r} is not in/out/unknown or an end date like 2027-03-31"
            ) from None
    produced = fields.get("production_date", "")
    try:
        production_date = date.fromisoformat(produced) if produced else None
    except ValueError:
        raise ValueError(f"production date {produced!r} is not a date like 2024-05-01") from None
    ip = fields.get("ip", "")
    if ip:
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            raise ValueError(f"IP address {ip!r} is not valid") from None
    core = _CORE_WORDS.get(fields.get("core", "").casefold())
    if core is None:
        raise ValueError(f"core {fields['core']!r} is not yes/no (是/否, true/false, 1/0)")
    retired_text = fields.get("retired", "")
    try:
        retired = date.fromisoformat(retired_text) if retired_text else None
    except ValueError:
        raise ValueError(f"retired {retired_text!r} is not a date like 2026-06-30") from None
    return Asset(
        asset_no=fields["asset_no"],
        device_type=device_type,
        site=fields["site"],
        department=fields.get("department", ""),
        user=fields.get("user", ""),
        brand=fields.get("brand", ""),
        model=fields.get("model", ""),
        warranty=warranty,
        production_date=production_date,
        serial=fields.get("serial", ""),
        ip=ip,
        os=fields.get("os", ""),
        core=core,
        retired=retired,
    )

"""The asset register (设备登记): the devices under contract, and reading it from a CSV file.

Parsing is pure and all-or-nothing: it returns every asset or every problem (by line number), so
the import can refuse a file without writing half of it.
"""

from __future__ import annotations

import csv
import io
import ipaddress
from dataclasses import dataclass
from datetime import date

from bot.domain.devices import DEVICE_TYPES, device_type_from_text, normalise


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
}
"""Each field and the header names accepted for it (English or Chinese, any case)."""

REQUIRED = ("asset_no", "device_type", "site")

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
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegisterError([RowProblem(0, (
            f"the file is not UTF-8 (byte {exc.start}); save it as 'CSV UTF-8' and try again"
        ))]) from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise RegisterError([RowProblem(1, "the header row is missing")])
    columns, problems = _read_header(rows[0])
    if problems:
        raise RegisterError(problems)
    assets: list[Asset] = []
    seen: dict[str, int] = {}
    seen_serial: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(rows[0]):
            problems.append(RowProblem(line, f"{len(row)} cells, the header has {len(rows[0])}"))
            continue
        fields = {name: row[index].strip() for name, index in columns.items()}
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
    if problems:
        raise RegisterError(problems)
    if not assets:
        raise RegisterError([RowProblem(0, "the file has a header but no assets")])
    return assets


def _read_header(header: list[str]) -> tuple[dict[str, int], list[RowProblem]]:
    by_alias = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
    columns: dict[str, int] = {}
    problems: list[RowProblem] = []
    for index, cell in enumerate(header):
        name = by_alias.get(" ".join(cell.strip().casefold().replace("_", " ").split()))
        name = name or by_alias.get(cell.strip().casefold())
        if name is None:
            problems.append(RowProblem(1, f"unknown column {cell.strip()!r}; known: {', '.join(COLUMNS)}"))
        elif name in columns:
            problems.append(RowProblem(1, f"column {name!r} appears twice"))
        else:
            columns[name] = index
    problems += [RowProblem(1, f"missing column {name!r}") for name in REQUIRED if name not in columns]
    return columns, problems


def _asset_from(fields: dict[str, str]) -> Asset:
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
    )

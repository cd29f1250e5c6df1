"""`helpdesk roster who|show`: the JSON shapes scripts rely on, the readable table, refusals (exit 2)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli.roster import main
from bot.config import Config, load_config
from bot.domain.clock import FakeClock
from bot.domain.roster import Override

EXAMPLE = Path(__file__).resolve().parent.parent / "helpdesk.example.toml"
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def config() -> Config:
    return load_config(EXAMPLE, required=True)


def run(config: Config, *argv: str, **kwargs: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), config, out, stderr=err, **kwargs)
    return code, out.getvalue(), err.getvalue()


def test_who_json_shape(config: Config) -> None:
    code, out, err = run(config, "who", "--at", "2026-02-14T10:00", "--json")
    assert code == 0 and err == ""
    assert json.loads(out) == {
        "at": "2026-02-14T10:00:00+08:00",
        "engineer": {"id": 1002, "name": "Liu Yang", "phone": "+86 138 0000 1002"},
        "rotation": "day",
        "override": False,
        # Liu Yang goes straight from the day shift into the 18:00 night turn, until the next 18:00.
        "until": "2026-02-15T18:00:00+08:00",
        "backup": {"id": 1001, "name": "Wang Wei"},
    }


def test_who_with_an_offset_and_an_override(config: Config) -> None:
    cover = Override(5, datetime(2026, 2, 17, 1, tzinfo=UTC), datetime(2026, 2, 17, 10, tzinfo=UTC), 1001,
                     None, "cover", "sick", 9001)
    code, out, _ = run(config, "who", "--at", "2026-02-17T03:00:00Z", "--json", overrides=[cover])
    payload = json.loads(out)
    assert code == 0
    assert payload["at"] == "2026-02-17T11:00:00+08:00"
    assert payload["engineer"]["id"] == 1001 and payload["override"] is True
    assert payload["rotation"] == "night-and-holidays"
    assert payload["until"] == "2026-02-17T18:00:00+08:00"
    assert payload["backup"] is not None and payload["backup"]["id"] != 1001


def test_who_defaults_to_now_and_reads_well(config: Config) -> None:
    clock = FakeClock(datetime(2026, 3, 3, 2, 0, tzinfo=UTC))  # Tuesday 10:00 in Shanghai
    code, out, _ = run(config, "who", clock=clock)
    assert code == 0
    assert "Wang Wei (1001)" in out and "rotation day" in out and "backup Liu Yang (1002)" in out


def test_who_when_nobody_is_on_duty(config: Config) -> None:
    day_only = config.model_copy(update={"rotations": config.rotations[:1]})
    code, out, _ = run(day_only, "who", "--at", "2026-03-07T12:00+08:00", "--json")
    payload = json.loads(out)
    assert code == 0
    assert payload["engineer"] is None and payload["backup"] is None and payload["rotation"] is None
    assert payload["until"] == "2026-03-09T09:00:00+08:00"  # when somebody comes on duty


def test_show_json_is_a_list_of_day_plans(config: Config) -> None:
    code, out, err = run(config, "show", "--from", "2026-02-14", "--to", "2026-02-16", "--json")
    assert code == 0 and err == ""
    plans = json.loads(out)
    assert [p["date"] for p in plans] == ["2026-02-14", "2026-02-15", "2026-02-16"]
    assert [p["kind"] for p in plans] == ["swapped_workday", "restday", "holiday"]
    assert plans[1]["name"] is None and plans[2]["name"] == "Chinese New Year's Eve"
    for plan in plans:
        assert set(plan) == {"date", "kind", "name", "shifts"}
        assert plan["shifts"][0]["start"] == f"{plan['date']}T00:00:00+08:00"
        for shift in plan["shifts"]:
            assert set(shift) == {"start", "end", "engineer", "rotation", "override"}
            assert set(shift["engineer"]) == {"id", "name"}
            assert isinstance(shift["override"], bool)
    assert plans[0]["shifts"][1]["engineer"] == {"id": 1002, "name": "Liu Yang"}


def test_show_table(config: Config) -> None:
    code, out, _ = run(config, "show", "--from", "2026-02-14", "--to", "2026-02-14")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("2026-02-14 Sat  swapped_workday  Chinese New Year (Spring Festival)")
    assert lines[1:] == [
        "  00:00–09:00  Chen Jie (1003)  [night-and-holidays]",
        "  09:00–18:00  Liu Yang (1002)  [day]",
        "  18:00–24:00  Liu Yang (1002)  [night-and-holidays]",
    ]


def test_unknown_calendar_year_is_flagged_on_stderr(config: Config) -> None:
    code, out, err = run(config, "show", "--from", "2026-12-31", "--to", "2027-01-01", "--json")
    assert code == 0 and len(json.loads(out)) == 2
    assert "2027" in err and "2026" not in err
    assert run(config, "who", "--at", "2027-03-01T10:00", "--json")[2].count("2027") >= 1


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["bogus"],
        ["who", "--at", "yesterday"],
        ["who", "--at"],
        ["show", "--from", "2026-02-14"],
        ["show", "--from", "2026-02-30", "--to", "2026-03-01"],
        ["show", "--from", "2026-03-01", "--to", "2026-02-01"],
        ["show", "--from", "2026-01-01", "--to", "2027-01-02"],  # 367 days
        ["who", "--when", "now"],
    ],
)
def test_bad_arguments_exit_2(config: Config, argv: list[str]) -> None:
    code, out, err = run(config, *argv)
    assert code == 2
    assert out == "" and err.startswith("helpdesk roster: ")


def test_a_full_leap_of_366_days_is_allowed(config: Config) -> None:
    code, out, _ = run(config, "show", "--from", "2028-01-01", "--to", "2028-12-31", "--json")
    assert code == 0 and len(json.loads(out)) == 366


def test_help_exits_0(config: Config) -> None:
    code, out, _ = run(config, "--help")
    assert code == 0 and "who" in out and "show" in out

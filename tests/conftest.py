"""Shared fixtures: a fake clock, a test configuration, and the real bot on the Bot API stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Config, parse_config
from bot.domain.clock import FakeClock
from bot.sandbox.standin import FakeUser
from tests.harness import STAFF, BotHarness, harness

# Monday 23 November 2026, 10:00 in Shanghai.
START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

ALICE = FakeUser(id=501, first_name="Alice", language_code="en")
LINA = FakeUser(id=502, first_name="李娜", language_code="zh-hans")
BOB = FakeUser(id=503, first_name="Bob", language_code="en-GB")
ENGINEER, ENGINEER2, EXPERT, MANAGER = STAFF


def make_config(**overrides: object) -> Config:
    data: dict = {
        "bot": {"timezone": "Asia/Shanghai", "default_language": "zh"},
        "intake": {"sites": ["HQ-12F", "HQ-3F", "Branch-North"]},
        "sla": {"tiers": {"vip": {"P1": {"respond": "15m", "onsite": "1h", "resolve": "2h"},
                                  "sites": ["HQ-12F"]}}},
        "engineers": [
            {"id": 1001, "name": "Wang Wei", "phone": "+86 138 0000 1001", "skills": ["printer", "pc"]},
            {"id": 1002, "name": "Liu Yang", "phone": "+86 138 0000 1002"},
            {"id": 1003, "name": "Chen Jie", "phone": "+86 138 0000 1003", "tier": 2},
        ],
        "managers": [{"id": 9001, "name": "Zhao Min"}],
        "escalation": {"P1": [{"after": "10m", "notify": "backup"}, {"after": "20m", "notify": "managers"}],
                       "repeat": 1, "sla_warning_at": 0.8},
        "rotations": [
            {"name": "day", "engineers": [1001, 1002], "period": "weekly", "handover": "09:00",
             "covers": "workdays", "hours": "09:00-18:00"},
            {"name": "night", "engineers": [1003, 1002], "period": "daily", "handover": "18:00", "covers": "all"},
        ],
    }
    data.update(overrides)
    return parse_config(data)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def config() -> Config:
    return make_config()


@pytest.fixture
async def desk(config: Config, clock: FakeClock, tmp_path: Path) -> AsyncIterator[BotHarness]:
    async with harness(config, clock, tmp_path / "helpdesk.db") as h:
        yield h

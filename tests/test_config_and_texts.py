"""Configuration validation, the shipped example file, and the bilingual texts."""

from __future__ import annotations

import re
import string
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_config, parse_config
from bot.domain.severity import Severity
from bot.services.deployment import sla_policy
from bot.texts import TEXTS
from bot.texts.en import EN
from bot.texts.en_console import EN_CONSOLE
from bot.texts.en_dashboard import EN_DASHBOARD
from bot.texts.en_inspection import EN_INSPECTION
from bot.texts.en_intake import EN_INTAKE
from bot.texts.en_learned import EN_LEARNED
from bot.texts.en_reports import EN_REPORTS
from bot.texts.en_roles import EN_ROLES
from bot.texts.en_sticker import EN_STICKER
from bot.texts.en_ticket import EN_TICKET
from bot.texts.zh import ZH
from bot.texts.zh_console import ZH_CONSOLE
from bot.texts.zh_dashboard import ZH_DASHBOARD
from bot.texts.zh_inspection import ZH_INSPECTION
from bot.texts.zh_intake import ZH_INTAKE
from bot.texts.zh_learned import ZH_LEARNED
from bot.texts.zh_reports import ZH_REPORTS
from bot.texts.zh_roles import ZH_ROLES
from bot.texts.zh_sticker import ZH_STICKER
from bot.texts.zh_ticket import ZH_TICKET

ROOT = Path(__file__).parents[1]


def test_example_config_is_valid_and_commented() -> None:
    path = ROOT / "helpdesk.example.toml"
    config = load_config(path, required=True)
    assert config.bot.timezone == "Asia/Shanghai"
    policy = sla_policy(config)
    assert policy.targets[Severity.P1].respond == timedelta(minutes=30)
    assert {tier.name for tier in policy.tiers} >= {"vip"}
    assert path.read_text(encoding="utf-8").count("#") > 40


SKETCHES = [ROOT / "tests" / "data" / "config-sketch.toml", ROOT.parent / "shared" / "config-sketch.toml"]


@pytest.mark.parametrize("sketch", [p for p in SKETCHES if p.exists()], ids=lambda p: str(p.parent.name))
def test_example_config_keeps_every_key_of_the_shared_sketch(sketch: Path) -> None:
    """The sketch is the shape every issue shares (a copy lives in tests/data for clones without shared/)."""
    example = tomllib.loads((ROOT / "helpdesk.example.toml").read_text(encoding="utf-8"))
    shape = tomllib.loads(sketch.read_text(encoding="utf-8"))
    for section, keys in shape.items():
        assert section in example, section
        if isinstance(keys, dict):
            missing = set(keys) - set(example[section])
            assert not missing, f"[{section}] lacks {missing}"
    parse_config(shape | {"engineers": example["engineers"]})  # the sketch's own values are valid too


def test_missing_config_file_means_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "absent.toml")
    assert config.sla.P2.onsite == timedelta(hours=4)
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "absent.toml", required=True)


@pytest.mark.parametrize(("data", "message"), [
    ({"bot": {"languages": ["zh", "fr"]}}, "bot.languages.1"),
    ({"followup": {"quiet_hours": "8pm-8am"}}, "followup.quiet_hours"),
    ({"reports": {"weights": {"service": 0.5, "reporting": 0.5, "satisfaction": 0.5}}}, "add up to 1"),
    ({"engineers": [{"id": 1, "name": "A", "skills": ["toaster"]}]}, "engineers.0.skills"),
    ({"rotations": [{"name": "day", "engineers": [5]}]}, "rotations.day.engineers: 5 is not in"),
    ({"business_hours": {"mon-fry": "09:00-18:00"}}, "unknown key 'mon-fry'"),
    ({"sla": {"P1": {"respond": 30}}}, "sla.P1.respond: a duration is a string"),
    ({"escalation": {"P1": [{"after": "10m", "notify": "everyone"}]}}, "escalation.P1.0.notify"),
])
def test_bad_settings_name_the_key(data: dict, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(data)
    assert message in str(caught.value)


def test_settings_from_environment() -> None:
    settings = Settings.from_env({"TELEGRAM_BOT_TOKEN": "123:" + "a" * 30,
                                  "HELPDESK_TELEGRAM_API_URL": "http://127.0.0.1:8081/bot"})
    assert settings.api_url == "http://127.0.0.1:8081/bot" and str(settings.db_path) == "helpdesk.db"
    assert Settings.from_env({}).token is None
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN"):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": "not-a-token"})
    with pytest.raises(ConfigError, match="HELPDESK_TELEGRAM_API_URL"):
        Settings.from_env({"HELPDESK_TELEGRAM_API_URL": "ftp://x"})


def _placeholders(template: object) -> set[str]:
    if callable(template):
        return set()
    return {name for _, name, _, _ in string.Formatter().parse(str(template)) if name}


def test_every_text_exists_in_both_languages_with_the_same_placeholders() -> None:
    """Chat and report texts alike: TEXTS is every language module merged."""
    assert set(TEXTS["en"]) == set(TEXTS["zh"])
    for key, template in TEXTS["en"].items():
        assert _placeholders(template) == _placeholders(TEXTS["zh"][key]), key
        assert callable(template) == callable(TEXTS["zh"][key]), key


AREAS = {"report": (EN_REPORTS, ZH_REPORTS), "console": (EN_CONSOLE, ZH_CONSOLE), "ticket": (EN_TICKET, ZH_TICKET),
         "roles": (EN_ROLES, ZH_ROLES), "intake": (EN_INTAKE, ZH_INTAKE),
         "learned": (EN_LEARNED, ZH_LEARNED), "inspection": (EN_INSPECTION, ZH_INSPECTION),
         "sticker": (EN_STICKER, ZH_STICKER), "dashboard": (EN_DASHBOARD, ZH_DASHBOARD)}
"""Each area's module pair (en_<area>.py / zh_<area>.py), whose keys all start with "<area>."."""


def test_each_language_module_has_its_pair_and_nothing_is_lost_in_the_merge() -> None:
    """A key lives in the same file of each language (en.py / zh.py, en_reports.py / zh_reports.py, …)."""
    assert EN.keys() == ZH.keys()
    for area, (en, zh) in AREAS.items():
        assert en.keys() == zh.keys(), area
        assert all(key.startswith(f"{area}.") for key in en), area
        assert not [key for key in EN if key.startswith(f"{area}.")], area  # so the merge cannot clash
    for lang, base in (("en", EN), ("zh", ZH)):
        parts = [pair[0 if lang == "en" else 1] for pair in AREAS.values()]
        assert len(TEXTS[lang]) == len(base) + sum(len(part) for part in parts)


def test_chinese_texts_are_chinese() -> None:
    """A zh text with English words and no Chinese was left untranslated (symbols and names may stay)."""
    cjk = re.compile(r"[\u4e00-\u9fff]")
    english = re.compile(r"\b[A-Za-z]{4,}\b")
    untranslated = [k for k, v in TEXTS["zh"].items() if isinstance(v, str) and not cjk.search(v)
                    and english.search(re.sub(r"\{[^}]*\}", "", v)) and v != TEXTS["en"][k]]
    assert untranslated == []

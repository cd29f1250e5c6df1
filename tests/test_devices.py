"""One device vocabulary (bot.domain.devices) and one label for each device, wherever it is shown."""

from __future__ import annotations

import pytest

from bot.domain.devices import ARTICLE_DEVICES, DEVICE_TYPES
from bot.sandbox.standin import FakeUser
from bot.texts import TEXTS
from knowledge.article import DEVICES
from tests.conftest import ALICE, LINA
from tests.harness import STAFF, BotHarness

ENGINEER, ENGINEER2 = STAFF[0], STAFF[1]  # Wang Wei reads Chinese, Liu Yang English


def test_the_knowledge_base_uses_the_domain_vocabulary() -> None:
    assert DEVICES is ARTICLE_DEVICES
    assert [d for d in ARTICLE_DEVICES if d in DEVICE_TYPES] == list(DEVICE_TYPES)  # same order
    assert set(ARTICLE_DEVICES) - set(DEVICE_TYPES) == {"software", "account"}


@pytest.mark.parametrize("lang", sorted(TEXTS))
def test_every_device_has_one_label_in_every_language(lang: str) -> None:
    texts = TEXTS[lang]
    labels = {key.removeprefix("device."): text for key, text in texts.items() if key.startswith("device.")}
    assert set(labels) == set(ARTICLE_DEVICES)
    assert len(set(labels.values())) == len(labels)  # no two devices read the same
    assert [key for key in texts if "device." in key and not key.startswith("device.")] == []  # no second family


async def _kb_form_devices(desk: BotHarness, engineer: FakeUser) -> list[str]:
    await desk.say(engineer, "/kb add")
    replies = await desk.say(engineer, "Stapler jams")
    return [label for row in replies[-1].buttons() for label in row]


async def _report_devices(desk: BotHarness, reporter: FakeUser) -> list[str]:
    await desk.describe(reporter, "The projector in room 3 shows no picture")
    return [label for row in desk.last_with_buttons(reporter).buttons() for label in row]


@pytest.mark.parametrize(("engineer", "reporter"), [(ENGINEER, LINA), (ENGINEER2, ALICE)], ids=["zh", "en"])
async def test_the_article_form_names_devices_as_the_report_does(desk: BotHarness, engineer: FakeUser,
                                                                 reporter: FakeUser) -> None:
    article = await _kb_form_devices(desk, engineer)
    report = await _report_devices(desk, reporter)
    assert len(article) == len(ARTICLE_DEVICES) and len(report) == len(DEVICE_TYPES)
    by_device = dict(zip(ARTICLE_DEVICES, article, strict=True))
    assert [by_device[d] for d in DEVICE_TYPES] == report

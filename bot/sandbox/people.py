"""Who can be played in the sandbox: every configured engineer and manager, plus a few reporters.

`:as engineer 2`, `:as manager`, `:as reporter 3` or a name (`:as Liu`) pick one. Every persona is made a
known chat of the stand-in from the start: staff open the bot when they join, long before any ticket, so
a backup, a tier-2 engineer or the one taking a hand-over can be written to although they have not typed
anything in this sandbox yet (Telegram would otherwise answer "chat not found").
"""

from __future__ import annotations

from bot.config import Config
from bot.sandbox.standin import FakeUser

REPORTERS = (
    FakeUser(id=700001, first_name="李娜", language_code="zh-hans"),
    FakeUser(id=700002, first_name="Alex", language_code="en"),
    FakeUser(id=700003, first_name="张伟", language_code="zh"),
    FakeUser(id=700004, first_name="Sam", language_code="en"),
)
"""Chinese- and English-speaking reporters; the first two keep their old names `reporter`, `reporter-en`."""
ROLES = ("reporter", "engineer", "manager")


def personas(config: Config) -> dict[str, FakeUser]:
    """Name → person: `reporter`, `reporter-en`, `reporter 3`…, `engineer`, `engineer 2`…, `manager`…

    The first of each role keeps its bare name (what the sandbox always called it); without configured
    staff an engineer and a manager are still made up, so there is someone to switch to."""
    found: dict[str, FakeUser] = {"reporter": REPORTERS[0], "reporter-en": REPORTERS[1]}
    found |= {f"reporter {n}": user for n, user in enumerate(REPORTERS[2:], 3)}
    # engineers mostly in Chinese, the first manager in English (both languages get seen)
    engineers = [(e.id, e.name) for e in config.engineers] or [(1001, "Engineer")]
    for n, (user_id, name) in enumerate(engineers, 1):
        found["engineer" if n == 1 else f"engineer {n}"] = FakeUser(user_id, name, "en" if n % 2 == 0 else "zh")
    managers = [(m.id, m.name) for m in config.managers] or [(9001, "Manager")]
    for n, (user_id, name) in enumerate(managers, 1):
        found["manager" if n == 1 else f"manager {n}"] = FakeUser(user_id, name, "en" if n % 2 == 1 else "zh")
    return found


def resolve(people: dict[str, FakeUser], wanted: str) -> tuple[str | None, str]:
    """The persona `:as WANTED` means, or None and why not (no such number, an unknown or ambiguous name)."""
    words = wanted.split()
    if not words:
        return None, "say who: " + ", ".join(people)
    key = " ".join(words).lower()
    if key in people:
        return key, ""
    role, number = words[0].lower(), words[1] if len(words) == 2 else ""
    if role in ROLES and number.isdigit():
        aliases = {"reporter 1": "reporter", "reporter 2": "reporter-en", "engineer 1": "engineer",
                   "manager 1": "manager"}
        name = aliases.get(f"{role} {int(number)}", f"{role} {int(number)}")
        if name in people:
            return name, ""
        count = sum(1 for k in people if k.split()[0].split("-")[0] == role)
        return None, f"there is no {role} {number}: the sandbox has {count} {role}{'s' if count != 1 else ''}"
    by_name = [k for k, user in people.items()
               if any(part.lower().startswith(key) for part in [user.first_name, *user.first_name.split()])]
    if len(by_name) == 1:
        return by_name[0], ""
    if by_name:
        return None, f"{wanted!r} could be " + " or ".join(f"{k} ({people[k].first_name})" for k in by_name)
    return None, f"nobody called {wanted!r}; try " + ", ".join(people)

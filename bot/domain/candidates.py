"""Who else can take a ticket: the backup of a shift (人员备份) and the engineers to offer it to, best first.

Pure functions of the roster like `bot.domain.roster`; the dispatcher decides among what they offer.
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.calendar import as_utc
from bot.domain.roster import (
    DutyRoster,
    EngineerInfo,
    RotationRule,
    Shift,
    on_duty,
    period_index,
    rotation_engineer,
)
from bot.domain.sites import site_key


def _following(roster: DutyRoster, rule: RotationRule, at: datetime) -> list[int]:
    """`rule`'s engineers in turn order after the one whose turn it is at `at`."""
    k = period_index(roster, rule, at)
    n = len(rule.engineers)
    return [rule.engineers[(k + i) % n] for i in range(1, n + 1)]


def backup_for(roster: DutyRoster, at: datetime, shift: Shift) -> int | None:
    """Who backs up `shift` at `at` (人员备份): never the shift's own engineer; None if nobody else.

    In order, the first engineer who is not the shift's own: the engineer holding the slot of the
    rotation named in the shift rotation's ``backup`` (by its turn or its overrides, whether or not
    that rotation covers `at` — a backup is a person to call, not a shift); then the next engineers of
    the shift's own rotation in turn order; then the named backup rotation's other engineers; then
    whoever the other rotations have at `at`, in list order.
    """
    at = as_utc(at)
    rule = roster.rotation(shift.rotation)
    backup_rule = roster.rotation(rule.backup) if rule is not None else None
    candidates: list[int] = []
    if backup_rule is not None:
        candidates.append(rotation_engineer(roster, backup_rule, at)[0])
    if rule is not None:
        candidates.extend(_following(roster, rule, at))
    if backup_rule is not None:
        candidates.extend(_following(roster, backup_rule, at))
    for other in roster.rotations:
        if other is not rule and other is not backup_rule:
            candidates.append(rotation_engineer(roster, other, at)[0])
    return next((c for c in candidates if c != shift.engineer_id), None)


def _capable(engineer: EngineerInfo, device_type: str | None, site: str | None) -> bool:
    skilled = device_type is None or not engineer.skills or device_type in engineer.skills
    placed = site is None or not engineer.sites or site_key(site) in {site_key(s) for s in engineer.sites}
    return skilled and placed


def candidates(roster: DutyRoster, at: datetime, device_type: str | None, site: str | None) -> list[int]:
    """Engineers to offer a ticket to, best first; the dispatcher (not this module) decides.

    The engineer on duty always comes first — the duty desk answers for the ticket even when
    somebody else fixes it. Every other known engineer follows, ordered by: able to handle it
    (declared skills include the device type, or none declared; preferred sites include the site,
    compared by :func:`bot.domain.sites.site_key`, or none declared), then holding some rotation's
    slot at `at` (they are on call anyway), then tier 1 before tier 2 (first line before experts),
    then configuration order.
    """
    at = as_utc(at)
    current = on_duty(roster, at)
    first = current.engineer_id if current else None
    on_call = {rotation_engineer(roster, rule, at)[0] for rule in roster.rotations}
    order = {engineer_id: i for i, engineer_id in enumerate(roster.engineers)}
    others = [e for e in roster.engineers.values() if e.id != first]
    others.sort(
        key=lambda e: (not _capable(e, device_type, site), e.id not in on_call, e.tier, order[e.id])
    )
    return ([first] if first is not None else []) + [e.id for e in others]

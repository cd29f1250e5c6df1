"""The duty roster: who is on duty at an instant, as one pure function of data.

Everything here answers from frozen data — the engineers, the rotations of the configuration, the
overrides a manager recorded, the working calendar and the deployment's zone — so the same question
gets the same answer in the bot, in the CLI and in tests, with no clock and no database.

Semantics
---------
Rotations (值班轮换)
    A rotation's engineers take turns, one per period. A ``daily`` period is one local day, a
    ``weekly`` one seven local days; a period starts at the rotation's hand-over time. The turn is
    anchored at ``start``: the period that begins at the hand-over on ``start`` belongs to
    ``engineers[0]``, the next to ``engineers[1]`` and so on, cyclically — also backwards before
    ``start``, so the anchor only fixes the phase (a roster is never empty just because the anchor
    date lies in the future).

Coverage
    ``covers`` picks the local dates a rotation serves: ``workdays`` (regular and swapped working
    days, 调休), ``restdays`` (weekends and public holidays that are not working days) or ``all``.
    ``hours`` are the hours within a covered date; a range whose end is not after its start
    ("18:00-09:00") crosses midnight and belongs to the date it starts on; no hours = the whole date.
    Whether a date is covered is decided by its local calendar date alone.

Precedence
    When several rotations cover the same instant the one listed FIRST wins, so a working-hours
    rotation listed before an after-hours ``all`` rotation simply takes its slice of the day.

Overrides (代班/换班)
    Overrides win over rotations. One with ``rotation=None`` replaces whoever is on duty (and also
    fills a moment nobody covers — its shift is then labelled :data:`GAP_ROTATION`); one naming a
    rotation replaces only that rotation's engineer, wherever that rotation is consulted (as the
    rotation on duty, or as somebody's backup). Overrides are kept apart from rotations and refer to
    them by time and name, never by position, so editing a rotation's engineer list does not lose
    them; an override naming a rotation that no longer exists does nothing. When overrides overlap
    the newest wins: the higher ``id``, and an override without an id (not stored yet) is newer than
    any stored one (ties: later in the tuple). A rotation-wide override beats a rotation-scoped one.
    ``kind`` (``cover`` / ``swap``) is a record of why, for the audit trail; a swap is two overrides
    that exchange two engineers' periods, and both kinds are applied the same way.

Daylight saving
    Hand-overs and hours are wall-clock times resolved by
    :func:`bot.domain.calendar.wall_to_utc`: a 09:00 hand-over stays at 09:00 local across the
    changes; a time the clocks skip is the instant they jump, a time they repeat is its first
    occurrence. Periods are counted in local dates, so a weekly turn is seven local days long.

Timeline
    :func:`shifts` cuts time into contiguous :class:`Shift` segments at every local midnight, every
    hand-over of the rotation on duty, every hours boundary and every override boundary (adjacent
    pieces with the same engineer, rotation and override flag are joined between those cuts).
    :func:`on_duty` is the segment containing the instant; :func:`gaps` the instants nobody covers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from itertools import pairwise
from types import MappingProxyType
from typing import Literal, NamedTuple, get_args
from zoneinfo import ZoneInfo

from bot.domain.calendar import ONE_DAY, WorkCalendar, as_utc, local_date, local_midnight, wall_to_utc

Period = Literal["daily", "weekly"]
Covers = Literal["workdays", "restdays", "all"]
OverrideKind = Literal["cover", "swap"]

GAP_ROTATION = "override"
"""The rotation label of a shift that exists only because a rotation-wide override filled a gap."""
DEFAULT_HORIZON = timedelta(days=62)
"""How far :func:`next_handover` and :func:`on_duty_until` look ahead before answering None."""


@dataclass(frozen=True)
class EngineerInfo:
    """An engineer as the roster needs them: how to reach them and what they can fix where."""

    id: int
    name: str
    phone: str = ""
    tier: int = 1
    skills: tuple[str, ...] = ()
    """Device types; empty = not declared (treated as able to handle anything)."""
    sites: tuple[str, ...] = ()
    """Preferred sites; empty = anywhere."""


@dataclass(frozen=True)
class RotationRule:
    """One rotation of the configuration, as plain data (see the module docstring for the meaning)."""

    name: str
    engineers: tuple[int, ...]
    period: Period = "weekly"
    handover: time = time(9)
    covers: Covers = "all"
    hours: tuple[time, time] | None = None
    backup: str | None = None
    start: date = date(2026, 1, 5)

    def __post_init__(self) -> None:
        object.__setattr__(self, "engineers", tuple(self.engineers))
        if not self.name:
            raise ValueError("a rotation needs a name")
        if not self.engineers:
            raise ValueError(f"rotation {self.name!r} has no engineers")
        if self.period not in get_args(Period):
            raise ValueError(f"rotation {self.name!r}: period must be daily or weekly")
        if self.covers not in get_args(Covers):
            raise ValueError(f"rotation {self.name!r}: covers must be workdays, restdays or all")
        if self.hours is not None and len(self.hours) != 2:
            raise ValueError(f"rotation {self.name!r}: hours are a (start, end) pair")

    @property
    def period_days(self) -> int:
        return 1 if self.period == "daily" else 7


@dataclass(frozen=True)
class Override:
    """A manager's exception to the rotations for [start, end): `engineer_id` is on duty instead."""

    id: int | None
    start: datetime
    end: datetime
    engineer_id: int
    rotation: str | None = None
    """None = replaces whoever is on duty; a name = only that rotation's slot."""
    kind: OverrideKind = "cover"
    reason: str = ""
    created_by: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", as_utc(self.start))
        object.__setattr__(self, "end", as_utc(self.end))
        if self.end <= self.start:
            raise ValueError("an override must end after it starts")
        if self.kind not in get_args(OverrideKind):
            raise ValueError("an override's kind is cover or swap")

    def active_at(self, at: datetime) -> bool:
        return self.start <= at < self.end


@dataclass(frozen=True)
class Shift:
    """A contiguous stretch of time (UTC) during which one engineer is on duty for one rotation."""

    start: datetime
    end: datetime
    engineer_id: int
    rotation: str
    override: bool


class _State(NamedTuple):
    engineer_id: int
    rotation: str
    override: bool


class _Segment(NamedTuple):
    start: datetime
    end: datetime
    state: _State | None


@dataclass(frozen=True)
class DutyRoster:
    """Everything needed to answer "who is on duty": people, rotations, overrides, calendar, zone."""

    engineers: Mapping[int, EngineerInfo] = field(hash=False)
    rotations: tuple[RotationRule, ...]
    overrides: tuple[Override, ...]
    calendar: WorkCalendar
    tz: ZoneInfo

    def __post_init__(self) -> None:
        object.__setattr__(self, "engineers", MappingProxyType(dict(self.engineers)))
        object.__setattr__(self, "rotations", tuple(self.rotations))
        object.__setattr__(self, "overrides", tuple(self.overrides))
        names = [rule.name for rule in self.rotations]
        if len(names) != len(set(names)):
            raise ValueError("two rotations have the same name")

    def rotation(self, name: str | None) -> RotationRule | None:
        return next((rule for rule in self.rotations if rule.name == name), None)

    @cached_property
    def _newest_first(self) -> tuple[Override, ...]:
        """Overrides by precedence, newest first (higher id; unsaved ones newest; then tuple order)."""
        ranked = sorted(
            enumerate(self.overrides),
            key=lambda item: (item[1].id is None, item[1].id if item[1].id is not None else 0, item[0]),
        )
        return tuple(override for _, override in reversed(ranked))


# --- the rules at one instant -------------------------------------------------------------------


def _covers_date(roster: DutyRoster, rule: RotationRule, d: date) -> bool:
    if rule.covers == "all":
        return True
    working = roster.calendar.is_working_day(d)
    return working if rule.covers == "workdays" else not working


def _window(roster: DutyRoster, rule: RotationRule, d: date) -> tuple[datetime, datetime] | None:
    """The UTC stretch rotation `rule` covers for local date `d` (may end on the next date)."""
    if not _covers_date(roster, rule, d):
        return None
    if rule.hours is None:
        return local_midnight(d, roster.tz), local_midnight(d + ONE_DAY, roster.tz)
    opens, closes = rule.hours
    end_day = d if closes > opens else d + ONE_DAY
    start, end = wall_to_utc(d, opens, roster.tz), wall_to_utc(end_day, closes, roster.tz)
    return (start, end) if end > start else None


def _rule_covers(roster: DutyRoster, rule: RotationRule, at: datetime) -> bool:
    today = local_date(at, roster.tz)
    for d in (today - ONE_DAY, today):
        window = _window(roster, rule, d)
        if window is not None and window[0] <= at < window[1]:
            return True
    return False


def period_index(roster: DutyRoster, rule: RotationRule, at: datetime) -> int:
    """Which period of `rule` the instant falls in, counted from the anchor (negative before it)."""
    today = local_date(at, roster.tz)
    period_day = today if at >= wall_to_utc(today, rule.handover, roster.tz) else today - ONE_DAY
    return (period_day - rule.start).days // rule.period_days


def _is_handover_date(rule: RotationRule, d: date) -> bool:
    return (d - rule.start).days % rule.period_days == 0


def rotation_engineer(roster: DutyRoster, rule: RotationRule, at: datetime) -> tuple[int, bool]:
    """The engineer holding `rule`'s slot at `at` (its turn, unless an override names the rotation)."""
    for override in roster._newest_first:
        if override.rotation == rule.name and override.active_at(at):
            return override.engineer_id, True
    k = period_index(roster, rule, at)
    return rule.engineers[k % len(rule.engineers)], False


def _state_at(roster: DutyRoster, at: datetime) -> _State | None:
    state: _State | None = None
    for rule in roster.rotations:
        if _rule_covers(roster, rule, at):
            engineer, overridden = rotation_engineer(roster, rule, at)
            state = _State(engineer, rule.name, overridden)
            break
    for override in roster._newest_first:
        if override.rotation is None and override.active_at(at):
            return _State(override.engineer_id, state.rotation if state else GAP_ROTATION, True)
    return state


# --- the timeline -------------------------------------------------------------------------------


def _dates(first: date, last: date) -> Iterator[date]:
    d = first
    while d <= last:
        yield d
        d += ONE_DAY


def _timeline(roster: DutyRoster, start: datetime, end: datetime) -> list[_Segment]:
    """[start, end) cut where anything can change, evaluated once per piece, then re-joined."""
    start, end = as_utc(start), as_utc(end)
    if end <= start:
        return []
    tz = roster.tz
    cuts = {start, end}
    midnights: set[datetime] = set()
    handovers: dict[str, set[datetime]] = {rule.name: set() for rule in roster.rotations}
    for d in _dates(local_date(start, tz) - ONE_DAY, local_date(end, tz) + ONE_DAY):
        midnight = local_midnight(d, tz)
        midnights.add(midnight)
        cuts.add(midnight)
        for rule in roster.rotations:
            if _is_handover_date(rule, d):
                instant = wall_to_utc(d, rule.handover, tz)
                handovers[rule.name].add(instant)
                cuts.add(instant)
            if rule.hours is not None:
                window = _window(roster, rule, d)
                if window is not None:
                    cuts.update(window)
    for override in roster.overrides:
        cuts.update((override.start, override.end))
    points = sorted(cut for cut in cuts if start <= cut <= end)
    segments: list[_Segment] = []
    for a, b in pairwise(points):
        state = _state_at(roster, a)
        if segments and segments[-1].state == state and a not in midnights and (
            state is None or a not in handovers.get(state.rotation, ())
        ):
            segments[-1] = _Segment(segments[-1].start, b, state)
        else:
            segments.append(_Segment(a, b, state))
    return segments


def shifts(roster: DutyRoster, start: datetime, end: datetime) -> list[Shift]:
    """Who is on duty over [start, end), as contiguous segments (UTC), clipped to the range."""
    return [
        Shift(seg.start, seg.end, seg.state.engineer_id, seg.state.rotation, seg.state.override)
        for seg in _timeline(roster, start, end)
        if seg.state is not None
    ]


def on_duty(roster: DutyRoster, at: datetime) -> Shift | None:
    """THE answer to "who is on duty at `at`": the shift containing it, or None if nobody is."""
    at = as_utc(at)
    d = local_date(at, roster.tz)
    day_start, day_end = local_midnight(d, roster.tz), local_midnight(d + ONE_DAY, roster.tz)
    for seg in _timeline(roster, day_start, day_end):
        if seg.start <= at < seg.end:
            if seg.state is None:
                return None
            return Shift(seg.start, seg.end, seg.state.engineer_id, seg.state.rotation, seg.state.override)
    return None


def gaps(roster: DutyRoster, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The stretches of [start, end) during which nobody is on duty (maximal, UTC)."""
    result: list[tuple[datetime, datetime]] = []
    for seg in _timeline(roster, start, end):
        if seg.state is not None:
            continue
        if result and result[-1][1] == seg.start:
            result[-1] = (result[-1][0], seg.end)
        else:
            result.append((seg.start, seg.end))
    return result


def _shifts_ahead(roster: DutyRoster, at: datetime, within: timedelta) -> Iterator[Shift]:
    """Shifts from `at` on, a week at a time, so the usual question does not build months of timeline."""
    cursor, limit = at, at + within
    while cursor < limit:
        chunk_end = min(cursor + timedelta(days=7), limit)
        yield from shifts(roster, cursor, chunk_end)
        cursor = chunk_end


def next_handover(roster: DutyRoster, at: datetime, within: timedelta = DEFAULT_HORIZON) -> Shift | None:
    """The next shift whose engineer differs from the one on duty at `at` (None if none within reach)."""
    at = as_utc(at)
    current = on_duty(roster, at)
    engineer = current.engineer_id if current else None
    for shift in _shifts_ahead(roster, at, within):
        if shift.engineer_id != engineer:
            return shift
    return None


def on_duty_until(roster: DutyRoster, at: datetime, within: timedelta = DEFAULT_HORIZON) -> datetime | None:
    """When the current situation at `at` ends: the on-duty engineer goes off, or somebody comes on.

    Unlike a shift's end (cut at midnight and at rotation boundaries), this is what a person asks:
    "until when is Wang Wei on duty?". None when nothing changes within `within`.
    """
    at = as_utc(at)
    current = on_duty(roster, at)
    if current is None:
        upcoming = next_handover(roster, at, within)
        return upcoming.start if upcoming else None
    reached = at
    for shift in _shifts_ahead(roster, at, within):
        if shift.start != reached or shift.engineer_id != current.engineer_id:
            return reached
        reached = shift.end
    return None

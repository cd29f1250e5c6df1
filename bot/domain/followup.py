"""The follow-up (回访): 72 hours after a repair, is the device still working, and how satisfied is the reporter?

A repair counts as good only if the device runs 72 hours without the same fault (domain.md); the
follow-up is how the desk finds out, and its rating feeds the satisfaction KPI. A follow-up is never
sent in quiet hours: it waits for the morning.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, tzinfo
from enum import StrEnum


class FollowUpState(StrEnum):
    SCHEDULED = "scheduled"
    SENT = "sent"            # the question is out, waiting for "still working?"
    RATING = "rating"        # still working: waiting for the 1–5 rating
    COMMENT = "comment"      # rated: an optional comment may follow
    DONE = "done"            # answered (rated, or the fault came back, or another problem)
    EXPIRED = "expired"      # no answer in time: the ticket closed without a rating


class Answer(StrEnum):
    WORKING = "working"
    SAME_FAULT = "same_fault"
    OTHER_PROBLEM = "other_problem"


class FollowUpRefused(ValueError):
    """An answer that cannot be taken (expired, already answered, out of range); `code` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


RATING_CHANGE_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class FollowUp:
    ticket: str
    reporter_id: int
    state: FollowUpState
    due_at: datetime
    sent_at: datetime | None = None
    reminded_at: datetime | None = None
    expires_at: datetime | None = None
    answer: Answer | None = None
    answered_at: datetime | None = None
    rating: int | None = None
    rated_at: datetime | None = None
    comment: str | None = None

    @property
    def open(self) -> bool:
        return self.state in (FollowUpState.SENT, FollowUpState.RATING, FollowUpState.COMMENT)


@dataclass(frozen=True)
class Complaint:
    """A rating of 1 or 2 (or the reporter's words after one): the managers answer within a week."""

    id: int
    ticket: str
    rating: int
    comment: str | None
    created_at: datetime
    due_at: datetime
    handled_at: datetime | None = None
    handled_by: int | None = None
    answer: str | None = None
    """What the manager who handled it answered the reporter (told to them, kept here and on the ticket)."""


def outside_quiet_hours(at: datetime, quiet: tuple[time, time], tz: tzinfo) -> datetime:
    """`at`, or the end of the quiet hours it falls into (e.g. 20:00–08:00 → 08:00 next morning)."""
    start, end = quiet
    if start == end:
        return at
    local = at.astimezone(tz)
    clock = local.time()
    crosses_midnight = start > end
    quiet_now = (clock >= start or clock < end) if crosses_midnight else (start <= clock < end)
    if not quiet_now:
        return at
    day = local.date()
    if crosses_midnight and clock >= start:
        day += timedelta(days=1)
    wake = datetime.combine(day, end, tzinfo=tz)
    return wake.astimezone(at.tzinfo)


def schedule(ticket: str, reporter_id: int, resolved_at: datetime, delay: timedelta,
             quiet: tuple[time, time], tz: tzinfo) -> FollowUp:
    return FollowUp(ticket=ticket, reporter_id=reporter_id, state=FollowUpState.SCHEDULED,
                    due_at=outside_quiet_hours(resolved_at + delay, quiet, tz))


def sent(followup: FollowUp, at: datetime, expire: timedelta) -> FollowUp:
    return replace(followup, state=FollowUpState.SENT, sent_at=at, expires_at=at + expire)


def answer(followup: FollowUp, what: Answer, at: datetime) -> FollowUp:
    _check_open(followup, at)
    if followup.state is not FollowUpState.SENT:
        raise FollowUpRefused("followup.already_answered")
    state = FollowUpState.RATING if what is Answer.WORKING else FollowUpState.DONE
    return replace(followup, state=state, answer=what, answered_at=at)


def rate(followup: FollowUp, rating: int, at: datetime) -> FollowUp:
    """A 1–5 rating; it may be changed for a short while after it was given."""
    if not 1 <= rating <= 5:
        raise FollowUpRefused("followup.bad_rating")
    if followup.state is FollowUpState.RATING:
        _check_open(followup, at)
        return replace(followup, state=FollowUpState.COMMENT, rating=rating, rated_at=at)
    if followup.rated_at is not None and at - followup.rated_at <= RATING_CHANGE_WINDOW:
        return replace(followup, rating=rating)
    if followup.state is FollowUpState.EXPIRED:
        raise FollowUpRefused("followup.expired")
    raise FollowUpRefused("followup.already_rated" if followup.rating else "followup.not_now")


def comment(followup: FollowUp, text: str, at: datetime) -> FollowUp:
    if followup.state is not FollowUpState.COMMENT:
        raise FollowUpRefused("followup.not_now")
    return replace(followup, state=FollowUpState.DONE, comment=text.strip()[:1000] or None)


def finish_without_comment(followup: FollowUp) -> FollowUp:
    if followup.state is not FollowUpState.COMMENT:
        raise FollowUpRefused("followup.not_now")
    return replace(followup, state=FollowUpState.DONE)


def expire(followup: FollowUp, at: datetime) -> FollowUp | None:
    """The survey ran out unanswered; None when it was answered meanwhile (nothing to do)."""
    if followup.state not in (FollowUpState.SENT, FollowUpState.SCHEDULED):
        return None
    return replace(followup, state=FollowUpState.EXPIRED)


def _check_open(followup: FollowUp, at: datetime) -> None:
    if followup.state is FollowUpState.EXPIRED or (followup.expires_at and at > followup.expires_at):
        raise FollowUpRefused("followup.expired")
    if followup.state is FollowUpState.SCHEDULED:
        raise FollowUpRefused("followup.not_now")


def is_complaint(rating: int | None) -> bool:
    """A rating of 1 or 2 is a complaint the managers must answer within a week (domain.md)."""
    return rating is not None and rating <= 2

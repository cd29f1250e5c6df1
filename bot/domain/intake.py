"""Intake (服务受理): the fault report a reporter is filling in (the Draft), what is still missing, and
taking each answer. ("Report" alone, in this code, is the manager's service report.)

A draft is stored after every answer, so a reporter continues where they were after a restart. The
next question is derived from what is filled in, never kept as a separate, drift-prone state; only an
edit from the summary is remembered (it sends the reporter back to the summary when done).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from bot.domain.assets import Asset
from bot.domain.contact import normalise_phone
from bot.domain.courtesy import courtesy
from bot.domain.devices import DEVICE_TYPES
from bot.domain.severity import Severity
from bot.domain.text import has_words

MAX_DESCRIPTION = 2000
MAX_PLACE = 100
MAX_PHOTOS = 10


class Step(StrEnum):
    """The questions of the intake, in the order they are asked."""

    DESCRIBE = "describe"
    SUGGEST = "suggest"
    DEVICE = "device"
    CONFIRM_ASSET = "asset"
    CONFIRM_SITE = "site_guess"
    SITE = "site"
    ROOM = "room"
    SEVERITY = "severity"
    CONTACT = "contact"
    SUMMARY = "summary"


EDITABLE: tuple[Step, ...] = (Step.DESCRIBE, Step.DEVICE, Step.SITE, Step.SEVERITY, Step.CONTACT)


class Rejected(ValueError):
    """An answer the intake cannot take; `code` names the explanation the reporter gets."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Draft:
    reporter_id: int
    started_at: datetime
    token: str = field(default_factory=lambda: secrets.token_hex(3))
    """Printed into this draft's buttons, so a button of an earlier report is recognised as old."""
    description: str | None = None
    photos: tuple[str, ...] = ()
    device_type: str | None = None
    asset_no: str | None = None
    pending_asset: str | None = None
    """An asset number found in the register, waiting for the reporter to confirm it."""
    pending_site: str | None = None
    """A typed place that may be one of the configured sites, waiting for the reporter to say which."""
    site: str | None = None
    room: str | None = None
    room_asked: bool = False
    severity: Severity | None = None
    phone: str | None = None
    contact_name: str | None = None
    editing: bool = False
    last_media_group: str | None = None
    suggestions: tuple[str, ...] = ()
    """Knowledge-base articles offered for the description (first-line remote support)."""
    suggestions_done: bool = False
    suggestions_sure: bool = True
    """False: the knowledge base only guessed, and the articles are offered as "is it one of these?"."""
    tried: tuple[str, ...] = ()
    """Articles the reporter tried and that did not help; the engineer sees them on the ticket."""
    keyboard_shown: bool = False
    """The reporter asked for the share-my-number keyboard (a reply keyboard): a number typed instead
    leaves it on screen, and only a message of its own removes it."""

    @property
    def step(self) -> Step:
        """The next question: the first thing still missing."""
        if self.description is None:
            return Step.DESCRIBE
        if self.suggestions and not self.suggestions_done:
            return Step.SUGGEST
        if self.pending_asset is not None:
            return Step.CONFIRM_ASSET
        if self.device_type is None:
            return Step.DEVICE
        if self.pending_site is not None:
            return Step.CONFIRM_SITE
        if self.site is None:
            return Step.SITE
        if not self.room_asked:
            return Step.ROOM
        if self.severity is None:
            return Step.SEVERITY
        if self.phone is None:
            return Step.CONTACT
        return Step.SUMMARY


def start(reporter_id: int, at: datetime) -> Draft:
    return Draft(reporter_id=reporter_id, started_at=at)


def describe(draft: Draft, text: str, names: Iterable[str] = ()) -> Draft:
    """The fault in the reporter's words (a photo caption counts too). Punctuation alone, or only a
    thank-you (see `bot.domain.courtesy`; `names` are the engineers'), describes nothing."""
    cleaned = text.strip()
    if not cleaned:
        raise Rejected("empty")
    if not has_words(cleaned):
        raise Rejected("intake.reject.no_words_description")
    if courtesy(cleaned, names) is not None:
        raise Rejected("intake.reject.courtesy_description")
    if len(cleaned) > MAX_DESCRIPTION:
        raise Rejected("too_long", limit=MAX_DESCRIPTION, length=len(cleaned))
    joined = f"{draft.description}\n{cleaned}" if draft.description and not draft.editing else cleaned
    if len(joined) > MAX_DESCRIPTION:
        raise Rejected("too_long", limit=MAX_DESCRIPTION, length=len(joined))
    return _after_answer(replace(draft, description=joined))


def describe_with_photos_only(draft: Draft) -> Draft:
    """The reporter lets the photos speak for themselves."""
    if not draft.photos:
        raise Rejected("no_photo")
    return _after_answer(replace(draft, description=draft.description or ""))


def needs_suggestions(draft: Draft) -> bool:
    """A described fault not yet matched against the knowledge base."""
    return bool(draft.description) and not draft.suggestions_done and not draft.suggestions


def offer_suggestions(draft: Draft, article_ids: list[str], *, sure: bool = True) -> Draft:
    """Offer these articles before the rest of the intake (none: go straight on); not `sure`: as guesses."""
    return replace(draft, suggestions=tuple(article_ids), suggestions_done=not article_ids, suggestions_sure=sure)


def suggestion(draft: Draft, index: str) -> str:
    """The article id behind a suggestion button's index."""
    if not index.isdigit() or int(index) >= len(draft.suggestions):
        raise Rejected("bad_choice")
    return draft.suggestions[int(index)]


def did_not_help(draft: Draft, article_id: str) -> Draft:
    """The reporter tried an article in vain: note it for the engineer and go on with the intake."""
    tried = draft.tried if article_id in draft.tried else (*draft.tried, article_id)
    return _after_answer(replace(draft, tried=tried, suggestions_done=True))


def skip_suggestions(draft: Draft) -> Draft:
    return _after_answer(replace(draft, suggestions_done=True))


def add_photo(draft: Draft, file_id: str, size: int | None, limit: int) -> Draft:
    if size is not None and size > limit:
        raise Rejected("photo_too_big", limit_mb=limit // (1024 * 1024))
    if file_id in draft.photos:
        return draft
    if len(draft.photos) >= MAX_PHOTOS:
        raise Rejected("too_many_photos", limit=MAX_PHOTOS)
    return replace(draft, photos=(*draft.photos, file_id))


def choose_device_type(draft: Draft, device_type: str) -> Draft:
    if device_type not in DEVICE_TYPES:
        raise Rejected("bad_choice")
    return _after_answer(replace(draft, device_type=device_type, asset_no=None, pending_asset=None))


def propose_asset(draft: Draft, asset: Asset) -> Draft:
    """A typed number matched the register: ask the reporter to confirm it is that device."""
    return replace(draft, pending_asset=asset.asset_no)


def confirm_asset(draft: Draft, asset: Asset, remembered_room: str | None) -> Draft:
    """The asset fills in the device type and its registered site (the reporter may edit them)."""
    return _after_answer(replace(
        draft,
        asset_no=asset.asset_no,
        pending_asset=None,
        device_type=asset.device_type,
        site=draft.site or asset.site,
        room=draft.room or remembered_room,
    ))


def reject_asset(draft: Draft) -> Draft:
    return replace(draft, pending_asset=None, asset_no=None)


def check_place(text: str, no_words: str = "intake.reject.no_words_place") -> str:
    """A typed site or room, stripped; refused when empty, too long or with no letter or digit."""
    cleaned = text.strip()
    if not cleaned:
        raise Rejected("empty")
    if len(cleaned) > MAX_PLACE:
        raise Rejected("too_long", limit=MAX_PLACE, length=len(cleaned))
    if not has_words(cleaned):
        raise Rejected(no_words)
    return cleaned


def propose_site(draft: Draft, typed: str) -> Draft:
    """A typed place close to some configured site: ask whether it is that site before taking it."""
    return replace(draft, pending_site=check_place(typed))


def set_site(draft: Draft, site: str, room: str | None = None) -> Draft:
    cleaned = check_place(site)
    changes: dict[str, object] = {"site": cleaned, "pending_site": None}
    if room is not None:
        changes.update(room=room.strip() or None, room_asked=True)
    elif draft.editing:
        changes.update(room=None, room_asked=False)
    return _after_answer(replace(draft, **changes))


def set_room(draft: Draft, room: str | None) -> Draft:
    """The room (None: the reporter skipped it)."""
    if room is not None:
        room = check_place(room, no_words="intake.reject.no_words_room")
    return _after_answer(replace(draft, room=room, room_asked=True))


def set_severity(draft: Draft, severity: str) -> Draft:
    try:
        level = Severity.parse(severity)
    except ValueError:
        raise Rejected("bad_choice") from None
    return _after_answer(replace(draft, severity=level))


def set_phone(draft: Draft, text: str, name: str | None = None, region: str = "CN") -> Draft:
    phone = normalise_phone(text, region)
    if phone is None:
        raise Rejected("bad_phone")
    return _after_answer(replace(draft, phone=phone, contact_name=name))


def edit(draft: Draft, field_name: str) -> Draft:
    """From the summary, clear one answer so it is asked again, then come back to the summary."""
    step = Step._value2member_map_.get(field_name)
    if draft.step is not Step.SUMMARY or step not in EDITABLE:
        raise Rejected("bad_choice")
    cleared: dict[str, object] = {
        Step.DESCRIBE: {"description": None},
        Step.DEVICE: {"device_type": None, "asset_no": None},
        Step.SITE: {"site": None, "pending_site": None},
        Step.SEVERITY: {"severity": None},
        Step.CONTACT: {"phone": None, "contact_name": None},
    }[step]
    return replace(draft, editing=True, **cleared)


def _after_answer(draft: Draft) -> Draft:
    """An edit ends once the summary is reached again."""
    if draft.editing and draft.step is Step.SUMMARY:
        return replace(draft, editing=False)
    return draft

"""Contact numbers: accept what people really type, store one canonical form (E.164)."""

from __future__ import annotations

import phonenumbers

MAX_PHONE_LENGTH = 40


def normalise_phone(text: str, region: str = "CN") -> str | None:
    """The number in E.164 (+8613800001001), or None when `text` is not a valid phone number.

    `region` is the deployment's country, so people may type local numbers without +86.
    """
    cleaned = text.strip()
    if not cleaned or len(cleaned) > MAX_PHONE_LENGTH:
        return None
    try:
        number = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """A stored number the way people read it: +86 138 0000 1001."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)

"""The CPR number: validation, masking, a keyed hash for lookup, encryption at rest.

``normalise`` is the one parser of a CPR number: every place that reads one (registration,
search, break-the-glass, the demo data) goes through it. It accepts ``DDMMYYSSSS`` with at most
one separator between the date and the serial number (``-``, a space, or ``-`` with spaces),
in ASCII digits only: digits of other scripts would give one citizen two spellings, two hashes
and so two registrations. python-stdnum's ``stdnum.dk.cpr`` then checks the date and the
century digit; we deliberately skip its modulus-11 check: numbers without it have been issued
since 2007 and are valid.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import re

from cryptography.fernet import Fernet
from django.conf import settings
from django.utils.translation import gettext as _
from stdnum.dk import cpr as stdnum_cpr
from stdnum.exceptions import ValidationError as StdnumError


class InvalidCPR(ValueError):
    pass


_FORMAT = re.compile(r"([0-9]{6})(?: ?- ?| )?([0-9]{4})")
_DIGITS = re.compile(r"[0-9]{10}")


def normalise(value: object) -> str:
    """Return the ten ASCII digits of a CPR number, or raise InvalidCPR with a reason."""
    text = value.strip() if isinstance(value, str) else ""
    match = _FORMAT.fullmatch(text) if len(text) <= 20 else None
    if match is None:
        if any(ch.isdigit() and not ch.isascii() for ch in text):
            raise InvalidCPR(_("Write the CPR number with the digits 0-9."))
        raise InvalidCPR(_("A CPR number has ten digits: DDMMYY-SSSS."))
    digits = match.group(1) + match.group(2)
    try:
        birth = stdnum_cpr.get_birth_date(digits)
    except StdnumError as exc:
        raise InvalidCPR(_("The CPR number does not hold a valid date of birth.")) from exc
    if birth > datetime.date.today():  # noqa: DTZ011 - a date of birth has no time zone
        raise InvalidCPR(_("The CPR number's date of birth lies in the future."))
    return digits


def _require_digits(digits: str) -> str:
    # Only normalised numbers are hashed, stored or shown: anything else is a bug, never input.
    if not isinstance(digits, str) or not _DIGITS.fullmatch(digits):
        raise ValueError("not a normalised CPR number; pass it through normalise() first")
    return digits


def birth_date(digits: str) -> datetime.date:
    return stdnum_cpr.get_birth_date(_require_digits(digits))


def mask(digits: str) -> str:
    return f"{digits[:6]}-xxxx"


def formatted(digits: str) -> str:
    return f"{digits[:6]}-{digits[6:]}"


def _key(secret: str, purpose: bytes) -> bytes:
    return hmac.new(secret.encode(), purpose, hashlib.sha256).digest()


def lookup_hash(digits: str) -> str:
    """A keyed hash, so the table can be searched by CPR without holding it in clear text."""
    key = _key(settings.KIP_CPR_HASH_KEY, b"kip-cpr-lookup")
    return hmac.new(key, _require_digits(digits).encode(), hashlib.sha256).hexdigest()


def _fernet() -> Fernet:
    key = _key(settings.KIP_CPR_ENCRYPTION_KEY, b"kip-cpr-encryption")
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(digits: str) -> str:
    return _fernet().encrypt(_require_digits(digits).encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()

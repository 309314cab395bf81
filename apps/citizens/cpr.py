"""The CPR number: validation, masking, a keyed hash for lookup, encryption at rest.

python-stdnum's ``stdnum.dk.cpr`` checks format, date and the century digit; we deliberately
skip its modulus-11 check: numbers without it have been issued since 2007 and are valid.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac

from cryptography.fernet import Fernet
from django.conf import settings
from django.utils.translation import gettext as _
from stdnum.dk import cpr as stdnum_cpr
from stdnum.exceptions import ValidationError as StdnumError


class InvalidCPR(ValueError):
    pass


def normalise(value: str) -> str:
    """Return the ten digits of a CPR number, or raise InvalidCPR with a reason."""
    digits = stdnum_cpr.compact(value or "")
    if len(digits) != 10 or not digits.isdigit():
        raise InvalidCPR(_("A CPR number has ten digits: DDMMYY-SSSS."))
    try:
        birth = stdnum_cpr.get_birth_date(digits)
    except StdnumError as exc:
        raise InvalidCPR(_("The CPR number does not hold a valid date of birth.")) from exc
    if birth > datetime.date.today():  # noqa: DTZ011 - a date of birth has no time zone
        raise InvalidCPR(_("The CPR number's date of birth lies in the future."))
    return digits


def birth_date(digits: str) -> datetime.date:
    return stdnum_cpr.get_birth_date(digits)


def mask(digits: str) -> str:
    return f"{digits[:6]}-xxxx"


def formatted(digits: str) -> str:
    return f"{digits[:6]}-{digits[6:]}"


def _key(secret: str, purpose: bytes) -> bytes:
    return hmac.new(secret.encode(), purpose, hashlib.sha256).digest()


def lookup_hash(digits: str) -> str:
    """A keyed hash, so the table can be searched by CPR without holding it in clear text."""
    key = _key(settings.KIP_CPR_HASH_KEY, b"kip-cpr-lookup")
    return hmac.new(key, digits.encode(), hashlib.sha256).hexdigest()


def _fernet() -> Fernet:
    key = _key(settings.KIP_CPR_ENCRYPTION_KEY, b"kip-cpr-encryption")
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(digits: str) -> str:
    return _fernet().encrypt(digits.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()

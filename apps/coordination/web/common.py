"""Small pieces the coordination pages share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apps.access.checks import Forbidden, NotVisible


def allowed(check: Callable[[], Any]) -> bool:
    """Whether an access check passes, to decide if a control is shown at all.

    Asking is not an attempt: a refusal here is not recorded (the refusal's audit event
    travels on the exception and is written only when a request is actually refused).
    """
    try:
        check()
    except (Forbidden, NotVisible):
        return False
    return True

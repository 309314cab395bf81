"""Shared pieces of the input tests: what the database holds, the plan's current ETag."""

from __future__ import annotations

from typing import Any

from apps.coordination.models import HospitalEvent, Review
from tests.helpers import RichWorld, snapshot


def state() -> dict[str, Any]:
    return {
        **snapshot(),
        "reviews": list(Review.objects.values_list("pk", flat=True)),
        "hospital_events": list(HospitalEvent.objects.values_list("pk", flat=True)),
    }


def etag(w: RichWorld) -> str:
    w.plan.refresh_from_db()
    return w.plan.etag

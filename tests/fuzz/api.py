"""The API under the fuzzer: the app in-process, its schema as served, and the settings."""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from django.core.wsgi import get_wsgi_application

from tests.fuzz import checks

EXAMPLES = int(os.environ.get("KIP_FUZZ_EXAMPLES", "8"))
RANDOM = os.environ.get("KIP_FUZZ_RANDOM") == "1"
CONFIG = {
    "suppress-health-check": ["all"],
    "continue-on-failure": True,
    "generation": {
        "mode": os.environ.get("KIP_FUZZ_MODE", "all"),
        "max-examples": EXAMPLES,
        "deterministic": not RANDOM,
        "database": "none",
        # Unknown headers are ignored (RFC 9110), and so are unknown query parameters and
        # body fields: sending them proves nothing the schema promises.
        "allow-extra-parameters": False,
    },
    "checks": {
        # Valid by the schema and still refused: a rule of the domain (400 naming the field:
        # an unknown citizen, a date in the future, ...; checks.positive_rejection_names_a_field
        # holds those to that), a conflict (409), or a stale version (412).
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "412", "429"]
        },
        # Invalid data is refused; a body over the parser's limit is refused before it is read
        # (413 Content Too Large, RFC 9110), whatever the schema's own limits say.
        "negative_data_rejection": {
            "expected-statuses": [
                "400",
                "401",
                "403",
                "404",
                "405",
                "406",
                "409",
                "413",
                "415",
                "422",
                "428",
                "429",
            ]
        },
        # Without If-Match a plan write answers 428 Precondition Required (RFC 6585).
        "missing_required_header": {
            "expected-statuses": ["400", "401", "403", "406", "415", "422", "428"]
        },
    },
}

APP = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", APP, config=schemathesis.Config.from_dict(CONFIG)
)
KNOWN_IDS: dict[Any, list[int]] = {}
checks.aim_at_known_ids(schema, KNOWN_IDS)

"""Settings for ``bench.audit`` only: the one place where auditing may be switched off.

``apps.access.audit`` honours ``KIP_AUDIT_OFF`` only when this is the settings module, so no
deployed configuration can turn the trail off.
"""

import os

from kip_service.settings.test import *  # noqa: F403

KIP_AUDIT_OFF = os.environ.get("KIP_AUDIT_OFF") == "1"
ROOT_URLCONF = "bench.audit_urls"
DEBUG = False
LOGGING = {"version": 1, "disable_existing_loggers": False}

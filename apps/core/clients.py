"""The client's address: the one source for the audit trail, the login lockout and throttling.

Behind ``KIP_PROXY_COUNT`` trusted reverse proxies, each appends the address it received the
request from to ``X-Forwarded-For``, so the client is that many entries from the right; what
the client itself put further left is ignored (it could say anything). With no proxies
configured the header is ignored altogether and the address is the socket's.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def client_address(request: Any) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    hops = settings.KIP_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < hops:
        return remote  # not through all our proxies: the socket is all we know
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote

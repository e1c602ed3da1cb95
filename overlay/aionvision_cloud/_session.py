"""The signed-in web session: which operations it goes to, and how a refusal there is explained.

The service's reference reserves four operations for a ``session`` cookie from the web app
(``openapi.yaml`` lists ``sessionCookie`` on exactly these); its SDK example calls them with an
API key. So the key is always sent, and a session given to the client is sent, as the cookie, to
these four only: every other operation keeps the key alone.
"""

from __future__ import annotations

import re

import httpx

from ._operations import operation_of
from .errors import APIStatusError, ConfigurationError

__all__ = [
    "ENV_SESSION_TOKEN",
    "SessionCookie",
    "check_session_token",
    "explain_refusal",
    "wants_session",
]

ENV_SESSION_TOKEN = "AIONVISION_SESSION_TOKEN"  # noqa: S105 - a variable name

# RFC 6265's cookie-octet: no space, quote, comma, semicolon or backslash, so the value can never
# end the header early or add a second cookie.
_COOKIE_VALUE = re.compile(r"[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]{1,4096}")
HOW_TO_PASS = (
    "Client(session_token=...), the AIONVISION_SESSION_TOKEN variable, "  # noqa: S105
    "or the CLI's --session-token"
)


def check_session_token(value: object) -> str | None:
    """``value`` if it can be sent as the ``session`` cookie; None for none. Never echoes it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or not _COOKIE_VALUE.fullmatch(value.strip()):
        raise ConfigurationError(
            "malformed session token: expected 1 to 4096 printable ASCII characters without "
            'spaces, quotes, commas, semicolons or backslashes (the "session" cookie\'s value)'
        )
    return value.strip()


def wants_session(request: httpx.Request) -> bool:
    """Whether ``request`` is one of the operations the service reserves for a session
    (``sessionCookie`` in their ``security`` in openapi.yaml)."""
    op = operation_of(request.method, request.url.path)
    return op is not None and op.session


class SessionCookie:
    """An httpx request hook: the ``session`` cookie on the four session operations only."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __call__(self, request: httpx.Request) -> None:
        if wants_session(request):
            # One cookie header of our own: the pooled client keeps no cookie jar of its own here.
            request.headers["Cookie"] = f"session={self._token}"

    def __repr__(self) -> str:
        return "SessionCookie(token='[redacted]')"


def explain_refusal(err: APIStatusError, request: httpx.Request) -> None:
    """Say, on a 401/403 from a session operation when no session was given, that the service
    may want a signed-in session there and how to pass one."""
    if err.status_code not in (401, 403) or not wants_session(request):
        return
    said = f"{err.code or ''} {err.message}".lower()
    # A 403 is also how Google refuses a Drive call: only one about the session or key is ours.
    if err.status_code == 403 and not any(w in said for w in ("session", "api key", "api_key")):
        return
    err.message += (
        f" (the service reserves {request.method} {request.url.path} for a signed-in web "
        f"session; if your API key is refused here, pass one: {HOW_TO_PASS})"
    )
    err.args = (err.message,)

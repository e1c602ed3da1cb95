"""Who may call what under the `service` profile: key scopes and signed-in sessions.

The service's reference of 2026-03-02: keys carry scopes (`read`, `write`, `admin`, or per
resource `cloud_storage:read|write|delete`); listing connections and reading jobs need read,
import and export need write, disconnect needs write, admin or `cloud_storage:delete`. It is
silent on the OAuth and picker operations, so the emulator decides: initiate and complete auth
create a connection (write); picker-token and picker-proxy only read Drive (read). `admin`
satisfies every need. A signed-in session is a person, not a key: scopes do not apply to it.
"""

from __future__ import annotations

import hashlib
import re

import attrs

from .errors import ApiError

SCOPES = (
    "read",
    "write",
    "admin",
    "cloud_storage:read",
    "cloud_storage:write",
    "cloud_storage:delete",
)

#: The cookie a signed-in web session travels in.
SESSION_COOKIE = "session"
#: What the admin API hands out: `sess_` and 43 of [A-Za-z0-9_-] (secrets.token_urlsafe(32)).
SESSION_PATTERN = re.compile(r"sess_[A-Za-z0-9_-]{40,}")

#: The operations the reference reserves for a signed-in session.
SESSION_OPERATIONS = frozenset(
    {"initiate_auth", "complete_auth", "get_picker_token", "picker_proxy"}
)


@attrs.frozen
class Need:
    #: The scope a refusal names (the per-resource one, the most precise).
    named: str
    #: Any of these satisfies it.
    accepted: frozenset[str]


_READ = Need("cloud_storage:read", frozenset({"read", "admin", "cloud_storage:read"}))
_WRITE = Need("cloud_storage:write", frozenset({"write", "admin", "cloud_storage:write"}))
_DELETE = Need("cloud_storage:delete", frozenset({"write", "admin", "cloud_storage:delete"}))

#: operationId -> what it needs; the browser callback (no key at all) needs nothing.
NEEDS: dict[str, Need] = {
    "initiate_auth": _WRITE,
    "complete_auth": _WRITE,
    "list_connections": _READ,
    "disconnect": _DELETE,
    "get_picker_token": _READ,
    "picker_proxy": _READ,
    "import_files": _WRITE,
    "export_files": _WRITE,
    "get_job": _READ,
}


def check_scopes(scopes: object) -> tuple[str, ...]:
    """The admin API's `scopes`: a list of known scope names (may be empty)."""
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise ValueError("scopes must be a list of strings")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValueError(f"unknown scopes {unknown}; known: {', '.join(SCOPES)}")
    return tuple(dict.fromkeys(scopes))


def require(op_id: str, held: frozenset[str] | None) -> None:
    """403 INSUFFICIENT_SCOPE unless `held` (None: every scope) satisfies `op_id`'s need."""
    need = NEEDS.get(op_id)
    if need is None or held is None or held & need.accepted:
        return
    raise ApiError(
        403,
        "INSUFFICIENT_SCOPE",
        f"This API key lacks the '{need.named}' scope",
        {"required_scope": need.named},
    )


def session_required() -> ApiError:
    return ApiError(
        401,
        "SESSION_REQUIRED",
        "This endpoint requires a signed-in session (the session cookie); "
        "API keys are not accepted here",
    )


def session_digest(token: str) -> str:
    """How the store keeps a session: its hash, so a `--db` file holds no usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


def session_fingerprint(token: str) -> str:
    """How the admin API would name a session: a short hash, never the secret itself."""
    return "session_" + session_digest(token)[:12]

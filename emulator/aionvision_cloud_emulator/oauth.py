"""The OAuth side: initiate/complete, the fake Google consent page, the browser callback page.

`state` is single-use, bound to the API key and `redirect_uri`, and expires; `code` is
single-use, bound to its `state`, and expires. Both are consumed together in one transaction.
"""

from __future__ import annotations

import html
import json
import secrets
from typing import Any

from .clock import iso
from .consent import (
    CLIENT_ID,
    CONSENT_PATH,
    REQUIRED_SCOPES,
    SCOPES,
    origin_of,
    page_headers,
    s256,
    with_query,
)
from .core import Emulator
from .errors import ApiError
from .state import Row


def initiate(
    emu: Emulator,
    api_key: str,
    provider: str,
    body: dict[str, Any],
    root_url: str,
    origin_header: str | None,
) -> dict[str, Any]:
    if body["provider"] != provider:
        raise ApiError(
            400,
            "PROVIDER_MISMATCH",
            f"Body provider {body['provider']!r} does not match path provider {provider!r}",
            {"field": "provider"},
        )
    redirect_uri = str(body["redirect_uri"])
    redirect_origin = origin_of(redirect_uri)
    if redirect_origin is None:
        raise ApiError(
            400,
            "INVALID_REDIRECT_URI",
            "redirect_uri must be an absolute http(s) URL",
            {"field": "redirect_uri"},
        )
    now = emu.now()
    state = secrets.token_urlsafe(24)
    # PKCE held by the service, which alone exchanges the code: a code taken from the redirect
    # is useless without this verifier, and a URL stripped of its challenge fails too.
    verifier = secrets.token_urlsafe(48)
    opener = emu.config.opener_origin or (origin_header if origin_of(origin_header or "") else None)
    emu.store.add_state(
        {
            "state": state,
            "api_key": api_key,
            "provider": provider,
            "redirect_uri": redirect_uri,
            "opener_origin": opener or redirect_origin,
            "created_at": now,
            "expires_at": now + emu.config.oauth_state_ttl,
            "code_verifier": verifier,
        }
    )
    url = with_query(
        root_url.rstrip("/") + CONSENT_PATH,
        {
            "client_id": CLIENT_ID,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": SCOPES,
            "access_type": "offline",
            "prompt": "consent",
            "include_granted_scopes": "true",
            "code_challenge": s256(verifier),
            "code_challenge_method": "S256",
            "state": state,
        },
    )
    return {"authorization_url": url, "state": state, "provider": provider}


def _bad(code: str, message: str, field: str) -> ApiError:
    return ApiError(400, code, message, {"field": field})


def _live_state(emu: Emulator, state_value: str, api_key: str | None) -> Row:
    state = emu.store.get_state(state_value)
    if state is None or (api_key is not None and state["api_key"] != api_key):
        raise _bad("INVALID_STATE", "Unknown OAuth state", "state")
    if state["used"]:
        raise _bad("INVALID_STATE", "OAuth state was already used", "state")
    if state["expires_at"] < emu.now():
        raise _bad("INVALID_STATE", "OAuth state has expired; start the flow again", "state")
    return state


def _live_code(emu: Emulator, code_value: str, state: Row) -> Row:
    code = emu.store.get_code(code_value)
    if code is None or code["state"] != state["state"]:
        raise _bad("INVALID_GRANT", "Unknown authorization code", "code")
    if code["used"]:
        raise _bad("INVALID_GRANT", "Authorization code was already used", "code")
    if code["expires_at"] < emu.now():
        raise _bad("INVALID_GRANT", "Authorization code has expired", "code")
    return code


def _pkce_ok(state: Row, code: Row) -> bool:
    """Google's token-endpoint check, made with the verifier the service kept."""
    verifier = state["code_verifier"]
    challenge = code["code_challenge"]
    if challenge is None or verifier is None:
        # Both or neither: a challenge stripped from the URL is a downgrade, refused.
        return challenge is None and verifier is None
    expected = s256(verifier) if code["code_challenge_method"] == "S256" else verifier
    return secrets.compare_digest(expected, challenge)


def complete(emu: Emulator, api_key: str, provider: str, body: dict[str, Any]) -> dict[str, Any]:
    state = _live_state(emu, str(body["state"]), api_key)
    if state["provider"] != provider:
        raise _bad("PROVIDER_MISMATCH", "State was issued for another provider", "state")
    if state["redirect_uri"] != body["redirect_uri"]:
        raise _bad(
            "REDIRECT_URI_MISMATCH",
            "redirect_uri differs from the one given to initiate_auth",
            "redirect_uri",
        )
    code = _live_code(emu, str(body["code"]), state)
    if not emu.store.consume(state["state"], code["code"]):
        raise _bad("INVALID_GRANT", "Authorization code was already used", "code")
    if not _pkce_ok(state, code):
        raise _bad("INVALID_GRANT", "PKCE verification failed for this authorization code", "code")
    missing = [s for s in REQUIRED_SCOPES if s not in str(code["scopes"] or "").split()]
    if missing:
        raise ApiError(
            400,
            "INSUFFICIENT_SCOPE",
            "The Google account did not grant every permission needed; connect again and "
            "allow all of them",
            {"field": "code", "missing_scopes": missing},
        )
    now = emu.now()
    existing = emu.store.connection_by_account(api_key, provider, code["account_email"])
    if existing is not None:
        emu.store.touch_connection(existing["id"], now)
        if existing["grant_revoked"]:
            # Connecting the account again is what a revoked Google grant asks for.
            emu.store.set_grant_revoked(existing["id"], False)
        return {
            "connection": connection_body(
                emu.store.connection(api_key, existing["id"]) or existing
            ),
            "is_new": False,
        }
    row = {
        "id": emu.store.next_uuid(),
        "api_key": api_key,
        "provider": provider,
        "email": code["account_email"],
        "display_name": code["display_name"],
        "is_active": 1,
        "created_at": now,
        "last_used_at": None,
    }
    emu.store.add_connection(row)
    return {"connection": connection_body(row), "is_new": True}


def connection_body(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "provider": row["provider"],
        "provider_email": row["email"],
        "provider_display_name": row["display_name"],
        "is_active": bool(row["is_active"]),
        "created_at": iso(row["created_at"]),
        "last_used_at": iso(row["last_used_at"]) if row["last_used_at"] is not None else None,
    }


def _script_json(value: object) -> str:
    # Safe inside <script>: no `</script>`, no HTML entities, no JS line terminators.
    text = json.dumps(value)
    for raw, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(raw, esc)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def callback_page(
    emu: Emulator, provider: str, query: dict[str, str]
) -> tuple[str, dict[str, str]]:
    """The browser callback: posts the outcome to `window.opener` at one exact origin.

    The result goes only into that message: never into the URL, a fragment or web storage.
    Returns the page and its security headers.
    """
    state = _live_state(emu, query.get("state", ""), None)
    if state["provider"] != provider:
        raise _bad("PROVIDER_MISMATCH", "State was issued for another provider", "state")
    message: dict[str, Any] = {
        "type": "aionvision:oauth",
        "provider": provider,
        "state": state["state"],
    }
    if query.get("error"):
        message["error"] = query["error"]
        message["error_description"] = query.get("error_description", "")
        headline = f"Authorization failed: {query['error']}"
    else:
        code = _live_code(emu, query.get("code", ""), state)
        message["code"] = code["code"]
        headline = "Authorization complete"
    target = str(state["opener_origin"])
    nonce = secrets.token_urlsafe(16)
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(headline)}</title></head>
<body><p>{html.escape(headline)}. You can close this window.</p>
<script nonce="{nonce}">
(function () {{
  var message = {_script_json(message)};
  var targetOrigin = {_script_json(target)};
  // Only to the exact origin that started the flow; the browser drops it for anyone else.
  if (window.opener && !window.opener.closed) {{
    window.opener.postMessage(message, targetOrigin);
    window.close();
  }}
}})();
</script></body></html>
"""
    return page, page_headers(nonce)

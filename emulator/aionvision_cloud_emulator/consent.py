"""The fake Google authorization endpoint: request checks as Google makes them, and the consent.

`consent="auto"` approves at once with a redirect (tests, headless demos); `consent="page"` shows
a page a person reads and clicks (Allow / Cancel, one box per scope as in Google's granular
consent). Bad requests get Google's "Authorization Error" page (400, or 401 for an unknown
client) and are never redirected, as RFC 6749 4.1.2.1 asks for an unverified client or
redirect_uri; only the user's decision (`access_denied`) and `prompt=none` failures travel back
in the redirect.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import re
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import attrs
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from .core import Emulator
from .state import Row

SCOPE_READONLY = "https://www.googleapis.com/auth/drive.readonly"
SCOPE_FILE = "https://www.googleapis.com/auth/drive.file"
#: What the service asks for and needs: listing/importing (readonly) and exporting (file).
REQUIRED_SCOPES = (SCOPE_READONLY, SCOPE_FILE)
SCOPES = " ".join(REQUIRED_SCOPES)
CLIENT_ID = "000000000000-aionvisionemulator.apps.googleusercontent.com"
CONSENT_PATH = "/_emulator/oauth/consent"
APP_NAME = "Aionvision Cloud Storage"

_G = "https://www.googleapis.com/auth/"
#: The scopes this fake Google knows, with the line its consent screen shows for each.
SCOPE_TEXT = {
    _G + "drive": "See, edit, create, and delete all of your Google Drive files",
    SCOPE_READONLY: "See and download all your Google Drive files",
    SCOPE_FILE: "See, edit, create, and delete only the specific Google Drive files you use "
    "with this app",
    _G + "drive.metadata.readonly": "See information about your Google Drive files",
    _G + "drive.appdata": "See, create, and delete its own configuration data in your Drive",
    _G + "userinfo.email": "See your primary Google Account email address",
    _G + "userinfo.profile": "See your personal info, including any you've made public",
    "email": "See your primary Google Account email address",
    "profile": "See your personal info, including any you've made public",
    "openid": "Associate you with your personal info on Google",
}
PROMPTS = frozenset({"none", "consent", "select_account"})
#: RFC 7636: 43..128 characters of the unreserved set.
_CHALLENGE = re.compile(r"[A-Za-z0-9._~-]{43,128}")
#: Binds the page's form to the state it was rendered for (no cross-site auto-submitted Allow).
_FORM_KEY = secrets.token_bytes(32)


def with_query(url: str, params: Mapping[str, str]) -> str:
    """Add params to a URL that may already carry a query."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def page_headers(nonce: str, form_action: str = "'none'") -> dict[str, str]:
    """What a web security reviewer expects on a page that carries or grants a secret.

    No Cross-Origin-Opener-Policy on purpose: `same-origin` would sever `window.opener`, which
    the popup flow needs to hand its result back.
    """
    csp = (
        f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
        f"base-uri 'none'; form-action {form_action}; frame-ancestors 'none'"
    )
    return {
        "Content-Security-Policy": csp,
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "Pragma": "no-cache",
        "X-Content-Type-Options": "nosniff",
    }


class AuthorizationError(Exception):
    """Google's "Authorization Error" page: the request is wrong, nobody is redirected."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"Error {status}: {error}")
        self.error = error
        self.description = description
        self.status = status


@attrs.frozen
class AuthRequest:
    params: dict[str, str]
    state: Row
    scopes: tuple[str, ...]
    prompt: frozenset[str]
    include_granted: bool
    challenge: str | None
    method: str | None
    account: str


def _required(params: Mapping[str, str], name: str) -> str:
    value = params.get(name, "")
    if not value:
        raise AuthorizationError("invalid_request", f"Missing required parameter: {name}")
    return value


def check_request(emu: Emulator, params: Mapping[str, str]) -> AuthRequest:
    """Google's checks, in Google's order: client, redirect_uri, then the rest."""
    client_id = _required(params, "client_id")
    if client_id != CLIENT_ID or emu.config.oauth_invalid_client:
        raise AuthorizationError("invalid_client", "The OAuth client was not found.", 401)
    redirect_uri = _required(params, "redirect_uri")
    state = emu.store.get_state(params.get("state", ""))
    if state is None or state["used"] or state["expires_at"] < emu.now():
        raise AuthorizationError("invalid_request", "Unknown, used or expired state.")
    if redirect_uri != state["redirect_uri"]:
        raise AuthorizationError(
            "redirect_uri_mismatch",
            "You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 "
            f"policy. redirect_uri: {redirect_uri}",
        )
    response_type = _required(params, "response_type")
    if response_type != "code":
        raise AuthorizationError("invalid_request", f"Invalid response_type: {response_type}")
    scopes = tuple(dict.fromkeys(_required(params, "scope").split()))
    invalid = [s for s in scopes if s not in SCOPE_TEXT]
    if invalid or not scopes:
        raise AuthorizationError(
            "invalid_scope",
            f"Some requested scopes were invalid. {{invalid=[{', '.join(invalid)}]}}",
        )
    prompt = frozenset(params.get("prompt", "").split())
    if prompt - PROMPTS:
        raise AuthorizationError("invalid_request", f"Invalid prompt: {params['prompt']}")
    if "none" in prompt and len(prompt) > 1:
        raise AuthorizationError(
            "invalid_request", "prompt=none cannot be combined with other prompt values"
        )
    include = params.get("include_granted_scopes", "false")
    if include not in ("true", "false"):
        raise AuthorizationError("invalid_request", f"Invalid include_granted_scopes: {include}")
    challenge = params.get("code_challenge") or None
    method = params.get("code_challenge_method") or None
    if method is not None and challenge is None:
        raise AuthorizationError("invalid_request", "code_challenge_method without code_challenge")
    if challenge is not None:
        method = method or "plain"  # Google's default, as in RFC 7636
        if method not in ("S256", "plain"):
            raise AuthorizationError("invalid_request", f"Invalid code_challenge_method: {method}")
        if not _CHALLENGE.fullmatch(challenge):
            raise AuthorizationError("invalid_request", "Invalid code_challenge")
    return AuthRequest(
        params=dict(params),
        state=state,
        scopes=scopes,
        prompt=prompt,
        include_granted=include == "true",
        challenge=challenge,
        method=method,
        account=params.get("login_hint") or emu.config.google_account,
    )


def display_name(email: str) -> str:
    local = email.split("@", 1)[0]
    return " ".join(w.capitalize() for w in local.replace("_", ".").split(".") if w) or email


def _redirect(req: AuthRequest, params: dict[str, str], status: int) -> Response:
    location = with_query(str(req.state["redirect_uri"]), {**params, "state": req.state["state"]})
    return RedirectResponse(location, status, headers={"Cache-Control": "no-store"})


def _grant(emu: Emulator, req: AuthRequest, granted: set[str], status: int) -> Response:
    """Issue a code for what the user granted (plus earlier grants if asked for)."""
    emu.store.add_grants(req.account, granted)
    scopes = set(granted)
    if req.include_granted:
        scopes |= emu.store.granted_scopes(req.account)
    code = "4/0A" + secrets.token_urlsafe(30)
    emu.store.add_code(
        {
            "code": code,
            "state": req.state["state"],
            "account_email": req.account,
            "display_name": display_name(req.account),
            "expires_at": emu.now() + emu.config.oauth_code_ttl,
            "scopes": " ".join(sorted(scopes)),
            "code_challenge": req.challenge,
            "code_challenge_method": req.method,
        }
    )
    return _redirect(req, {"code": code, "scope": " ".join(sorted(scopes))}, status)


def _preset_grant(emu: Emulator, req: AuthRequest) -> set[str]:
    wanted = emu.config.oauth_granted_scopes
    return set(req.scopes) if wanted is None else set(req.scopes) & set(wanted)


def _form_token(state: str) -> str:
    return hmac.new(_FORM_KEY, state.encode(), hashlib.sha256).hexdigest()


def error_page(err: AuthorizationError) -> Response:
    nonce = secrets.token_urlsafe(16)
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorization Error</title>
<style nonce="{nonce}">{_STYLE}</style></head>
<body><main class="card"><h1>Access blocked: Authorization Error</h1>
<p class="err">Error {err.status}: {html.escape(err.error)}</p>
<p>{html.escape(err.description)}</p></main></body></html>
"""
    return HTMLResponse(body, err.status, headers=page_headers(nonce))


_STYLE = (
    "body{font-family:Roboto,Arial,sans-serif;background:#f0f4f9;margin:0;color:#1f1f1f}"
    ".card{max-width:560px;margin:48px auto;background:#fff;border-radius:28px;padding:36px}"
    "h1{font-weight:400;font-size:28px;margin:8px 0 16px}.who{color:#444;margin-bottom:24px}"
    "ul{list-style:none;padding:0}li{padding:10px 0;border-top:1px solid #e0e0e0}"
    ".err{color:#b3261e;font-weight:500}.actions{display:flex;justify-content:flex-end;gap:12px;"
    "margin-top:28px}button{font-size:14px;padding:10px 24px;border-radius:20px;border:1px solid"
    " #747775;background:#fff;color:#0b57d0;cursor:pointer}button.primary{background:#0b57d0;"
    "color:#fff;border-color:#0b57d0}.fine{font-size:12px;color:#444}"
)


def consent_page(emu: Emulator, req: AuthRequest) -> Response:
    nonce = secrets.token_urlsafe(16)
    preset = _preset_grant(emu, req)
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in req.params.items()
        if k not in ("granted", "action", "form_token")
    )
    boxes = "".join(
        f'<li><label><input type="checkbox" name="granted" value="{html.escape(s)}"'
        f"{' checked' if s in preset else ''}> {html.escape(SCOPE_TEXT[s])}</label></li>"
        for s in req.scopes
    )
    app = html.escape(APP_NAME)
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in - Google Accounts</title>
<style nonce="{nonce}">{_STYLE}</style></head>
<body><main class="card">
<p class="fine">Sign in with Google (Aionvision emulator)</p>
<h1>{app} wants access to your Google Account</h1>
<p class="who" id="account">{html.escape(req.account)}</p>
<p>When you allow this access, {app} will be able to:</p>
<form method="post" action="{CONSENT_PATH}">
<input type="hidden" name="form_token" value="{_form_token(str(req.state["state"]))}">{hidden}
<ul id="scopes">{boxes}</ul>
<p class="fine">Make sure you trust {app}. You can remove this access at any time in your
Google Account.</p>
<div class="actions">
<button type="submit" name="action" value="cancel" id="cancel">Cancel</button>
<button type="submit" name="action" value="allow" id="allow" class="primary">Allow</button>
</div></form></main></body></html>
"""
    # form-action must also allow the redirect the submitted form is answered with.
    target = origin_of(str(req.state["redirect_uri"])) or ""
    return HTMLResponse(body, 200, headers=page_headers(nonce, f"'self' {target}"))


async def endpoint(emu: Emulator, request: Request) -> Response:
    """GET: the authorization request; POST: the person's Allow / Cancel on the page."""
    if request.method == "POST":
        # The page's form is urlencoded; parsed here rather than with python-multipart.
        raw = await request.body()
        if len(raw) > 65536:
            return error_page(AuthorizationError("invalid_request", "Request too large.", 413))
        fields = parse_qsl(raw.decode("utf-8", "replace"))
        params = {k: v for k, v in fields if k != "granted"}
        ticked = {v for k, v in fields if k == "granted"}
    else:
        params = dict(request.query_params)
        ticked = set()
    try:
        req = check_request(emu, params)
    except AuthorizationError as e:
        return error_page(e)
    if request.method == "POST":
        return _decide(emu, req, params, ticked)
    if "none" in req.prompt:
        # No UI allowed: succeed only if every scope asked for was granted before.
        if set(req.scopes) <= emu.store.granted_scopes(req.account):
            return _grant(emu, req, set(req.scopes), 302)
        return _redirect(req, {"error": "consent_required"}, 302)
    if emu.config.oauth_deny or params.get("deny") == "1":
        return _redirect(req, {"error": "access_denied"}, 302)
    if emu.config.consent == "auto":
        return _grant(emu, req, _preset_grant(emu, req), 302)
    return consent_page(emu, req)


def _decide(emu: Emulator, req: AuthRequest, params: dict[str, Any], ticked: set[str]) -> Response:
    token = str(params.get("form_token", ""))
    if not hmac.compare_digest(token, _form_token(str(req.state["state"]))):
        return error_page(AuthorizationError("invalid_request", "The consent form has expired."))
    # 303: the browser follows a POST's answer with a GET.
    if params.get("action") != "allow":
        return _redirect(req, {"error": "access_denied"}, 303)
    return _grant(emu, req, ticked & set(req.scopes), 303)

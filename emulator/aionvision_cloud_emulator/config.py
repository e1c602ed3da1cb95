"""The emulator's knobs: one attrs class shared by the Python API, the CLI and the admin API."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import attrs

#: Corrupts a response body before it is validated; only tests use it, to prove that the
#: response-validation layer catches a response that breaks the spec.
ResponseHook = Callable[[str, int, Any], Any]

#: What the service's keys look like: `aion_` and 20+ of [A-Za-z0-9_-].
KEY_PATTERN = re.compile(r"aion_[A-Za-z0-9_-]{20,}")

#: `service`: as the service runs today (its reference and published OpenAPI of 2026-03-02);
#: `document`: as the API document describes it, which the cassettes were recorded against.
Profile = Literal["service", "document"]
PROFILES: tuple[Profile, ...] = ("service", "document")

FaultKind = Literal["429", "500", "502", "503", "drop", "slow", "500_after", "drop_after"]
#: Kinds injected when none are named: the request fails before the handler runs.
FAULT_KINDS: tuple[FaultKind, ...] = ("500", "502", "503", "drop")
#: Every kind. `slow` delays the answer by `fault_latency`; `500_after` and `drop_after` let the
#: handler run and commit (an import or export creates its job) and then lose the answer, the
#: case that turns a client's blind resend into a duplicate.
ALL_FAULT_KINDS: tuple[FaultKind, ...] = (
    "429",
    "500",
    "502",
    "503",
    "drop",
    "slow",
    "500_after",
    "drop_after",
)
AFTER_FAULT_KINDS: frozenset[str] = frozenset({"500_after", "drop_after"})

#: Knobs that the admin API may change while the emulator runs.
RUNTIME_KNOBS = (
    "sync_import_limit",
    "async_image_ids",
    "batch_limit",
    "job_pace",
    "job_start_delay",
    "rate_limit",
    "fault_ratio",
    "fault_kinds",
    "latency",
    "fault_latency",
    "oauth_deny",
    "consent",
    "oauth_granted_scopes",
    "oauth_invalid_client",
    "picker_session_ttl",
    "oauth_state_ttl",
    "oauth_code_ttl",
    "validation_error_style",
    "drive_short_pages",
    "session_only",
)


def _strings_or_none(name: str, value: object) -> None:
    if value is not None and not all(isinstance(v, str) for v in value):  # type: ignore[attr-defined]
        raise TypeError(f"{name} must be a list of scope strings or None")


def default_api_key(seed: int) -> str:
    """A stable ready-made key, so a demo re-run (or a ``--db`` restart) keeps working."""
    digest = hashlib.sha256(f"aionvision-emulator:{seed}".encode()).hexdigest()
    return f"aion_emu_{digest[:32]}"


def key_fingerprint(key: str) -> str:
    """How the admin API names a key: a short hash, never the secret itself."""
    return "key_" + hashlib.sha256(key.encode()).hexdigest()[:12]


@attrs.define(kw_only=True)
class EmulatorConfig:
    """Everything that shapes the emulator's behaviour; all fields have demo-friendly defaults."""

    seed: int = 0
    #: Fixed at startup. `service` also makes every import a job (`sync_import_limit` and
    #: `async_image_ids` do not apply), wraps proxy answers in `data`, enforces key scopes
    #: and accepts a signed-in `session` cookie on the four operations that take one.
    profile: Profile = attrs.field(default="document", validator=attrs.validators.in_(PROFILES))
    #: Imports of at most this many files finish synchronously; more become a job.
    sync_import_limit: int = attrs.field(default=5, validator=attrs.validators.ge(0))
    #: An import that becomes a job also answers with the ids its images will get (as the
    #: service may); they are final only once the job ends, and a file that fails gets none.
    async_image_ids: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    #: More files than this in one import/export request -> 422.
    batch_limit: int = attrs.field(default=100, validator=attrs.validators.ge(1))
    #: Files per second a background job processes.
    job_pace: float = attrs.field(default=10.0, validator=attrs.validators.gt(0))
    #: Seconds a job stays `pending` before the runner picks it up.
    job_start_delay: float = attrs.field(default=0.5, validator=attrs.validators.ge(0))
    #: Requests per minute per key; None disables rate limiting.
    rate_limit: int | None = attrs.field(
        default=None, validator=attrs.validators.optional(attrs.validators.ge(1))
    )
    #: Share of product-API requests that fail on purpose (0..1).
    fault_ratio: float = attrs.field(
        default=0.0, validator=[attrs.validators.ge(0.0), attrs.validators.le(1.0)]
    )
    fault_kinds: tuple[FaultKind, ...] = attrs.field(
        default=FAULT_KINDS,
        converter=tuple,
        validator=attrs.validators.deep_iterable(attrs.validators.in_(ALL_FAULT_KINDS)),
    )
    #: Seconds a `slow` fault holds the answer back.
    fault_latency: float = attrs.field(default=1.0, validator=attrs.validators.ge(0))
    #: Seconds added before every product-API answer.
    latency: float = attrs.field(default=0.0, validator=attrs.validators.ge(0))
    #: A response that breaks openapi.yaml becomes a 500 (True) or is only logged (False).
    strict: bool = True
    #: The fake consent page answers error=access_denied instead of a code.
    oauth_deny: bool = False
    #: The fake consent page: `auto` approves at once with a redirect (headless flows, tests);
    #: `page` shows a page a person can read and click (Allow / Cancel).
    consent: Literal["auto", "page"] = attrs.field(
        default="auto", validator=attrs.validators.in_(("auto", "page"))
    )
    #: The scopes the fake user grants (a partial grant when fewer than asked); None: all asked.
    #: On the `page` consent screen these are the boxes ticked at first.
    oauth_granted_scopes: tuple[str, ...] | None = attrs.field(
        default=None,
        converter=attrs.converters.optional(tuple),
        validator=lambda _, attr, value: _strings_or_none(attr.name, value),
    )
    #: The consent page answers Google's `Error 401: invalid_client` (a deleted or wrong client).
    oauth_invalid_client: bool = False
    oauth_state_ttl: float = attrs.field(default=600.0, validator=attrs.validators.gt(0))
    oauth_code_ttl: float = attrs.field(default=300.0, validator=attrs.validators.gt(0))
    picker_session_ttl: float = attrs.field(default=3600.0, validator=attrs.validators.gt(0))
    #: Share (0..1) of Drive list pages cut short, even empty, before the end (with a
    #: nextPageToken), as Drive may do; clients must keep paging until the token is gone.
    drive_short_pages: float = attrs.field(
        default=0.0, validator=[attrs.validators.ge(0.0), attrs.validators.le(1.0)]
    )
    #: Files in the big Drive folder used to exercise pagination.
    big_folder_size: int = attrs.field(default=3000, validator=attrs.validators.ge(0))
    #: The fake Google account the consent page signs in unless `login_hint` names another.
    google_account: str = "emulated.user@gmail.com"
    #: Target origin of the GET callback's postMessage; None: the origin of `redirect_uri`.
    opener_origin: str | None = None
    #: 422 bodies in the error envelope or in the framework's `{"detail": [...]}` shape.
    validation_error_style: Literal["envelope", "detail"] = attrs.field(
        default="envelope", validator=attrs.validators.in_(("envelope", "detail"))
    )
    #: `service` only: initiate auth, complete auth, picker-token and picker-proxy accept only a
    #: signed-in `session` cookie, not an API key (the reference says so; the SDK's own example
    #: disagrees, hence off by default).
    session_only: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    #: Extra API keys accepted besides the default one.
    api_keys: tuple[str, ...] = attrs.field(
        default=(),
        converter=tuple,
        validator=attrs.validators.deep_iterable(attrs.validators.matches_re(KEY_PATTERN)),
    )
    #: Largest request body, in bytes, that the emulator reads: a bigger one is answered 413
    #: (the error envelope) from its Content-Length, or as soon as a chunked body passes it.
    #: 4 MiB holds the largest valid import (1,000 files at the schema's longest fields).
    body_limit: int = attrs.field(default=4 * 1024 * 1024, validator=attrs.validators.ge(1024))
    #: Seconds a request may take to arrive: its headers from its first byte (else the
    #: connection is closed), its body from its headers (else 408 and the connection closed).
    read_timeout: float = attrs.field(default=10.0, validator=attrs.validators.gt(0))
    #: Seconds an idle keep-alive connection stays open between requests (uvicorn's
    #: `timeout_keep_alive`).
    keep_alive_timeout: int = attrs.field(default=5, validator=attrs.validators.ge(1))
    #: SQLite file that keeps state across restarts; None keeps it in memory.
    db_path: str | None = None
    #: The contract; None: the repository's openapi.yaml (or $AIONVISION_EMULATOR_SPEC).
    spec_path: Path | None = None
    response_hook: ResponseHook | None = None

    def __attrs_post_init__(self) -> None:
        # Runs on attrs.evolve too, so the admin API cannot switch it on under `document`.
        if self.session_only and self.profile != "service":
            raise ValueError("session_only needs the service profile")

    @property
    def service(self) -> bool:
        return self.profile == "service"

    @property
    def default_key(self) -> str:
        return default_api_key(self.seed)

    def runtime_view(self) -> dict[str, Any]:
        """The knobs the admin API shows and may change."""
        return {name: getattr(self, name) for name in RUNTIME_KNOBS}

"""The package root is the one public surface; one validator per check, one error per mistake."""

from __future__ import annotations

import pkgutil
from typing import Any

import pytest
from overlay_testkit import API_KEY, BASE_URL, FakeAPI

import aionvision_cloud
from aionvision_cloud import (
    AionvisionError,
    Client,
    ConfigurationError,
    InvalidInputError,
    RetryPolicy,
    errors,
)
from aionvision_cloud._clock import DeadlineClock

PUBLIC_MODULES = {"cloud_storage", "status", "errors", "cli"}


def test_every_name_in_all_is_importable_from_the_root() -> None:
    for name in aionvision_cloud.__all__:
        assert getattr(aionvision_cloud, name) is not None, name


def test_every_exception_is_exported_from_the_root() -> None:
    exceptions = {
        name
        for name in errors.__all__
        if isinstance(getattr(errors, name), type)
        and issubclass(getattr(errors, name), BaseException)
    }
    assert {"ServerError", "ConflictError", "PermissionDeniedError"} <= exceptions
    assert {"InvalidInputError", "ConfigurationError"} <= exceptions
    assert exceptions <= set(aionvision_cloud.__all__)
    for name in exceptions:
        assert getattr(aionvision_cloud, name) is getattr(errors, name)
        assert issubclass(getattr(errors, name), AionvisionError)


def test_internals_are_not_advertised() -> None:
    for name in ("RetryTransport", "SystemClock", "DeadlineClock", "JobWaiter", "Requester"):
        assert name not in aionvision_cloud.__all__


def test_only_the_documented_modules_are_public() -> None:
    modules = {m.name for m in pkgutil.iter_modules(aionvision_cloud.__path__)}
    assert {m for m in modules if not m.startswith("_")} <= PUBLIC_MODULES


def test_errors_docstring_draws_the_whole_tree() -> None:
    doc = errors.__doc__ or ""
    for name in errors.__all__:
        if isinstance(getattr(errors, name), type) and name != "FieldError":
            assert name in doc, name


def test_status_code_is_the_one_name_for_the_http_status() -> None:
    err = errors.NotFoundError("gone", status_code=404)
    assert err.status_code == 404
    assert not hasattr(err, "status")
    assert "status_code=404" in repr(err)


def test_job_wait_and_http_timeouts_have_distinct_names() -> None:
    assert aionvision_cloud.DEFAULT_WAIT_TIMEOUT == 600.0
    assert aionvision_cloud.DEFAULT_HTTP_TIMEOUT == 30.0


@pytest.mark.parametrize("bad", [0, -1, True, "5", None])
def test_non_positive_seconds_give_one_message_and_one_error_family(
    bad: Any, api: FakeAPI, make_client: Any
) -> None:
    """The same mistake, wherever it is made: configuration raises ConfigurationError, a call
    InvalidInputError, and the former is a kind of the latter."""
    client = make_client()
    attempts = [
        lambda: Client(api_key=API_KEY, base_url=BASE_URL, timeout=bad),
        lambda: Client(api_key=API_KEY, base_url=BASE_URL, polling_timeout=bad),
        lambda: RetryPolicy(initial_backoff=bad),
        lambda: DeadlineClock(bad),
        lambda: client.cloud_storage.wait_for_job("job_1", timeout=bad),
        lambda: client.cloud_storage.import_and_wait("c", [{"id": "a", "name": "a"}], timeout=bad),
        lambda: client.cloud_storage.connect(timeout=bad, open_browser=False),
    ]
    if bad is None:
        attempts = attempts[:4]  # None means "the default" for the calls
    messages = set()
    for attempt in attempts:
        with pytest.raises(InvalidInputError) as info:
            attempt()
        messages.add(info.value.message.split(" must ")[1])
    assert messages == {f"be a positive number, got {bad!r}"}
    assert api.requests == []
    assert issubclass(ConfigurationError, InvalidInputError)


def test_redaction_is_one_function() -> None:
    assert errors.redact("key aion_x and aion_x", ["aion_x", ""]) == "key [redacted] and [redacted]"

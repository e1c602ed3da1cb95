"""What a resource needs from its client, in one checked object (as openai-python's resources take
their client): the request sender, the clock, and the defaults for batching and job waiting."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from ._clock import Clock
from ._defaults import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_MAX_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_WAIT_TIMEOUT,
)
from ._http import Requester
from ._inputs import check_batch_size, check_positive
from .errors import ConfigurationError

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_MAX_INTERVAL",
    "DEFAULT_POLL_INTERVAL",
    "DEFAULT_WAIT_TIMEOUT",
    "Settings",
]


def _positive(name: str) -> Callable[[object, attrs.Attribute[float], float], None]:
    # The Client keyword's name, so the message names what the user wrote.
    def check(_: object, attribute: attrs.Attribute[float], value: float) -> None:
        check_positive(name, value, error=ConfigurationError)

    return check


def _batch_size(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    check_batch_size(value, error=ConfigurationError)


@attrs.frozen(kw_only=True)
class Settings:
    """Built once by ``Client``; every resource of that client shares it."""

    requester: Requester
    clock: Clock
    base_url: str  # checked, without a trailing slash
    batch_size: int = attrs.field(default=DEFAULT_BATCH_SIZE, validator=_batch_size)
    poll_interval: float = attrs.field(
        default=DEFAULT_POLL_INTERVAL, validator=_positive("polling_interval")
    )
    max_interval: float = attrs.field(
        default=DEFAULT_MAX_INTERVAL, validator=_positive("polling_max_interval")
    )
    wait_timeout: float = attrs.field(
        default=DEFAULT_WAIT_TIMEOUT, validator=_positive("polling_timeout")
    )

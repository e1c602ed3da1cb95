"""Which operation of ``openapi.yaml`` a request is, as the generated ``contract`` module says:
read by the retry rules (which POSTs only read, which GET is a poll), the session cookie and the
answer check, on every request, so a path is looked up once (a poll repeats one)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aionvision_cloud_api.contract import Operation

__all__ = ["operation_of"]


@functools.lru_cache(maxsize=512)
def operation_of(method: str, path: str) -> Operation | None:
    """The operation ``method path`` is (``path`` may start with the base URL's path)."""
    from aionvision_cloud_api.contract import operation

    return operation(method.upper(), path)

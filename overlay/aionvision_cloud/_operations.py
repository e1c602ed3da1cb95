"""The one place the overlay touches the generated modules' request building.

Each generated endpoint module has a private ``_get_kwargs(...)`` that turns arguments into the
``method``/``url``/``params``/``json`` dict httpx sends. The overlay sends those dicts itself (to
read odd answers defensively and raise typed errors), so it depends on those private signatures.
They are all named here, once, with the signature the overlay is written against:
``tests/unit/test_overlay_operations.py`` fails when ``make regen`` changes one of them or adds
an operation, which shows at once what the overlay must follow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from aionvision_cloud_api.api.cloud_storage import (
    complete_auth,
    disconnect,
    export_files,
    get_job,
    get_picker_token,
    import_files,
    initiate_auth,
    list_connections,
    picker_proxy,
)

__all__ = ["NOT_USED", "OPERATIONS", "SIGNATURES", "build"]

OPERATIONS: Mapping[str, Callable[..., dict[str, Any]]] = MappingProxyType(
    {
        "initiate_auth": initiate_auth._get_kwargs,
        "complete_auth": complete_auth._get_kwargs,
        "list_connections": list_connections._get_kwargs,
        "disconnect": disconnect._get_kwargs,
        "get_picker_token": get_picker_token._get_kwargs,
        "picker_proxy": picker_proxy._get_kwargs,
        "import_files": import_files._get_kwargs,
        "export_files": export_files._get_kwargs,
        "get_job": get_job._get_kwargs,
    }
)

# What the overlay's calls assume; module paths left out, UNSET for the generator's "not given".
SIGNATURES: Mapping[str, str] = MappingProxyType(
    {
        "initiate_auth": "(provider: Provider, *, body: InitiateAuthRequest)",
        "complete_auth": "(provider: Provider, *, body: CompleteAuthRequest)",
        "list_connections": (
            "(*, provider: Provider | Unset = UNSET, active_only: bool | Unset = True)"
        ),
        "disconnect": "(connection_id: str)",
        "get_picker_token": "(connection_id: str)",
        "picker_proxy": "(*, body: PickerProxyRequest)",
        "import_files": "(*, body: ImportRequest)",
        "export_files": "(*, body: ExportRequest)",
        "get_job": "(job_id: str)",
    }
)

# Generated operations the overlay deliberately does not call: the browser's GET callback page.
NOT_USED = frozenset({"oauth_callback"})


def build(operation: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The request dict for ``operation`` (a key of ``OPERATIONS``)."""
    return OPERATIONS[operation](*args, **kwargs)

"""The one place the overlay touches the generated modules' request building.

Each generated endpoint module has a private ``_get_kwargs(...)`` that turns arguments into the
``method``/``url``/``params``/``json`` dict httpx sends. The overlay sends those dicts itself (to
read odd answers defensively and raise typed errors), so it depends on those private signatures.
They are all named here, once, with the signature the overlay is written against:
``tests/unit/test_overlay_operations.py`` fails when ``make regen`` changes one of them or adds
an operation, which shows at once what the overlay must follow.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

__all__ = ["NOT_USED", "OPERATIONS", "SIGNATURES", "build"]

_PACKAGE = "aionvision_cloud_api.api.cloud_storage"

RequestBuilder = Callable[..., dict[str, Any]]


class _Operations(Mapping[str, RequestBuilder]):
    """Operation name -> the generated ``_get_kwargs``, each module imported on first use: they
    pull in every generated model, which ``import aionvision_cloud`` need not pay for. An import
    error is raised as it is, at that first use."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self._names = names
        self._loaded: dict[str, RequestBuilder] = {}

    def __getitem__(self, name: str) -> RequestBuilder:
        builder = self._loaded.get(name)
        if builder is None:
            if name not in self._names:
                raise KeyError(name)
            module = importlib.import_module(f"{_PACKAGE}.{name}")
            builder = self._loaded[name] = module._get_kwargs
        return builder

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


OPERATIONS: Mapping[str, RequestBuilder] = _Operations(
    (
        "initiate_auth",
        "complete_auth",
        "list_connections",
        "disconnect",
        "get_picker_token",
        "picker_proxy",
        "import_files",
        "export_files",
        "get_job",
    )
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

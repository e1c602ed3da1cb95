"""The overlay's coupling to the generator: every generated operation is either in the one table
with the signature the overlay was written against, or deliberately unused. A regeneration that
changes a signature or adds an operation fails here first."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest

import aionvision_cloud_api.api.cloud_storage as generated
from aionvision_cloud._operations import NOT_USED, OPERATIONS, SIGNATURES, build
from aionvision_cloud_api.types import UNSET


def _render(fn: object) -> str:
    """A signature without module paths, return type or object addresses."""
    sig = inspect.signature(fn)  # type: ignore[arg-type]
    parts: list[str] = []
    star_done = False
    for p in sig.parameters.values():
        if p.kind is inspect.Parameter.KEYWORD_ONLY and not star_done:
            parts.append("*")
            star_done = True
        text = p.name
        if p.annotation is not inspect.Parameter.empty:
            ann = inspect.formatannotation(p.annotation)
            text += ": " + re.sub(r"\b[\w.]+\.(\w+)", r"\1", ann)
        if p.default is not inspect.Parameter.empty:
            text += " = " + ("UNSET" if p.default is UNSET else repr(p.default))
        parts.append(text)
    return "(" + ", ".join(parts) + ")"


def test_every_generated_operation_is_in_the_table_or_deliberately_unused() -> None:
    modules = {m.name for m in pkgutil.iter_modules(generated.__path__)}
    assert modules == set(OPERATIONS) | NOT_USED
    assert set(SIGNATURES) == set(OPERATIONS)


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_generated_signature_is_the_one_the_overlay_uses(name: str) -> None:
    module = importlib.import_module(f"{generated.__name__}.{name}")
    assert OPERATIONS[name] is module._get_kwargs
    assert _render(module._get_kwargs) == SIGNATURES[name]


def test_build_returns_the_generated_request_dict() -> None:
    kwargs = build("get_job", "job_1")
    assert kwargs["method"] == "get"
    assert kwargs["url"].endswith("/job_1")

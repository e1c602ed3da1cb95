"""The overlay builds on the generated client's public surface only: it calls each operation's
``sync_detailed`` (never a private ``_get_kwargs`` or ``_parse_response``), and every generated
operation is either one the overlay calls or deliberately left to ``client.api``."""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path

import aionvision_cloud
import aionvision_cloud_api.api.cloud_storage as generated

OVERLAY = Path(aionvision_cloud.__file__).parent
# The browser's GET callback page: an HTML answer for a person, not a call for a client.
NOT_CALLED = frozenset({"oauth_callback"})


def _sources() -> dict[str, ast.Module]:
    return {str(p.relative_to(OVERLAY)): ast.parse(p.read_text()) for p in OVERLAY.rglob("*.py")}


def test_no_private_generated_name_is_used() -> None:
    for path, tree in _sources().items():
        for node in ast.walk(tree):
            name = node.attr if isinstance(node, ast.Attribute) else None
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and "aionvision_cloud_api" in (node.module)
            ):
                names = [a.name for a in node.names]
                assert not [n for n in names if n.startswith("_")], (path, names)
            if name in ("_get_kwargs", "_parse_response", "_build_response"):
                raise AssertionError(f"{path} uses the generated {name}")


def test_every_generated_operation_is_called_or_deliberately_not() -> None:
    operations = {m.name for m in pkgutil.iter_modules(generated.__path__)}
    called: set[str] = set()
    for tree in _sources().values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == generated.__name__:
                called.update(a.name for a in node.names)
            # cloud_storage's lazy handle on the operations: _ops.get_job.sync_detailed
            is_op = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            if is_op and node.value.id == "_ops":  # type: ignore[attr-defined]
                called.add(node.attr)  # type: ignore[attr-defined]
    assert called == operations - NOT_CALLED
    assert operations >= NOT_CALLED

"""Compare openapi.yaml with the OpenAPI document the service publishes (`make contract-diff`).

    python tests/contract/contract_diff.py [--service PATH | --url URL] [--allow FILE] [--all]

Prints one table of the differences, each `deliberate` (listed, with its reason, in the allow
file) or `DRIFT` (not listed), and every allow-file entry that matched nothing as `STALE`. Exits
0 when there is neither drift nor a stale entry, 1 when there is, 2 when a document or the allow
file cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import httpx
import yaml

# Run as a script, this folder is on sys.path already; under pytest, conftest.py puts it there.
from contract_allowlist import load_allowlist
from contract_compare import DELIBERATE, DRIFT, STALE, compare, render
from contract_facts import document_facts

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OURS = ROOT / "openapi.yaml"
SERVICE = ROOT / "tests" / "data" / "service-openapi-cloud-storage.json"
ALLOW = HERE / "deliberate-differences.yaml"


def parse_document(text: str, source: str) -> dict[str, Any]:
    # JSON first: it is what services publish, and PyYAML (YAML 1.1) misreads some JSON.
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        doc = yaml.safe_load(text)
    if not isinstance(doc, dict) or "paths" not in doc:
        raise ValueError(f"{source}: not an OpenAPI document (no `paths`)")
    return doc


def fetch_document(url: str, transport: httpx.BaseTransport | None = None) -> dict[str, Any]:
    with httpx.Client(transport=transport, timeout=30.0, follow_redirects=True) as client:
        response = client.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
    return parse_document(response.text, url)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="contract_diff", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--service", type=Path, default=SERVICE, help="the service's document")
    source.add_argument("--url", help="read the service's document from this URL instead")
    parser.add_argument("--ours", type=Path, default=OURS, help="our contract (openapi.yaml)")
    parser.add_argument("--allow", type=Path, default=ALLOW, help="the deliberate differences")
    parser.add_argument("--all", action="store_true", help="also list the aspects that agree")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, *, transport: httpx.BaseTransport | None = None) -> int:
    args = _arguments(argv)
    source = args.url or _shown(args.service)
    try:
        ours = parse_document(args.ours.read_text(), str(args.ours))
        service = (
            fetch_document(args.url, transport)
            if args.url
            else parse_document(args.service.read_text(), str(args.service))
        )
        allow = load_allowlist(args.allow)
        result = compare(document_facts(ours), document_facts(service), allow, args.all)
    except (OSError, ValueError, KeyError, yaml.YAMLError, httpx.HTTPError) as exc:
        print(f"contract-diff: {exc}", file=sys.stderr)
        return 2

    print(f"ours: {_shown(args.ours)}    service: {source}    allowed: {_shown(args.allow)}\n")
    print(render(result.rows))
    print(
        f"\n{result.compared} aspects compared: {result.count(DELIBERATE)} deliberate, "
        f"{result.count(DRIFT)} drift, {result.count(STALE)} stale allow entries"
    )
    if result.passed:
        return 0
    print(
        f"contract-diff failed: fix {_shown(args.ours)}, or list each deliberate difference with"
        f" its reason in {_shown(args.allow)} (and drop entries that match nothing)",
        file=sys.stderr,
    )
    return 1


def _shown(path: Path) -> str:
    resolved = path.resolve()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else str(path)


if __name__ == "__main__":
    sys.exit(main())

"""Every Python and console example in README.md and docs/ runs, in page order (docs_harness)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from docs_harness import ROOT, close_pages, examples
from sybil import Example

EXAMPLES = examples()


@pytest.fixture(scope="module", autouse=True)
def _pages() -> Iterator[None]:
    yield
    close_pages()


@pytest.mark.parametrize(
    "example",
    EXAMPLES,
    ids=[f"{Path(e.path).relative_to(ROOT)}:{e.line}" for e in EXAMPLES],
)
def test_example(example: Example) -> None:
    example.evaluate()

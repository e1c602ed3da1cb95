"""The built site, as a reader meets it: usable from the disk (links to pages, not folders),
none of the test harness's notes, code blocks that wrap inside the column; and the README says
to serve it, `make docs-serve` first."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(out)],
        cwd=ROOT,
        check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    return out


def test_pages_link_to_files_that_open_from_the_disk(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="getting-started.html"' in index
    assert 'href="getting-started/"' not in index
    assert (site / "connecting.html").is_file()


def test_no_page_shows_the_harness_notes(site: Path) -> None:
    for page in site.rglob("*.html"):
        visible = re.sub(r"<!--.*?-->", "", page.read_text(encoding="utf-8"), flags=re.S)
        assert "Not run by the tests" not in visible, page.name


def test_code_blocks_wrap_inside_the_column(site: Path) -> None:
    assert 'href="css/extra.css"' in (site / "index.html").read_text(encoding="utf-8")
    css = (site / "css" / "extra.css").read_text(encoding="utf-8")
    assert re.search(r"pre > code\s*\{[^}]*white-space:\s*pre-wrap", css)


def test_the_readme_says_to_serve_the_site_make_docs_serve_first() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert text.index("make docs-serve") < text.index("make docs`")
    assert "file://" in text  # and what opening it from the disk lacks


def test_the_reference_shows_the_public_surface_only(site: Path) -> None:
    # Every name a reference page renders is importable from the package root; no private
    # module or class (aionvision_cloud._models, _Shown) is shown to a reader.
    # (An annotation naming a type the reference does not render, ``OnUncertain`` say, is
    # plain text; only its hover title, which the handler writes, holds the full path.)
    for page in (site / "reference").glob("*.html"):
        text = page.read_text()
        visible = re.sub(r"<[^>]*>", "", text)
        links = " ".join(re.findall(r'href="([^"]*)"', text))
        for shown in (visible, links):
            assert "aionvision_cloud._" not in shown, page.name
            assert "_Shown" not in shown, page.name


# A Sphinx role (:meth:`x`) is not Markdown: the site would show it as typed.
RAW_ROLE = re.compile(r":(?:meth|class|func|attr|exc|mod|data|obj|py:\w+):(?:`|<code>)")


def _entry(page: str, anchor: str) -> str:
    """The HTML of one rendered object, from its heading to the next object's."""
    start = page.index(f'id="{anchor}"')
    end = page.find('<div class="doc doc-object', start)
    return page[start:] if end < 0 else page[start:end]


def test_no_page_shows_a_raw_sphinx_role(site: Path) -> None:
    for page in site.rglob("*.html"):
        text = re.sub(r"<!--.*?-->", "", page.read_text(encoding="utf-8"), flags=re.S)
        assert not RAW_ROLE.search(text), (page.name, RAW_ROLE.findall(text))


def test_the_reference_links_its_names_and_return_types(site: Path) -> None:
    page = (site / "reference" / "cloud-storage.html").read_text(encoding="utf-8")
    # A cross-reference in a docstring is a link to the method's own entry.
    wait = _entry(page, "aionvision_cloud.CloudStorage.import_and_wait")
    assert re.search(r'<a[^>]*href="[^"]*#aionvision_cloud\.CloudStorage\.import_files"', wait), (
        "import_and_wait does not link to import_files"
    )
    # The return type of import_files is a link to the result class, in the signature and in
    # the Returns section.
    files = _entry(page, "aionvision_cloud.CloudStorage.import_files")
    assert re.search(
        r'<a[^>]*href="results\.html#aionvision_cloud\.ImportResult"[^>]*>(?:<[^>]+>)*'
        r"ImportResult",
        files,
    ), "import_files's return type ImportResult is not a link"
    assert re.search(r">\s*Returns:?\s*<", files), "import_files has no Returns section"

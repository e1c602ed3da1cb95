"""Runs the examples in README.md and docs/ (Sybil parses the pages; this module evaluates them).

- A ```python block (or an invisible one, ``<!-- invisible-code-block: python ... -->``) runs in
  the page's namespace, in page order. A ```text title="Output" block right after it is what
  the block prints, compared as doctest does (``...`` stands for any text).
- A block titled with a file name (```python title="test_mine.py"```) is that file: it is written
  into the page's working folder, for the commands after it to use.
- A ```console block is a terminal session: each ``$ `` line runs in bash, in the page's own
  working folder and environment (variables assigned or exported by one command, and ``cd``,
  carry over to the next); the lines after it are its output, compared the same way (stdout and
  stderr together, as a terminal shows them). Every command must exit 0: a page shows a failure
  with ``; echo "exit $?"``.
- A block that only includes a file (``--8<-- "examples/x.py"``) shows that file, which runs in
  its own test.
- ``<!-- skip: next "why" -->`` skips the next example; an HTML comment right after it,
  ``<!-- Not run by the tests: why, and what tests it instead -->``, tells whoever edits the
  page (readers of the site never see the harness's notes).

Each page gets its own emulator (profile ``service`` unless the page says
``<!-- docs: profile=document -->``), an API key in AIONVISION_API_KEY and its base URL in
AIONVISION_BASE_URL, a fresh HOME and config folder, and a browser that visits the consent page
without a person (so ``connect()`` and ``aionvision-cloud connect`` complete on their own).
"""

from __future__ import annotations

import contextlib
import doctest
import io
import os
import re
import shlex
import subprocess
import sys
import tempfile
import textwrap
import threading
import webbrowser
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sybil import Document, Example, Region, Sybil
from sybil.parsers.markdown import SkipParser

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FAKE_BROWSER = Path(__file__).with_name("fake_browser.py")

FENCE = re.compile(
    r"^(?P<indent>[ ]*)```(?P<lang>[\w-]*)(?P<args>[^\n]*)\n(?P<body>.*?)^(?P=indent)```[ ]*$",
    re.M | re.S,
)
INVISIBLE = re.compile(r"^<!--\s*invisible-code-block:\s*python\s*\n(?P<body>.*?)^-->", re.M | re.S)
PROFILE = re.compile(r"<!--\s*docs:\s*profile=(\w+)\s*-->")
CHECKER = doctest.OutputChecker()
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


TITLE = re.compile(r'title="(?P<name>[\w./-]+\.\w+)"')


@dataclass(frozen=True)
class Block:
    lang: str
    source: str
    line: int
    expected: str | None
    #: a block titled with a file name is that file: written into the page's folder, not run
    filename: str | None = None


def _line(document: Document, position: int) -> int:
    return document.text.count("\n", 0, position) + 1


def parse_blocks(document: Document) -> Iterator[tuple[int, int, Block]]:
    """The fenced python and console blocks, each with the output block that follows it."""
    fences = list(FENCE.finditer(document.text))
    used: set[int] = set()
    for i, match in enumerate(fences):
        titled = TITLE.search(match["args"])
        if i not in used and titled:
            body = textwrap.dedent(match["body"])
            line = _line(document, match.start())
            yield match.start(), match.end(), Block("file", body, line, None, titled["name"])
            continue
        if i in used or match["lang"] not in ("python", "console"):
            continue
        body = textwrap.dedent(match["body"])
        if body.lstrip().startswith("--8<--"):
            continue  # a file shown from examples/, which runs in its own test
        expected = None
        end = match.end()
        if i + 1 < len(fences):
            nxt = fences[i + 1]
            between = document.text[match.end() : nxt.start()]
            if not between.strip() and nxt["lang"] == "text" and 'title="Output"' in nxt["args"]:
                expected = textwrap.dedent(nxt["body"])
                used.add(i + 1)
        line = _line(document, match.start())
        yield match.start(), end, Block(match["lang"], body, line, expected)
    for match in INVISIBLE.finditer(document.text):
        body = textwrap.dedent(match["body"])
        line = _line(document, match.start())
        yield match.start(), match.end(), Block("python", body, line, None)


class Page:
    """What one page's examples share: the namespace, an emulator, a folder, the shell's state."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.namespace: dict[str, Any] = document.namespace
        self.stack = contextlib.ExitStack()
        self.env: dict[str, str] = {}
        self.cwd: Path | None = None
        self.shell_state: Path | None = None

    def start(self) -> None:
        from aionvision_cloud_emulator import run_emulator

        match = PROFILE.search(self.document.text)
        profile = match.group(1) if match else "service"
        # Jobs at 100 files a second: a page's 40-file import takes a moment, not four seconds.
        emu = self.stack.enter_context(
            run_emulator(profile=profile, job_pace=100, job_start_delay=0.1)  # type: ignore[arg-type]
        )
        home = Path(self.stack.enter_context(tempfile.TemporaryDirectory(prefix="docs-page-")))
        (home / "work").mkdir()
        self.cwd = home / "work"
        self.shell_state = home / ".shell-state"
        self.shell_state.write_text(f"cd {shlex.quote(str(self.cwd))}\n", encoding="utf-8")
        browser = f"{shlex.quote(sys.executable)} {shlex.quote(str(FAKE_BROWSER))} %s"
        self.env = {
            "AIONVISION_BASE_URL": emu.base_url,
            "AIONVISION_API_KEY": emu.api_key,
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_CACHE_HOME": str(home / ".cache"),
            "XDG_STATE_HOME": str(home / ".local" / "state"),
            "BROWSER": browser,
            "PYTHONUNBUFFERED": "1",
            "NO_COLOR": "1",
            "COLUMNS": "100",
        }
        self.namespace["__name__"] = "__main__"
        self.namespace["emulator"] = emu

    def close(self) -> None:
        self.stack.close()

    @contextlib.contextmanager
    def inside(self) -> Iterator[None]:
        """The page's environment and folder for an in-process block, restored afterwards."""
        saved_env = dict(os.environ)
        saved_cwd = os.getcwd()
        saved_open = webbrowser.open
        os.environ.update(self.env)
        assert self.cwd is not None
        os.chdir(self.cwd)
        webbrowser.open = _visit_in_background  # type: ignore[assignment]
        try:
            yield
        finally:
            webbrowser.open = saved_open  # type: ignore[assignment]
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)


def _visit_in_background(url: str, *args: object, **kwargs: object) -> bool:
    """The person at the browser: follow the consent page to its redirect, a moment later."""
    threading.Thread(target=_visit, args=(url,), daemon=True).start()
    return True


def _visit(url: str) -> None:
    with contextlib.suppress(httpx.HTTPError):
        httpx.get(url, follow_redirects=True, timeout=10)


def _compare(where: str, expected: str | None, got: str) -> None:
    if expected is None:
        return
    if not CHECKER.check_output(expected, got, FLAGS):
        raise AssertionError(
            f"{where}: the output differs from the page's.\n--- the page says:\n{expected}"
            f"--- it printed:\n{got}"
        )


def shown(path: Path) -> str:
    """A page's path as a failure names it: from the checkout's root where it is in it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


_PAGES: dict[int, Page] = {}


def page_of(example: Example) -> Page:
    page = _PAGES.get(id(example.document))
    if page is None:
        page = _PAGES[id(example.document)] = Page(example.document)
        page.start()
    return page


def close_pages() -> None:
    for page in _PAGES.values():
        page.close()
    _PAGES.clear()


def evaluate(example: Example) -> None:
    block: Block = example.parsed
    page = page_of(example)
    where = f"{shown(Path(example.path))}:{block.line}"
    if block.lang == "file":
        assert page.cwd is not None
        assert block.filename is not None
        target = page.cwd / block.filename
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block.source, encoding="utf-8")
    elif block.lang == "python":
        _run_python(page, block, where)
    else:
        _run_console(page, block, where)


def _run_python(page: Page, block: Block, where: str) -> None:
    code = compile(block.source, where, "exec")
    out = io.StringIO()
    with page.inside(), contextlib.redirect_stdout(out):
        exec(code, page.namespace)  # noqa: S102 - the page's own example
    _compare(where, block.expected, out.getvalue())


def commands(source: str) -> Iterator[tuple[str, str]]:
    """(command, expected output) for each ``$ `` line of a console block."""
    command: list[str] = []
    output: list[str] = []
    continuing = False
    for raw in source.splitlines():
        if continuing:
            command.append(raw)
            continuing = raw.endswith("\\")
            continue
        if raw.startswith("$ "):
            if command:
                yield "\n".join(command), "".join(output)
            command, output = [raw[2:]], []
            continuing = raw.endswith("\\")
        elif command:
            output.append(raw + "\n")
        elif raw.strip():
            raise ValueError(f"console block line {raw!r} comes before any '$ ' command")
    if command:
        yield "\n".join(command), "".join(output)


def _run_console(page: Page, block: Block, where: str) -> None:
    assert page.shell_state is not None
    state = shlex.quote(str(page.shell_state))
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, **page.env, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    for command, expected in commands(block.source):
        # The state file carries exported variables and the folder from one command to the next.
        save = f'{{ export -p; echo cd "$(printf %q "$PWD")"; }} > {state}'
        script = (
            f"set -a; source {state}; set +a\n"
            f"trap 'rc=$?; {save}; exit $rc' EXIT\n"
            f"set -a\n{command}\n"
        )
        proc = subprocess.run(
            ["bash", "-o", "pipefail", "-c", script],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
            check=False,
        )
        if proc.returncode != 0:
            raise AssertionError(
                f"{where}: `{command}` exited {proc.returncode} (a page shows a failure with "
                f'`; echo "exit $?"`):\n{proc.stdout}'
            )
        if expected.strip():
            _compare(f"{where}: `{command}`", expected, proc.stdout)


class BlockParser:
    def __call__(self, document: Document) -> Iterable[Region]:
        for start, end, block in parse_blocks(document):
            yield Region(start, end, block, evaluate)


SYBIL = Sybil(parsers=[BlockParser(), SkipParser()], path=str(ROOT))


def examples() -> list[Example]:
    found: list[Example] = []
    for path in PAGES:
        found.extend(SYBIL.parse(path))
    return found

"""The harness running the docs' examples fails where it should; every page follows its rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docs_harness import PAGES, ROOT, SYBIL, close_pages, commands

SKIP = re.compile(r"<!--\s*skip:\s*next[^>]*-->")
SHELL_FENCE = re.compile(r"^[ ]*```(sh|bash|shell|zsh)\b", re.M)


def _page(tmp_path: Path, text: str) -> list:
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    return list(SYBIL.parse(page))


@pytest.fixture(autouse=True)
def _close() -> None:
    yield
    close_pages()


def test_python_output_is_compared(tmp_path: Path) -> None:
    text = '```python\nprint("one")\n```\n\n```text title="Output"\ntwo\n```\n'
    (example,) = _page(tmp_path, text)
    with pytest.raises(AssertionError, match="the output differs"):
        example.evaluate()


def test_python_blocks_share_the_page_namespace(tmp_path: Path) -> None:
    first, second = _page(
        tmp_path,
        "```python\nx = 41\n```\n\n```python\nprint(x + 1)\n```\n\n"
        '```text title="Output"\n42\n```\n',
    )
    first.evaluate()
    second.evaluate()


def test_a_failing_command_fails_the_example(tmp_path: Path) -> None:
    (example,) = _page(tmp_path, "```console\n$ false\n```\n")
    with pytest.raises(AssertionError, match="exited 1"):
        example.evaluate()


def test_console_output_variables_and_folder_carry_over(tmp_path: Path) -> None:
    (example,) = _page(
        tmp_path,
        '```console\n$ NAME=world; mkdir sub && cd sub\n$ echo "hello $NAME"; basename "$PWD"\n'
        'hello world\nsub\n$ false; echo "exit $?"\nexit 1\n```\n',
    )
    example.evaluate()


def test_console_output_is_compared(tmp_path: Path) -> None:
    (example,) = _page(tmp_path, "```console\n$ echo hello\ngoodbye\n```\n")
    with pytest.raises(AssertionError, match="the output differs"):
        example.evaluate()


def test_console_commands_see_the_page_emulator(tmp_path: Path) -> None:
    (example,) = _page(
        tmp_path,
        '```console\n$ aionvision-cloud connections --json\n{"connections": []}\n```\n',
    )
    example.evaluate()


def test_a_titled_block_is_a_file_the_commands_use(tmp_path: Path) -> None:
    examples = _page(
        tmp_path,
        '```python title="greet.py"\nprint("hi from a file")\n```\n\n'
        "```console\n$ python greet.py\nhi from a file\n```\n",
    )
    for example in examples:
        example.evaluate()


def test_commands_split_continuations_and_outputs() -> None:
    got = list(commands("$ a \\\n  b\nout\n$ c\n"))
    assert got == [("a \\\n  b", "out\n"), ("c", "")]
    with pytest.raises(ValueError, match="before any"):
        list(commands("stray\n$ a\n"))


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_skip_says_why_to_maintainers_not_to_readers(page: Path) -> None:
    # The harness's notes are for whoever edits the page: in an HTML comment right after the
    # directive (the source shows it, the rendered page does not).
    text = page.read_text(encoding="utf-8")
    for match in SKIP.finditer(text):
        following = text[match.end() :].lstrip()
        assert following.startswith("<!-- Not run by the tests"), (
            f"{page.name}: a skipped example needs '<!-- Not run by the tests: why -->' right "
            f"after the directive at line {text.count(chr(10), 0, match.start()) + 1}"
        )
    visible = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    assert "Not run by the tests" not in visible, f"{page.name}: a harness note a reader sees"


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_shell_examples_are_console_sessions(page: Path) -> None:
    # A ```sh block would be shown but never run; sessions are ```console, with `$ ` prompts.
    found = SHELL_FENCE.findall(page.read_text(encoding="utf-8"))
    assert not found, f"{page.name}: use ```console blocks (run by the tests), not {found}"


def test_the_readmes_links_lead_somewhere() -> None:
    # The site's links are checked by `make docs --strict`; the README is read on its own.
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text)
    local = [t for t in targets if not re.match(r"[a-z]+://", t)]
    assert local, "the README links into docs/"
    missing = [t for t in local if not (ROOT / t).exists()]
    assert not missing, f"README links to files that do not exist: {missing}"

"""Someone else's text made safe to show or to send: a Drive name, a provider's error description.

``visible`` is the one definition used by the OAuth flow's messages and by everything the
command line prints (``cli.output``), so a name reads the same in an exception and on a terminal.
``acceptable_name`` turns a Drive name the contract refuses into one it takes.
"""

from __future__ import annotations

import re

__all__ = ["acceptable_name", "visible"]

#: C0 controls, DEL and C1 controls: what a terminal acts on or a pipe splits at.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _shown(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or f"\\x{ord(char):02x}"


def visible(value: str) -> str:
    """``value`` with every control character (C0, DEL, C1) written out as ``\\n``, ``\\t``,
    ``\\r`` or ``\\xNN``, so it stays one inert field on one line; other text is untouched."""
    return _CONTROL.sub(_shown, value)


#: What the contract refuses in a file's name (openapi.yaml, ImportFile.name): C0 and DEL.
_NAME_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _picture(match: re.Match[str]) -> str:
    # Unicode's Control Pictures block draws each one: U+2400 + code (NUL..US), U+2421 for DEL.
    code = ord(match.group())
    return chr(0x2421) if code == 0x7F else chr(0x2400 + code)


def acceptable_name(name: str) -> str:
    """A file's name with each control character the contract refuses replaced by its Unicode
    control picture (``\\n`` becomes ``␊``, ``\\t`` ``␉``, DEL ``␡``), as rclone encodes them.

    The name is metadata (the id names the file): an odd name should cost its look, not the
    file, and the picture still shows what was there."""
    return _NAME_CONTROL.sub(_picture, name)

"""Someone else's text made safe to show: a Drive name, a provider's error description.

One definition, used by the OAuth flow's messages and by everything the command line prints
(``cli.output``), so a name reads the same in an exception and on a terminal.
"""

from __future__ import annotations

import re

__all__ = ["visible"]

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

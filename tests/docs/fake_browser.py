"""The person at the browser in the docs tests (BROWSER="python fake_browser.py %s").

Python's webbrowser waits for a BROWSER command to finish, as it waits for a real browser's
launcher; so this returns at once and a detached child follows the consent page to its redirect,
as someone clicking through it would, a moment later.
"""

from __future__ import annotations

import subprocess
import sys

import httpx


def main() -> None:
    if sys.argv[1:2] == ["--visit"]:
        httpx.get(sys.argv[2], follow_redirects=True, timeout=10)
        return
    subprocess.Popen(  # this very script, with the URL it was given
        [sys.executable, __file__, "--visit", sys.argv[1]],
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


if __name__ == "__main__":
    main()

"""Headless Chromium for the OAuth flows: Debian's chromium + chromium-driver, driven by selenium.

Nothing downloads a browser: the driver is given explicitly (`Service("/usr/bin/chromedriver")`),
so selenium-manager is never asked. Without the packages every test here is skipped with the
reason; `make browser-test` installs them and runs these tests.

Each test gets a fresh browser profile and a `Shots` recorder: screenshots taken at each step
are kept under `.pytest-artifacts/<test>/` when the test fails (plus one of every open window at
the moment of failure), and deleted when it passes.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aionvision_cloud_emulator.server import RunningEmulator, run_emulator

CHROMIUM = os.environ.get("AIONVISION_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("AIONVISION_CHROMEDRIVER", "/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / ".pytest-artifacts"
#: When set, the README's screenshots (docs/img/) are refreshed from the loopback test.
SCREENSHOT_DIR = os.environ.get("AIONVISION_SCREENSHOT_DIR")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=900,760",
)


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (make install)"
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            return f"{path} not found: `make browser-test` installs {package} (apt-get)"
    return None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # Lets fixtures see whether the test body failed (pytest's documented recipe).
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


class Shots:
    """Screenshots of each step, named in order."""

    def __init__(self, driver: Any, folder: Path) -> None:
        self.driver = driver
        self.folder = folder
        self.count = 0

    def take(self, name: str) -> Path:
        self.count += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def publish(self, path: Path, name: str) -> None:
        """Copy a step's screenshot to $AIONVISION_SCREENSHOT_DIR (for the README), if set."""
        if SCREENSHOT_DIR:
            Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, Path(SCREENSHOT_DIR) / name)


#: Seconds a step may take on a loaded 2-core machine before a wait fails.
STEP_WAIT = 20


def wait_for_text(driver: Any, text: str) -> None:
    """Wait until the page shows `text`, across a navigation that is still under way.

    Selenium's `text_to_be_present_in_element` holds on to the old page's <body>; when a click
    navigates while it reads, Chromium answers a generic error ("Node with given id does not
    belong to the document") that the wait does not ignore, so each read asks the page afresh.
    """
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    script = "return document.body ? document.body.innerText : ''"
    WebDriverWait(driver, STEP_WAIT, ignored_exceptions=(WebDriverException,)).until(
        lambda d: text in d.execute_script(script), message=f"the page never showed {text!r}"
    )


@pytest.fixture
def browser(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A headless Chromium with a fresh profile; `browser.shots` records the steps and
    `browser.wait_for_text(text)` waits for the page to show `text`."""
    reason = _missing()
    if reason:
        if os.environ.get("AIONVISION_REQUIRE_BROWSER"):
            # `make browser-test` installed it: a missing browser there is a failure, not a skip.
            pytest.fail(reason)
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="aionvision-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    folder = ARTIFACTS / request.node.name.replace("/", "_")
    shutil.rmtree(folder, ignore_errors=True)
    driver.shots = Shots(driver, folder)
    driver.wait_for_text = functools.partial(wait_for_text, driver)
    try:
        yield driver
    finally:
        failed = getattr(request.node, "rep_call", None) is None or request.node.rep_call.failed
        try:
            if failed:
                for i, handle in enumerate(driver.window_handles):
                    driver.switch_to.window(handle)
                    shot = driver.shots.take(f"at-failure-window-{i}")
                    # The URL and markup too: a screenshot doesn't show a query or hidden text.
                    shot.with_suffix(".html").write_text(
                        f"<!-- {driver.current_url} -->\n{driver.page_source}", encoding="utf-8"
                    )
        except Exception:  # noqa: S110 - a dead browser must not hide the test's own error
            pass
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
        if not failed:
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def consent_page_emulator() -> Iterator[RunningEmulator]:
    """An emulator whose consent page waits for a click, as a person sees it."""
    with run_emulator(profile="document", consent="page") as emu:
        yield emu


@pytest.fixture
def emu(consent_page_emulator: RunningEmulator) -> Iterator[RunningEmulator]:
    consent_page_emulator.admin.reset()
    yield consent_page_emulator
    assert consent_page_emulator.admin.stats()["spec_violations"] == []

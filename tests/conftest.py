"""How `make test` shares the suite among pytest-xdist workers (``-n N --dist loadfile``).

A test file stays on one worker, in its own order: some files start an emulator per module, and
``test_emulator_schemathesis.py`` checks what its property run left behind. The browser tests go
to one worker as a whole, so at most one Chromium runs at a time beside the other tests.

Files are handed out longest first, by the seconds each took in the last run (kept in pytest's
cache, ``.pytest_cache/``): with a file per worker at a time, a long file started last keeps one
worker busy alone at the end. A file not yet timed goes after the timed ones, in xdist's order.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

BROWSER = "tests/browser/"
#: Where the seconds each unit (a file, or tests/browser/) took are kept between runs.
SECONDS_KEY = "aionvision/unit-seconds"


def _unit(nodeid: str) -> str:
    return BROWSER if nodeid.startswith(BROWSER) else nodeid.split("::", 1)[0]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # schemathesis puts each operation in its item's name ("test_api_conforms[GET /...]") rather
    # than in a callspec, so under pytest 9.2 all ten items share one node id: a failure could not
    # say which operation failed, and xdist, which schedules by node id, ran one of the ten.
    for item in items:
        base, bracket, params = item.name.partition("[")
        if bracket and item.nodeid.endswith("::" + base):
            item._id = item._id.with_params(params.removesuffix("]"))  # type: ignore[attr-defined]
    twins = [nodeid for nodeid, count in Counter(i.nodeid for i in items).items() if count > 1]
    if twins:
        raise pytest.UsageError(f"tests share a node id, so xdist would run one of each: {twins}")


@pytest.hookimpl(optionalhook=True)  # a known hook only while pytest-xdist is installed
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getoption("dist") != "loadfile":
        return None  # any other --dist the caller asks for works as xdist documents it
    from xdist.scheduler import LoadFileScheduling

    cache = getattr(config, "cache", None)
    seconds: dict[str, float] = (cache.get(SECONDS_KEY, {}) if cache else None) or {}

    class FileScheduling(LoadFileScheduling):
        """xdist's ``loadfile``, with tests/browser/ as one unit, the longest units first."""

        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            return _unit(nodeid)

        def _assign_work_unit(self, node: Any) -> None:
            if not self.ordered:  # the queue is complete by the first assignment
                self.ordered = True
                # sorted() is stable: untimed units keep xdist's order, after the timed ones.
                for scope in sorted(self.workqueue, key=lambda u: -seconds.get(u, 0.0)):
                    self.workqueue.move_to_end(scope)
            super()._assign_work_unit(node)

    return FileScheduling(config, log)


class _UnitSeconds:
    """Adds up each unit's seconds as the workers report them, and keeps them for the next run."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        unit = _unit(report.nodeid)
        self.seconds[unit] = self.seconds.get(unit, 0.0) + report.duration

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        cache = getattr(session.config, "cache", None)
        if cache is not None and self.seconds:
            # Merged: a run of a few files keeps the others' figures.
            kept = cache.get(SECONDS_KEY, {}) or {}
            kept.update({unit: round(s, 2) for unit, s in self.seconds.items()})
            cache.set(SECONDS_KEY, kept)


def pytest_configure(config: pytest.Config) -> None:
    # Only the xdist controller: it sees every worker's reports, and a worker has no scheduler.
    if getattr(config.option, "dist", "no") != "no" and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_UnitSeconds(), "aionvision-unit-seconds")


def _share_default_ssl_contexts() -> None:
    """Every httpx client built in a test loads certifi's CA bundle anew (about 30 ms each,
    encode/httpx#3627), and the suite builds some 900 of them, all for loopback http or a mock
    transport. One context per kind of default is built here and shared: the same object httpx
    would have built, only once."""
    try:
        from httpx._transports import default
    except ImportError:  # another httpx layout: keep its own behaviour
        return
    build = getattr(default, "create_ssl_context", None)
    if build is None:
        return
    import functools
    import os

    @functools.cache
    def shared(trust_env: bool, cert_file: str | None, cert_dir: str | None) -> Any:
        return build(verify=True, cert=None, trust_env=trust_env)

    def create_ssl_context(verify: Any = True, cert: Any = None, trust_env: bool = True) -> Any:
        if verify is True and cert is None:
            env = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
            return shared(trust_env, *env) if trust_env else shared(False, None, None)
        return build(verify=verify, cert=cert, trust_env=trust_env)

    default.create_ssl_context = create_ssl_context


_share_default_ssl_contexts()


@pytest.fixture(autouse=True)
def _own_state_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI's automatic journals go under $XDG_STATE_HOME: a test's own, never the user's."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))

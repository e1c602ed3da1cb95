"""How `make test` shares the suite among pytest-xdist workers (``-n auto --dist loadfile``).

A test file stays on one worker, in its own order: some files start an emulator per module, and
``test_emulator_schemathesis.py`` checks what its property run left behind. The browser tests go
to one worker as a whole, so at most one Chromium runs at a time beside the other tests.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

BROWSER = "tests/browser/"


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

    class FileScheduling(LoadFileScheduling):
        """xdist's ``loadfile``, with tests/browser/ as one unit."""

        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith(BROWSER):
                return BROWSER
            return str(super()._split_scope(nodeid))

    return FileScheduling(config, log)


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

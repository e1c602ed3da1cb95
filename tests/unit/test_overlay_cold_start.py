"""What ``import aionvision_cloud`` leaves for later, and that each of those fails loudly when
first used if it cannot be imported (``make bench`` measures the cold start itself).

The package root resolves its names on first lookup (PEP 562); ``from aionvision_cloud import
Client`` loads the client and still leaves the modules in ``DEFERRED`` for later."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from overlay_testkit import API_KEY, BASE_URL, FakeAPI, job_body, json_response

import aionvision_cloud
from aionvision_cloud import Client, RetryPolicy
from aionvision_cloud._journal import Journal

#: Imported where first used, not by `import aionvision_cloud`.
DEFERRED = (
    "aionvision_cloud_api",  # the generated client: its models package imports every model
    "aionvision_cloud._oauth",  # the loopback server and the browser
    "http.server",
    "webbrowser",
    "tenacity",  # the retry loop, built after a first attempt fails
    "sqlite3",  # the journal
    # Built by the first Client(): the transports, the resources, attrs and the result classes
    "attrs",
    "aionvision_cloud._http",
    "aionvision_cloud._retry",
    "aionvision_cloud._results",
    "aionvision_cloud._settings",
    "aionvision_cloud.cloud_storage",
)
#: What the first Client() imports, each of which must then fail it loudly if it cannot.
CLIENT_MODULES = (
    "aionvision_cloud._http",
    "aionvision_cloud._retry",
    "aionvision_cloud._settings",
    "aionvision_cloud.cloud_storage",
)


def _loaded_after(statement: str, code: str = "") -> str:
    probe = f"import sys; {statement}; {code}"
    return subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_import_leaves_the_deferred_modules_unloaded() -> None:
    out = _loaded_after(
        "from aionvision_cloud import Client",
        f"print(','.join(m for m in {DEFERRED!r} if m in sys.modules))",
    )
    assert out == ""


@pytest.mark.parametrize("module", CLIENT_MODULES)
def test_a_client_module_that_cannot_be_imported_fails_the_first_client(
    module: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, module, None)

    def first_use() -> None:
        client = Client(
            api_key=API_KEY, base_url=BASE_URL, transport=httpx.MockTransport(FakeAPI())
        )
        # The resource and its modules load on first use, and fail it loudly.
        client.cloud_storage  # noqa: B018

    with pytest.raises(ImportError, match=module):
        first_use()


def test_the_first_client_fails_loudly_without_attrs() -> None:
    """attrs is first needed by the first Client(), not by `from aionvision_cloud import Client`."""
    probe = (
        "import sys\n"
        "from aionvision_cloud import Client\n"
        "sys.modules['attrs'] = None\n"
        "try:\n"
        f"    Client(api_key={API_KEY!r}, base_url={BASE_URL!r})\n"
        "except ImportError as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out.startswith("ModuleNotFoundError import of attrs halted")


def test_the_bare_import_loads_only_the_package_root() -> None:
    out = _loaded_after(
        "import aionvision_cloud",
        "print(','.join(sorted(m for m in sys.modules"
        " if m.startswith(('aionvision_cloud.', 'attr')))))",
    )
    assert out == ""


def test_every_public_name_and_module_resolves_from_a_bare_import() -> None:
    names = [n for n in aionvision_cloud.__all__ if n != "__version__"]
    code = (
        "import aionvision_cloud as a; "
        f"print(all(getattr(a, n) is not None for n in {names!r}));"
        "print(a.errors.NotFoundError is a.NotFoundError, a.status.JobStatus is a.JobStatus)"
    )
    assert _loaded_after("pass", code).split() == ["True", "True", "True"]


def test_type_checkers_see_the_names_the_root_resolves() -> None:
    """The ``TYPE_CHECKING`` imports (what mypy and IDEs read) and the lazy table agree."""
    tree = ast.parse(Path(aionvision_cloud.__file__).read_text())
    block = next(
        n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"
    )
    imported: dict[str, str] = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom)
        for alias in node.names:
            imported[alias.name] = "." * node.level + (node.module or "")
    submodules = {n for n, home in imported.items() if home == "."}
    assert submodules == aionvision_cloud._SUBMODULES
    assert {n: h for n, h in imported.items() if h != "."} == aionvision_cloud._HOME
    assert set(aionvision_cloud._HOME) | {"__version__"} == set(aionvision_cloud.__all__)
    assert set(aionvision_cloud.__all__) <= set(dir(aionvision_cloud))


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Clinet'"):
        aionvision_cloud.Clinet  # type: ignore[attr-defined]  # noqa: B018


@pytest.mark.parametrize("home", sorted(aionvision_cloud._HOMES))
def test_a_root_name_whose_module_cannot_be_imported_fails_at_first_use(
    home: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = aionvision_cloud._HOMES[home][0]
    monkeypatch.delitem(vars(aionvision_cloud), name, raising=False)  # not yet looked up
    monkeypatch.setitem(sys.modules, f"aionvision_cloud{home}", None)  # a missing module
    with pytest.raises(ImportError, match=f"aionvision_cloud{home}"):
        getattr(aionvision_cloud, name)


def test_a_broken_module_shows_its_own_error_not_a_missing_name(tmp_path: Path) -> None:
    """An AttributeError raised while the module imports would otherwise read as "no such name"
    (and ``from ... import`` would say only "cannot import name")."""
    (tmp_path / "_results.py").write_text("import os\n\nos.no_such_function()\n")
    probe = (
        "import aionvision_cloud\n"
        f"aionvision_cloud.__path__.insert(0, {str(tmp_path)!r})\n"
        "for how in ('from aionvision_cloud import CloudFile', 'aionvision_cloud.CloudFile'):\n"
        "    try:\n"
        "        exec(how)\n"
        "    except Exception as exc:\n"
        "        print(type(exc).__name__, exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert len(out) == 2
    for line in out:
        assert line.startswith("ImportError aionvision_cloud._results failed to import")
        assert "no_such_function" in line


def _open_journal(tmp_path: Path, client: Client) -> None:
    Journal(tmp_path / "import.journal")


def _retry_once(tmp_path: Path, client: Client) -> None:
    client.cloud_storage.get_job("job_1")


FIRST_USES: dict[str, Callable[[Path, Client], None]] = {
    "sqlite3": _open_journal,
    "tenacity": _retry_once,
}


@pytest.mark.parametrize("module", sorted(FIRST_USES))
def test_a_deferred_module_that_cannot_be_imported_fails_at_first_use(
    module: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = FakeAPI().on(
        "GET",
        "/cloud-storage/jobs/job_1",
        json_response(503, {"error": {"code": "UNAVAILABLE", "message": "busy"}}),
        json_response(200, job_body("job_1", "completed", completed_files=50)),
    )
    with Client(
        api_key=API_KEY,
        base_url=BASE_URL,
        transport=httpx.MockTransport(api),
        retry_policy=RetryPolicy(max_retries=1, initial_backoff=0.01),
    ) as client:
        monkeypatch.setitem(sys.modules, module, None)  # what a missing or broken install does
        with pytest.raises(ImportError, match=module):
            FIRST_USES[module](tmp_path, client)

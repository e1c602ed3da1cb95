"""A local emulator of the Aionvision Cloud Storage API, held to openapi.yaml.

Run it with ``python -m aionvision_cloud_emulator`` (or ``aionvision-cloud-emulator``; the
``service`` profile unless ``--profile document``), or in-process (the ``document`` profile
unless ``profile="service"``)::

    from aionvision_cloud_emulator import run_emulator

    with run_emulator(profile="service", job_pace=100) as emu:
        ...  # emu.base_url, emu.api_key, emu.admin, emu.profile

pytest finds the plugin by itself (a ``pytest11`` entry point) once the package is installed:
take the ``aionvision_emulator``, ``aionvision_client`` and ``aionvision_connection_id``
fixtures (see ``aionvision_cloud_emulator.pytest_plugin``).
"""

from typing import TYPE_CHECKING, Any

# Loaded on first use (PEP 562): pytest imports the plugin module, and with it this package, in
# every project that has the package installed, and the server's imports (Starlette, uvicorn,
# openapi-core) are the `emulator` extra's, which such a project may not have.
_LAZY = {
    "create_app": ".app",
    "EmulatorConfig": ".config",
    "AdminClient": ".server",
    "RunningEmulator": ".server",
    "run_emulator": ".server",
}
if TYPE_CHECKING:
    from .app import create_app
    from .config import EmulatorConfig
    from .server import AdminClient, RunningEmulator, run_emulator


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["AdminClient", "EmulatorConfig", "RunningEmulator", "create_app", "run_emulator"]

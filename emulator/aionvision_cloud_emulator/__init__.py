"""A local emulator of the Aionvision Cloud Storage API, held to openapi.yaml.

Run it with ``python -m aionvision_cloud_emulator`` (or ``aionvision-cloud-emulator``; the
``service`` profile unless ``--profile document``), or in-process (the ``document`` profile
unless ``profile="service"``)::

    from aionvision_cloud_emulator import run_emulator

    with run_emulator(profile="service", job_pace=100) as emu:
        ...  # emu.base_url, emu.api_key, emu.admin, emu.profile

pytest users add ``pytest_plugins = ["aionvision_cloud_emulator.pytest_plugin"]`` and take the
``aionvision_emulator`` fixture.
"""

from .app import create_app
from .config import EmulatorConfig
from .server import AdminClient, RunningEmulator, run_emulator

__all__ = ["AdminClient", "EmulatorConfig", "RunningEmulator", "create_app", "run_emulator"]

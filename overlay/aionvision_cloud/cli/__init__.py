"""``aionvision-cloud``: connect Google Drive, browse it, import, export and follow jobs from a
terminal or a CI script, on top of the client (``aionvision_cloud``).

One module per command group, each registering its commands on the one typer app in ``root``
(global options, shared helpers, ``main``): ``connections`` (connect, connections, disconnect),
``drive`` (browse, and Drive paths to ids), ``transfer`` (import, export), ``jobs`` (job, and
following jobs). ``output`` builds what they print (the ``--json`` shapes, tables, exit codes);
``progress`` polls and draws progress while a command waits.
"""

from __future__ import annotations

# Imported for their commands (in the order --help lists them).
from . import connections, drive, transfer, jobs, config, completion  # noqa: F401  isort: skip
from .root import app, main

__all__ = ["app", "main"]

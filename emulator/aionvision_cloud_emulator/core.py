"""The emulator's shared parts, built once from the config and handed to every module."""

from __future__ import annotations

import logging

from .clock import Clock
from .config import EmulatorConfig
from .counters import Counters
from .drive import DriveView, added_file, build_tree
from .faults import FaultInjector, RateLimiter
from .state import Row, Store
from .validation import SpecValidator, shared_validator

log = logging.getLogger("aionvision_cloud_emulator")


class Emulator:
    def __init__(self, config: EmulatorConfig, validator: SpecValidator | None = None) -> None:
        self.config = config
        self._startup_config = config
        self.clock = Clock()
        self.store = Store(config.db_path, seed=config.seed)
        self.validator = validator or shared_validator(config.spec_path)
        self.counters = Counters()
        self.limiter = RateLimiter()
        self.faults = FaultInjector(config.seed)
        now = self.clock.now()
        self.store.add_key(config.default_key, "default", now)
        for i, key in enumerate(config.api_keys):
            self.store.add_key(key, f"extra-{i + 1}", now)

    def now(self) -> float:
        return self.clock.now()

    def drive_for(self, connection: Row) -> DriveView:
        """The fake Drive of the Google account behind a connection."""
        account = str(connection["email"])
        tree = build_tree(self.config.seed, account, self.config.big_folder_size)
        added = [added_file(r) for r in self.store.drive_files(account)]
        return DriveView(
            tree,
            added,
            account,
            str(connection["display_name"]),
            short_pages=self.config.drive_short_pages,
            seed=self.config.seed,
        )

    def reset(self) -> None:
        """Back to a fresh start: no state but the keys, knobs as given at startup."""
        self.config = self._startup_config
        self.store.reset()
        self.counters.reset()
        self.limiter.reset()
        self.faults.reset()
        self.clock.reset()

    def close(self) -> None:
        self.store.close()

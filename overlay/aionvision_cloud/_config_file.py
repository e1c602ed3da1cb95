"""The config file the CLI's ``config set`` writes, read by ``Client.from_env()`` and the CLI alike
(one reader, as boto3 and the AWS CLI share ``~/.aws/config``).

Where: ``$AIONVISION_CONFIG``, else ``$XDG_CONFIG_HOME/aionvision-cloud/config.toml``
(``~/.config/...`` without it). What: a flat TOML table of strings (``api_key``, ``base_url``,
``connection``). A value given as an argument wins over the environment, which wins over the file.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from .errors import ConfigurationError

__all__ = ["CONFIG_KEYS", "ENV_CONFIG", "config_path", "read_config"]

ENV_CONFIG = "AIONVISION_CONFIG"
#: What the file may hold; anything else in it is ignored.
CONFIG_KEYS = ("api_key", "base_url", "connection")


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the config file is, by ``env`` (``os.environ`` by default)."""
    env = os.environ if env is None else env
    explicit = env.get(ENV_CONFIG)
    if explicit:
        return Path(explicit).expanduser()
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "aionvision-cloud" / "config.toml"


def read_config(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The file's values ({} when there is none). A file that cannot be read or parsed raises
    ``ConfigurationError`` naming it: silently ignoring it would use another key than the user
    saved."""
    path = config_path(env)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"cannot read the config file {path}: {exc}") from None
    return {k: v for k, v in data.items() if k in CONFIG_KEYS and isinstance(v, str)}

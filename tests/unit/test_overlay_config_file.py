"""One configuration for the library and the CLI: ``Client.from_env()`` reads the file that
``aionvision-cloud config set`` writes, in the same order (argument, environment, file), and every
"no API key" error names all three places."""

from __future__ import annotations

from pathlib import Path

import pytest
from overlay_testkit import API_KEY

from aionvision_cloud import DEFAULT_BASE_URL, Client
from aionvision_cloud._config_file import CONFIG_KEYS, config_path, read_config
from aionvision_cloud.cli import main
from aionvision_cloud.cli.config import KEYS, load_config
from aionvision_cloud.cli.output import CliError
from aionvision_cloud.errors import ConfigurationError

OTHER_KEY = "aion_" + "o" * 30
FILE_URL = "http://127.0.0.1:9999/api/v2"


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cfg" / "config.toml"
    monkeypatch.setenv("AIONVISION_CONFIG", str(path))
    for name in ("AIONVISION_API_KEY", "AIONVISION_BASE_URL", "AIONVISION_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return path


def _cli_set(key: str, value: str) -> None:
    # The CLI itself writes the file: the library must read what it wrote.
    assert main(["config", "set", key, value]) == 0


def test_from_env_reads_what_config_set_wrote(config: Path) -> None:
    _cli_set("api_key", API_KEY)
    _cli_set("base_url", FILE_URL)
    assert config.exists()
    with Client.from_env() as client:
        assert client.base_url == FILE_URL
        assert client.api.token == API_KEY


def test_the_environment_wins_over_the_file_and_an_argument_over_both(
    config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cli_set("api_key", OTHER_KEY)
    _cli_set("base_url", FILE_URL)
    monkeypatch.setenv("AIONVISION_API_KEY", API_KEY)
    with Client.from_env() as client:
        assert client.api.token == API_KEY
        assert client.base_url == FILE_URL  # not in the environment: the file's
    monkeypatch.setenv("AIONVISION_BASE_URL", "http://127.0.0.1:7777/api/v2")
    with Client.from_env() as client:
        assert client.base_url == "http://127.0.0.1:7777/api/v2"
    with Client.from_env(base_url="http://127.0.0.1:5555/api/v2") as client:
        assert client.base_url == "http://127.0.0.1:5555/api/v2"


def test_no_file_and_no_variable_means_the_default_base_url(config: Path) -> None:
    with Client.from_env(api_key=API_KEY) as client:
        assert client.base_url == DEFAULT_BASE_URL


def test_an_env_mapping_locates_the_file_too(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.toml"
    path.write_text(f'api_key = "{API_KEY}"\nbase_url = "{FILE_URL}"\n', encoding="utf-8")
    with Client.from_env({"AIONVISION_CONFIG": str(path)}) as client:
        assert client.base_url == FILE_URL


def test_no_api_key_names_argument_environment_and_file(config: Path) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Client.from_env()
    message = str(caught.value)
    assert "api_key=" in message
    assert "AIONVISION_API_KEY" in message
    assert str(config) in message
    assert "aionvision-cloud config set api_key" in message
    # The constructor's own error says the same three.
    with pytest.raises(ConfigurationError) as direct:
        Client()
    for place in ("api_key=", "AIONVISION_API_KEY", "config set api_key", "from_env"):
        assert place in str(direct.value)


def test_a_broken_file_is_named_by_library_and_cli_alike(config: Path) -> None:
    config.parent.mkdir(parents=True)
    config.write_text("api_key = [not toml", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="cannot read the config file") as lib:
        Client.from_env()
    with pytest.raises(CliError) as cli:
        load_config()
    assert cli.value.message == str(lib.value)
    assert str(config) in cli.value.message
    # A client given everything never needs the file, broken or not.
    with Client.from_env(api_key=API_KEY, base_url=FILE_URL) as client:
        assert client.base_url == FILE_URL


def test_one_reader_one_location() -> None:
    assert tuple(KEYS) == CONFIG_KEYS
    env = {"XDG_CONFIG_HOME": "/x"}
    assert config_path(env) == Path("/x/aionvision-cloud/config.toml")
    assert read_config({"AIONVISION_CONFIG": "/nonexistent/aionvision.toml"}) == {}

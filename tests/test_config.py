from pathlib import Path

import pytest

from kg.config import SETTINGS, as_flask_config, from_flask_config, load_settings, settings_markdown
from kg.errors import ConfigError


def test_config_defaults_then_env_then_overrides():
    s = load_settings({"port": 9000}, env={"KG_PORT": "8100", "KG_QUERY_TIMEOUT": "5"})
    assert s.port == 9000 and s.query_timeout == 5.0
    assert load_settings(env={}).host == "127.0.0.1"


@pytest.mark.parametrize(("env", "needle"), [({"KG_PORT": "eighty"}, "KG_PORT"), ({"KG_UPDATE_ENABLED": "maybe"}, "update_enabled")])
def test_config_bad_values_name_the_setting(env, needle):
    with pytest.raises(ConfigError, match=needle):
        load_settings(env=env)


def test_config_unknown_override_is_an_error():
    with pytest.raises(ConfigError, match="unknown setting"):
        load_settings({"prot": 1}, env={})


def test_config_flask_round_trip():
    s = load_settings({"row_limit": 5}, env={})
    assert from_flask_config(as_flask_config(s)) == s


def test_config_readme_lists_every_setting():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert settings_markdown() in readme, "stale README settings table: run scripts/update_readme_settings.py"
    assert all(f"KG_{s.name.upper()}" in readme for s in SETTINGS)

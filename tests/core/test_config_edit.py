"""Edits of config.toml through tomlkit: one value changes, every other byte stays (line endings, comments, quoting)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest

from causerie.core.settings import paths
from causerie.core.settings.config import load_settings
from causerie.core.settings.config_check import ConfigError
from causerie.core.settings.config_edit import (
    CONFIG_TEMPLATE,
    init_config,
    set_profile_key,
    set_top_level_key,
    set_value,
    set_value_text,
)

PROFILES = """\
# my servers
profile = "box"   # the one at home

[profiles."my box"]   # quoted: it has a space
base_url = "http://box:8080/v1"
model = "old-model"  # keep this comment

[profiles]
box.base_url = "http://localhost:8080/v1"
box.local = true
"""


def test_a_value_in_a_quoted_table_changes_alone_and_crlf_stays() -> None:
    crlf = PROFILES.replace("\n", "\r\n")
    result = set_value_text(crlf, ("profiles", "my box", "model"), "new-model")
    assert result == crlf.replace('model = "old-model"', 'model = "new-model"')


def test_keys_added_to_a_crlf_file_end_with_crlf_too() -> None:
    crlf = PROFILES.replace("\n", "\r\n")
    result = set_value_text(crlf, ("profiles", "my box", "stream_options"), False)
    result = set_value_text(result, ("theme",), "nord")
    result = set_value_text(result, ("profiles", "new one", "model"), "m")
    assert "\n" not in result.replace("\r\n", "")
    assert result.startswith(crlf.split("\r\n\r\n")[0])
    data = tomllib.loads(result)
    assert data["profiles"]["my box"]["stream_options"] is False
    assert data["profiles"]["new one"] == {"model": "m"} and data["theme"] == "nord"


def test_dotted_keys_are_edited_where_they_are() -> None:
    result = set_value_text(PROFILES, ("profiles", "box", "model"), "llama")
    lines = result.splitlines()
    lines.remove('box.model = "llama"')  # added among the other box.* keys, everything else as it was
    assert "\n".join(lines) + "\n" == PROFILES
    result = set_value_text(PROFILES, ("profiles", "box", "local"), False)
    assert result == PROFILES.replace("box.local = true", "box.local = false")
    top = 'profiles.x.model = "a"  # dotted at the top\ntheme = "t"\n'
    assert set_value_text(top, ("profiles", "x", "model"), "b") == top.replace('"a"', '"b"')


def test_arrays_and_tables_can_be_written() -> None:
    text = '# servers\n[mcp_servers.files]\ncommand = "files-server"\n'
    result = set_value_text(text, ("mcp_servers", "files", "allow"), ["read_file", "list_directory"])
    assert result == text + 'allow = ["read_file", "list_directory"]\n'
    again = set_value_text(result, ("mcp_servers", "files", "allow"), ["read_file"])
    assert tomllib.loads(again)["mcp_servers"]["files"]["allow"] == ["read_file"]
    assert again.startswith("# servers\n[mcp_servers.files]\n")
    added = set_value_text(text, ("mcp_servers", "git"), {"command": "git-server", "allow": []})
    assert tomllib.loads(added)["mcp_servers"] == {
        "files": {"command": "files-server"},
        "git": {"command": "git-server", "allow": []},
    }
    assert added.startswith(text)


def test_a_new_profile_table_is_added_at_the_end_without_an_empty_parent() -> None:
    text = 'theme = "x"\n\n[keymap]\n"chat.new" = "ctrl+o"\n'
    result = set_value_text(text, ("profiles", "ollama", "model"), "llama3.2")
    assert result.startswith(text)
    assert "[profiles]" not in result and '[profiles.ollama]\nmodel = "llama3.2"\n' in result


def test_editing_the_commented_template_changes_only_what_is_set() -> None:
    path = paths.config_file()
    init_config(path)
    set_profile_key(path, "openai", "api_key", "sk-saved-0123456789", private=True)
    set_top_level_key(path, "theme", "nord")
    text = path.read_text()
    assert text.startswith(CONFIG_TEMPLATE.rstrip("\n"))  # every comment and blank line of it, in order
    assert text.count("\n") - CONFIG_TEMPLATE.count("\n") <= 5
    settings = load_settings()
    assert settings.api_key == "sk-saved-0123456789" and settings.theme == "nord"


def test_a_symlinked_config_is_edited_at_its_target_and_stays_a_link(tmp_path: Path) -> None:
    target = tmp_path / "dotfiles" / "causerie.toml"
    target.parent.mkdir()
    target.write_bytes(PROFILES.replace("\n", "\r\n").encode())
    target.chmod(0o640)
    link = paths.config_file()
    link.parent.mkdir(parents=True)
    link.symlink_to(target)
    set_profile_key(link, "my box", "model", "new-model")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == PROFILES.replace("\n", "\r\n").replace("old-model", "new-model").encode()
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)
    assert load_settings({"profile": "my box"}).model == "new-model"
    assert sorted(os.listdir(target.parent)) == ["causerie.toml"]


@pytest.mark.parametrize(
    "broken",
    [
        "model = \n",
        'profile = "x"\n[profiles.x\n',
        "[profiles]\nx = 1\nx = 2\n",
        pytest.param("x = " + "[" * 3000 + "]" * 3000 + "\n", id="nested-too-deep"),
    ],
)
def test_a_file_that_does_not_parse_is_never_rewritten(broken: str) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True)
    path.write_text(broken)
    for edit in (
        lambda: set_top_level_key(path, "theme", "nord"),
        lambda: set_profile_key(path, "x", "model", "m"),
        lambda: set_value(path, ("prices", "m"), {"input": 1.0, "output": 2.0}),
    ):
        with pytest.raises(ConfigError) as caught:
            edit()
        assert str(path) in str(caught.value)
    assert path.read_text() == broken
    assert os.listdir(path.parent) == ["config.toml"]


def test_an_edit_causerie_would_not_accept_is_refused() -> None:
    path = paths.config_file()
    set_top_level_key(path, "theme", "nord")
    before = path.read_bytes()
    with pytest.raises(ConfigError, match="unknown setting"):
        set_profile_key(path, "x", "no_such_setting", 1)
    with pytest.raises(ConfigError, match="not a table"):
        set_value(path, ("theme", "x"), 1)
    assert path.read_bytes() == before


def test_a_table_value_is_written_and_read_back() -> None:
    path = paths.config_file()
    set_value(path, ("prices", "my model"), {"input": 0.5, "output": 1.5})
    assert tomllib.loads(path.read_text())["prices"] == {"my model": {"input": 0.5, "output": 1.5}}
    load_settings()  # accepted

"""Settings: precedence, profiles, key sources, and one clear message (file, line, problem) for a bad file."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from causerie.core.settings import paths
from causerie.core.settings.config import ConfigError, Settings, load_settings
from causerie.core.settings.config_check import parse_config_text
from causerie.core.settings.config_edit import CONFIG_TEMPLATE, init_config, set_profile_key, set_top_level_key


def _write_config(text: str, mode: int = 0o600) -> Path:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)
    return path


def test_precedence_defaults_file_environment_command_line() -> None:
    assert load_settings({}, {"CAUSERIE_HOME": os.environ["CAUSERIE_HOME"]}).model == "gpt-6-luna"
    _write_config('model = "from-file"\ntheme = "file-theme"\n')
    env = {"CAUSERIE_HOME": os.environ["CAUSERIE_HOME"]}
    assert load_settings({}, env).model == "from-file"
    env["CAUSERIE_MODEL"] = "from-env"
    env["CAUSERIE_THEME"] = "env-theme"
    assert load_settings({}, env).model == "from-env"
    assert load_settings({}, env).theme == "env-theme"
    settings = load_settings({"model": "from-cli", "theme": "cli-theme"}, env)
    assert (settings.model, settings.theme) == ("from-cli", "cli-theme")


def test_profile_precedence_and_file_profiles() -> None:
    _write_config(
        'profile = "box"\n[profiles.box]\nbase_url = "http://127.0.0.1:9/v1"\nmodel = "qwen"\nlocal = true\n'
        'stream_options = false\nmax_tokens_param = "max_tokens"\n'
    )
    settings = load_settings()
    assert (settings.profile, settings.base_url, settings.model) == ("box", "http://127.0.0.1:9/v1", "qwen")
    assert settings.local and settings.can_send and not settings.stream_options
    assert settings.max_tokens_param == "max_tokens"
    assert load_settings(environ={**os.environ, "CAUSERIE_PROFILE": "ollama"}).profile == "ollama"
    assert load_settings({"profile": "vllm"}, {**os.environ, "CAUSERIE_PROFILE": "ollama"}).profile == "vllm"


def test_openai_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:5/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    settings = load_settings()
    assert settings.base_url == "http://127.0.0.1:5/v1"
    assert settings.api_key == "sk-env"
    assert "OPENAI_API_KEY" in settings.api_key_source


def test_unknown_profile_is_an_error() -> None:
    with pytest.raises(ConfigError, match="unknown profile 'nope'"):
        load_settings({"profile": "nope"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('model = "a"\nmodel = "b"\n', "line 2: not valid TOML"),
        ('model = "a"\ncolour = "red"\n', "line 2: unknown setting 'colour'"),
        ('theme = "x"\nread_timeout = "soon"\n', "line 2: read_timeout must be a number of seconds"),
        ("max_retries = true\n", "line 1: max_retries must be a whole number"),
        ('\n[profiles.x]\nbase_url = "u"\nlocal = "yes"\n', "line 4: local in [profiles.x] must be true or false"),
        ('[profiles.x]\nbase_ur = "u"\n', "line 2: unknown setting 'base_ur' in [profiles.x]"),
        ('[profiles.x]\nmax_tokens_param = "tokens"\n', "line 2: max_tokens_param must be"),
        ('[keymap]\n"chat.new" = 3\n', "line 2: keymap 'chat.new' must be keys in quotes"),
        ("read_timeout = 0\n", "line 1: read_timeout must be from 1 to 86400 seconds"),
        ("read_timeout = nan\n", "line 1: read_timeout must be from 1 to 86400 seconds"),
        ("\nread_timeout = 1e-9\n", "line 2: read_timeout must be from 1 to 86400 seconds"),
    ],
)
def test_bad_file_gives_file_line_and_problem(text: str, expected: str) -> None:
    path = _write_config(text)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"{path}, ")
    assert expected in message


def test_key_from_command_runs_once_and_is_stripped(tmp_path: Path) -> None:
    counter = tmp_path / "count"
    script = tmp_path / "key.py"
    script.write_text(
        f"import pathlib; p = pathlib.Path({str(counter)!r})\n"
        "p.write_text(p.read_text() + 'x' if p.exists() else 'x')\n"
        "print('  sk-from-command  ')\nprint('second line ignored')\n"
    )
    _write_config(f'[profiles.openai]\napi_key_command = "{sys.executable} {script}"\n')
    settings = load_settings()
    assert settings.api_key == "sk-from-command"
    assert "api_key_command" in settings.api_key_source
    assert counter.read_text() == "x"


def test_failing_key_command_is_a_clear_error_without_the_key(tmp_path: Path) -> None:
    script = tmp_path / "fail.py"
    script.write_text(
        "import sys; print('sk-leaked-secret'); print('gpg: decryption failed', file=sys.stderr); sys.exit(3)\n"
    )
    _write_config(f'[profiles.openai]\napi_key_command = "{sys.executable} {script}"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "failed with exit status 3: gpg: decryption failed" in message
    assert "sk-leaked-secret" not in message


def test_empty_key_command_output_is_an_error() -> None:
    _write_config('[profiles.openai]\napi_key_command = "true"\n')
    with pytest.raises(ConfigError, match="printed nothing"):
        load_settings()


def test_key_in_a_private_file_is_used_and_never_shown_in_repr() -> None:
    _write_config('[profiles.openai]\napi_key = "sk-in-file-0123456789"\n', 0o600)
    settings = load_settings()
    assert settings.api_key == "sk-in-file-0123456789"
    assert "sk-in-file" not in repr(settings)
    assert "sk-in-file" not in settings.api_key_source


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_key_in_a_readable_file_is_refused_with_the_fix(mode: int) -> None:
    path = _write_config('[profiles.other]\napi_key = "sk-in-file-0123456789"\n', mode)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert f"chmod 600 {path}" in message
    assert "sk-in-file" not in message


def test_environment_key_wins_over_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    _write_config('[profiles.openai]\napi_key = "sk-file"\n')
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    assert load_settings().api_key == "sk-env"


def test_no_key_means_cannot_send() -> None:
    settings = load_settings()
    assert settings.api_key is None and not settings.can_send
    assert isinstance(settings, Settings)


def test_use_file_false_ignores_a_broken_file() -> None:
    _write_config("this is = = broken\n")
    assert load_settings(use_file=False).model == "gpt-6-luna"


def test_init_writes_a_parseable_commented_example_and_refuses_to_overwrite() -> None:
    path = paths.config_file()
    init_config(path)
    assert path.read_text() == CONFIG_TEMPLATE
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    assert load_settings().model == "gpt-6-luna"
    for key in ("profile", "model", "theme", "read_timeout", "api_key_command", "max_tokens_param", "stream_options"):
        assert key in CONFIG_TEMPLATE
    with pytest.raises(ConfigError, match="already exists"):
        init_config(path)


def test_set_top_level_key_keeps_comments_and_tables() -> None:
    path = _write_config('# mine\ntheme = "old"  \n\n[profiles.x]\nbase_url = "u"\n', 0o644)
    set_top_level_key(path, "theme", "nord")
    set_top_level_key(path, "model", 'a "quoted" model')
    text = path.read_text()
    assert text.startswith('# mine\ntheme = "nord"  \nmodel = "a \\"quoted\\" model"\n\n[profiles.x]')
    assert load_settings().model == 'a "quoted" model'
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)


def test_set_top_level_key_in_a_missing_file_creates_it() -> None:
    path = paths.config_file()
    set_top_level_key(path, "theme", "nord")
    assert load_settings().theme == "nord"


def test_set_profile_key_private_makes_the_file_owner_only() -> None:
    path = _write_config('theme = "x"\n\n[profiles.openai]\nmodel = "m"\n\n[keymap]\n', 0o644)
    set_profile_key(path, "openai", "api_key", "sk-saved-0123456789", private=True)
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    settings = load_settings()
    assert settings.api_key == "sk-saved-0123456789" and settings.model == "m"
    set_profile_key(path, "ollama", "model", "llama3.2")
    assert load_settings({"profile": "ollama"}).model == "llama3.2"


def test_editing_a_broken_file_is_refused() -> None:
    path = _write_config("broken = = 1\n")
    with pytest.raises(ConfigError, match="line 1"):
        set_top_level_key(path, "theme", "nord")
    assert path.read_text() == "broken = = 1\n"


def test_every_example_in_the_template_is_a_valid_setting(tmp_path: Path) -> None:
    """Uncommenting the whole example gives a file causerie accepts: the documentation cannot drift."""
    example = re.compile(r"^# (\[|[A-Za-z_\"][\w\".-]* = )")
    lines = [line[2:] if example.match(line) else line for line in CONFIG_TEMPLATE.splitlines()]
    uncommented = sum(1 for a, b in zip(lines, CONFIG_TEMPLATE.splitlines(), strict=True) if a != b)
    assert uncommented >= 20
    data = parse_config_text("\n".join(lines), tmp_path / "config.toml")
    assert set(data) >= {"profile", "model", "theme", "read_timeout", "max_retries", "keymap", "profiles", "prices"}
    assert set(data["profiles"]["openrouter"]) == {"base_url", "model", "api_key_env", "max_tokens_param"}
    assert data["max_tool_rounds"] == 10 and data["mcp_servers"]["weather"]["allow"] == ["forecast"]


def test_a_loopback_base_url_needs_no_key_but_is_not_free() -> None:
    for url in ("http://127.0.0.1:9/v1", "http://localhost:9/v1", "http://[::1]:9/v1"):
        settings = load_settings(environ={**os.environ, "OPENAI_BASE_URL": url})
        assert settings.can_send and settings.keyless and not settings.local, url
    remote = load_settings(environ={**os.environ, "OPENAI_BASE_URL": "https://proxy.example.com/v1"})
    assert not remote.can_send  # a remote server still needs a key

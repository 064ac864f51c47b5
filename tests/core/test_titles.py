"""Auto-title requests and the cleaning of the model's answer."""

from __future__ import annotations

import pytest

from causerie.core.conversation.models import Conversation, Message
from causerie.core.conversation.titles import auto_title_enabled, clean_title, title_request
from causerie.core.settings import paths
from causerie.core.settings.config import ConfigError, load_settings


def test_enabled_by_default_for_hosted_and_not_for_local() -> None:
    assert auto_title_enabled(None, local=False) is True
    assert auto_title_enabled(None, local=True) is False
    assert auto_title_enabled(True, local=True) is True
    assert auto_title_enabled(False, local=False) is False


def test_request_uses_the_first_exchange() -> None:
    c = Conversation()
    assert title_request(c) is None
    c.append(Message("user", "How do I bake bread?"))
    assert title_request(c) is None
    c.append(Message("assistant", "Flour, water, salt, yeast." + "x" * 5000))
    messages = title_request(c)
    assert messages is not None and messages[0]["role"] == "system"
    assert messages[1]["content"].startswith("User: How do I bake bread?\n\nAssistant: Flour")
    assert len(messages[1]["content"]) < 3200


def test_clean_title() -> None:
    assert clean_title('"Baking Bread at Home."') == "Baking Bread at Home"
    assert clean_title("Title: **Bread basics**\nmore text") == "Bread basics"
    assert clean_title("\n\n  # Sourdough  \n") == "Sourdough"
    assert clean_title("bad\x1b]52;c;evil\x07 title") == "bad␛]52;c;evil␇ title"
    assert clean_title("👩\u200d👩\u200d👧 family\u202e") == "👩\u200d👩\u200d👧 family⟨U+202E⟩"
    assert clean_title("") == ""
    long = clean_title("word " * 40)
    assert len(long) == 60 and long.endswith("…")


def _write_config(text: str) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_auto_title_setting_from_the_config_file() -> None:
    assert load_settings().auto_title is None
    _write_config("auto_title = false\n")
    assert load_settings().auto_title is False
    _write_config("auto_title = true\n")
    assert load_settings().auto_title is True
    _write_config('auto_title = "yes"\n')
    with pytest.raises(ConfigError, match="line 1: auto_title must be true or false"):
        load_settings()


def test_the_default_title_comes_from_the_words_not_the_code_fences() -> None:
    piped = Conversation()
    piped.append(Message(role="user", content="summarize\n\n```\nhi\n```\n"))
    assert piped.default_title() == "summarize"
    code_only = Conversation()
    code_only.append(Message(role="user", content="```python\nprint('hello')\n```"))
    assert code_only.default_title() == "print('hello')"
    around = Conversation()
    around.append(Message(role="user", content="Why does\n~~~\nx = 1\n~~~\nfail here?"))
    assert around.default_title() == "Why does fail here?"

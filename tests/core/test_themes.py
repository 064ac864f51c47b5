"""Theme files: every bundled file parses, bad files are reported one by one, contrast of the high-contrast theme."""

from __future__ import annotations

from pathlib import Path

import pytest

from causerie.core.settings import paths
from causerie.core.settings.themes import ThemeError, bundled_theme_files, is_ansi_color, load_themes, parse_theme

REPO_THEMES = Path(__file__).resolve().parents[2] / "themes"
GOOD = 'name = "mine"\nprimary = "#336699"\n'


def test_bundled_themes_are_the_files_of_the_themes_folder() -> None:
    files = dict(bundled_theme_files())
    assert sorted(files) == sorted(p.name for p in REPO_THEMES.glob("*.toml"))
    assert {"causerie-dark.toml", "causerie-light.toml", "causerie-high-contrast.toml", "causerie-ansi.toml"} <= set(
        files
    )


@pytest.mark.parametrize("path", sorted(REPO_THEMES.glob("*.toml")), ids=lambda p: p.name)
def test_every_bundled_file_parses_and_is_named_after_its_file(path: Path) -> None:
    spec = parse_theme(path.read_text(encoding="utf-8"), path.name)
    assert spec.name == path.stem
    assert spec.variables, "bundled themes set causerie's variables explicitly"


def test_bundled_themes_are_distinct() -> None:
    specs, errors = load_themes(None)
    assert errors == []
    palettes = {tuple(sorted(s.fields.items() - {("name", s.name)})) for s in specs}
    assert len(palettes) == len(specs)
    assert {s.fields.get("dark", True) for s in specs} == {True, False}


# -- WCAG 2 contrast ---------------------------------------------------------------------------------------------
def _luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    assert len(value) == 6, f"{hex_colour} must be opaque #rrggbb to compute its contrast"
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two opaque colours, from 1 to 21."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_known_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic "just fails AA" grey
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)


def _theme(name: str):
    return parse_theme((REPO_THEMES / f"{name}.toml").read_text(encoding="utf-8"), name)


def test_high_contrast_theme_passes_wcag_aa_for_body_text() -> None:
    spec = _theme("causerie-high-contrast")
    colours = {**spec.fields, **spec.variables}
    backgrounds = ["background", "surface", "panel", "user-message-background", "assistant-message-background"]
    texts = ["foreground", "text-muted", "message-role-user", "message-role-assistant", "primary", "error"]
    for text in texts:
        for background in backgrounds:
            ratio = contrast(colours[text], colours[background])
            assert ratio >= 4.5, f"{text} on {background}: {ratio:.2f}:1"
    # Textual mutes text by transparency unless told otherwise: the theme keeps body text opaque.
    assert spec.fields.get("text_alpha") == 1.0


@pytest.mark.parametrize("name", ["causerie-dark", "causerie-light"])
def test_other_bundled_themes_have_readable_body_text(name: str) -> None:
    spec = _theme(name)
    colours = {**spec.fields, **spec.variables}
    for background in ["background", "surface", "panel", "user-message-background", "assistant-message-background"]:
        assert contrast(colours["foreground"], colours[background]) >= 4.5, background


def test_ansi_theme_uses_only_the_sixteen_terminal_colours() -> None:
    spec = _theme("causerie-ansi")
    assert spec.fields["ansi"] is True
    values = [v for k, v in spec.fields.items() if isinstance(v, str) and k != "name"]
    values += list(spec.variables.values())
    assert values and all(is_ansi_color(v) for v in values), [v for v in values if not is_ansi_color(v)]


# -- bad files ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('name = "x"\nprimary = "#336699\n', "TOML syntax error"),
        ('name = "x"\nprimary = "#336699"\nprimery = "#000"\n', "unknown key 'primery' (did you mean 'primary'?)"),
        ('name = "x"\nprimary = "#33669"\n', "'primary' is not a colour: '#33669'"),
        ('name = "x"\nprimary = "rgb(1, 2"\n', "'primary' is not a colour"),
        ('name = "x"\nprimary = "#336699"\ndark = "yes"\n', "'dark' must be a boolean"),
        ('name = "Bad Name"\nprimary = "#336699"\n', "'name' must be lower-case"),
        ('name = "x"\n', "'primary' is required"),
        ('name = "x"\nprimary = "#336699"\nvariables = 3\n', "[variables] must be a table"),
        ('name = "x"\nprimary = "#336699"\n[variables]\ncode-background = 3\n', "must be a string"),
        ('name = "x"\nprimary = "#336699"\n[variables]\n"Bad Var" = "#000"\n', "variable 'Bad Var' must be"),
    ],
)
def test_bad_theme_text_names_the_source_and_the_problem(text: str, problem: str) -> None:
    with pytest.raises(ThemeError) as caught:
        parse_theme(text, "/some/where/mine.toml")
    assert str(caught.value).startswith("/some/where/mine.toml: ")
    assert problem in str(caught.value)


def test_user_themes_load_after_the_bundled_ones_and_bad_files_give_one_error_each() -> None:
    user_dir = paths.user_themes_dir()
    user_dir.mkdir(parents=True)
    (user_dir / "mine.toml").write_text(GOOD, encoding="utf-8")
    (user_dir / "broken.toml").write_text("name = \n", encoding="utf-8")
    (user_dir / "typo.toml").write_text(GOOD.replace("mine", "typo") + "backgroud = '#000'\n", encoding="utf-8")
    (user_dir / "latin1.toml").write_bytes(b'name = "caf\xe9"\nprimary = "#000"\n')
    (user_dir / "notes.txt").write_text("not a theme", encoding="utf-8")
    specs, errors = load_themes(user_dir)
    names = [s.name for s in specs]
    assert names[-1] == "mine" and "causerie-dark" in names[:-1]
    assert len(errors) == 3
    bad_files = [str(user_dir / n) for n in ("broken.toml", "latin1.toml", "typo.toml")]
    assert [e.split(": ", 1)[0] for e in errors] == bad_files
    assert "TOML syntax error" in errors[0]
    assert "cannot read" in errors[1]
    assert "unknown key 'backgroud'" in errors[2]


def test_a_theme_nested_too_deep_to_parse_is_one_error_and_the_others_load() -> None:
    user_dir = paths.user_themes_dir()
    user_dir.mkdir(parents=True)
    (user_dir / "mine.toml").write_text(GOOD, encoding="utf-8")
    (user_dir / "deep.toml").write_text('name = "deep"\nprimary = ' + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    specs, errors = load_themes(user_dir)
    assert [s.name for s in specs][-1] == "mine" and "causerie-dark" in [s.name for s in specs]
    assert len(errors) == 1
    assert errors[0].startswith(f"{user_dir / 'deep.toml'}: TOML syntax error")


def test_a_missing_user_theme_folder_is_not_an_error(tmp_path: Path) -> None:
    specs, errors = load_themes(tmp_path / "nope")
    assert errors == [] and specs


def test_the_documented_example_in_the_readme_is_a_valid_theme() -> None:
    readme = (REPO_THEMES.parent / "README.md").read_text(encoding="utf-8")
    marker = "```toml\n# <config>/themes/"
    assert marker in readme
    example = readme.split(marker, 1)[1].split("```", 1)[0]
    spec = parse_theme("# " + example, "README example")
    assert spec.variables


def test_a_name_with_a_trailing_newline_is_refused() -> None:
    parse_theme('name = "plain"\nprimary = "#112233"\n')
    with pytest.raises(ThemeError, match="'name' must be"):
        parse_theme('name = "plain\\n"\nprimary = "#112233"\n')

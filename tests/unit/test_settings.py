"""The [ui] table of the config file: read with a word for bad values, written back
without touching the rest of the file."""

from __future__ import annotations

import tomllib

import pytest

from annotate.labelling.config import ConfigError, read_config
from annotate.labelling.keymap import load_keymap
from annotate.labelling.settings import Settings, load_settings, save_setting


def test_settings_default_without_a_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))  # no annotate/config.toml there
    assert load_settings(read_config(None)) == Settings()


def test_saving_keeps_the_keymap_and_comments_and_reads_back(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('# mine\n[keymap]\n"label.attributed" = "a"\n\n[other]\nx = 1\n')
    save_setting(path, "theme", "nord")
    save_setting(path, "decisions", False)
    save_setting(path, "theme", 'odd "name"')  # replaced in place, quoted as TOML wants
    text = path.read_text()
    assert text.startswith('# mine\n[keymap]\n"label.attributed" = "a"\n\n[other]\nx = 1\n')
    assert tomllib.loads(text)["ui"] == {"theme": 'odd "name"', "decisions": False}
    assert load_settings(read_config(path)) == Settings(theme='odd "name"', decisions=False)
    assert load_keymap(read_config(path)) == {"label.attributed": "a"}


def test_saving_into_an_existing_ui_table_before_the_next_one(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[ui]\ntheme = "nord"\n\n[keymap]\nquit = "Q"\n')
    save_setting(path, "decisions", True)
    assert path.read_text() == '[ui]\ntheme = "nord"\ndecisions = true\n\n[keymap]\nquit = "Q"\n'


def test_saving_creates_the_default_file_and_its_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    written = save_setting(None, "theme", "gruvbox")
    assert written == tmp_path / "cfg" / "annotate" / "config.toml"
    assert load_settings(read_config(None)).theme == "gruvbox"


def test_bad_values_are_left_out_with_a_word(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[ui]\ntheme = 3\ndecisions = "yes"\ncolour = "red"\n')
    settings = load_settings(read_config(path))
    assert (settings.theme, settings.decisions) == (None, True)
    assert settings.problems == (
        f"{path}: 'theme' in [ui] must be a name in quotes; the default is used",
        f"{path}: 'decisions' in [ui] must be true or false; the default is used",
        f"{path}: unknown setting 'colour' in [ui]; left out",
    )
    path.write_text('ui = "dark"\n')
    assert load_settings(read_config(path)).problems == (f"{path}: [ui] is not a table; left out",)
    path.write_text("[ui\n")
    with pytest.raises(ConfigError, match="cannot read the config file"):
        load_settings(read_config(path))
    with pytest.raises(ValueError):
        save_setting(path, "theme", True)

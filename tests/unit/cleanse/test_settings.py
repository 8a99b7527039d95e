"""cleanse.yaml: the packaged file, its CAFELAKE_CONFIG_DIR override, and what it rejects."""

from __future__ import annotations

from dataclasses import fields

import pytest

from cafelake.cleanse.settings import CleanseFile
from cafelake.cleanse.transform import CleanseConfig
from cafelake.errors import ConfigError
from cafelake.settings import Settings


def _settings(folder) -> Settings:
    return Settings.load({"CAFELAKE_CONFIG_DIR": str(folder)})


def test_packaged_file_holds_the_defaults(settings):
    assert settings.cleanse == CleanseConfig()


def test_the_file_model_names_every_setting():
    assert set(CleanseFile.model_fields) == {f.name for f in fields(CleanseConfig)}


def test_config_dir_overrides_the_file(tmp_path):
    (tmp_path / "cleanse.yaml").write_text("keep_jamo: false\nmax_text_chars: 120\n")
    assert _settings(tmp_path).cleanse == CleanseConfig(keep_jamo=False, max_text_chars=120)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("keep_jamos: false\n", "keep_jamos: extra inputs are not permitted"),
        ("keep_jamo: 'no'\n", "keep_jamo: input should be a valid boolean (got 'no')"),
        ("max_text_chars: 0\n", "max_text_chars: input should be greater than 0 (got 0)"),
        ("max_text_chars: true\n", "max_text_chars: input should be a valid integer (got True)"),
        ("max_text_chars: 1e4\n", "max_text_chars: input should be a valid integer (got '1e4')"),
        ("- keep_jamo\n", "(the whole file): input should be a valid dictionary"),
    ],
)
def test_bad_settings_name_the_file_the_key_and_what_was_expected(tmp_path, text, message):
    (tmp_path / "cleanse.yaml").write_text(text)
    with pytest.raises(ConfigError) as err:
        _settings(tmp_path).cleanse
    assert str(err.value).startswith(f"{tmp_path / 'cleanse.yaml'}: {message}")

"""cleanse.yaml: the packaged file, its CAFELAKE_CONFIG_DIR override, and what it rejects."""

from __future__ import annotations

import pytest

from cafelake.cleanse.settings import load_config
from cafelake.cleanse.transform import CleanseConfig


def test_packaged_file_holds_the_defaults(monkeypatch):
    monkeypatch.delenv("CAFELAKE_CONFIG_DIR", raising=False)
    assert load_config() == CleanseConfig()


def test_config_dir_overrides_the_file(tmp_path, monkeypatch):
    (tmp_path / "cleanse.yaml").write_text("keep_jamo: false\nmax_text_chars: 120\n")
    monkeypatch.setenv("CAFELAKE_CONFIG_DIR", str(tmp_path))
    assert load_config() == CleanseConfig(keep_jamo=False, max_text_chars=120)


@pytest.mark.parametrize(("text", "message"), [
    ("keep_jamos: false\n", "unknown settings"),
    ("keep_jamo: 'no'\n", "keep_jamo"),
    ("max_text_chars: 0\n", "max_text_chars"),
    ("max_text_chars: true\n", "max_text_chars"),
    ("max_text_chars: 1e4\n", "max_text_chars"),
])
def test_bad_settings_fail_loudly(tmp_path, monkeypatch, text, message):
    (tmp_path / "cleanse.yaml").write_text(text)
    monkeypatch.setenv("CAFELAKE_CONFIG_DIR", str(tmp_path))
    with pytest.raises(ValueError, match=message):
        load_config()

"""One settings object: the environment read once, each file validated once, every error naming where."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from cafelake.environment import DEFAULT_DUCKDB_MEMORY, Environment, Scraping, Warehouse
from cafelake.errors import ConfigError
from cafelake.lake import Lake
from cafelake.settings import Settings


def test_the_environment_names_the_lake_its_zones_and_its_engine():
    env = Environment.read(
        {
            "CAFELAKE_LAKE": "s3://lake/prefix",
            "CAFELAKE_RAW_URI": "s3://raw-bucket",
            "CAFELAKE_S3_ENDPOINT": "http://127.0.0.1:5000",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "CAFELAKE_DUCKDB_MEMORY": "512MiB",
            "CAFELAKE_CONFIG_DIR": "/etc/cafelake",
        }
    )
    assert env == Environment(
        "s3://lake/prefix",
        {"raw": "s3://raw-bucket"},
        "http://127.0.0.1:5000",
        "eu-west-1",
        "512MiB",
        Path("/etc/cafelake"),
    )
    lake = Lake.from_settings(env)
    assert lake.uri("raw", "k") == "s3://raw-bucket/k" and lake.uri("cleansed") == "s3://lake/prefix/cleansed"


def test_an_empty_environment_gives_the_defaults_and_the_option_wins():
    assert Environment.read({}) == Environment()
    assert Environment.read({}).duckdb_memory == DEFAULT_DUCKDB_MEMORY
    assert Environment.read({"CAFELAKE_LAKE": "/a"}, lake="/b").lake == "/b"
    assert (
        Environment.read({"AWS_REGION": "ap-northeast-2", "AWS_DEFAULT_REGION": "eu-west-1"}).region == "ap-northeast-2"
    )


@pytest.mark.parametrize(
    "environ, message",
    [
        (
            {"CAFELAKE_DUCKDB_MEMORY": "lots"},
            "CAFELAKE_DUCKDB_MEMORY: expected a size such as 1GB or 512MiB, got 'lots'",
        ),
        ({"CAFELAKE_LAKE": "gs://bucket"}, "CAFELAKE_LAKE: expected a folder or an s3:// URI, got 'gs://bucket'"),
        ({"CAFELAKE_TOKENIZED_URI": "https://x"}, "CAFELAKE_TOKENIZED_URI: expected a folder or an s3:// URI"),
        ({"CAFELAKE_ENGINE": "Spark"}, "CAFELAKE_ENGINE: expected one of local, athena, got 'spark'"),
        ({"CAFELAKE_RATE_LIMIT": "fast"}, "CAFELAKE_RATE_LIMIT: expected a number >= 0, got 'fast'"),
        ({"CAFELAKE_LOOKBACK_HOURS": "nan"}, "CAFELAKE_LOOKBACK_HOURS: expected a number >= 0, got 'nan'"),
        ({"CAFELAKE_LOOKBACK_MAX": "1.5"}, "CAFELAKE_LOOKBACK_MAX: expected a whole number >= 0, got '1.5'"),
        ({"CAFELAKE_BUDGET_MARGIN_S": "-1"}, "CAFELAKE_BUDGET_MARGIN_S: expected a number >= 0, got '-1'"),
    ],
)
def test_a_bad_variable_is_named_with_what_was_expected(environ, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        Environment.read(environ)


def test_every_variable_is_read_here_into_a_typed_field():
    env = Environment.read(
        {
            "CAFELAKE_SQL_DIR": "/srv/sql",
            "CAFELAKE_PSEUDONYM_KEY": "k3y",
            "CAFELAKE_RATE_LIMIT": "0.5",
            "CAFELAKE_LOOKBACK_HOURS": "48",
            "CAFELAKE_LOOKBACK_MAX": "20",
            "CAFELAKE_BUDGET_MARGIN_S": "60",
            "CAFELAKE_USER_AGENT": "cafelake/1 (+mailto:ops@example.com)",
            "CAFELAKE_COOKIE_SECRET": "arn:secret",
            "CAFELAKE_ENGINE": "Athena",
            "CAFELAKE_DATABASE": "lakedb",
            "CAFELAKE_WORKGROUP": "analysts",
            "CAFELAKE_STACK": "LakeStaging",
            "CAFELAKE_NAVER_BASE_URL": "http://127.0.0.1:8000",
            "HOME": "/root",
        }
    )
    assert (env.sql_dir, env.pseudonym_key) == (Path("/srv/sql"), "k3y")
    assert env.scraping == Scraping(0.5, 48.0, 20, 60.0, "cafelake/1 (+mailto:ops@example.com)", "arn:secret")
    assert env.warehouse == Warehouse("athena", "lakedb", "analysts", "LakeStaging")
    assert env.variable("CAFELAKE_NAVER_BASE_URL") == "http://127.0.0.1:8000" and env.variable("CAFELAKE_X") is None
    assert "HOME" not in env.variables and "k3y" not in repr(env)  # only ours, and the key never printed
    with pytest.raises(ValueError, match="starts with CAFELAKE_"):
        env.variable("HOME")
    assert Environment.read({}).scraping == Scraping() and Environment.read({}).warehouse == Warehouse()


def test_a_config_dir_that_is_not_a_folder_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"CAFELAKE_CONFIG_DIR: .*missing is not a folder"):
        Settings.load({"CAFELAKE_CONFIG_DIR": str(tmp_path / "missing")}).files


def test_a_yaml_syntax_error_names_the_line_and_column(tmp_path):
    (tmp_path / "keyword_groups.yaml").write_text("groups:\n  - {group_id: 1, group_name: fever\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^{tmp_path}/keyword_groups\.yaml:3:1: invalid YAML: "):
        Settings.load({"CAFELAKE_CONFIG_DIR": str(tmp_path)}).keyword_groups


@pytest.mark.parametrize(
    "groups, message",
    [
        (
            "[{group_id: 1, group_name: a, display_name: A, keywords: []}]",
            r"groups\[0\]\.keywords: tuple should have at least 1 item after validation",
        ),
        (
            "[{group_id: '1', group_name: a, display_name: A, keywords: [열]}]",
            r"groups\[0\]\.group_id: input should be",
        ),
        (
            "[{group_id: 1, group_name: a, display_name: A, keywords: [열], colour: red}]",
            r"groups\[0\]\.colour: extra inputs are not permitted",
        ),
        (
            "[{group_id: 1, group_name: a, display_name: A, keywords: [열]}, "
            "{group_id: 1, group_name: b, display_name: B, keywords: [피]}]",
            r"duplicate group_id \[1\]",
        ),
    ],
)
def test_keyword_groups_are_validated(tmp_path, groups, message):
    (tmp_path / "keyword_groups.yaml").write_text(f"groups: {groups}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"^{tmp_path}/keyword_groups\.yaml: .*{message}"):
        Settings.load({"CAFELAKE_CONFIG_DIR": str(tmp_path)}).keyword_groups


def test_a_bad_user_dictionary_line_is_named(tmp_path):
    (tmp_path / "user_dictionary.tsv").write_text("# comment\n오돌토돌\tNNG\n열나\tVV\tmuch\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"user_dictionary\.tsv: line 3: expected 'word<TAB>tag\[<TAB>score\]'"):
        Settings.load({"CAFELAKE_CONFIG_DIR": str(tmp_path)}).tokenizer


def test_the_override_folder_replaces_only_the_files_it_holds(tmp_path, settings):
    (tmp_path / "cleanse.yaml").write_text("keep_jamo: false\n", encoding="utf-8")
    overridden = Settings.load({"CAFELAKE_CONFIG_DIR": str(tmp_path)})
    assert overridden.cleanse.keep_jamo is False and settings.cleanse.keep_jamo is True
    assert overridden.keyword_groups == settings.keyword_groups
    assert overridden.tokenizer_fingerprint == settings.tokenizer_fingerprint  # cleanse.yaml is not the tokenizer's


def test_each_file_is_read_once_per_settings_object(tmp_path):
    (tmp_path / "cleanse.yaml").write_text("max_text_chars: 10\n", encoding="utf-8")
    s = Settings.load({"CAFELAKE_CONFIG_DIR": str(tmp_path)})
    assert s.cleanse.max_text_chars == 10
    (tmp_path / "cleanse.yaml").write_text("max_text_chars: 20\n", encoding="utf-8")
    assert s.cleanse.max_text_chars == 10  # loaded once: the stages of one run agree
    assert Settings.load({"CAFELAKE_CONFIG_DIR": str(tmp_path)}).cleanse.max_text_chars == 20  # nothing to reset


def test_reading_the_environment_needs_no_pydantic():
    """The scraper Lambda reads the lake's location through Settings without pydantic-core (compiled, no fallback)."""
    code = (
        "import sys; from cafelake.settings import Settings; from cafelake.lake import Lake; "
        "Lake.from_settings(Settings.load({'CAFELAKE_LAKE': '/tmp/x'}).env); "
        "import cafelake.runs, cafelake.pipeline, cafelake.errors, cafelake.collect, cafelake.collect.lease; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_core', 'pyarrow')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

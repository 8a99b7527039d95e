"""`cafelake stopwords suggest` on a tokenized lake."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cafelake.cli import COMMANDS, _register, app
from cafelake.lake import Lake
from cafelake.tokenize import run_tokenize

_register("stopwords", COMMANDS["stopwords"])


def test_suggest_lists_common_nouns_with_verdicts(tmp_path, make_posts, sample_rows, kiwi_analyzer):
    root = tmp_path / "lake"
    lake = Lake(str(root))
    lake.write_table("posts", make_posts(sample_rows))
    run_tokenize(lake)
    runner = CliRunner()
    suggest = ["stopwords", "suggest", "--lake", str(root), "--all", "--min-share", "0.1"]
    result = runner.invoke(app, [*suggest, "--format", "json", "--min-group-posts", "1"])
    assert result.exit_code == 0, result.output
    words = {w["token"]: w for w in json.loads(result.stdout)}
    assert words["열"]["verdict"] == "keyword" and words["열"]["posts"] >= 3
    assert all(w["share"] >= 0.1 and w["pos"] in ("NNG", "NNP") for w in words.values())
    tsv = runner.invoke(app, [*suggest, "--format", "tsv"])
    assert tsv.exit_code == 0 and tsv.stdout.splitlines()[0].startswith("token\tpos\tposts\tshare\tevenness")


def test_suggest_needs_a_tokenized_lake(tmp_path):
    result = CliRunner().invoke(app, ["stopwords", "suggest", "--lake", str(tmp_path / "empty")])
    assert result.exit_code != 0 and "cafelake tokenize" in result.output

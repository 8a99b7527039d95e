"""`cafelake generate`: byte-identical JSON Lines that match the corpus."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from datetime import date

from typer.testing import CliRunner

from cafelake.cli import _register, app
from cafelake.sources.naver_cafe.corpus import Corpus


def run(*args: str):
    _register("generate", "generate")
    return CliRunner().invoke(app, ["generate", *args])


def test_generate_writes_the_corpus_deterministically(tmp_path):
    args = ["--posts", "400", "--seed", "9", "--days", "30", "--end-date", "2026-06-30"]
    a, b = tmp_path / "a.jsonl.gz", tmp_path / "b.jsonl.gz"
    assert run(*args, "--out", str(a)).exit_code == 0
    assert run(*args, "--out", str(b), "--truth").exit_code == 0
    plain = tmp_path / "c.jsonl"
    assert run(*args, "--out", str(plain)).exit_code == 0
    assert gzip.decompress(a.read_bytes()) == plain.read_bytes()
    assert run(*args, "--out", str(b)).exit_code == 0 and a.read_bytes() == b.read_bytes()

    corpus = Corpus(posts=400, seed=9, days=30, end_date=date(2026, 6, 30))
    lines = [json.loads(x) for x in plain.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 400
    for line, art in zip(lines, corpus.iter_articles(), strict=True):
        assert line == {
            "article_id": art.article_id,
            "list_item": art.list_item,
            "responses": [list(r) for r in art.responses],
            "broken": art.broken,
        }


def test_generate_with_truth_and_a_bad_date(tmp_path):
    out = tmp_path / "t.jsonl"
    assert run("--posts", "50", "--days", "5", "--truth", "--out", str(out)).exit_code == 0
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert first["truth"]["posted_at"].endswith("+00:00") and first["truth"]["topic"]
    result = run("--posts", "5", "--end-date", "31.10.2026", "--out", str(out))
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output


def test_output_does_not_depend_on_the_process_hash_seed(tmp_path):
    outs = []
    for hash_seed in ("1", "4242"):
        out = tmp_path / f"h{hash_seed}.jsonl"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from cafelake.cli import main; main()",
                "generate",
                "--posts",
                "300",
                "--days",
                "20",
                "--truth",
                "--out",
                str(out),
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] and outs[0].count(b"\n") == 300

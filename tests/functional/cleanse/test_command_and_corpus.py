"""`cafelake cleanse` on a lake, and the cleanse of a seeded sample corpus checked against its truth."""

from __future__ import annotations

from collections import Counter

import pytest
from typer.testing import CliRunner

from cafelake.cleanse import run_cleanse
from cafelake.cli import _register, app
from cafelake.collect.seed import seed_raw
from cafelake.sources.naver_cafe.corpus import Corpus


def _cli(*args: str):
    _register("cleanse", "Cleanse.")
    return CliRunner().invoke(app, ["cleanse", *args])


def test_command_cleanses_and_prints_a_summary(lake, make_envelope, write_raw):
    write_raw(lake, [make_envelope(i) for i in range(1, 6)] + ["{oops"])
    result = _cli("--lake", lake.root)
    assert result.exit_code == 0, result.output
    assert "records_in" in result.output and "bad_json" in result.output
    assert "keep_jamo=True, max_text_chars=50000" in result.output
    assert lake.read_table("posts").num_rows == 5
    again = _cli("--lake", lake.root, "--ingest-dt", "2026-11-20")
    assert again.exit_code == 0 and lake.read_table("posts").num_rows == 5


def test_command_applies_cleanse_yaml_from_the_config_dir(lake, make_envelope, write_raw, tmp_path, monkeypatch):
    (tmp_path / "cleanse.yaml").write_text("max_text_chars: 12\n")
    monkeypatch.setenv("CAFELAKE_CONFIG_DIR", str(tmp_path))
    write_raw(
        lake,
        [
            make_envelope(1, subject="열", html="<p>짧아요</p>"),
            make_envelope(2, subject="열", html="<p>이 글은 열두 글자보다 길어요</p>"),
        ],
    )
    result = _cli("--lake", lake.root)
    assert result.exit_code == 0, result.output
    assert "max_text_chars=12" in result.output and "quarantine:" not in result.output
    posts = lake.read_table("posts").sort_by("article_id")
    assert posts.column("text_truncated").to_pylist() == [False, True]  # the long post is kept, cut at 12
    assert posts.column("question_text").to_pylist() == ["열\n짧아요", "열\n이 글은 열두 글자"]


def test_command_rejects_full_with_ingest_dates(lake):
    result = _cli("--lake", lake.root, "--full", "--ingest-dt", "2026-11-20")
    assert result.exit_code != 0 and "--full" in result.output


@pytest.mark.slow
def test_sample_corpus_is_cleansed_as_its_truth_says(lake):
    corpus = Corpus(posts=2_000, seed=11)
    seed_raw(lake, corpus, run_id="seed", fetched_at=corpus.as_of, batch=700)
    summary = run_cleanse(lake)
    assert summary.records_in == len(corpus) and summary.reconciles()
    posts = {r["article_id"]: r for r in lake.read_table("posts").to_pylist()}
    reasons = {r["post_id"]: r["reason"] for r in lake.read_table("_quarantine").to_pylist()}
    outcomes, keys_by_author = Counter(), {}
    for art in corpus.iter_articles():
        pid = f"naver_cafe:{corpus.club_id}:{art.article_id}"
        if art.status in ("deleted", "blind", "private"):
            assert reasons[pid] == f"source_{art.status}"
            continue
        if art.broken == "oversized_content":  # kept, cut at max_text_chars
            row = posts[art.article_id]
            assert row["text_truncated"] and len(row["question_text"]) <= 50_000
            outcomes[art.broken] += 1
            continue
        if art.broken in ("truncated_json", "bad_date", "empty_content", "wrong_types"):
            assert pid in reasons and art.article_id not in posts, art.broken
            outcomes[reasons[pid]] += 1
            continue
        row = posts[art.article_id]  # clean, odd-but-valid dates, and fields the list item can supply
        assert row["post_date"] == art.truth["kst_date"] and str(row["post_date"]) == row["dt"]
        if art.broken in ("odd_date_short", "odd_date_yesterday"):  # the source showed only the day
            assert (row["time_known"], row["posted_at"], row["post_hour"]) == (False, None, None)
            assert row["raw_date"] == art.list_item["writeDate"]
            outcomes[art.broken] += 1
        else:
            assert row["time_known"] and row["post_hour"] == art.truth["kst_hour"]
        if art.broken is None:
            assert row["posted_at"] == art.truth["posted_at"]
        keys_by_author.setdefault(art.truth["author"], set()).add(row["author_key"])
    assert all(len(keys) == 1 for keys in keys_by_author.values())  # one pseudonym per author
    assert len({k for keys in keys_by_author.values() for k in keys}) == len(keys_by_author)
    assert {"odd_date_short", "odd_date_yesterday"} <= set(outcomes)  # both kinds were seen, and kept
    assert set(outcomes) <= {
        "article_malformed",
        "unparseable_date",
        "empty_text",
        "oversized_content",
        "wrong_type",
        "odd_date_short",
        "odd_date_yesterday",
    }

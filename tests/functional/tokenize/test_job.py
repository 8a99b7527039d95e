"""run_tokenize end to end on a tmp lake: integrity, groups, re-runs, incremental = full."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from cafelake.errors import LakeError
from cafelake.lake import Lake
from cafelake.settings import Settings
from cafelake.tokenize import run_tokenize
from cafelake.tokenize.job import MANIFEST_KEY

MART = {
    "posts_dim": ["post_id"],
    "tokens_fact": ["post_id", "token_position"],
    "token_daily_counts": ["dt", "token", "token_pos", "is_stopword"],
    "post_keyword_groups": ["post_id", "group_id"],
    "token_tfidf": ["scope", "ranking", "rank"],
    "keyword_groups_dim": ["group_id"],
    "keywords_dictionary": ["keyword", "group_id"],
}


def _snapshot(lake: Lake) -> dict[str, list[tuple]]:
    out = {}
    for name, keys in MART.items():
        tbl = lake.read_table(name).sort_by([(k, "ascending") for k in keys])
        out[name] = [tuple(r.values()) for r in tbl.to_pylist()]
    return out


@pytest.fixture
def lake(tmp_path, make_posts, sample_rows, kiwi_analyzer):
    lake = Lake(str(tmp_path / "lake"))
    lake.write_table("posts", make_posts(sample_rows))
    return lake


def test_mart_is_consistent(lake, sample_rows):
    summary = run_tokenize(lake)
    dim = lake.read_table("posts_dim")
    tokens = lake.read_table("tokens_fact")
    pkg = lake.read_table("post_keyword_groups")
    post_ids = set(dim.column("post_id").to_pylist())

    assert summary.posts_in == summary.posts_tokenized == dim.num_rows == len(sample_rows)
    assert summary.tokens == tokens.num_rows and summary.group_matches == pkg.num_rows
    assert set(tokens.column("post_id").to_pylist()) <= post_ids
    assert set(pkg.column("post_id").to_pylist()) <= post_ids
    assert set(pkg.column("group_id").to_pylist()) <= set(
        lake.read_table("keyword_groups_dim").column("group_id").to_pylist()
    )
    # token_count is the post's tokens_fact rows; positions run 0..n-1
    counts = {r["post_id"]: r["token_count"] for r in dim.to_pylist()}
    per_post = {}
    for r in tokens.to_pylist():
        per_post.setdefault(r["post_id"], []).append(r["token_position"])
        assert r["dt"] == dim.filter(pc.equal(dim.column("post_id"), r["post_id"])).column("dt")[0].as_py()
    assert {p: len(v) for p, v in per_post.items()} == {p: c for p, c in counts.items() if c}
    assert all(sorted(v) == list(range(len(v))) for v in per_post.values())
    assert counts["naver_cafe:10050146:115"] == counts["naver_cafe:10050146:116"] == 0  # empty and null texts
    # post_year/post_month follow post_date
    for r in dim.to_pylist():
        assert (r["post_year"], r["post_month"]) == (r["post_date"].year, r["post_date"].month)
    # token_daily_counts is tokens_fact summed per day, token and stopword flag
    occurrences, posts = {}, {}
    for r in tokens.to_pylist():
        key = (r["dt"], r["token"], r["token_pos"], r["is_stopword"])
        occurrences[key] = occurrences.get(key, 0) + 1
        posts.setdefault(key, set()).add(r["post_id"])
    counted = {
        (r["dt"], r["token"], r["token_pos"], r["is_stopword"]): (r["occurrences"], r["posts"])
        for r in lake.read_table("token_daily_counts").to_pylist()
    }
    assert counted == {k: (n, len(posts[k])) for k, n in occurrences.items()}


def test_groups_follow_tokens_not_substrings(lake):
    run_tokenize(lake)
    names = {r["group_id"]: r["group_name"] for r in lake.read_table("keyword_groups_dim").to_pylist()}
    groups = {}
    for r in lake.read_table("post_keyword_groups").to_pylist():
        groups.setdefault(r["post_id"].rsplit(":", 1)[1], {})[names[r["group_id"]]] = r["matched_keywords"]
    assert "blood" not in groups["101"] and "fever" not in groups["101"]  # 피부, 열심히, 태열
    assert groups["101"]["skin"] == ["오돌토돌", "피부"] and groups["101"]["seborrheic"] == ["태열"]
    assert "vomit" not in groups["102"]  # 토요일
    assert groups["104"]["vomit"] == ["게우다", "토"]  # 토했어요, 게워내는
    assert groups["105"]["blood"] == ["피", "혈변"] and groups["105"]["stool"] == ["변"]
    assert groups["117"]["fever"] == ["고열"]
    assert "118" not in groups  # 피곤, 열심히, 토요일마다
    assert groups["119"] == {"fever": ["열", "체온"], "diarrhea": ["설사"]}  # 열 38도 (not 열 살), 설사 했어요
    assert groups["120"] == {"hospital": ["소아과", "진료"], "runny_nose": ["코막힘"]}  # 토/일, 코가 막혀서
    assert groups["121"] == {"fever": ["체온"]}  # 39도 찍었어요; 방이 건조해서


def test_no_function_words_among_top_tokens(lake):
    run_tokenize(lake)
    top = lake.read_table("token_tfidf").to_pylist()
    assert top
    assert not {r["token"] for r in top} & {"요", "것", "거", "수"}
    stop = {(r["token"], r["token_pos"]) for r in lake.read_table("tokens_fact").to_pylist() if r["is_stopword"]}
    assert stop and not stop & {(r["token"], r["token_pos"]) for r in top}


def _files(lake: Lake) -> set[str]:
    root = Path(lake.zone_roots["tokenized"])
    return {str(p.relative_to(root)) for p in root.rglob("*.parquet")}


def test_rerun_changes_nothing_and_duplicates_nothing(lake):
    first_run = run_tokenize(lake)
    first, files = _snapshot(lake), _files(lake)
    again = run_tokenize(lake)
    assert again.partitions_changed == again.posts_tokenized == 0
    assert _snapshot(lake) == first
    assert _files(lake) == files  # not even rewritten (the cloud rehearsal's second run found the tables were)
    assert again.tfidf_rows == first_run.tfidf_rows
    forced = run_tokenize(lake, full=True)
    assert forced.posts_tokenized == forced.posts_in > 0
    assert _snapshot(lake) == first


def test_incremental_equals_full_rebuild(lake, tmp_path, make_posts, sample_rows):
    run_tokenize(lake)
    edited = [(a, "열이 펄펄 끓어요 해열제 먹여도 안 내려요" if a == 102 else t, d) for a, t, d in sample_rows]
    edited = [r for r in edited if r[2] != "2024-03-05"]  # a day vanishes
    edited.append((201, "기침 콧물 때문에 소아과 다녀왔어요", "2024-05-01"))  # a new day
    lake.drop_partitions("posts", ["2024-03-05"])
    changed = make_posts(edited)
    touched = pa.array(["2024-03-01", "2024-05-01"])
    lake.write_table("posts", changed.filter(pc.is_in(changed.column("dt"), value_set=touched)))
    inc = run_tokenize(lake)
    assert inc.partitions_changed == 2 and inc.partitions_dropped == 1
    assert inc.posts_tokenized == 2  # the edit and the new post
    assert inc.posts_reused == 2  # 101 and 103 kept their tokens

    rebuilt = Lake(str(tmp_path / "rebuilt"))
    shutil.copytree(lake.uri("cleansed"), rebuilt.uri("cleansed"))
    run_tokenize(rebuilt, full=True)
    assert _snapshot(lake) == _snapshot(rebuilt)
    assert "2024-03-05" not in lake.partitions("tokens_fact")


def test_a_mart_without_daily_token_counts_gets_them_without_kiwi(lake):
    run_tokenize(lake)
    first = _snapshot(lake)
    lake.drop_partitions("token_daily_counts", lake.partitions("token_daily_counts")[1:])
    healed = run_tokenize(lake)
    assert healed.partitions_changed == len(lake.partitions("tokens_fact")) - 1
    assert healed.posts_tokenized == 0 and healed.posts_reused == healed.posts_in > 0
    assert _snapshot(lake) == first


def test_config_change_forces_full_rebuild(lake, tmp_path, settings):
    run_tokenize(lake, settings)
    override = tmp_path / "cfg"
    override.mkdir()
    (override / "stopwords_domain.txt").write_text(settings.files.text("stopwords_domain.txt") + "피부\n")
    summary = run_tokenize(lake, Settings.load({"CAFELAKE_CONFIG_DIR": str(override)}))
    flagged = {r["token"] for r in lake.read_table("tokens_fact").to_pylist() if r["is_stopword"]}
    assert summary.full and summary.posts_tokenized == summary.posts_in
    assert "피부" in flagged
    assert lake.exists("tokenized", MANIFEST_KEY)


def test_a_rule_change_rebuilds_and_the_tokens_follow_it(lake, tmp_path, settings):
    """Taking the temperature rule out of tokenizer.yaml re-tokenizes every post: 39도 no longer means fever."""
    run_tokenize(lake, settings)
    fever = {r["post_id"] for r in lake.read_table("post_keyword_groups").to_pylist() if r["group_id"] == 4}
    override = tmp_path / "cfg"
    override.mkdir()
    text = settings.files.text("tokenizer.yaml")
    start = text.index("  temperature_reading:")
    end = text.index("  # Adjacent kept tokens")
    (override / "tokenizer.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    summary = run_tokenize(lake, Settings.load({"CAFELAKE_CONFIG_DIR": str(override)}))
    after = {r["post_id"] for r in lake.read_table("post_keyword_groups").to_pylist() if r["group_id"] == 4}
    tokens = {
        r["token"] for r in lake.read_table("tokens_fact").to_pylist() if r["post_id"] == "naver_cafe:10050146:121"
    }
    assert summary.full and summary.posts_tokenized == summary.posts_in
    assert fever - after == {"naver_cafe:10050146:121"} and "체온" not in tokens


def test_duplicate_post_ids_are_refused(tmp_path, make_posts, kiwi_analyzer):
    lake = Lake(str(tmp_path / "dup"))
    posts = make_posts([(1, "열이 나요", "2024-01-01")])
    lake.write_table("posts", pa.concat_tables([posts, posts]))
    with pytest.raises(LakeError, match="duplicate post_id"):
        run_tokenize(lake)

"""`cafelake explain` on real phrasing: text and JSON output, and the gold-set mode."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from cafelake.commands.explain import explain

GOLD = Path(__file__).parents[2] / "data" / "gold_keyword_groups.tsv"


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(explain)
    return app


def test_text_output_names_morphemes_tokens_rules_and_groups(kiwi_analyzer):
    result = CliRunner().invoke(_app(), ["열 38도 넘어요 설사 했어요"])
    assert result.exit_code == 0, result.output
    for part in ("Kiwi's morphemes", "NR", "fever_not_numeral", "diarrhea_not_adverb", "fever", "diarrhea", "체온"):
        assert part in result.output, part


def test_json_output(kiwi_analyzer):
    result = CliRunner().invoke(_app(), ["토/일 진료하는 피부과 있나요", "--format", "json"])
    assert result.exit_code == 0, result.output
    e = json.loads(result.output)
    assert {g["group_name"]: g["keywords"] for g in e["groups"]} == {"hospital": ["진료", "피부과"], "skin": ["피부과"]}
    assert [(t["token"], t["rule"]) for t in e["tokens"]][:2] == [("토요일", "weekday"), ("일요일", "weekday")]
    assert {"form", "tag", "start", "length", "score"} <= set(e["morphemes"][0])


def test_a_text_in_no_group_says_so(kiwi_analyzer):
    result = CliRunner().invoke(_app(), ["열심히 먹여요"])
    assert result.exit_code == 0 and "keyword groups: none" in result.output


def test_gold_mode_scores_the_groups(kiwi_analyzer, tmp_path):
    ok = CliRunner().invoke(_app(), ["--gold", str(GOLD)])
    assert ok.exit_code == 0, ok.output
    assert "fever" in ok.output and "0 with a miss" in ok.output
    wrong = tmp_path / "gold.tsv"
    wrong.write_text("text\tgroups\tnot\tmay\twhole\n열흘째 기침해요\tfever,cough\n", encoding="utf-8")
    bad = CliRunner().invoke(_app(), ["--gold", str(wrong), "--format", "json"])
    assert bad.exit_code == 1
    scores = json.loads(bad.stdout)
    assert scores["fever"]["recall"] == 0.0 and scores["cough"]["recall"] == 1.0


def test_text_or_gold_but_not_both(kiwi_analyzer):
    assert CliRunner().invoke(_app(), []).exit_code != 0
    assert CliRunner().invoke(_app(), ["열", "--gold", str(GOLD)]).exit_code != 0

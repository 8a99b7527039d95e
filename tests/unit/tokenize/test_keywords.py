"""Keyword groups come from tokens: the old substring traps must not match."""

from __future__ import annotations

import pytest

from cafelake.config import KeywordGroup
from cafelake.errors import ConfigError
from cafelake.settings import Settings
from cafelake.tokenize.keywords import KeywordMatcher, keywords_dictionary
from cafelake.tokenize.stopwords import StopwordFlags

GID = {g.group_name: g.group_id for g in Settings.load({}).keyword_groups}


@pytest.fixture(scope="module")
def matcher():
    return KeywordMatcher(Settings.load({}).keyword_groups)


@pytest.fixture
def groups_of(tokens_of, matcher):
    def run(text: str) -> dict[str, list[str]]:
        names = {g.group_id: g.group_name for g in matcher.groups}
        return {names[gid]: kws for gid, kws in matcher.match(t for t, _, _ in tokens_of(text)).items()}

    return run


@pytest.mark.parametrize(
    "text, wrong_group",
    [
        ("아기 피부가 건조해요", "blood"),  # 피부 is not 피
        ("토요일에 외출했어요", "vomit"),  # 토요일 is not 토
        ("열심히 로션 발라줘요", "fever"),  # 열심히 is not 열
        ("태열이 올라왔어요", "fever"),  # 태열 is one word (user dictionary)
        ("혈변인가 걱정돼요", "stool"),  # 혈변 is one word, not 혈+변
        ("변화가 생겼어요", "stool"),  # 변화 is not 변
        ("피곤해서 잠을 못 자요", "blood"),  # 피곤 is not 피
    ],
)
def test_substring_traps_do_not_match(groups_of, text, wrong_group):
    assert wrong_group not in groups_of(text)


@pytest.mark.parametrize(
    "text, group, keyword",
    [
        ("분유 먹고 토했어요", "vomit", "토"),
        ("토를 많이 했어요", "vomit", "토"),
        ("열이 나요", "fever", "열"),
        ("열나서 해열제 먹였어요", "fever", "열"),
        ("변이 묽어요", "stool", "변"),
        ("피가 섞여 나왔어요", "blood", "피"),
        ("코피가 자주 나요", "blood", "코피"),
        ("혈변을 봤어요", "blood", "혈변"),
        ("분유를 게워요", "vomit", "게우다"),
        ("태열이 올라왔어요", "seborrheic", "태열"),
        ("모세기관지염 진단", "pneumonia", "모세기관지염"),
        ("알러지가 있어요", "allergy", "알러지"),
        ("알레르기 검사", "allergy", "알레르기"),
        ("물똥을 싸요", "diarrhea", "물똥"),
    ],
)
def test_groups_come_from_tokens(groups_of, text, group, keyword):
    assert keyword in groups_of(text).get(group, []), groups_of(text)


def test_matched_keywords_are_sorted_and_distinct():
    m = KeywordMatcher(
        [KeywordGroup(1, "g", "G", "", ("열", "고열", "해열제")), KeywordGroup(2, "h", "H", "", ("열",))]
    )
    assert m.match(["해열제", "열", "아기", "열", "고열"]) == {1: ["고열", "열", "해열제"], 2: ["열"]}
    assert m.match(["열심히", "토요일"]) == {}


def test_synonym_sources_may_not_be_keywords(settings, tmp_path):
    assert settings.tokenizer  # the shipped files agree
    (tmp_path / "synonyms.yaml").write_text("synonyms:\n  알러지: 알레르기\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"synonyms.yaml: synonyms: rewrites group keywords \['알러지'\]"):
        Settings.load({"CAFELAKE_CONFIG_DIR": str(tmp_path)}).tokenizer


def test_keywords_dictionary_flags_keywords_that_are_stopwords():
    groups = [KeywordGroup(1, "g", "G", "", ("아기", "열", "게우다")), KeywordGroup(2, "h", "H", "", ("하다",))]
    rows = {
        (r["keyword"], r["group_id"]): r["is_stopword"]
        for r in keywords_dictionary(groups, StopwordFlags(Settings.load({}).tokenizer).flag_any).to_pylist()
    }
    assert rows == {("아기", 1): True, ("열", 1): False, ("게우다", 1): False, ("하다", 2): True}

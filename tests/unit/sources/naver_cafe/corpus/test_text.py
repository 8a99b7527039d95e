"""Korean phrasing: traps, domain words, noise, and the keyword ground truth."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from cafelake.settings import Settings
from cafelake.sources.naver_cafe.corpus.text import has_final_consonant, parse_phrase

# Words that contain a one-letter keyword without meaning it (the keyword matcher's traps).
TRAP_WORDS = (
    "토요일",
    "세토펜",
    "토끼",
    "토마토",
    "토닥토닥",
    "열심히",
    "열어",
    "열흘",
    "열꽃",
    "열 살",
    "열 번",
    "열 개",
    "열두",
    "열받",
    "변경",
    "변화",
    "변했",
    "답변",
    "주변",
    "소변",
    "변기",
    "배변",
    "피곤",
    "피하고",
    "방이 건조",
    "설사 별일",
    "가래떡",
    "폐렴구균",
    "두피",  # the scalp, a body part (corpus_topics.yaml `parts`)
)


def written_keywords() -> dict[str, list[str]]:
    """Each group's keywords as the corpus writes them ([[게워요|게우다]] writes 게워요, [[물설사|설사]] 물설사)."""
    raw = Settings.load({}).files.path("corpus_topics.yaml").read_text(encoding="utf-8")
    written: dict[str, set[str]] = {}
    for form, keywords in re.findall(r"\[\[([^|\]]+)\|([^\]]+)\]\]", raw):
        for kw in keywords.split(","):
            written.setdefault(kw, set()).add(form)
    return {
        g.group_name: [f for k in g.keywords for f in written.get(k, {k}) | {k}]
        for g in Settings.load({}).keyword_groups
    }


def _patterns(keywords: dict[str, list[str]]) -> dict[str, re.Pattern]:
    """Each group's written forms as one regex; a form with a {slot} matches any filling."""
    return {
        g: re.compile("|".join(re.sub(r"\\\{\w+\\\}", r"\\S+", re.escape(k)) for k in ks)) for g, ks in keywords.items()
    }


def all_text(a) -> str:
    return a.truth["title"] + " " + " ".join(a.truth["sentences"])


def test_truth_groups_are_carried_by_their_keywords(articles):
    keywords = written_keywords()
    with_groups = 0
    patterns = _patterns(keywords)
    for a in articles:
        text = all_text(a)
        for group in a.truth["groups"]:
            assert patterns[group].search(text), (a.article_id, group, text)
        with_groups += bool(a.truth["groups"])
    assert with_groups > 0.6 * len(articles)


def test_every_keyword_in_the_phrasing_is_marked():
    """Outside [[...]] a keyword may only appear inside a known trap word (else truth would miss it)."""
    raw = Settings.load({}).files.path("corpus_topics.yaml").read_text(encoding="utf-8")
    text = "\n".join(line.split("#")[0] for line in raw.splitlines())
    unmarked = re.sub(r"\[\[[^\]]+\]\]", " ", text)
    for trap in TRAP_WORDS:
        unmarked = unmarked.replace(trap, " ")
    found = [k for g in Settings.load({}).keyword_groups for k in g.keywords if k in unmarked]
    assert not found


def test_trap_and_domain_words_appear(articles):
    text = "\n".join(all_text(a) for a in articles)
    for word in (
        "피부",
        "토요일",
        "열심히",
        "변화",
        "변경",
        "오돌토돌",
        "태열",
        "땀띠",
        "돌발진",
        "수족구",
        "모세기관지염",
        "세기관지염",
        "애기",
        "이유식",
        "분유",
        "예방접종",
        "BCG",
        "RSV",
        "어린이집",
        "장난감",
        "생후",
        "개월",
        "돌",
        "감기",
    ):
        assert word in text, word
    for noise in ("ㅠㅠ", "ㅜㅜ", "ㅋㅋ", "😭", "🙏", "💦"):
        assert noise in text, noise


def test_trap_words_do_not_make_truth(articles):
    """Once 피부/토요일/열심히/변화-like words are blanked out, a group with no keyword left is not truth."""
    keywords = written_keywords()
    traps = {
        "blood": "피부|피곤|피하고",
        "vomit": "토요일|토리|토끼|토마토|토닥토닥",
        "fever": "열심히|열어|열흘|열꽃|열 살|열 번|열 개|열두|열받|목욕물은 38도|방은 23도",
        "stool": "변화|변경|변했|소변|주변|답변|변기|배변",
        "skin": "방이 건조",
        "phlegm": "가래떡",
        "pneumonia": "폐렴구균",
        "diarrhea": "설사 별일",
    }
    checked = 0
    patterns = _patterns(keywords)
    for a in articles:
        text = all_text(a)
        for group, trap in traps.items():
            if re.search(trap, text) and not patterns[group].search(re.sub(trap, " ", text)):
                assert group not in a.truth["groups"], (group, text)
                checked += 1
    assert checked > 100


# The board's forms, by the gold set's categories (tests/data/gold_keyword_groups.tsv): the sample corpus
# must exercise each one, the keyword and its look-alikes alike, so `make demo` meets them.
BOARD_FORMS = {
    "fever: a number after 열": r"열 ?\d+(\.\d)?도 넘",
    "fever: 38.5도": r"38\.5도",
    "fever: 38도5부": r"38도5부",
    "fever: 열나요": r"열나요",
    "fever: 열이나요": r"열이나요",
    "fever: 열 나요": r"열 나요",
    "fever: 열감": r"열감",
    "fever: 고열": r"고열",
    "fever: 미열": r"미열",
    "fever: a bare reading": r"재보니 \d+(\.\d)?도까지 찍었어요",
    "fever: 체온계": r"체온계",
    "not fever: 태열": r"태열",
    "not fever: 열흘": r"열흘",
    "not fever: 열꽃": r"열꽃",
    "not fever: 열심히": r"열심히",
    "not fever: 열 살": r"열 살",
    "not fever: 열 번": r"열 번",
    "not fever: 열 개": r"열 개",
    "not fever: 열받다": r"열받",
    "not fever: bath water": r"목욕물은 \d+도",
    "diarrhoea: 설사 했어요": r"^설사 했",
    "diarrhoea: 설사해요": r"설사해요",
    "diarrhoea: 물설사": r"물설사",
    "diarrhoea: 설사 하네요": r"설사 하네요",
    "not diarrhoea: 설사 the adverb": r"설사 별일",
    "vomit: 토했어요": r"토했어요",
    "vomit: 토 했는데": r"토 했는데",
    "not vomit: 토요일": r"토요일",
    "not vomit: 토마토": r"토마토",
    "skin: 피부": r"피부가",
    "skin and hospital: 피부과": r"피부과",
    "blood: 피": r"피가",
    "not skin: dry air": r"방이 건조",
    "stool: 변": r"(^| )변[이을에 ]",
    "stool: 변비": r"변비",
    "stool: 녹변": r"녹변",
    "not stool: 주변": r"주변",
    "not stool: 소변": r"소변",
    "not stool: 답변": r"답변",
    "not stool: 변기": r"변기",
    "hand_foot: 수족구": r"수족구",
    "pneumonia: 모세기관지염": r"모세기관지염",
    "not pneumonia: 폐렴구균": r"폐렴구균",
    "rash: 돌발진": r"돌발진",
    "otitis: 중이염": r"중이염",
    "enteritis: 장염": r"장염",
    "not phlegm: 가래떡": r"가래떡",
    "cough: 잔기침": r"잔기침",
    "symptom: 증세": r"증세",
    "not hospital: 약국": r"약국",
    "flu and 감기": r"감기",
    "a noun-run title": r"장염 설사 구토",
    "spacing slip": r"병원가봐야할까요|열이안떨어져요|소아과다녀왔는데",
    "구어체": r"어케|넘 걱정|급질문",
    "emoji": r"[😭🙏💦🥲😢]",
    "ㅠㅠ": r"ㅠㅠ",
}


def test_the_corpus_exercises_every_form_of_the_board(articles):
    texts = [t for a in articles for t in (a.truth["title"], *a.truth["sentences"])]
    absent = [name for name, form in BOARD_FORMS.items() if not any(re.search(form, t) for t in texts)]
    assert not absent


def test_the_corpus_does_not_copy_the_gold_set(articles):
    """The gold set is the truth the tokenizer is measured on: the generator writes its forms, not its sentences."""
    gold = Path(__file__).resolve().parents[4] / "data" / "gold_keyword_groups.tsv"
    assert gold.exists(), gold

    def norm(text: str) -> str:  # spacing, punctuation and ㅠㅠ/emoji tails do not make a sentence new
        return re.sub(r"[\s.,?!~^ㅠㅜㅋㅎ]|[\U0001F300-\U0001FAFF]", "", text)

    gold_sentences = {
        norm(ln.split("\t", 1)[0])
        for ln in gold.read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    }
    written = {norm(t) for a in articles for t in (a.truth["title"], *a.truth["sentences"])}
    assert not sorted(gold_sentences & written)


def test_html_carries_the_noise_of_the_wild(articles):
    html = "\n".join(a.responses[-1][1] for a in articles if a.status == "ok" and a.broken is None)
    for mark in (
        "se-text-paragraph",
        "<p>&nbsp;</p>",
        "<br>",
        "&nbsp;",
        "<img ",
        "<script",
        "<a href=",
        "\u200b",
        "&gt;",
        "&amp;",
        'style=\\"color',
    ):
        assert mark in html, mark


def test_particles_agree_with_the_final_consonant():
    assert has_final_consonant("아들") and has_final_consonant("딸") and has_final_consonant("12개월")
    assert not has_final_consonant("아기") and not has_final_consonant("신생아") and not has_final_consonant("첫째")
    assert has_final_consonant("3") and not has_final_consonant("2")


def test_marked_words_must_be_keywords():
    groups = {"열": {"fever"}, "피부": {"skin"}, "병원": {"hospital"}, "피부과": {"skin", "hospital"}}
    assert parse_phrase("[[열]]이 나요 {temp}", groups).groups == {"fever"}
    assert parse_phrase("[[열]]이 나요", groups).text == "열이 나요"
    assert parse_phrase("어제부터 [[열이나요|열]]", groups).text == "어제부터 열이나요"
    written_for_two = parse_phrase("[[피부과|피부,병원]] 가봤어요", groups)
    assert (written_for_two.text, written_for_two.groups) == ("피부과 가봤어요", {"skin", "hospital"})
    assert parse_phrase("[[피부과]] 가봤어요", groups).groups == {"skin", "hospital"}  # a keyword of two groups
    with pytest.raises(ValueError, match="입원"):
        parse_phrase("[[입원]] 했어요", groups)


def test_the_documented_planted_shares_are_the_generators(articles):
    """docs/sample-corpus.md's share of posts per group is the default corpus's ground truth, to 0.1 %."""
    doc = (Path(__file__).resolve().parents[5] / "docs" / "sample-corpus.md").read_text(encoding="utf-8")
    text = " ".join(doc.split("*Planted shares*", 1)[1].split("carry at least one group", 1)[0].split())
    documented = {g: float(v) for g, v in re.findall(r"([a-z_]+) (\d+\.\d)", text)}
    planted = Counter(g for a in articles for g in a.truth["groups"])
    assert documented == {g: round(100 * k / len(articles), 1) for g, k in planted.items()}


def test_a_corpus_is_phrased_from_the_settings_it_is_given(tmp_path):
    """No phrasing is cached in a module: a corpus built from other settings reads their files."""
    from cafelake.sources.naver_cafe.corpus import Corpus

    topics = Path(Settings.load({}).files.path("corpus_topics.yaml")).read_text(encoding="utf-8")
    (tmp_path / "corpus_topics.yaml").write_text(
        topics.replace("openers:\n", 'openers:\n  - "[[없는말]] 있어요."\n', 1), encoding="utf-8"
    )
    assert len(Corpus(posts=3, days=1)) == 3
    with pytest.raises(ValueError, match=r"\['없는말'\] marked as keywords but in no keyword group"):
        Corpus(posts=3, days=1, settings=Settings.load({"CAFELAKE_CONFIG_DIR": str(tmp_path)}))
    assert len(Corpus(posts=3, days=1, settings=Settings.load({}))) == 3

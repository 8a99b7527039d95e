"""Real Korean text through Kiwi with the project's dictionary, lemmas, synonyms and stopwords."""

from __future__ import annotations

import pytest

USER_WORDS = ["오돌토돌", "태열", "땀띠", "돌발진", "수족구", "모세기관지염", "세기관지염", "물똥", "코막힘", "혈변"]


@pytest.mark.parametrize("word", USER_WORDS)
def test_user_dictionary_words_come_out_whole(tokens_of, word):
    sentence = f"우리 아이가 {word} 같아서 걱정이에요"
    forms = [t for t, _, _ in tokens_of(sentence)]
    assert word in forms, forms


def test_every_user_dictionary_word_is_whole_in_a_sentence(kiwi_analyzer):
    for word, tag, _ in kiwi_analyzer.cfg.user_words:
        sentence = f"{word}서 놀랐어요" if tag.startswith("V") else f"{word}이 있어요"  # 피나서; 장염이
        assert (word, tag) in [(m.form, m.tag) for m in kiwi_analyzer.kiwi.tokenize(sentence)], word


def test_verbs_and_adjectives_become_lemmas_with_suffixless_tags(tokens_of):
    toks = tokens_of("다리가 가려워서 긁었더니 부었어요")
    assert ("가렵다", "VA") in [(t, p) for t, p, _ in toks]  # Kiwi tags it VA-I
    assert ("붓다", "VV") in [(t, p) for t, p, _ in toks]  # Kiwi tags it VV-I
    assert all("-" not in p for _, p, _ in toks)


def test_function_words_and_endings_are_not_kept(tokens_of, settings):
    toks = tokens_of("그게 될 수 있는 건지 모르겠어요 요즘 것들은 다 그래요")
    assert not {t for t, _, _ in toks} & {"요", "것", "거", "수", "는", "어요"}
    assert {p for _, p, _ in toks} <= set(settings.tokenizer.kept_pos) | set(settings.tokenizer.lemma_pos)


def test_latin_terms_are_kept(tokens_of):
    assert ("RSV", "SL") in [(t, p) for t, p, _ in tokens_of("RSV 검사랑 BCG 접종")]


def test_synonyms_normalise_tokens(tokens_of):
    assert ("아기", "NNG") in [(t, p) for t, p, _ in tokens_of("애기가 울어요")]
    assert ("토", "NNG") in [(t, p) for t, p, _ in tokens_of("분유 먹고 토했어요")]  # 토하다 -> 토


def test_stopwords_are_flagged_not_dropped(tokens_of):
    toks = {(t, p): s for t, p, s in tokens_of("아기가 병원에 가서 진료를 했어요")}
    assert toks[("아기", "NNG")] is True  # the board's domain list
    assert toks[("가다", "VV")] is True  # generic list / kiwipiepy's (가, VV)
    assert toks[("병원", "NNG")] is False
    assert toks[("진료", "NNG")] is False


def test_null_and_empty_texts_give_no_tokens(kiwi_analyzer):
    assert list(kiwi_analyzer.tokenize([None, "", "열이 나요"]))[:2] == [[], []]


def test_batch_equals_one_by_one(kiwi_analyzer):
    texts = ["열이 나요", "피부가 건조해요", None, "기침을 해요 콧물도 나요"]
    assert list(kiwi_analyzer.tokenize(texts)) == [next(kiwi_analyzer.tokenize([t])) for t in texts]

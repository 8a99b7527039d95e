"""The generated board recovers the documented distributions (docs/sample-corpus.md)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import timedelta

from cafelake.sources.naver_cafe.corpus import BROKEN_KINDS, ODD_DATE_KINDS
from cafelake.sources.naver_cafe.corpus import calendar as cal
from cafelake.sources.naver_cafe.corpus.authors import posts_per_author_pmf
from cafelake.sources.naver_cafe.corpus.model import BROKEN_SHARES, EDIT_SHARE, ODD_DATE_SHARES, STATUS_SHARES
from cafelake.sources.naver_cafe.corpus.text import phrasing


def close(observed: int, n: int, p: float, sds: float = 4.5) -> bool:
    """Binomial tolerance: |observed/n - p| within `sds` standard deviations."""
    return abs(observed / n - p) <= sds * math.sqrt(p * (1 - p) / n) + 0.5 / n


def test_hours_follow_the_kst_weights_with_an_evening_peak(corpus, articles):
    expected = [0.0] * 24
    for d, count in enumerate(corpus.counts):
        day = corpus.start_date + timedelta(days=d)
        w = cal.WEEKEND_HOURS if day.weekday() >= 5 else cal.WEEKDAY_HOURS
        for h in range(24):
            expected[h] += count * w[h] / sum(w)
    hours = Counter(a.truth["kst_hour"] for a in articles)
    n = len(articles)
    for h in range(24):
        assert close(hours[h], n, expected[h] / n), (h, hours[h], expected[h])
    top2 = {h for h, _ in hours.most_common(2)}
    assert top2 == {21, 22}
    assert max(hours[3], hours[4], hours[5]) < min(hours[h] for h in range(7, 24))


def test_kst_hour_matches_the_utc_timestamp(articles):
    for a in articles[::97]:
        local = a.truth["posted_at"].astimezone(cal.KST)
        assert (local.hour, local.date()) == (a.truth["kst_hour"], a.truth["kst_date"])


def test_weekday_volumes_follow_the_factors(corpus):
    expected, observed = defaultdict(float), defaultdict(int)
    weights = []
    for d, count in enumerate(corpus.counts):
        day = corpus.start_date + timedelta(days=d)
        w = cal.WEEKDAY_FACTORS[day.weekday()] * cal.season_factor(day, cal.VOLUME_AMPLITUDE, cal.VOLUME_PEAK)
        weights.append((day.weekday(), w))
        observed[day.weekday()] += count
    total = sum(w for _, w in weights)
    for wd, w in weights:
        expected[wd] += len(corpus) * w / total
    for wd in range(7):
        assert abs(observed[wd] / expected[wd] - 1) < 0.04, (wd, observed[wd], expected[wd])
    assert observed[6] > observed[5] and observed[0] > observed[4]


def test_topics_shift_with_the_seasons(corpus, articles, settings):
    ph = phrasing(settings.keyword_groups, settings.files)
    winter, summer = Counter(), Counter()
    expected_winter, expected_summer = Counter(), Counter()
    for a in articles:
        month = a.truth["kst_date"].month
        season, expected = (
            (winter, expected_winter)
            if month in (12, 1, 2)
            else (summer, expected_summer)
            if month in (6, 7, 8)
            else (None, None)
        )
        if season is None:
            continue
        season[a.truth["topic"]] += 1
        names, cum = corpus.topic_cum_weights(a.truth["kst_date"])  # the planted outbreak included
        for name, lo, hi in zip(names, (0.0, *cum[:-1]), cum, strict=True):
            expected[name] += (hi - lo) / cum[-1]
    nw, ns = sum(winter.values()), sum(summer.values())
    for name in ph.topics:
        assert close(winter[name], nw, expected_winter[name] / nw), name
        assert close(summer[name], ns, expected_summer[name] / ns), name
    colds = ("fever", "cough", "flu", "pneumonia", "runny_nose")
    heat = ("heat_rash", "hand_foot")
    assert sum(winter[t] for t in colds) / nw > 1.5 * sum(summer[t] for t in colds) / ns
    assert sum(summer[t] for t in heat) / ns > 5 * sum(winter[t] for t in heat) / nw


def test_authors_are_heavy_tailed(articles):
    posts = Counter(a.truth["author"] for a in articles)
    per_author = Counter(posts.values())
    n = len(posts)
    pmf = posts_per_author_pmf()
    assert close(per_author[1], n, pmf[0])
    assert close(per_author[2] + per_author[3], n, pmf[1] + pmf[2])
    repeaters = n - per_author[1]
    assert (per_author[2] + per_author[3]) / repeaters > 0.6  # most repeat posters: 2-3 posts
    assert max(posts.values()) >= 20  # a few heavy posters


def test_an_author_keeps_one_member_key_and_nickname(articles):
    seen: dict[int, tuple[str, str]] = {}
    keys: dict[str, int] = {}
    for a in articles:
        ident = (a.list_item["memberKey"], a.list_item["writerNickname"])
        assert seen.setdefault(a.truth["author"], ident) == ident
        assert keys.setdefault(ident[0], a.truth["author"]) == a.truth["author"]
        assert ident[1] and not ident[1].isascii()


def test_status_and_defect_shares(articles):
    n = len(articles)
    statuses = Counter(a.status for a in articles)
    for status, share in STATUS_SHARES.items():
        assert close(statuses[status], n, share), status
    n_ok = statuses["ok"]
    defects = Counter(a.broken for a in articles)
    assert set(BROKEN_KINDS) | set(ODD_DATE_KINDS) <= set(defects)  # every kind appears at 20k posts
    for kind, share in {**BROKEN_SHARES, **ODD_DATE_SHARES}.items():
        assert close(defects[kind], n_ok, share), kind
    broken = sum(defects[k] for k in BROKEN_KINDS) / n
    assert 0.005 < broken < 0.015
    assert all(a.status == "ok" for a in articles if a.broken)
    clean_ok = [a for a in articles if a.status == "ok" and a.broken is None]
    edited = sum(a.truth["revisions"] == 2 for a in clean_ok)
    assert close(edited, len(clean_ok), EDIT_SHARE)


def test_the_planted_outbreak_triples_its_topic_for_three_summer_weeks(corpus, articles):
    """The seed puts the hand_foot wave on a summer Monday with ten weeks of board before it; in its weeks the
    topic's share is about three times what its season alone gives (docs/sample-corpus.md#planted-outbreak)."""
    wave = corpus.outbreak
    assert wave is not None and wave.topic == "hand_foot" and wave.factor == 3.0
    assert wave.start.weekday() == 0 and wave.start.month in (6, 7, 8) and (wave.end - wave.start).days == 21
    assert wave.start >= corpus.start_date + timedelta(weeks=10)
    inside = [a for a in articles if wave.start <= a.truth["kst_date"] < wave.end]
    observed = sum(a.truth["topic"] == "hand_foot" for a in inside)
    seasonal = expected = 0.0
    for a in inside:
        names, cum = corpus.topic_cum_weights(a.truth["kst_date"])
        expected += (
            dict(zip(names, (h - lo for lo, h in zip((0.0, *cum[:-1]), cum, strict=True)), strict=True))["hand_foot"]
            / cum[-1]
        )
        base = corpus._phrasing.topic_cum_weights(a.truth["kst_date"])[1]
        names0 = corpus._phrasing.topic_cum_weights(a.truth["kst_date"])[0]
        i = names0.index("hand_foot")
        seasonal += (base[i] - (base[i - 1] if i else 0.0)) / base[-1]
    assert close(observed, len(inside), expected / len(inside))
    assert 2.3 < observed / seasonal < 3.2
    before = [a for a in articles if wave.start - timedelta(weeks=3) <= a.truth["kst_date"] < wave.start]
    assert sum(a.truth["topic"] == "hand_foot" for a in before) * 2 < observed

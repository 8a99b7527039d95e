"""The sample board: a deterministic year of questions, random access or streamed.

Layout: per-day counts (a few hundred ints) and one int32 author slot per post are
computed up front; everything else is rebuilt on demand from (seed, day) and
(seed, article id). article(id) costs O(posts of its day); iter_articles() holds one day.
"""

from __future__ import annotations

import json
import math
import random
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import accumulate
from typing import overload

from cafelake.settings import Settings
from cafelake.sources.naver_cafe.corpus import render
from cafelake.sources.naver_cafe.corpus.authors import author_identity, author_slots
from cafelake.sources.naver_cafe.corpus.calendar import (
    FIRST_ARTICLE_ID,
    KST,
    Day,
    article_seed,
    build_day,
    daily_counts,
    id_span,
)
from cafelake.sources.naver_cafe.corpus.model import (
    BROKEN_SHARES,
    EDIT_SHARE,
    ODD_DATE_SHARES,
    RECENT_ODD_DATE_SHARE,
    STATUS_SHARES,
    CorpusArticle,
)
from cafelake.sources.naver_cafe.corpus.outbreak import Outbreak
from cafelake.sources.naver_cafe.corpus.text import compose, edit, phrasing, pick_topic

DEFAULT_END_DATE = date(2026, 10, 31)
_BLIND_HTML = "<p>이 게시글은 카페 운영 원칙에 따라 블라인드 처리되었습니다.</p>"
_STATUS_CUM = tuple(zip(STATUS_SHARES, accumulate(STATUS_SHARES.values()), strict=True))
_DEFECT_CUM = tuple(
    zip(
        (*BROKEN_SHARES, *ODD_DATE_SHARES),
        accumulate((*BROKEN_SHARES.values(), *ODD_DATE_SHARES.values())),
        strict=True,
    )
)


class Corpus:
    """`posts` questions on one board over `days` days ending at `end_date` (KST).

    Phrased from the settings' corpus_topics.yaml and keyword groups (`settings`, by default this
    process's: a CAFELAKE_CONFIG_DIR override applies). The outbreak is the one corpus_topics.yaml
    places by the seed (`self.outbreak`, None if it fits nowhere), or `outbreak` if given.
    """

    def __init__(
        self,
        posts: int = 20_000,
        seed: int = 42,
        end_date: date = DEFAULT_END_DATE,
        days: int = 365,
        club_id: str = "10050146",
        menu_id: str = "386",
        settings: Settings | None = None,
        outbreak: Outbreak | None = None,
    ) -> None:
        if posts < 0 or days < 1:
            raise ValueError("posts must be >= 0 and days >= 1")
        self.posts, self.seed, self.end_date, self.days = posts, seed, end_date, days
        self.club_id, self.menu_id = str(club_id), str(menu_id)
        self.start_date = end_date - timedelta(days=days - 1)
        # "now" for the board: the end of end_date in KST; relative dates count back from it.
        self.as_of = datetime(end_date.year, end_date.month, end_date.day, tzinfo=KST) + timedelta(days=1)
        self._as_of_ms = int(self.as_of.timestamp()) * 1000
        self.counts = daily_counts(posts, self.start_date, days, seed)
        self._first_index = [0, *accumulate(self.counts)][:-1]
        self._first_id = [FIRST_ARTICLE_ID + s for s in [0, *accumulate(id_span(c) for c in self.counts)][:-1]]
        self._authors = author_slots(posts, seed)
        settings = settings or Settings.load()
        self._phrasing = phrasing(settings.keyword_groups, settings.files)
        self.day = lru_cache(maxsize=64)(self._build_day)
        plan = self._phrasing.outbreak
        self.outbreak = outbreak or (plan.place(seed, self.start_date, end_date) if plan else None)
        self._topics = lru_cache(maxsize=64)(self.topic_cum_weights)
        self.article_ids = ArticleIds(self)

    def __len__(self) -> int:
        return self.posts

    def __repr__(self) -> str:
        return (
            f"Corpus(posts={self.posts}, seed={self.seed}, end_date={self.end_date}, days={self.days}, "
            f"club_id={self.club_id!r}, menu_id={self.menu_id!r})"
        )

    def topic_cum_weights(self, day: date) -> tuple[tuple[str, ...], tuple[float, ...]]:
        """The topics' cumulative weights on `day`: their seasons, and the planted outbreak while it lasts."""
        return self._phrasing.topic_cum_weights(day, self.outbreak.boost(day) if self.outbreak else None)

    def _build_day(self, index: int) -> Day:
        return build_day(
            self.seed,
            index,
            self.start_date + timedelta(days=index),
            self.counts[index],
            self._first_index[index],
            self._first_id[index],
        )

    def locate(self, article_id: int) -> tuple[Day, int]:
        """(day, index within the day) of an article id; KeyError if the board has no such id."""
        d = bisect_right(self._first_id, article_id) - 1
        if d >= 0:
            day = self.day(d)
            i = bisect_right(day.ids, article_id) - 1
            if i >= 0 and day.ids[i] == article_id:
                return day, i
        raise KeyError(article_id)

    def id_at(self, position: int) -> int:
        """The id of the position-th oldest article (0-based; negative counts from the newest)."""
        if position < 0:
            position += self.posts
        if not 0 <= position < self.posts:
            raise IndexError(position)
        day = self.day(bisect_right(self._first_index, position) - 1)
        return day.ids[position - day.first_index]

    def newest_ids(self, offset: int, limit: int) -> list[int]:
        """Ids newest first, skipping `offset`: one list-API page."""
        stop = max(0, self.posts - offset)
        return [self.id_at(p) for p in range(stop - 1, max(stop - limit, 0) - 1, -1)]

    def article(self, article_id: int) -> CorpusArticle:
        day, i = self.locate(article_id)
        return self._article(day, i)

    def iter_articles(self, newest_first: bool = False) -> Iterator[CorpusArticle]:
        """Stream every article, a day at a time (oldest first unless newest_first)."""
        order = range(self.days - 1, -1, -1) if newest_first else range(self.days)
        for d in order:
            day = self._build_day(d)
            for i in range(len(day.ids) - 1, -1, -1) if newest_first else range(len(day.ids)):
                yield self._article(day, i)

    def _article(self, day: Day, i: int) -> CorpusArticle:
        article_id = day.ids[i]
        rng = random.Random(article_seed(self.seed, article_id))
        posted_ms = day.midnight_ms + day.offsets_ms[i]
        author = int(self._authors[day.first_index + i])
        member_key, nick = author_identity(self.seed, author)
        names, cum = self._topics(day.date)
        post = compose(rng, self._phrasing, pick_topic(rng, self._phrasing, names, cum))

        status, defect = self._status_and_defect(rng, posted_ms)
        revisions = [post]
        if status == "ok" and defect is None and rng.random() < EDIT_SHARE:
            revisions.append(edit(rng, self._phrasing, post))

        level = 1 + min(int(rng.expovariate(0.6)), 8)
        read = int(math.exp(rng.gauss(4.0, 0.8)))
        comments = int(rng.expovariate(1 / 3))
        likes = int(rng.expovariate(1.5))
        is_open, is_blind = status != "private", status == "blind"
        html, image = render.content_html(rng, post.paragraphs, article_id)
        item = render.list_item(
            article_id=article_id,
            menu_id=self.menu_id,
            subject=post.subject,
            nick=nick,
            member_key=member_key,
            level=level,
            posted_ms=posted_ms,
            read=read,
            comments=comments,
            likes=likes,
            is_new=self._as_of_ms - posted_ms < 86_400_000,
            image=image,
            is_open=is_open,
            is_blind=is_blind,
        )
        responses: list[tuple[int, str]] = []
        if status == "member_only":
            responses.append(
                (401, render.error_body(self.club_id, article_id, "0004", "카페 멤버만 볼 수 있는 게시글입니다."))
            )
        elif status == "deleted":
            responses.append(
                (404, render.error_body(self.club_id, article_id, "0002", "삭제되었거나 존재하지 않는 게시글입니다."))
            )
        else:
            for k, rev in enumerate(revisions):
                if k:
                    html, _ = render.content_html(rng, rev.paragraphs, article_id)
                    read += rng.randint(10, 300)
                    comments += rng.randint(1, 6)
                text = render.article_text(
                    club_id=self.club_id,
                    menu_id=self.menu_id,
                    article_id=article_id,
                    subject=rev.subject,
                    nick=nick,
                    member_key=member_key,
                    level=level,
                    posted_ms=posted_ms,
                    read=read,
                    comments=comments,
                    likes=likes,
                    html=_BLIND_HTML if is_blind else html if is_open else "",
                    is_open=is_open,
                    is_blind=is_blind,
                )
                if defect is not None:
                    text = self._defective(text, item, defect, posted_ms, rng)
                responses.append((200, text))
        posted_at = datetime.fromtimestamp(posted_ms / 1000, UTC)
        final = revisions[-1]
        truth = {
            "posted_at": posted_at,
            "posted_ms": posted_ms,
            "kst_date": day.date,
            "kst_hour": day.offsets_ms[i] // 3_600_000,
            "author": author,
            "member_key": member_key,
            "nickname": nick,
            "topic": post.topic,
            "topics": post.topics,
            "groups": sorted(final.groups),
            "age_months": post.age_months,
            "age_written": final.age_written,
            "body_part": final.body_part,
            "status": status,
            "broken": defect,
            "revisions": len(revisions),
            "title": final.subject,
            "sentences": [s for p in final.paragraphs for s in p],
            "has_image": image,
        }
        return CorpusArticle(article_id, item, responses, defect, truth)

    def _status_and_defect(self, rng: random.Random, posted_ms: int) -> tuple[str, str | None]:
        """The article's status, and for an "ok" one its defect kind, if any (model.py shares)."""
        u = rng.random()
        status = next((name for name, edge in _STATUS_CUM if u < edge), "ok")
        if status != "ok":
            return status, None
        u = rng.random()
        defect = next((name for name, edge in _DEFECT_CUM if u < edge), None)
        age_ms = self._as_of_ms - posted_ms
        if defect is None and age_ms <= 2 * 86_400_000 and rng.random() < RECENT_ODD_DATE_SHARE:
            defect = (
                "odd_date_yesterday"
                if age_ms > 86_400_000
                else rng.choice(("odd_date_time", "odd_date_ampm", "odd_date_ago"))
            )
        return status, defect

    def _defective(self, text: str, item: dict, defect: str, posted_ms: int, rng: random.Random) -> str:
        """Apply the article's defect to its body text (and list item)."""
        body = json.loads(text)
        article = body["result"]["article"]
        if defect.startswith("odd_date") or defect == "bad_date":
            text = "2024.13.45." if defect == "bad_date" else render.date_text(defect, posted_ms, self._as_of_ms)
            article["writeDate"] = text
            item.pop("writeDateTimestamp", None)
            item["writeDate"] = text
        elif defect == "missing_subject":
            del article["subject"]
        elif defect == "missing_writer":
            del article["writer"]
        elif defect == "missing_article_id":
            del article["id"], body["result"]["articleId"]
        elif defect == "empty_content":
            article["subject"] = article["contentHtml"] = item["subject"] = ""
        elif defect == "oversized_content":
            article["contentHtml"] = render.oversized(article["contentHtml"], rng)
        elif defect == "wrong_types":
            article["readCount"] = item["readCount"] = "많음"
        text = render.dumps(body)
        if defect == "truncated_json":
            text = text[: int(len(text) * rng.uniform(0.3, 0.9))]
        return text


class ArticleIds(Sequence[int]):
    """The board's article ids, ascending, computed on demand (never materialised)."""

    def __init__(self, corpus: Corpus) -> None:
        self._corpus = corpus

    def __len__(self) -> int:
        return self._corpus.posts

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> list[int]: ...
    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            return [self._corpus.id_at(p) for p in range(*index.indices(len(self)))]
        return self._corpus.id_at(index)

    def __contains__(self, article_id: object) -> bool:
        try:
            self._corpus.locate(article_id)  # type: ignore[arg-type]
        except (KeyError, TypeError):
            return False
        return True

    def __iter__(self) -> Iterator[int]:
        for d in range(self._corpus.days):
            yield from self._corpus.day(d).ids

    def __reversed__(self) -> Iterator[int]:
        for d in range(self._corpus.days - 1, -1, -1):
            yield from reversed(self._corpus.day(d).ids)

    def index(self, article_id: int, start: int = 0, stop: int | None = None) -> int:
        day, i = self._corpus.locate(article_id)
        return day.first_index + i

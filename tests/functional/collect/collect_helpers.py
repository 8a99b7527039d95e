"""Helpers of the collection tests: a tiny corpus with the Corpus interface, raw readers.

The corpus is small and explicit, so each test knows which articles are edited,
member-only, deleted, blind or malformed (the real generator has its own test here).
A module of its own rather than conftest.py: `from conftest import ...` could pick up
another test folder's conftest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

KINDS = {3: "member_only", 5: "deleted", 7: "blind", 11: "malformed", 13: "private", 4: "edited"}


@dataclass
class TinyArticle:
    article_id: int
    list_item: dict
    responses: list[tuple[int, str]]
    broken: str | None = None
    truth: dict = field(default_factory=dict)


class TinyCorpus:
    """`n` articles, ids ascending with gaps, one every 30 minutes up to `end`."""

    def __init__(
        self,
        n: int = 60,
        club_id: str = "10050146",
        menu_id: str = "386",
        end: datetime = datetime(2026, 11, 1, tzinfo=UTC),
    ) -> None:
        self.club_id, self.menu_id = club_id, menu_id
        self.article_ids = [1000 + 3 * i + (i % 2) for i in range(n)]
        self._end = end
        self._pos = {aid: i for i, aid in enumerate(self.article_ids)}

    def __len__(self) -> int:
        return len(self.article_ids)

    def kind(self, aid: int) -> str | None:
        i = self._pos[aid]
        return next((k for d, k in KINDS.items() if i % d == d - 1), None)

    def article(self, aid: int) -> TinyArticle:
        i = self._pos[aid]
        posted = self._end - timedelta(minutes=30 * (len(self) - 1 - i))
        ms = int(posted.timestamp() * 1000)
        item = {
            "articleId": aid,
            "subject": f"질문 {i}",
            "writerNickname": f"엄마{i % 7}",
            "memberKey": f"mk{i % 7}",
            "writeDateTimestamp": ms,
            "readCount": i * 3,
            "commentCount": i % 4,
            "menuId": int(self.menu_id),
        }

        def body(rev: int, **flags) -> str:
            return json.dumps(
                {
                    "result": {
                        "article": {
                            "id": aid,
                            "subject": item["subject"],
                            "writer": {"memberKey": item["memberKey"], "nick": item["writerNickname"]},
                            "writeDate": ms,
                            "readCount": item["readCount"],
                            "commentCount": item["commentCount"],
                            "contentHtml": f"<p>아기가 열이 나요 {i} rev{rev}</p>",
                            "isReadable": True,
                            "isOpen": True,
                            "isBlind": False,
                            "menu": {"id": int(self.menu_id)},
                        }
                        | flags
                    }
                },
                ensure_ascii=False,
            )

        kind = self.kind(aid)
        responses = {
            "member_only": [(401, '{"errorCode":"0004","message":"member only"}')],
            "deleted": [(404, '{"errorCode":"0002","message":"deleted"}')],
            "blind": [(200, body(0, isBlind=True))],
            "private": [(200, body(0, isOpen=False))],
            "malformed": [(200, body(0)[:40])],
            "edited": [(200, body(0)), (200, body(1))],
        }.get(kind, [(200, body(0))])
        return TinyArticle(
            aid,
            item,
            responses,
            kind if kind in ("malformed",) else None,
            {"status": kind or "ok", "posted_at": posted},
        )

    def iter_articles(self):
        for aid in self.article_ids:
            yield self.article(aid)


def raw_envelopes(lake) -> list[dict]:
    """Every envelope in the raw zone's visible objects, in key order."""
    from cafelake.collect.writer import decode

    return [env for key in lake.list_keys("raw") for env in decode(lake.get_bytes("raw", key))]


def latest_by_id(lake) -> dict[int, dict]:
    """De-duplicated by article id, keeping the latest fetch (what cleanse keeps)."""
    latest: dict[int, dict] = {}
    for env in sorted(raw_envelopes(lake), key=lambda e: (e["fetched_at"], e["run_id"], e["seq"])):
        latest[env["article_id"]] = env
    return latest

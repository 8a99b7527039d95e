"""The corpus's record type and the shares of statuses, edits and deliberate defects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Article statuses as the body API shows them (the rest are "ok"), drawn per article.
STATUS_SHARES = {"member_only": 0.030, "deleted": 0.015, "blind": 0.005, "private": 0.010}
EDIT_SHARE = 0.03  # of clean "ok" articles: a second revision (edited title/body, higher counts)

# Odd but valid date forms: a cleanser should parse them (relative forms against Corpus.as_of).
ODD_DATE_SHARES = {"odd_date_dotted": 0.003, "odd_date_short": 0.002}  # of "ok" articles, any day
# On the last two days before as_of a share of posts shows Naver's relative forms instead.
RECENT_ODD_DATE_SHARE = 0.4
RECENT_ODD_DATE_KINDS = ("odd_date_time", "odd_date_ampm", "odd_date_ago", "odd_date_yesterday")
ODD_DATE_KINDS = (*ODD_DATE_SHARES, *RECENT_ODD_DATE_KINDS)

# Truly broken records (of "ok" articles): a cleanser should quarantine them with a reason.
BROKEN_SHARES = {
    "truncated_json": 0.0015,  # article response is cut off mid-document
    "missing_subject": 0.0010,  # article.subject absent
    "missing_writer": 0.0010,  # article.writer absent
    "missing_article_id": 0.0010,  # article.id and result.articleId absent
    "bad_date": 0.0010,  # writeDate "2024.13.45." (list item and body)
    "empty_content": 0.0010,  # subject and contentHtml both ""
    "oversized_content": 0.0005,  # contentHtml over 100,000 characters
    "wrong_types": 0.0010,  # readCount "많음" (list item and body)
}
BROKEN_KINDS = tuple(BROKEN_SHARES)
OVERSIZED_CHARS = 100_000


@dataclass(frozen=True, slots=True)
class CorpusArticle:
    """One article as the Naver APIs would serve it, plus the truth behind it.

    responses: (HTTP status, exact body text) of the article API, one per revision: the
    k-th fetch sees revision k, later fetches the last one. broken: a kind from
    ODD_DATE_KINDS (parseable) or BROKEN_KINDS (to quarantine), else None.
    """

    article_id: int
    list_item: dict[str, Any]
    responses: list[tuple[int, str]]
    broken: str | None
    truth: dict[str, Any]

    @property
    def status(self) -> str:
        return self.truth["status"]

"""A Naver envelope (list item + article-API body) to a candidate post, and where its identities sit.

Fields come from the article body when the status is `ok`, field by field, and from the list item
where the body lacks one (a body without `subject` or `writer` still has them in the list item, so
the question is kept). `member_only` is still a real question (the board hides the body from
non-members), so it is read from the list item: title, date, author and counts, with no content.
Dates are left as Naver gave them (epoch ms or the text a page showed) for the cleanse to parse.
"""

from __future__ import annotations

from typing import Any

from cafelake.sources.base import ACCOUNT, NICKNAME, Candidate, Head, Reject, count, date_text, first, get, ident, text

# JSON keys holding an identity anywhere in a record, and `writer`, the body's object holding memberKey
# and nick (a bare value there is taken as a nickname).
IDENTITY_KEYS = {"memberKey": ACCOUNT, "writerNickname": NICKNAME, "nick": NICKNAME}
IDENTITY_CONTAINERS = {"writer": NICKNAME}
URL = "https://cafe.naver.com/ca-fe/cafes/{club_id}/articles/{article_id}"


def candidate(env: dict[str, Any], head: Head) -> Candidate:
    post_id, status = head.post_id, head.status
    item = env.get("list_item")
    if item is not None and not isinstance(item, dict):
        raise Reject("wrong_type", f"list_item is {type(item).__name__}", post_id)
    body = None
    if status == "ok":
        body = get(env.get("article"), "result", "article")
        if not isinstance(body, dict):
            raise Reject("article_malformed", "status ok but no result.article object", post_id)
    elif item is None:
        raise Reject("missing_payload", f"status {status} and no list item", post_id)
    item = item or {}
    body = body or {}
    for name, value in (("list_item.articleId", item.get("articleId")), ("article.id", body.get("id"))):
        if value is not None and str(value) != str(head.article_id):
            raise Reject("id_mismatch", f"{name} {str(value)[:40]!r} != article_id {head.article_id}", post_id)
    writer = body.get("writer") or {}
    if not isinstance(writer, dict):
        raise Reject("wrong_type", f"article.writer is {type(writer).__name__}", post_id)
    dates = [
        d
        for d in (
            date_text(body.get("writeDate"), "article.writeDate", post_id),
            date_text(item.get("writeDateTimestamp"), "writeDateTimestamp", post_id),
            date_text(item.get("writeDate"), "list_item.writeDate", post_id),
        )
        if d is not None
    ]
    return Candidate(
        menu_id=first(
            head.menu_id,
            ident(item.get("menuId"), "menuId", required=False),
            ident(get(body, "menu", "id"), "menu.id", required=False),
        ),
        fetched_at=head.received_at,
        url=URL.format(club_id=head.club_id, article_id=head.article_id),
        title=first(
            text(body.get("subject"), "article.subject", post_id), text(item.get("subject"), "subject", post_id)
        ),
        content=text(body.get("contentHtml"), "article.contentHtml", post_id) if status == "ok" else None,
        is_html=True,
        raw_date=dates[0] if dates else None,
        raw_date_alt=next((d for d in dates[1:] if d != dates[0]), None),
        author_id=first(
            ident(writer.get("memberKey"), "writer.memberKey", False), ident(item.get("memberKey"), "memberKey", False)
        ),
        author_name=first(
            ident(writer.get("nick"), "writer.nick", False), ident(item.get("writerNickname"), "writerNickname", False)
        ),
        read_count=first(
            count(body.get("readCount"), "readCount", post_id), count(item.get("readCount"), "readCount", post_id)
        ),
        comment_count=first(
            count(body.get("commentCount"), "commentCount", post_id),
            count(item.get("commentCount"), "commentCount", post_id),
        ),
    )

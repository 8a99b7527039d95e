"""The Naver Cafe source: the registry's `naver_cafe`, a `ListingSource` over Naver's list and article APIs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cafelake.sources.base import Board, Body, Candidate, Head, Http, ListPage
from cafelake.sources.naver_cafe import api, mapping, session


class NaverCafe:
    name = "naver_cafe"
    default_base_url = api.DEFAULT_BASE_URL
    base_url_env = "CAFELAKE_NAVER_BASE_URL"
    session_help = (
        'Naver member session cookies as JSON {"NID_AUT": ..., "NID_SES": ...}; \'{}\' scrapes '
        "without a session (member-only posts are recorded as such)"
    )
    identity_keys = mapping.IDENTITY_KEYS
    identity_containers = mapping.IDENTITY_CONTAINERS

    def __repr__(self) -> str:
        return "NaverCafe()"

    def list_page(self, http: Http, board: Board, page: int, per_page: int) -> ListPage:
        return api.list_page(http, board, page, per_page)

    def item_id(self, item: Any) -> int | None:
        return api.item_id(item)

    def item_posted_ms(self, item: Any) -> int | None:
        return api.item_posted_ms(item)

    def fetch(self, http: Http, board: Board, article_id: int) -> Body:
        return api.article(http, board, article_id)

    def classify(self, http_status: int, content: bytes | str) -> Body:
        return api.classify(http_status, content)

    def payload(self, item: dict[str, Any], body: Body) -> dict[str, Any]:
        return {"list_item": item, "article": body.payload}

    def load_session(
        self,
        *,
        file: str | None = None,
        secret_id: str | None = None,
        environ: Mapping[str, str] | None = None,
        secrets_client: Any = None,
    ) -> Mapping[str, str] | None:
        return session.load_cookies(file=file, secret_id=secret_id, environ=environ, secrets_client=secrets_client)

    def candidate(self, envelope: dict[str, Any], head: Head) -> Candidate:
        return mapping.candidate(envelope, head)


SOURCE = NaverCafe()

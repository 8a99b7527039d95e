"""The source seam: what the pipeline needs of a source, and the candidate-post contract it gets back.

Every source maps a raw envelope to a `Candidate` (the cleanse turns candidates into posts) and
names the keys of its records that hold an author identity (the cleanse pseudonymises them in
quarantine payloads). A source the scraper can walk (`ListingSource`) also lists a board newest
first, page by page, fetches one item's body, and classifies what came back; the politeness
(rate limit, backoff, circuit breaker) is not its business: it asks an `Http` that collect gives it.

Ids. A post is `<origin>:<club_id>:<article_id>` (`post_id`), where the origin is the source whose
community the post lives in: a row of an export of a Naver cafe is a `naver_cafe` post whoever
delivered it, so the same article imported and later scraped is one post. `club_id` is the
community (a Naver cafe), `menu_id` the board in it; both are text, the article id an integer that
grows with time (the incremental cursor depends on that).

Free of pyarrow, pandas and third-party imports: the scraper Lambda imports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol, runtime_checkable

# Identity kinds, as the prefixes of the text the pseudonym is computed over: an account id
# (stable across nickname changes) and a display name. The prefixes keep the kinds apart, so a
# nickname can never take the pseudonym of an account id that happens to be spelt the same.
ACCOUNT, NICKNAME = "m:", "n:"
# An envelope may name, under this field, the keys of its payload that hold identities (a CSV's author
# column has whatever name the file gave it): `{"<key>": "n:" | "m:"}`. Put it before the payload.
DECLARED_IDENTITIES = "identity_keys"


def post_id(origin: str, club_id: str, article_id: int) -> str:
    """The stable post id: unique across sources, communities and boards."""
    return f"{origin}:{club_id}:{article_id}"


class Board(NamedTuple):
    """One board of one source: where its raw objects, state and lease live."""

    source: str
    club_id: str  # the community (a Naver cafe's club id)
    menu_id: str  # the board within it (the cafe's menu id)

    def __str__(self) -> str:
        return f"{self.source}:{self.club_id}/{self.menu_id}"


class Head(NamedTuple):
    """The envelope fields every source shares, read and checked by the cleanse before the source maps the rest."""

    source: str  # who delivered the record (the registry key)
    origin: str  # whose post it is (the post_id namespace); the source itself unless the envelope says otherwise
    club_id: str
    menu_id: str | None
    article_id: int
    post_id: str
    received_at: datetime  # when cafelake received the record (the envelope's fetched_at)
    status: str  # one of cafelake.raw.STATUSES; tombstones and malformed records never reach a source


class Candidate(NamedTuple):
    """What a source makes of one record: the cleanse parses the dates, cleans the text and hashes the authors.

    `fetched_at` is when the record was read from the community: it orders versions of a post (the latest
    wins; None, for an export that does not say, loses to any known time) and is the moment relative date
    texts (`21:13`, `어제`, `3시간 전`) count from. `raw_date` is the date as the source showed it (epoch
    milliseconds as digits, or text); `raw_date_alt` another date field of the record, used for the time of
    day when `raw_date` gives only the day. `is_html` says whether title and content are HTML or plain text.
    """

    menu_id: str | None
    fetched_at: datetime | None
    url: str | None
    title: str | None
    content: str | None
    is_html: bool
    raw_date: str | None
    raw_date_alt: str | None
    author_id: str | None  # the account id: pseudonymised as ACCOUNT
    author_name: str | None  # the nickname: pseudonymised as NICKNAME where there is no account id
    read_count: int | None
    comment_count: int | None


class Reject(Exception):
    """A record that cannot be used: `reason` is the quarantine code, `detail` says why in a line."""

    def __init__(
        self,
        reason: str,
        detail: str,
        post_id: str | None = None,
        fetched_at: datetime | None = None,
        payload: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.reason, self.detail, self.post_id, self.fetched_at = reason, detail, post_id, fetched_at
        self.payload = payload  # what the quarantine keeps instead of the raw line, if set


# --- field readers for mappings: a value of the wrong kind is a Reject, never a crash ---------------
def get(obj: Any, *path: str) -> Any:
    """obj[path[0]][path[1]]..., None where a step is missing or not an object."""
    for p in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(p)
    return obj


def first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


def ident(value: Any, name: str, required: bool = True) -> str | None:
    """An id or identity as text (ints are accepted: JSON sources spell ids either way)."""
    if value is None or value == "":
        if required:
            raise Reject("missing_id", f"no {name}")
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Reject("wrong_type", f"{name} is {type(value).__name__}")
    return str(value)


def article_id(value: Any, name: str = "article_id") -> int:
    """A positive integer id, from an int or a string of digits."""
    if value is None or value == "":
        raise Reject("missing_id", f"no {name}")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Reject("wrong_type", f"{name} is {type(value).__name__}")
    if isinstance(value, str):
        if not (value.strip().isascii() and value.strip().isdigit()):
            raise Reject("wrong_type", f"{name} {value[:40]!r} is not an integer")
        value = int(value)
    if value <= 0:
        raise Reject("invalid_id", f"{name} {value} is not positive")
    return value


def text(value: Any, name: str, post_id: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise Reject("wrong_type", f"{name} is {type(value).__name__}", post_id)


def date_text(value: Any, name: str, post_id: str) -> str | None:
    """A date field as text: epoch milliseconds become their digits, text stays as shown."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise Reject("wrong_type", f"{name} is {type(value).__name__}", post_id)


def count(value: Any, name: str, post_id: str) -> int | None:
    """A non-negative count; `1,234` is read as 1234."""
    if value is None:
        return None
    if isinstance(value, str) and (digits := value.replace(",", "").strip()).isascii() and digits.isdigit():
        value = int(digits)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
        return value
    raise Reject("wrong_type", f"{name} {str(value)[:40]!r} is not a count", post_id)


def instant(value: Any, name: str, post_id: str | None) -> datetime:
    """An ISO-8601 instant with a time zone, as UTC."""
    if value is None:
        raise Reject(f"missing_{name}", f"no {name}", post_id)
    if not isinstance(value, str):
        raise Reject("wrong_type", f"{name} is {type(value).__name__}", post_id)
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise Reject(f"bad_{name}", f"{name} {value[:40]!r} is not ISO-8601", post_id) from None
    if at.tzinfo is None:
        raise Reject(f"bad_{name}", f"{name} {value!r} has no time zone", post_id)
    return at.astimezone(UTC)


# --- the protocols ----------------------------------------------------------------------------------
@runtime_checkable
class Source(Protocol):
    """What the cleanse needs of every source."""

    name: str
    # JSON keys (at any depth of a record) whose value is an author identity, with its kind (ACCOUNT or
    # NICKNAME); `identity_containers`: keys of objects holding identities (walked; a bare value there is
    # taken as an identity of the given kind). The quarantine replaces each by its pseudonym.
    identity_keys: Mapping[str, str]
    identity_containers: Mapping[str, str]

    def candidate(self, envelope: dict[str, Any], head: Head) -> Candidate:
        """The post a record holds; raises Reject with the quarantine reason when it holds none."""
        ...


@dataclass(frozen=True)
class HttpResponse:
    status: int
    content: bytes


class Http(Protocol):
    """A GET bound by collect's politeness: rate limited, retried, and stopped by its circuit breaker."""

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> HttpResponse: ...


class MalformedPage(Exception):
    """A list page that cannot be read; `text` is kept for the quarantine, `retryable` if asking again may help."""

    def __init__(self, reason: str, text: str, retryable: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.text, self.retryable = reason, text, retryable


@dataclass(frozen=True)
class ListPage:
    items: list[Any]  # as received: collect quarantines entries the source cannot read an id from
    has_next: bool


@dataclass(frozen=True)
class Body:
    """An item's body response, classified."""

    status: str  # one of cafelake.raw.STATUSES
    payload: dict[str, Any] | None  # the response object, untouched (None unless usable)
    http_status: int
    reason: str | None = None  # why it is malformed
    text: str | None = None  # the raw text when malformed (for the quarantine)
    retryable: bool = False  # malformed in a way a re-fetch may fix (truncated or invalid JSON)


@runtime_checkable
class ListingSource(Source, Protocol):
    """A source the scraper walks: a board's items newest first, page by page, and each item's body."""

    default_base_url: str
    base_url_env: str  # the environment variable that points the scraper elsewhere (the local server)
    session_help: str  # what the session secret holds, for the operator who fills it

    def list_page(self, http: Http, board: Board, page: int, per_page: int) -> ListPage:
        """One page (1-based) of the board, newest first; raises MalformedPage."""
        ...

    def item_id(self, item: Any) -> int | None:
        """A list item's article id, None when it has no usable one."""
        ...

    def item_posted_ms(self, item: Any) -> int | None:
        """When a list item says it was posted (epoch ms), None when it does not say."""
        ...

    def fetch(self, http: Http, board: Board, article_id: int) -> Body:
        """One item's body, classified."""
        ...

    def classify(self, http_status: int, content: bytes | str) -> Body:
        """A body response (also one read from a corpus file) to a status."""
        ...

    def payload(self, item: dict[str, Any], body: Body) -> dict[str, Any]:
        """The envelope fields that keep what was received: the list item and the body, untouched."""
        ...

    def load_session(
        self,
        *,
        file: str | None = None,
        secret_id: str | None = None,
        environ: Mapping[str, str] | None = None,
        secrets_client: Any = None,
    ) -> Mapping[str, str] | None:
        """The session cookies from a secret, a file or the source's variable in `environ` (the settings'
        `Environment.variables`: a source reads no environment itself); None to read without a session."""
        ...

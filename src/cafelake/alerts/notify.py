"""The notice of a rising keyword group, sent once: the query, the message, the ledger.

`cafelake alerts` prints what `LATEST_RISING_SQL` returns; the cloud's alert step runs the same SQL in
Athena after the daily run and hands the rows to `publish_new`, which sends each group-week once: a
ledger object per group and week in the tokenized zone (`_alerts/<week>/<group>.json`, hidden from
the tables), taken with a conditional write (`Lake.put_bytes_if`) before the notice goes out and marked
sent after. Two runs, or two executions at once, send one notice; a run that died between taking the
entry and sending leaves it `pending`, and the next run retakes it (with its ETag, so only one does)
once it is older than `RETAKE_AFTER`. Imports neither pyarrow nor pydantic: the alert Lambda runs it.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from cafelake.lake import Lake
from cafelake.runs import iso_z, utcnow

log = logging.getLogger(__name__)

LEDGER_ZONE = "tokenized"
LEDGER_PREFIX = "_alerts"
RETAKE_AFTER = timedelta(hours=1)
EXAMPLES = 3

# The rising groups of the latest complete week, with up to three example posts each (the most read).
LATEST_RISING_SQL = f"""
WITH latest AS (
  SELECT max(week_start) AS week_start FROM v_rising_groups
),
rising AS (
  SELECT r.week_start, r.group_id, r.group_name, r.display_name, r.posts, r.expected, r.score
  FROM v_rising_groups AS r
  JOIN latest AS l ON l.week_start = r.week_start
  WHERE r.rising
),
examples AS (
  SELECT
    r.group_id,
    d.url,
    row_number() OVER (PARTITION BY r.group_id ORDER BY d.read_count DESC, d.post_id) AS n
  FROM rising AS r
  JOIN post_keyword_groups AS k
    ON k.group_id = r.group_id
    AND CAST(k.dt AS date) BETWEEN r.week_start AND date_add('day', 6, r.week_start)
  JOIN posts_dim AS d ON d.post_id = k.post_id AND d.dt = k.dt
)
SELECT
  CAST(r.week_start AS varchar) AS week_start,
  r.group_name,
  r.display_name,
  r.posts,
  r.expected,
  r.score,
  array_join(array_agg(e.url ORDER BY e.n), ' ') AS example_urls
FROM rising AS r
LEFT JOIN examples AS e ON e.group_id = r.group_id AND e.n <= {EXAMPLES}
GROUP BY r.week_start, r.group_name, r.display_name, r.posts, r.expected, r.score
ORDER BY r.score DESC, r.group_name
""".strip()


@dataclass(frozen=True)
class Alert:
    """One rising group in one ISO week."""

    week_start: str  # the Monday, YYYY-MM-DD
    group_name: str
    display_name: str
    posts: int
    expected: float
    score: float
    example_urls: tuple[str, ...]

    @classmethod
    def from_row(cls, row: Mapping[str, object]) -> Alert:
        """A row of `LATEST_RISING_SQL`, as DuckDB gives it or as Athena's CSV result has it (all text)."""
        urls = row.get("example_urls")
        return cls(
            week_start=str(row["week_start"])[:10],
            group_name=str(row["group_name"]),
            display_name=str(row["display_name"]),
            posts=int(float(str(row["posts"]))),
            expected=float(str(row["expected"])),
            score=float(str(row["score"])),
            example_urls=tuple(str(urls).split()) if urls and urls == urls else (),
        )

    @property
    def week(self) -> str:
        """The ISO week, e.g. 2026-W27."""
        year, week, _ = date.fromisoformat(self.week_start).isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def ledger_key(self) -> str:
        return f"{LEDGER_PREFIX}/{self.week_start}/{self.group_name}.json"

    def message(self) -> tuple[str, str]:
        """(subject, body) in Korean and English; the subject stays under SNS's 100 characters."""
        subject = f"[cafelake] 급상승 {self.display_name} / rising: {self.group_name} ({self.week})"
        sunday = (date.fromisoformat(self.week_start) + timedelta(days=6)).isoformat()
        ratio = f"{self.posts / self.expected:.1f}" if self.expected > 0 else "∞"
        examples = "\n".join(f"- {u}" for u in self.example_urls) or "- (없음 / none)"
        body = (
            f"'{self.display_name}' 키워드 그룹의 질문이 급증했습니다.\n"
            f"주: {self.week} ({self.week_start} ~ {sunday}, KST)\n"
            f"게시글 수: {self.posts}건 (기대값 {self.expected:.1f}건, {ratio}배, 점수 z = {self.score:.1f})\n"
            f"\n"
            f"The keyword group '{self.group_name}' ({self.display_name}) is rising.\n"
            f"Week: {self.week} ({self.week_start} to {sunday}, KST)\n"
            f"Posts: {self.posts} (expected {self.expected:.1f}, {ratio}x; score z = {self.score:.1f})\n"
            f"\n"
            f"예시 게시글 / Example posts:\n{examples}\n"
        )
        return subject[:99], body


Publish = Callable[[str, str], None]  # (subject, body)


def publish_new(alerts: Iterable[Alert], lake: Lake, publish: Publish, *, now: datetime | None = None) -> list[Alert]:
    """Send each alert not sent before; return those sent now."""
    sent = []
    for alert in alerts:
        moment = now or utcnow()
        etag = _take(lake, alert, moment)
        if etag is None:
            continue
        publish(*alert.message())
        lake.put_bytes_if(LEDGER_ZONE, alert.ledger_key, _entry(alert, "sent", moment), etag=etag)
        sent.append(alert)
    return sent


def _entry(alert: Alert, status: str, moment: datetime) -> bytes:
    return json.dumps({"status": status, "at": iso_z(moment), **asdict(alert)}, ensure_ascii=False).encode("utf-8")


def _take(lake: Lake, alert: Alert, moment: datetime) -> str | None:
    """The ledger entry's ETag once this run holds it, or None when the alert is sent or being sent."""
    pending = _entry(alert, "pending", moment)
    etag = lake.put_bytes_if(LEDGER_ZONE, alert.ledger_key, pending)
    if etag is not None:
        return etag
    text, old = lake.get_bytes_etag(LEDGER_ZONE, alert.ledger_key)
    try:
        doc = json.loads(text)
        stale = doc["status"] == "pending" and datetime.fromisoformat(doc["at"].replace("Z", "+00:00")) <= (
            moment - RETAKE_AFTER
        )
    except (ValueError, KeyError, TypeError):
        log.warning("unreadable alert ledger entry %s: leaving it", alert.ledger_key)
        return None
    return lake.put_bytes_if(LEDGER_ZONE, alert.ledger_key, pending, etag=old) if stale else None

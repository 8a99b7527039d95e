"""Outside `cafelake.sources` no module names a Naver field: the rest of the pipeline is source-agnostic.

Scans the package, the Lambda and Glue adapters, the CDK app, the benchmarks and the scripts, code
and comments alike (a benchmark that reads a source's field measures that source only). The
camelCase names are Naver's own and unmistakable anywhere; English words Naver also uses as keys
(`subject`, `nick`, `writer`) count only as quoted keys (an SNS message has a subject too). On the
code before the seam (main at 3319dfd) this finds 17 files; `test_the_scan_finds_them_where_they_are`
shows it can fail.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCANNED = ("src/cafelake", "lambdas", "glue_jobs", "infra/cafelake_infra", "benchmarks", "scripts")
SOURCES = Path("src/cafelake/sources")
NAVER_FIELDS = re.compile(
    r"articleId|refArticleId|articleList|hasNext|writerNickname|memberKey|writeDateTimestamp|writeDate|contentHtml"
    r"|clubid|menuid|menuId|cafeId|readCount|commentCount|likeItCount|isBlind|isOpen|isReadable|NID_AUT|NID_SES"
    r"|ArticleListV2|cafe-articleapi|[\"'](?:subject|nick|writer)[\"']"
)


def naver_fields(root: Path, under: tuple[str, ...] = SCANNED) -> dict[str, list[str]]:
    """{file: the Naver field names it mentions} for the text files below `under`, `sources/` left out."""
    found: dict[str, list[str]] = {}
    for folder in under:
        for path in sorted((root / folder).rglob("*")):
            rel = path.relative_to(root)
            if (
                not path.is_file()
                or rel.is_relative_to(SOURCES)
                or path.suffix not in (".py", ".sql", ".yaml", ".toml", ".json", ".txt", ".tsv")
            ):
                continue
            if hits := sorted(set(NAVER_FIELDS.findall(path.read_text(encoding="utf-8", errors="replace")))):
                found[str(rel)] = hits
    return found


def test_no_module_outside_sources_names_a_naver_field():
    assert naver_fields(ROOT) == {}


def test_the_scan_finds_them_where_they_are(tmp_path):
    """The Naver source's modules, copied out of sources/, are found: the scan sees fields where they live."""
    outside = tmp_path / "src" / "cafelake" / "collect"
    outside.mkdir(parents=True)
    for name in ("api.py", "mapping.py", "server.py"):
        (outside / name).write_bytes((ROOT / SOURCES / "naver_cafe" / name).read_bytes())
    found = naver_fields(tmp_path, under=("src/cafelake",))
    assert sorted(found) == [f"src/cafelake/collect/{n}" for n in ("api.py", "mapping.py", "server.py")]
    assert {"articleId", "memberKey", "contentHtml"} <= set(found["src/cafelake/collect/mapping.py"])


@pytest.mark.parametrize(
    "text, hit",
    [
        ('item.get("articleId")', True),
        ("# the writeDateTimestamp of a list item", True),
        ("body['subject']", True),
        ('SnsPublish(subject="pipeline failed")', False),
        ("a subject line", False),
        ('{"title": "x"}', False),
    ],
)
def test_what_counts_as_naming_a_field(text, hit):
    assert bool(NAVER_FIELDS.search(text)) is hit

"""Precision and recall of the keyword groups on a hand-labelled gold set.

The gold file (tests/data/gold_keyword_groups.tsv describes its format) holds posts as
parents write them, each with every group it belongs to. Each text goes through the
pipeline's own path, the cleanse text rules, then `tokenize_posts` and `match_groups`
as `run_tokenize` calls them, so a figure here is a figure of the mart.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from cafelake.cleanse.text import clean_text, html_to_text_array
from cafelake.config import KeywordGroup
from cafelake.tokenize.analyzer import Analyzer
from cafelake.tokenize.keywords import KeywordMatcher
from cafelake.tokenize.transform import match_groups, tokenize_posts

COLUMNS = ("text", "groups", "not", "may", "whole")


@dataclass(frozen=True)
class GoldRow:
    line: int
    text: str
    groups: frozenset[str]  # every group the text belongs to
    not_groups: frozenset[str]  # hard negatives (a trap the text sets)
    may: frozenset[str]  # ambiguous: counted neither way
    whole: tuple[str, ...]  # tokens that must come out whole


def _names(cell: str) -> frozenset[str]:
    return frozenset(s for p in cell.split(",") if (s := p.strip()))


def _data_lines(path: str | Path, columns: tuple[str, ...]) -> Iterator[tuple[int, str, list[str]]]:
    """A gold TSV's data lines (line number, line, cells) after its header, which must be `columns`;
    blank and `#` lines are skipped."""
    header = None
    for n, ln in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not ln.strip() or ln.startswith("#"):
            continue
        cells = ln.split("\t")
        if header is None:
            if tuple(cells) != columns:
                raise ValueError(f"{path}:{n}: header must be {'<TAB>'.join(columns)}, got {ln!r}")
            header = cells
            continue
        yield n, ln, cells


def load_gold(path: str | Path) -> list[GoldRow]:
    """The gold rows; `#` lines are comments, the first other line the header."""
    rows: list[GoldRow] = []
    for n, ln, cells in _data_lines(path, COLUMNS):
        if len(cells) > len(COLUMNS) or not cells[0].strip():
            raise ValueError(f"{path}:{n}: want text<TAB>groups<TAB>not<TAB>may<TAB>whole, got {ln!r}")
        cells += [""] * (len(COLUMNS) - len(cells))
        rows.append(
            GoldRow(
                n,
                cells[0].strip(),
                _names(cells[1]),
                _names(cells[2]),
                _names(cells[3]),
                tuple(sorted(_names(cells[4]))),
            )
        )
    return rows


@dataclass(frozen=True)
class Outcome:
    """What the pipeline made of one gold text."""

    row: GoldRow
    tokens: tuple[str, ...]  # kept tokens, in order (stopwords included)
    matched: dict[str, tuple[str, ...]]  # group_name -> the keywords that put the text there

    @property
    def missed(self) -> frozenset[str]:
        return self.row.groups - self.matched.keys()

    @property
    def extra(self) -> frozenset[str]:
        return self.matched.keys() - self.row.groups - self.row.may

    @property
    def broken(self) -> tuple[str, ...]:
        """`whole` tokens that are not among the kept tokens."""
        return tuple(w for w in self.row.whole if w not in self.tokens)


@dataclass
class GroupScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    hard_negatives: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class GoldReport:
    outcomes: list[Outcome]
    scores: dict[str, GroupScore] = field(default_factory=dict)  # group_name -> score, in keyword_groups order

    @property
    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.missed or o.extra or o.broken]

    def format(self) -> str:
        """The per-group table, then every miss with the kept tokens."""
        lines = [f"{'group':<12} {'pos':>4} {'hard-':>5} {'TP':>4} {'FP':>4} {'FN':>4} {'precision':>9} {'recall':>7}"]
        for name, s in self.scores.items():
            lines.append(
                f"{name:<12} {s.tp + s.fn:>4} {s.hard_negatives:>5} {s.tp:>4} {s.fp:>4} {s.fn:>4} "
                f"{s.precision:>9.3f} {s.recall:>7.3f}"
            )
        misses = self.misses
        lines.append(f"\n{len(self.outcomes)} texts, {len(misses)} with a miss")
        for o in misses:
            got = ", ".join(f"{g}({'/'.join(kws)})" for g, kws in o.matched.items()) or "-"
            lines.append(
                f"\nline {o.row.line}: {o.row.text}\n  expected: {', '.join(sorted(o.row.groups)) or '-'}"
                f"\n  got:      {got}"
            )
            if o.missed:
                lines.append(f"  missed:   {', '.join(sorted(o.missed))}")
            if o.extra:
                lines.append(f"  wrong:    {', '.join(sorted(o.extra))}")
            if o.broken:
                lines.append(f"  not whole: {', '.join(o.broken)}")
            lines.append(f"  tokens:   {' '.join(o.tokens)}")
        return "\n".join(lines)


def evaluate(rows: Sequence[GoldRow], analyzer: Analyzer, matcher: KeywordMatcher) -> GoldReport:
    """Run every gold text through the pipeline and score each group of `matcher`."""
    texts = clean_text(html_to_text_array([r.text for r in rows]))
    posts = pa.table(
        {"post_id": [str(i) for i in range(len(rows))], "question_text": texts, "dt": ["2024-01-01"] * len(rows)}
    )
    tokens = tokenize_posts(posts, analyzer)
    groups = match_groups(tokens, matcher)
    names = {g.group_id: g.group_name for g in matcher.groups}
    kept: dict[int, list[str]] = {}
    for pid, tok in zip(tokens.column("post_id").to_pylist(), tokens.column("token").to_pylist(), strict=True):
        kept.setdefault(int(pid), []).append(tok)
    matched: dict[int, dict[str, tuple[str, ...]]] = {}
    for pid, gid, kws in zip(
        *(groups.column(c).to_pylist() for c in ("post_id", "group_id", "matched_keywords")), strict=True
    ):
        matched.setdefault(int(pid), {})[names[gid]] = tuple(kws)
    outcomes = [Outcome(r, tuple(kept.get(i, [])), matched.get(i, {})) for i, r in enumerate(rows)]
    return GoldReport(outcomes, score(outcomes, matcher.groups))


def score(outcomes: Sequence[Outcome], groups: Sequence[KeywordGroup]) -> dict[str, GroupScore]:
    """group_name -> counts; gold groups missing from the frames are scored too (all misses)."""
    scores = {g.group_name: GroupScore() for g in groups}
    for o in outcomes:
        for name in o.row.groups | o.matched.keys() | o.row.not_groups:
            s = scores.setdefault(name, GroupScore())
            hit = name in o.matched
            if name in o.row.groups:
                s.tp += hit
                s.fn += not hit
            elif hit and name not in o.row.may:
                s.fp += 1
            s.hard_negatives += name in o.row.not_groups
    return scores


# --- the baby's age (tests/data/gold_baby_age.tsv) ------------------------------------------
AGE_COLUMNS = ("text", "months", "note")


@dataclass(frozen=True)
class AgeRow:
    line: int
    text: str
    months: int | None  # the age the text states, None if it states none
    note: str


def load_age_gold(path: str | Path) -> list[AgeRow]:
    """The age gold rows; `#` lines are comments, the first other line the header."""
    rows: list[AgeRow] = []
    for n, ln, cells in _data_lines(path, AGE_COLUMNS):
        cells += [""] * (len(AGE_COLUMNS) - len(cells))
        if len(cells) > len(AGE_COLUMNS) or not cells[0].strip() or not (cells[1] == "" or cells[1].isdigit()):
            raise ValueError(f"{path}:{n}: want text<TAB>months (digits or empty)<TAB>note, got {ln!r}")
        rows.append(AgeRow(n, cells[0].strip(), int(cells[1]) if cells[1] else None, cells[2].strip()))
    return rows


@dataclass
class AgeReport:
    """The parser's ages against the gold: precision on what it labels, recall, and the share it labels."""

    rows: list[AgeRow]
    got: list[int | None]

    @property
    def labelled(self) -> int:
        return sum(g is not None for g in self.got)

    @property
    def correct(self) -> int:
        return sum(g is not None and g == r.months for r, g in zip(self.rows, self.got, strict=True))

    @property
    def precision(self) -> float:
        return self.correct / self.labelled if self.labelled else 1.0

    @property
    def recall(self) -> float:
        stated = sum(r.months is not None for r in self.rows)
        return self.correct / stated if stated else 1.0

    @property
    def label_share(self) -> float:
        return self.labelled / len(self.rows) if self.rows else 0.0

    @property
    def misses(self) -> list[tuple[AgeRow, int | None]]:
        return [(r, g) for r, g in zip(self.rows, self.got, strict=True) if g != r.months]

    def format(self) -> str:
        lines = [
            f"{len(self.rows)} texts, {self.labelled} labelled ({self.label_share:.1%}), {self.correct} right: "
            f"precision {self.precision:.3f}, recall {self.recall:.3f}; {len(self.misses)} misses"
        ]
        for r, g in self.misses:
            expected = "-" if r.months is None else r.months
            lines.append(f"line {r.line}: {r.text}\n  expected: {expected}  got: {'-' if g is None else g}")
        return "\n".join(lines)


def evaluate_ages(rows: Sequence[AgeRow], parse) -> AgeReport:
    """Each gold text through the cleanse text path, then `parse` (text -> months or None)."""
    texts = clean_text(html_to_text_array([r.text for r in rows])).to_pylist()
    return AgeReport(list(rows), [parse(t) for t in texts])

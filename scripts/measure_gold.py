"""Measure the keyword groups on the gold set: before and after, and what each fix is worth.

    python scripts/measure_gold.py [--gold tests/data/gold_keyword_groups.tsv] [--before 379456f]

Prints, as Markdown (docs/text-analysis.md quotes it):
  1. precision and recall per group with the configuration of commit --before (the tokenizer's
     config files as they were; its tokenizer.yaml has no `rules:`, so no context rule runs) and now;
  2. each context rule, user-dictionary entry and keyword-frame change taken out alone: the texts
     that then miss, and one of them with its tokens without the fix and with it;
  3. the alternative FIELD_NOTES measured, a user-dictionary entry 열/NNG at a score instead of the
     fever_not_numeral rule: fever's precision and recall per score.
Every figure comes from `cafelake.tokenize.gold.evaluate`, the pipeline's own path. Each distinct
user dictionary loads a Kiwi of its own (~2 s, ~530 MB), one at a time.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from cafelake.settings import Settings
from cafelake.tokenize.analyzer import Analyzer
from cafelake.tokenize.gold import GoldReport, evaluate, load_gold
from cafelake.tokenize.keywords import KeywordMatcher
from cafelake.tokenize.settings import FILES, TokenizerConfig

ROOT = Path(__file__).resolve().parents[1]
SCORES = (-5.0, -4.0, -3.5, -3.0, -2.5, -2.0, -1.0, 0.0, 1.0, 3.0, 5.0)


def _load(config_dir: str | None) -> tuple[TokenizerConfig, tuple]:
    """The tokenizer config and keyword groups read from `config_dir` (None: the packaged files)."""
    settings = Settings.load({"CAFELAKE_CONFIG_DIR": config_dir} if config_dir else {})
    return settings.tokenizer, settings.keyword_groups


def _quote_descriptions(text: bytes) -> bytes:
    """Old keyword_groups.yaml files left descriptions with commas unquoted inside `{...}`, which YAML's flow
    syntax cuts into stray keys (the settings refuse them now); quoted as the current file does. Descriptions
    change no score."""
    return re.sub(rb"description: ([^\"{}\n]*,[^\"{}\n]*)}", rb'description: "\1"}', text)


class Runner:
    """Evaluates configurations, reusing a Kiwi while the user dictionary stays the same."""

    def __init__(self, rows) -> None:
        self.rows = rows
        self._kiwi = None
        self._words = None

    def run(self, cfg: TokenizerConfig, groups) -> GoldReport:
        if self._words != cfg.user_words:
            self._kiwi = None  # free the old Kiwi before loading the next
            self._kiwi = Analyzer(cfg).kiwi
            self._words = cfg.user_words
        return evaluate(self.rows, Analyzer(cfg, kiwi=self._kiwi), KeywordMatcher(groups))


def _misses(report: GoldReport) -> int:
    return len(report.misses)


def before_after(before: GoldReport, after: GoldReport) -> str:
    lines = [
        "| group | positives | hard negatives | precision before | recall before | precision after | recall after |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, s in after.scores.items():
        b = before.scores.get(name)
        lines.append(
            f"| {name} | {s.tp + s.fn} | {s.hard_negatives} | "
            f"{b.precision:.3f} | {b.recall:.3f} | {s.precision:.3f} | {s.recall:.3f} |"
        )
    lines.append(f"\nTexts with a miss: {_misses(before)} of {len(before.outcomes)} before, {_misses(after)} after.")
    return "\n".join(lines)


def _worse(base: GoldReport, report: GoldReport) -> tuple[str, str]:
    """A table row (texts that then miss, groups that lose) and an example with its tokens without and with the fix."""
    worse = [
        f"{n} P {base.scores[n].precision:.3f}->{s.precision:.3f} R {base.scores[n].recall:.3f}->{s.recall:.3f}"
        for n, s in report.scores.items()
        if n in base.scores and (s.precision, s.recall) != (base.scores[n].precision, base.scores[n].recall)
    ]
    old = {m.row.line for m in base.misses}
    new = [o for o in report.misses if o.row.line not in old]
    example = ""
    if new:
        with_fix = next(o for o in base.outcomes if o.row.line == new[0].row.line)
        example = (
            f"`{new[0].row.text}`: without [{' '.join(new[0].tokens)}] "
            f"{', '.join(sorted(new[0].matched)) or 'no group'}; with [{' '.join(with_fix.tokens)}] "
            f"{', '.join(sorted(with_fix.matched)) or 'no group'}"
        )
    return f"{len(new)} | {'; '.join(worse) or '-'}", example


def _frame_changes(before, after) -> list[tuple[str, tuple]]:
    """(label, groups without that change) for each keyword added to or taken from the frames."""
    old = {g.group_id: set(g.keywords) for g in before}
    out = []
    for g in after:
        for kw in g.keywords:
            if kw not in old.get(g.group_id, set()):
                out.append(
                    (
                        f"frame {g.group_name} +{kw}",
                        tuple(
                            dataclasses.replace(h, keywords=tuple(k for k in h.keywords if k != kw)) if h is g else h
                            for h in after
                            if h is not g or len(g.keywords) > 1
                        ),
                    )
                )
        for kw in sorted(old.get(g.group_id, set()) - set(g.keywords)):
            out.append(
                (
                    f"frame {g.group_name} -{kw}",
                    tuple(dataclasses.replace(h, keywords=(*h.keywords, kw)) if h is g else h for h in after),
                )
            )
    return out


def ablations(runner: Runner, cfg: TokenizerConfig, groups, before_groups, base: GoldReport) -> str:
    lines = ["| taken out | texts that then miss | groups that lose |", "|---|---:|---|"]
    examples = []

    def row(label: str, report: GoldReport) -> None:
        cells, example = _worse(base, report)
        lines.append(f"| {label} | {cells} |")
        if example:
            examples.append(f"- {label}: {example}")

    for field in (f.name for f in dataclasses.fields(cfg.rules)):
        if getattr(cfg.rules, field) is not None:
            row(
                f"rule `{field}`",
                runner.run(dataclasses.replace(cfg, rules=dataclasses.replace(cfg.rules, **{field: None})), groups),
            )
    for word in cfg.user_words:
        row(
            f"dictionary `{word[0]}/{word[1]}`",
            runner.run(dataclasses.replace(cfg, user_words=tuple(w for w in cfg.user_words if w != word)), groups),
        )
    for label, changed in _frame_changes(before_groups, groups):
        row(label, runner.run(cfg, changed))
    intro = "One text per fix, its tokens and groups without the fix and with it:"
    return "\n".join([*lines, "", intro, "", *examples])


def score_sweep(runner: Runner, cfg: TokenizerConfig, groups) -> str:
    no_rule = dataclasses.replace(cfg.rules, fever_not_numeral=None)
    lines = ["| 열/NNG score | fever precision | fever recall | texts with a miss |", "|---|---:|---:|---:|"]
    for label, words, rules in [
        ("rule, no entry (chosen)", cfg.user_words, cfg.rules),
        ("no rule, no entry", cfg.user_words, no_rule),
    ] + [(f"{s:+.1f}", (*cfg.user_words, ("열", "NNG", s)), no_rule) for s in SCORES]:
        r = runner.run(dataclasses.replace(cfg, user_words=words, rules=rules), groups)
        f = r.scores["fever"]
        lines.append(f"| {label} | {f.precision:.3f} | {f.recall:.3f} | {_misses(r)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--gold", default=str(ROOT / "tests" / "data" / "gold_keyword_groups.tsv"))
    p.add_argument("--before", default="379456f", help="git revision whose config files are 'before'")
    args = p.parse_args(argv)
    rows = load_gold(args.gold)
    runner = Runner(rows)
    with tempfile.TemporaryDirectory() as old:
        for name in FILES:
            blob = subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{args.before}:src/cafelake/config/{name}"],
                check=True,
                capture_output=True,
            ).stdout
            Path(old, name).write_bytes(_quote_descriptions(blob) if name == "keyword_groups.yaml" else blob)
        old_cfg, before_groups = _load(old)
        before = runner.run(old_cfg, before_groups)
    cfg, groups = _load(None)
    after = runner.run(cfg, groups)
    print(f"## Before ({args.before}) and after, {len(rows)} gold texts\n\n{before_after(before, after)}\n")
    print(f"## Each fix taken out alone\n\n{ablations(runner, cfg, groups, before_groups, after)}\n")
    print(f"## 열/NNG in the user dictionary instead of the rule\n\n{score_sweep(runner, cfg, groups)}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

"""Measure the keyword groups on the gold set: before and after, and what each fix is worth.

    python scripts/measure_gold.py [--gold tests/data/gold_keyword_groups.tsv] [--before 379456f]

Prints, as Markdown (docs/text-analysis.md quotes it):
  1. precision and recall per group with the configuration of commit --before (the tokenizer's
     config files as they were; its tokenizer.yaml has no `rules:`, so no context rule runs) and now;
  2. each context rule and each user-dictionary entry taken out alone: the texts that then miss;
  3. the alternative FIELD_NOTES measured, a user-dictionary entry 열/NNG at a score instead of the
     fever_not_numeral rule: fever's precision and recall per score.
Every figure comes from `cafelake.tokenize.gold.evaluate`, the pipeline's own path. Each distinct
user dictionary loads a Kiwi of its own (~2 s, ~530 MB), one at a time.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from cafelake import config as config_module
from cafelake.tokenize import settings
from cafelake.tokenize.analyzer import Analyzer
from cafelake.tokenize.gold import GoldReport, evaluate, load_gold
from cafelake.tokenize.keywords import KeywordMatcher
from cafelake.tokenize.settings import TokenizerConfig

ROOT = Path(__file__).resolve().parents[1]
SCORES = (-5.0, -4.0, -3.5, -3.0, -2.5, -2.0, -1.0, 0.0, 1.0, 3.0, 5.0)


def _load(config_dir: str | None) -> tuple[TokenizerConfig, tuple]:
    """The tokenizer config and keyword groups read from `config_dir` (None: the packaged files)."""
    if config_dir:
        os.environ["CAFELAKE_CONFIG_DIR"] = config_dir
    else:
        os.environ.pop("CAFELAKE_CONFIG_DIR", None)
    settings.config.cache_clear()
    config_module.keyword_groups.cache_clear()
    return TokenizerConfig.load(), config_module.keyword_groups()


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
    lines = ["| group | positives | hard negatives | precision before | recall before | precision after | recall after |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, s in after.scores.items():
        b = before.scores.get(name)
        lines.append(f"| {name} | {s.tp + s.fn} | {s.hard_negatives} | "
                     f"{b.precision:.3f} | {b.recall:.3f} | {s.precision:.3f} | {s.recall:.3f} |")
    lines.append(f"\nTexts with a miss: {_misses(before)} of {len(before.outcomes)} before, "
                 f"{_misses(after)} after.")
    return "\n".join(lines)


def _worse(base: GoldReport, report: GoldReport) -> str:
    """The groups that lose precision or recall, and one text that then misses."""
    worse = [f"{n} P {base.scores[n].precision:.3f}->{s.precision:.3f} R {base.scores[n].recall:.3f}->{s.recall:.3f}"
             for n, s in report.scores.items() if (s.precision, s.recall) != (base.scores[n].precision,
                                                                            base.scores[n].recall)]
    new = [o for o in report.misses if o.row.line not in {m.row.line for m in base.misses}]
    example = f"`{new[0].row.text}`" if new else ""
    return f"{len(new)} | {'; '.join(worse) or '-'} | {example}"


def ablations(runner: Runner, cfg: TokenizerConfig, groups, base: GoldReport) -> str:
    lines = ["| taken out | texts that then miss | groups that lose | e.g. |", "|---|---:|---|---|"]
    for field in (f.name for f in dataclasses.fields(cfg.rules)):
        if getattr(cfg.rules, field) is None:
            continue
        off = dataclasses.replace(cfg, rules=dataclasses.replace(cfg.rules, **{field: None}))
        lines.append(f"| rule `{field}` | {_worse(base, runner.run(off, groups))} |")
    for word in cfg.user_words:
        off = dataclasses.replace(cfg, user_words=tuple(w for w in cfg.user_words if w != word))
        lines.append(f"| dictionary `{word[0]}/{word[1]}` | {_worse(base, runner.run(off, groups))} |")
    return "\n".join(lines)


def score_sweep(runner: Runner, cfg: TokenizerConfig, groups) -> str:
    no_rule = dataclasses.replace(cfg.rules, fever_not_numeral=None)
    lines = ["| 열/NNG score | fever precision | fever recall | texts with a miss |", "|---|---:|---:|---:|"]
    for label, words, rules in [("rule, no entry (chosen)", cfg.user_words, cfg.rules),
                                ("no rule, no entry", cfg.user_words, no_rule)] + \
            [(f"{s:+.1f}", cfg.user_words + (("열", "NNG", s),), no_rule) for s in SCORES]:
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
        for name in settings.FILES:
            blob = subprocess.run(["git", "-C", str(ROOT), "show", f"{args.before}:src/cafelake/config/{name}"],
                                  check=True, capture_output=True).stdout
            Path(old, name).write_bytes(blob)
        before = runner.run(*_load(old))
    cfg, groups = _load(None)
    after = runner.run(cfg, groups)
    print(f"## Before ({args.before}) and after, {len(rows)} gold texts\n\n{before_after(before, after)}\n")
    print(f"## Each fix taken out alone\n\n{ablations(runner, cfg, groups, after)}\n")
    print(f"## 열/NNG in the user dictionary instead of the rule\n\n{score_sweep(runner, cfg, groups)}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()

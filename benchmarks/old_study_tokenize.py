"""The old study's tokenize step, reproduced faithfully for comparison.

The analysts ran it in a notebook: a pandas DataFrame of posts, `kiwi.analyze` called
row by row through `DataFrame.apply` (one sentence analysis per call, so one thread),
nouns kept; then, for each keyword group, a scan of the whole table with a substring
match (`str.contains` of the keywords joined by `|`) - which is what put 피부 posts in
the 피 group. Nothing here is used by cafelake itself.
"""

from __future__ import annotations

import pandas as pd


def old_study(texts: list[str], kiwi, groups) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """(posts with a `tokens` column, group name -> the posts the substring match put in it)."""
    df = pd.DataFrame({"question_text": texts})

    def nouns(text: str) -> list[str]:
        best, _score = kiwi.analyze(text)[0]
        return [t.form for t in best if t.tag in ("NNG", "NNP")]

    df["tokens"] = df["question_text"].fillna("").apply(nouns)
    frames = {}
    for group in groups:
        pattern = "|".join(group.keywords)
        frames[group.group_name] = df[df["question_text"].str.contains(pattern, na=False)]
    return df, frames

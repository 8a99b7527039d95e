"""TF-IDF per scope ('all' and each keyword group) over kept, non-stopword tokens, ranked two ways.

The definition is shared with the SQL view `v_tfidf_sql`, and a test holds them to
1e-9: documents = posts of the scope with >= 1 non-stopword token; a term is (token,
token_pos); idf = ln((1+n)/(1+df)) + 1 (scikit-learn's smooth_idf); each document's
tf*idf vector is L2-normalised; a term's score is the sum of its weights over the scope.

Rankings (docs/querying.md): `sum` orders by that score, which grows with the number of
posts using a term and so tracks plain frequency (감기 near the top). `mean` orders by a
term's mean weight in the scope's posts that use it, the weight taken on the board's scale
(the 'all' scope's idf and norms, so a group's words are weighed against the whole board,
not against each other), among terms in at least MEAN_MIN_DOCS posts and 1 in
MEAN_MIN_SHARE of the scope's documents, so rare words cannot win. It brings out the
specific diseases (아토피, 두드러기, 장염) and pushes 감기 down. For 'all' mean_tfidf is
tfidf_score / doc_freq. Pass 2 already weighs every post on the board's scale for 'all':
a group's mean costs one more row slice and column sum of that matrix per chunk.

It streams: pass 1 counts df and n per scope chunk by chunk, pass 2 weighs each chunk's
sparse count matrix with scikit-learn's TfidfTransformer (idf from pass 1) and adds up
the columns. Memory is one chunk's matrix plus a few vocabulary-long vectors per scope,
however many posts there are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer

from cafelake.config import KeywordGroup
from cafelake.runs import Progress
from cafelake.schemas import TOKEN_TFIDF

ALL = "all"
SUM, MEAN = "sum", "mean"
MEAN_MIN_DOCS = 10  # the mean ranking's floor on doc_freq; v_tfidf_sql holds the same two numbers
MEAN_MIN_SHARE = 100  # ... and a term must be in at least 1 in this many of the scope's documents (1 %)
RANK_DECIMALS = 10  # ranking compares scores rounded to this many decimals (see _top)
# A chunk: tokens_fact rows (post_id, token, token_pos, is_stopword) and the
# post_keyword_groups rows (post_id, group_id) of the same, whole, posts.
Chunk = tuple[pa.Table, pa.Table]


@dataclass
class _Vocab:
    ids: dict[str, int] = field(default_factory=dict)
    terms: list[tuple[str, str]] = field(default_factory=list)

    def encode(self, tokens: pa.Table, grow: bool) -> tuple[sparse.csr_array, pa.Array] | None:
        """Count matrix (docs x vocabulary) of the chunk's non-stopword tokens, and its post ids."""
        t = tokens.filter(pc.invert(tokens.column("is_stopword")))
        if t.num_rows == 0:
            return None
        docs = pc.dictionary_encode(t.column("post_id").combine_chunks())
        keys = pc.dictionary_encode(
            pc.binary_join_element_wise(
                t.column("token").combine_chunks(), t.column("token_pos").combine_chunks(), "\x1f"
            )
        )
        local = []
        for key in keys.dictionary.to_pylist():
            if key not in self.ids:
                if not grow:
                    raise KeyError(f"term {key!r} appeared between passes")
                self.ids[key] = len(self.terms)
                self.terms.append(tuple(key.split("\x1f", 1)))
            local.append(self.ids[key])
        cols = np.asarray(local, dtype=np.int64)[keys.indices.to_numpy(zero_copy_only=False)]
        rows = docs.indices.to_numpy(zero_copy_only=False)
        counts = sparse.csr_array(
            (np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(len(docs.dictionary), len(self.terms))
        )
        counts.sum_duplicates()
        return counts, docs.dictionary


def _scope_rows(groups_tbl: pa.Table, docs: pa.Array, names: dict[int, str]) -> dict[str, np.ndarray]:
    """Row numbers (within the chunk's matrix) of each scope's documents."""
    out = {ALL: np.arange(len(docs))}
    idx = pc.index_in(groups_tbl.column("post_id"), value_set=docs)
    keep = pc.is_valid(idx)
    rows = idx.filter(keep).to_numpy(zero_copy_only=False)
    gids = groups_tbl.column("group_id").filter(keep).to_numpy()
    for gid in np.unique(gids):
        if int(gid) in names:
            out[names[int(gid)]] = np.unique(rows[gids == gid])
    return out


def _pad(v: np.ndarray, n: int) -> np.ndarray:
    return np.pad(v, (0, n - len(v))) if len(v) < n else v


def compute_tfidf(
    chunks: Callable[[], Iterable[Chunk]],
    groups: Sequence[KeywordGroup],
    top_n: int,
    on_progress: Progress | None = None,
) -> pa.Table:
    """token_tfidf rows: the top `top_n` terms of each scope and ranking. `chunks()` is called twice (two passes)."""
    names = {g.group_id: g.group_name for g in groups}
    vocab = _Vocab()
    df: dict[str, np.ndarray] = {}
    n: dict[str, int] = {}
    for tokens, groups_tbl in chunks():  # pass 1: document frequencies
        enc = vocab.encode(tokens, grow=True)
        if enc is None:
            continue
        counts, docs = enc
        for scope, rows in _scope_rows(groups_tbl, docs, names).items():
            part = np.bincount(counts[rows].indices, minlength=len(vocab.terms))
            df[scope] = _pad(df.get(scope, np.zeros(0, np.int64)), len(vocab.terms)) + part
            n[scope] = n.get(scope, 0) + len(rows)
    vsize = len(vocab.terms)
    weighers = {}
    for scope in df:
        df[scope] = _pad(df[scope], vsize)
        tr = TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=False)
        tr.idf_ = np.log((1 + n[scope]) / (1 + df[scope])) + 1.0  # what fit() would compute on the scope
        weighers[scope] = tr
    score = {s: np.zeros(vsize) for s in df}
    board = {s: np.zeros(vsize) for s in df}  # weights on the board's ('all') scale, summed over the scope
    tf = {s: np.zeros(vsize, np.int64) for s in df}
    done = 0
    for tokens, groups_tbl in chunks():  # pass 2: weights
        enc = vocab.encode(tokens, grow=False)
        if enc is None:
            continue
        counts, docs = enc
        on_board = weighers[ALL].transform(counts)  # every post of the chunk is in 'all'
        for scope, rows in _scope_rows(groups_tbl, docs, names).items():
            sub = counts[rows]
            if scope == ALL:
                weights = board_weights = on_board
            else:
                weights, board_weights = weighers[scope].transform(sub), on_board[rows]
            score[scope] += np.asarray(weights.sum(axis=0)).ravel()
            board[scope] += np.asarray(board_weights.sum(axis=0)).ravel()
            tf[scope] += np.asarray(sub.sum(axis=0)).ravel().astype(np.int64)
        done += len(docs)
        if on_progress:
            on_progress(done, n.get(ALL))
    out = []
    for scope in [ALL] + [g.group_name for g in groups]:
        if scope not in df:
            continue
        mean = board[scope] / np.maximum(df[scope], 1)
        present = df[scope] > 0
        frequent = (df[scope] >= MEAN_MIN_DOCS) & (df[scope] * MEAN_MIN_SHARE >= n[scope])
        for ranking, key, candidates in ((SUM, score[scope], present), (MEAN, mean, frequent)):
            out.append(
                _top(
                    scope,
                    ranking,
                    key,
                    np.flatnonzero(candidates),
                    score[scope],
                    mean,
                    df[scope],
                    tf[scope],
                    vocab.terms,
                    top_n,
                )
            )
    return pa.concat_tables(out) if out else TOKEN_TFIDF.empty()


def _top(
    scope: str,
    ranking: str,
    key: np.ndarray,
    candidates: np.ndarray,
    score: np.ndarray,
    mean: np.ndarray,
    df: np.ndarray,
    tf: np.ndarray,
    terms: list[tuple[str, str]],
    top_n: int,
) -> pa.Table:
    """The candidates ranked by key desc, token asc, token_pos asc; ranks <= top_n kept.

    Keys are compared rounded to RANK_DECIMALS: terms that tie exactly in arithmetic
    (same counts in the same posts) differ by float noise that depends on summation
    order, and must fall back to token order in every engine alike.
    """
    if len(candidates) > top_n:
        cut = np.partition(key[candidates], len(candidates) - top_n)[len(candidates) - top_n]
        candidates = candidates[key[candidates] >= cut - 10.0**-RANK_DECIMALS]
    rounded = np.round(key, RANK_DECIMALS)
    ranked = sorted(candidates.tolist(), key=lambda i: (-rounded[i], terms[i][0], terms[i][1]))[:top_n]
    return pa.table(
        {
            "scope": pa.array([scope] * len(ranked), pa.string()),
            "token": pa.array([terms[i][0] for i in ranked], pa.string()),
            "token_pos": pa.array([terms[i][1] for i in ranked], pa.string()),
            "doc_freq": pa.array(df[ranked], pa.int64()),
            "term_freq": pa.array(tf[ranked], pa.int64()),
            "tfidf_score": pa.array(score[ranked], pa.float64()),
            "rank": pa.array(np.arange(1, len(ranked) + 1), pa.int32()),
            "ranking": pa.array([ranking] * len(ranked), pa.string()),
            "mean_tfidf": pa.array(mean[ranked], pa.float64()),
        },
        schema=TOKEN_TFIDF.schema,
    )

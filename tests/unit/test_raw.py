"""The raw object's gzip header declares its line count, readable from a truncated object."""

from __future__ import annotations

import gzip

from cafelake.collect.writer import decode, encode
from cafelake.raw import declared_lines, gzip_lines


def test_the_line_count_survives_truncation_and_the_object_is_plain_gzip():
    envelopes = [{"article_id": i, "text": "열이 나요" * i} for i in range(25)]
    data = encode(envelopes)
    assert decode(data) == envelopes and gzip.decompress(data).count(b"\n") == 25
    assert declared_lines(data) == declared_lines(data[:40]) == 25
    assert encode(envelopes) == data  # deterministic bytes: a retried write replaces itself


def test_objects_without_a_count_declare_none():
    assert declared_lines(gzip.compress(b"a\n", mtime=0)) is None
    assert declared_lines(b"not gzip") is None
    assert declared_lines(gzip_lines(b"", 0)) == 0

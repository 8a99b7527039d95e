"""Text cleansing: source HTML to plain text, then one whitelist of characters.

The whitelist (rather than a blacklist of emoji ranges) is what makes the guarantees
hold for any input: after `clean_text` only Hangul, Latin letters, digits, basic
punctuation, spaces and single line breaks remain, so no emoji, pictograph, symbol,
control or zero-width character, and no HTML (`<`, `>`, `&` and `;` are not on the
list, so neither tags nor entities can survive or re-form), and a second pass changes
nothing. Hangul compatibility jamo (ㅠㅠ, ㅋㅋ) are kept by default: they carry the
asker's mood, Kiwi tags them SW so the tokenizer can drop them, and `keep_jamo=False`
removes them here instead.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable

import lxml.etree as etree
import lxml.html
import pyarrow as pa
import pyarrow.compute as pc

# Elements whose boundaries are line breaks in the rendered page.
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
_DROP = ("script", "style", "noscript", "template", "head", "title")
_TAG_ATTRS = r"(?:\s[^<>]*)?/?>"
# Lower-case tags only (what editors emit; RE2 is ten times slower case-insensitive): a
# row with an upper-case tag is hard markup and goes to the parser.
_BLOCK_TAG = "</?(?:" + "|".join(sorted(_BLOCKS)) + ")" + _TAG_ATTRS
_SIMPLE_TAG = "</?[a-z][a-z0-9]*" + _TAG_ATTRS
_HARD_MARKUP = "<(?i:!|\\?|(?:" + "|".join(_DROP) + r")\b)|</?[A-Z]"
# Entities decoded in the vector path, `&amp;` last so that `&amp;lt;` decodes once.
_ENTITIES = (
    ("&nbsp;", "\u00a0"),
    ("&lt;", "<"),
    ("&gt;", ">"),
    ("&quot;", '"'),
    ("&#39;", "'"),
    ("&apos;", "'"),
    ("&amp;", "&"),
)
_KNOWN_ENTITY = "&(?:nbsp|lt|gt|quot|#39|apos|amp);"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_TAG = re.compile(r"<[^>]*>")

_JAMO = "\u3131-\u318e"  # compatibility jamo ㄱ..ㆎ (ㅠ, ㅋ, ...)
_LATIN1_LETTERS = "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff"
_PUNCT = r".,!?'\"()\[\]\-:/%~+=*#@_\^"
# Format characters, joiners, variation selectors and combining marks glue to their
# neighbours: delete them (아\u200b기 -> 아기). Anything else off the list becomes a
# space, so an emoji between two words does not fuse them.
_GLUE = (
    r"[\x{00ad}\x{034f}\x{061c}\x{115f}\x{1160}\x{180b}-\x{180f}\x{200b}-\x{200f}\x{202a}-\x{202e}"
    r"\x{2060}-\x{206f}\x{3164}\x{fe00}-\x{fe0f}\x{feff}\x{ffa0}\x{0300}-\x{036f}\x{1ab0}-\x{1aff}"
    r"\x{1dc0}-\x{1dff}\x{20d0}-\x{20ff}\x{fe20}-\x{fe2f}\x{e0000}-\x{e0fff}]"
)
# Decomposed Hangul (conjoining jamo) and combining marks: the rows NFC must compose.
_DECOMPOSED = r"[\x{0300}-\x{036f}\x{1100}-\x{11ff}\x{a960}-\x{a97f}\x{d7b0}-\x{d7ff}]"
_BREAK_CHARS = r"\r\x{2028}\x{2029}\x{0085}\x{000b}\x{000c}"  # line breaks other than \n (class body)


def _allowed(keep_jamo: bool) -> str:
    """The whitelist as a character-class body, without the space and the line break."""
    jamo = _JAMO if keep_jamo else ""
    return rf"\x{{ac00}}-\x{{d7a3}}{jamo}A-Za-z0-9{_LATIN1_LETTERS}{_PUNCT}"


def _breaks(keep_jamo: bool) -> str:
    """A run of separators (characters off the whitelist) that holds a line break of any kind
    and is not a lone `\\n` already: each becomes one `\\n`."""
    ok = _allowed(keep_jamo)
    return rf"[^{ok}\n{_BREAK_CHARS}]+[\n{_BREAK_CHARS}][^{ok}]*|\n[^{ok}]+|[{_BREAK_CHARS}][^{ok}]*"


def _spaces(keep_jamo: bool, single_line: bool) -> str:
    """A run of separators other than a lone space (without `\\n` unless `single_line`, as
    `_breaks` has taken those): each becomes one space."""
    ok = _allowed(keep_jamo) + ("" if single_line else r"\n")
    return rf" *[^{ok} ][^{ok}]*| {{2,}}"


def html_to_text(markup: str | None) -> str:
    """Visible text of an HTML fragment: block boundaries as line breaks, entities decoded.

    Scripts, styles and comments are dropped, and images contribute nothing (their alt
    text describes a picture, not the question). Never raises: unparseable markup falls
    back to stripping tags and unescaping entities.
    """
    if not markup:
        return ""
    if "<" not in markup and "&" not in markup:
        return markup
    try:
        try:
            root = lxml.html.fragment_fromstring(markup, create_parent="div")
        except ValueError:  # control characters lxml refuses
            root = lxml.html.fragment_fromstring(_CONTROL.sub("", markup), create_parent="div")
        etree.strip_elements(root, *_DROP, with_tail=False)
        for el in root.iter(*_BLOCKS):
            el.tail = "\n" + (el.tail or "")
            if el.tag != "br":
                el.text = "\n" + (el.text or "")
        return "".join(root.itertext())
    except Exception:
        return html.unescape(_TAG.sub("\n", markup))


def string_array(values: Iterable[str | None]) -> pa.Array:
    """Python strings to Arrow; lone surrogates (JSON escapes can carry them) become U+FFFD."""
    values = list(values)
    try:
        return pa.array(values, type=pa.string())
    except UnicodeEncodeError:
        return pa.array(
            [
                v.encode("utf-16", "surrogatepass").decode("utf-16", "replace") if isinstance(v, str) else v
                for v in values
            ],
            type=pa.string(),
        )


def html_to_text_array(values: pa.Array | pa.ChunkedArray | Iterable[str | None]) -> pa.Array:
    """`html_to_text` over a column, vectorised for the markup a regex reads exactly.

    Tags are stripped with RE2 (block tags become line breaks, one per run of adjacent
    block tags) wherever that provably matches the parser once `clean_text` has
    collapsed the breaks: a row with script/style/comment/CDATA, or with a `<`/`>` left
    over after stripping well-formed tags, goes to lxml instead. The common entities are
    decoded in the vector path; a row with any other `&` goes through `html.unescape`.
    Rows without `<` or `&` (most titles) are not touched.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    arr = values if isinstance(values, pa.Array) else string_array(values)
    return _where(arr, pc.match_substring_regex(arr, "[<&]"), _strip_markup)


def _strip_markup(arr: pa.Array) -> pa.Array:
    # A run of adjacent block tags becomes one break: the same text once clean_text has
    # collapsed the breaks, with fewer breaks left to collapse.
    stripped = pc.replace_substring_regex(arr, f"(?:{_BLOCK_TAG})+", "\n")
    stripped = pc.replace_substring_regex(stripped, _SIMPLE_TAG, "")
    # Single-character patterns: RE2 scans them with memchr, ten times faster than a class.
    left = pc.or_(pc.match_substring_regex(stripped, "<"), pc.match_substring_regex(stripped, ">"))
    hard = pc.or_(left, pc.match_substring_regex(arr, _HARD_MARKUP))
    amps = pc.count_substring_regex(stripped, "&")
    odd_amp = pc.not_equal(amps, pc.count_substring_regex(stripped, _KNOWN_ENTITY))
    redo = pc.fill_null(pc.or_(hard, odd_amp), False)
    decoded = _where(stripped, pc.greater(amps, 0), _decode_entities)
    if not pc.any(redo).as_py():
        return decoded
    idx = pc.indices_nonzero(redo)
    fixed = [
        html_to_text(raw) if h else html.unescape(text)
        for raw, text, h in zip(
            arr.take(idx).to_pylist(), stripped.take(idx).to_pylist(), hard.take(idx).to_pylist(), strict=True
        )
    ]
    return pc.replace_with_mask(decoded, redo, string_array(fixed))


def _decode_entities(arr: pa.Array) -> pa.Array:
    for entity, char in _ENTITIES:
        arr = pc.replace_substring(arr, entity, char)
    return arr


def _where(arr: pa.Array, mask: pa.Array, fn: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """`fn` applied to the rows in `mask`; the other rows as they are.

    `fn` must leave a row outside `mask` unchanged: when most rows are in the mask it runs
    on the whole column, which costs less than filtering the rows out and scattering them back.
    """
    mask = pc.fill_null(mask, False)
    hits = pc.sum(mask).as_py() or 0
    if hits == 0:
        return arr
    if 2 * hits > len(arr):
        return fn(arr)
    return pc.replace_with_mask(arr, mask, fn(arr.filter(mask)))


def clean_text(arr: pa.Array | pa.ChunkedArray, *, keep_jamo: bool = True, single_line: bool = False) -> pa.Array:
    """Whitelist characters and collapse whitespace, vectorised (RE2 over Arrow buffers).

    NFC first so that decomposed Hangul (macOS input) is composed before the whitelist
    (per row with `unicodedata`, only on the rare rows that need it: pyarrow 25's
    utf8_normalize does not compose Hangul), then glue characters are deleted; nulls
    become empty strings. Every run of characters off the whitelist (spaces, line breaks,
    emoji, ...) then becomes one line break if it holds one, else one space: two passes
    that rewrite only the runs that change, so the common single space or break costs
    no replacement. Idempotent by construction (see the module docstring).
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    out = pc.fill_null(arr, "")
    out = _where(out, pc.match_substring_regex(out, f"{_DECOMPOSED}|{_GLUE}"), _compose_and_unglue)
    if not single_line:
        out = pc.replace_substring_regex(out, _breaks(keep_jamo), "\n")
    out = pc.replace_substring_regex(out, _spaces(keep_jamo, single_line), " ")
    return pc.utf8_trim(out, " \n")


def _compose_and_unglue(arr: pa.Array) -> pa.Array:
    """NFC on the rows with decomposed characters (only those: NFC also rewrites a few
    singletons, which the whitelist must see as they came), then glue characters deleted."""
    decomposed = pc.match_substring_regex(arr, _DECOMPOSED)
    if pc.any(decomposed).as_py():
        composed = [unicodedata.normalize("NFC", v) for v in arr.filter(decomposed).to_pylist()]
        arr = pc.replace_with_mask(arr, decomposed, pa.array(composed, pa.string()))
    return pc.replace_substring_regex(arr, _GLUE, "")


def merge_question(title: pa.Array, content: pa.Array) -> pa.Array:
    """`title` + line break + `content`, without a dangling break when either is empty."""
    joined = pc.binary_join_element_wise(title, content, "\n")
    return pc.utf8_trim(joined, "\n")


def cleanse_text(value: str | None, *, keep_jamo: bool = True) -> str:
    """One document through the whole text path (for tests and the odd single value)."""
    return clean_text(html_to_text_array([value]), keep_jamo=keep_jamo)[0].as_py()

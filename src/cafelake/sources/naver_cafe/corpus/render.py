"""Naver's JSON and HTML shapes: list items, article responses, error bodies, defects.

contentHtml mixes the editors seen in the wild (SmartEditor ONE markup, plain <p>, <br>
runs), with &nbsp; and entities, an occasional <img>, link, <script> or zero-width
character, so the cleanser meets what a scraper really receives.
"""

from __future__ import annotations

import json
import random
from datetime import datetime
from html import escape
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from cafelake.sources.naver_cafe.corpus.calendar import KST
from cafelake.sources.naver_cafe.corpus.model import OVERSIZED_CHARS

MENU_NAME = "아기 건강 Q&A"
_SE_OPEN = (
    '<div class="se-main-container"><div class="se-component se-text se-l-default">'
    '<div class="se-component-content"><div class="se-section se-section-text se-l-default">'
    '<div class="se-module se-module-text">'
)
_SE_CLOSE = "</div></div></div></div></div>"
_SE_P = '<p class="se-text-paragraph se-text-paragraph-align-"><span style="" class="se-fs- se-ff-">{}</span></p>'
_STYLES = (
    '<span style="color:#ff0000;">{}</span>',
    "<b>{}</b>",
    '<span style="font-size:15px;">{}</span>',
    "<strong>{}</strong>",
    '<font color="#0000ff">{}</font>',
)
_ASIDES = (
    "(사진 첨부해요 >_<)",
    "Q&A 게시판이 맞는지 모르겠네요",
    '"괜찮다"는 말만 들었어요',
    "병원 & 약국 다 닫았어요",
)
_SCRIPT = '<script type="text/javascript">window.__cafeAd = {slot: "article_bottom"};</script>'


def _sentence_html(rng: random.Random, sentence: str) -> str:
    text = escape(sentence, quote=False) if "&" in sentence or "<" in sentence or ">" in sentence else sentence
    u = rng.random()
    if u < 0.05:
        text = _STYLES[int(rng.random() * len(_STYLES))].format(text)
    elif u < 0.12:
        text = text.replace(" ", "&nbsp;", 1)
    elif u < 0.14:
        text = text.replace(" ", " \u200b", 1)  # zero-width space between words, never inside one
    return text


def content_html(rng: random.Random, paragraphs: list[list[str]], article_id: int) -> tuple[str, bool]:
    """(contentHtml, has_image)."""
    paras = [" ".join(_sentence_html(rng, s) for s in p) for p in paragraphs]
    if rng.random() < 0.03:
        paras.insert(rng.randint(0, len(paras)), escape(rng.choice(_ASIDES), quote=False))
    image = rng.random() < 0.08
    if image:
        src = f"https://cafeptthumb-phinf.pstatic.net/MjAyNjEw/{article_id}_{rng.randint(1, 999)}.jpg?type=w1600"
        alt = rng.choice(("첨부 이미지", f"KakaoTalk_{article_id}.jpg", "image.png"))
        paras.insert(rng.randint(1, len(paras)), f'<img src="{src}" alt="{alt}" class="se-image-resource">')
    if rng.random() < 0.04:
        url = f"https://m.blog.naver.com/babydoc/{rng.randint(220000000000, 229999999999)}"
        paras.append(f'<a href="{url}" target="_blank" class="se-link">{url}</a>')
    u = rng.random()
    if u < 0.5:
        blank = _SE_P.format("\u200b")  # SmartEditor's empty line
        html = _SE_OPEN + blank.join(_SE_P.format(p) for p in paras) + _SE_CLOSE
    elif u < 0.8:
        html = "<p>&nbsp;</p>".join(f"<p>{p}</p>" for p in paras)
    else:
        html = "<div>" + "<br><br>".join(paras) + "<br></div>"
    if rng.random() < 0.003:
        html += _SCRIPT
    if rng.random() < 0.01:
        html = "\ufeff" + html
    return html, image


def oversized(html: str, rng: random.Random) -> str:
    """A post that pasted a medicine leaflet many times over: past OVERSIZED_CHARS."""
    leaflet = "<p>[용법·용량] 체중 1kg당 10~15mg을 4~6시간 간격으로 복용합니다. 1일 최대 5회를 넘기지 마십시오.</p>"
    return html + leaflet * (OVERSIZED_CHARS // len(leaflet) + rng.randint(1, 50))


def date_text(kind: str, posted_ms: int, as_of_ms: int) -> str:
    """The odd-but-valid writeDate forms; relative ones are relative to the corpus's as_of."""
    t = datetime.fromtimestamp(posted_ms / 1000, KST)
    if kind == "odd_date_dotted":
        return t.strftime("%Y.%m.%d. %H:%M")
    if kind == "odd_date_short":
        return t.strftime("%y.%m.%d.")
    if kind == "odd_date_time":
        return t.strftime("%H:%M")
    if kind == "odd_date_ampm":
        return f"{'오전' if t.hour < 12 else '오후'} {(t.hour + 11) % 12 + 1}:{t.minute:02d}"
    if kind == "odd_date_ago":
        minutes = (as_of_ms - posted_ms) // 60_000
        return f"{minutes}분 전" if minutes < 60 else f"{minutes // 60}시간 전"
    if kind == "odd_date_yesterday":
        return "어제"
    raise ValueError(f"not a date form: {kind}")


def list_item(
    *,
    article_id: int,
    menu_id: str,
    subject: str,
    nick: str,
    member_key: str,
    level: int,
    posted_ms: int,
    read: int,
    comments: int,
    likes: int,
    is_new: bool,
    image: bool,
    is_open: bool,
    is_blind: bool,
) -> dict[str, Any]:
    return {
        "articleId": article_id,
        "refArticleId": article_id,
        "menuId": int(menu_id),
        "menuName": MENU_NAME,
        "menuType": "B",
        "boardType": "L",
        "subject": subject,
        "writerNickname": nick,
        "memberKey": member_key,
        "memberLevel": level,
        "writeDateTimestamp": posted_ms,
        "readCount": read,
        "commentCount": comments,
        "likeItCount": likes,
        "newArticle": is_new,
        "attachImage": image,
        "attachMovie": False,
        "attachFile": False,
        "openArticle": is_open,
        "blindArticle": is_blind,
    }


_ARTICLE = (
    '{"result":{"cafeId":%d,"articleId":%d,"article":{"id":%d,"refArticleId":%d,'
    '"menu":{"id":%d,"name":%s,"menuType":"B"},"subject":%s,'
    '"writer":{"memberKey":%s,"nick":%s,"memberLevel":%d},"writeDate":%d,"readCount":%d,'
    '"commentCount":%d,"likeItCount":%d,"contentHtml":%s,"isReadable":%s,"isOpen":%s,"isBlind":%s,'
    '"isNotice":false}}}'
)
_BOOL = {True: "true", False: "false"}


def article_text(
    *,
    club_id: str,
    menu_id: str,
    article_id: int,
    subject: str,
    nick: str,
    member_key: str,
    level: int,
    posted_ms: int,
    read: int,
    comments: int,
    likes: int,
    html: str,
    is_open: bool,
    is_blind: bool,
) -> str:
    """The article API's 200 response, byte for byte what dumps() of the same object gives.

    Filled from a template because it is the generator's hot path (json.dumps of the
    whole object costs twice as much); defects are applied to its parsed form.
    """
    q = encode_basestring
    return _ARTICLE % (
        int(club_id),
        article_id,
        article_id,
        article_id,
        int(menu_id),
        q(MENU_NAME),
        q(subject),
        q(member_key),
        q(nick),
        level,
        posted_ms,
        read,
        comments,
        likes,
        q(html),
        _BOOL[is_open],
        _BOOL[is_open],
        _BOOL[is_blind],
    )


def error_body(club_id: str, article_id: int, code: str, reason: str) -> str:
    return dumps({"result": {"errorCode": code, "reason": reason, "cafeId": int(club_id), "articleId": article_id}})


def dumps(obj: Any) -> str:
    """Naver answers compact UTF-8 JSON."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

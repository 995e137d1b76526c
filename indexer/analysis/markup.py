"""Removal of HTML escaping and markup from harvested text (which is untrusted and often half-HTML).

Only real HTML element names count as tags, so genotype notation such as ``Lepr<db>`` or
``Apc<Min>`` and comparisons such as ``a < b > c`` survive. Inline elements (``<i>``, ``<sup>``) are
removed without a space so ``H<sub>2</sub>O`` stays one word; other elements leave a space.
``<script>``/``<style>`` bodies and comments are dropped with their tags.
"""

from __future__ import annotations

import html
import re

__all__ = ["strip_markup_once"]

_INLINE = ["a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "dfn", "em", "font", "i", "ins", "kbd", "mark", "nobr", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr"]
_BLOCK = ["address", "area", "article", "aside", "audio", "base", "blockquote", "body", "br", "button", "canvas", "caption", "center", "col", "colgroup", "dd", "del", "details", "dialog", "div", "dl", "dt", "embed", "fieldset", "figcaption", "figure", "footer", "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html", "iframe", "img", "input", "label", "legend", "li", "link", "main", "map", "math", "meta", "meter", "nav", "noscript", "object", "ol", "optgroup", "option", "output", "p", "param", "picture", "pre", "progress", "section", "select", "source", "summary", "svg", "table", "tbody", "td", "template", "textarea", "tfoot", "th", "thead", "title", "tr", "track", "ul", "video"]

_SCRIPT_RE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_COMMENT_RE = re.compile(r"<!--.*?-->|<!doctype[^<>]*>|<!\[cdata\[|\]\]>|<\?xml[^<>]*\?>", re.DOTALL | re.I)
_ATTRS = r"(?:\s[^<>]*)?/?>"
_INLINE_TAG_RE = re.compile(rf"</?(?:{'|'.join(_INLINE)}){_ATTRS}", re.IGNORECASE)
_BLOCK_TAG_RE = re.compile(rf"</?(?:{'|'.join(_BLOCK)}|script|style){_ATTRS}", re.IGNORECASE)
_ENTITY_RE = re.compile(r"&(?:#[0-9]+|#x[0-9a-f]+|[a-z][a-z0-9]*);?", re.IGNORECASE)


def strip_markup_once(s: str) -> str:
    """Unescape entities, then remove markup, once. Callers loop until the text stops changing."""
    if "&" in s and _ENTITY_RE.search(s):
        s = html.unescape(s)
    if "<" in s:
        s = _SCRIPT_RE.sub(" ", s)
        s = _COMMENT_RE.sub(" ", s)
        s = _INLINE_TAG_RE.sub("", s)
        s = _BLOCK_TAG_RE.sub(" ", s)
    return s

"""UI translations: gettext message catalogs (``locale/<lang>/LC_MESSAGES/messages.po``).

Source strings are English and live in templates and code as ``_("...")``. The ``.po`` files are
compiled in memory with Babel when the app starts (no ``.mo`` build step). The page language comes
from ``?lang=``, else the ``lang`` cookie, else ``Accept-Language``, else Japanese.

To add strings: ``pybabel extract -F gateway/locale/babel.cfg -o messages.pot gateway`` then
``pybabel update -i messages.pot -d gateway/locale`` and translate ``ja/LC_MESSAGES/messages.po``.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from aiohttp import web
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "ja"
LANG_COOKIE = "lang"
LOCALE_DIR = Path(__file__).parent / "locale"


@dataclass(frozen=True)
class Translator:
    """``gettext`` for one language, with ``%(name)s`` interpolation."""

    lang: str
    translations: gettext.NullTranslations

    def gettext(self, message: str, **values: object) -> str:
        """``message`` in this language, with ``values`` interpolated."""
        text = self.translations.gettext(message)
        return text % values if values else text

    __call__ = gettext

    def pick(self, ja: str | None, en: str | None) -> str:
        """The text in this language, else the other one, else ''."""
        first, second = (ja, en) if self.lang == "ja" else (en, ja)
        return first or second or ""


def compile_catalog(po_file: Path) -> gettext.GNUTranslations:
    """A ``.po`` file compiled in memory into gettext translations."""
    with po_file.open("rb") as handle:
        catalog = read_po(handle)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def load_translators(locale_dir: Path = LOCALE_DIR) -> dict[str, Translator]:
    """One translator per supported language (English falls back to the source strings)."""
    translators: dict[str, Translator] = {}
    for lang in LANGUAGES:
        po_file = locale_dir / lang / "LC_MESSAGES" / "messages.po"
        translations = compile_catalog(po_file) if po_file.is_file() else gettext.NullTranslations()
        translators[lang] = Translator(lang, translations)
    return translators


def parse_accept_language(header: str) -> list[str]:
    """Primary language subtags from an Accept-Language header, most preferred first."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.split("-")[0].lower()))
    return [tag for _, _, tag in sorted(ranked)]


def choose_language(request: web.Request) -> str:
    """The page language for ``request``."""
    explicit = request.query.get("lang")
    if explicit in LANGUAGES:
        return explicit
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    for tag in parse_accept_language(request.headers.get("Accept-Language", "")):
        if tag in LANGUAGES:
            return tag
    return DEFAULT_LANGUAGE

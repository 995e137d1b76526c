"""Rendering: pages through jinja2 with the request's language, and JSON bodies from models."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from markupsafe import Markup
from pydantic import BaseModel

from gateway import links
from gateway.display import display_for
from gateway.i18n import Translator, choose_language
from gateway.keys import INSTITUTIONS, TRANSLATORS
from gateway.sessions import get_session
from indexer.analysis.concepts import default_concepts
from schemas.institution import InstitutionRegistry
from schemas.vocab import AVAILABILITY_LABELS, RESOURCE_TYPE_LABELS, Availability, ResourceType

#: Facets whose values are concept ids, labelled from the vocabulary in the page's language.
CONCEPT_FACETS = frozenset({"species", "disease", "tissue", "sample_type"})

_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                 0x2028: "\\u2028", 0x2029: "\\u2029"}


def json_model(model: BaseModel, *, status: int = 200) -> web.Response:
    """A JSON response from a pydantic model (serialised by pydantic, UTF-8)."""
    return web.Response(body=model.model_dump_json().encode(), status=status, content_type="application/json")


def json_body(data: Any, *, status: int = 200) -> web.Response:
    """A JSON response from plain data."""
    return web.Response(text=json.dumps(data, ensure_ascii=False), status=status, content_type="application/json")


def script_json(data: Any) -> Markup:
    """JSON safe inside ``<script type="application/ld+json">``: ``<``, ``>``, ``&`` and the JS line
    separators are \\u-escaped, so harvested text can never close the script element."""
    return Markup(json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_JSON_ESCAPES))


def institutions(request: web.Request) -> InstitutionRegistry:
    """The member institutions as this process last loaded them."""
    return request.app[INSTITUTIONS].registry


def translator(request: web.Request) -> Translator:
    """The translator for the request's language."""
    translators: dict[str, Translator] = request.app[TRANSLATORS]
    return translators[choose_language(request)]


class Labels:
    """Vocabulary labels in one language, for templates."""

    def __init__(self, t: Translator, institutions: InstitutionRegistry) -> None:
        self.t = t
        self.institutions = institutions

    def resource_type(self, value: str) -> str:
        """Label of a resource type (the raw value if unknown)."""
        try:
            ja, en = RESOURCE_TYPE_LABELS[ResourceType(value)]
        except ValueError:
            return value
        return self.t.pick(ja, en)

    def availability(self, value: str) -> str:
        """Label of an availability state."""
        try:
            ja, en = AVAILABILITY_LABELS[Availability(value)]
        except ValueError:
            return value
        return self.t.pick(ja, en)

    def institution(self, slug: str) -> str:
        """Name of an institution in the page's language."""
        return self.institutions.name(slug, self.t.lang)

    def facet_value(self, facet: str, value: str) -> str:
        """Label of a facet value."""
        if facet == "resource_type":
            return self.resource_type(value)
        if facet == "availability":
            return self.availability(value)
        if facet == "institution":
            return self.institution(value)
        if facet in CONCEPT_FACETS:
            return default_concepts().label(value, self.t.lang)  # a concept id (ICD10:C34, NCBITaxon:9606)
        return value


def page_context(request: web.Request) -> dict[str, Any]:
    """What every page template gets: language, translator, labels, cart count, links."""
    t = translator(request)
    cart = get_session(request).get("cart")
    other = "en" if t.lang == "ja" else "ja"
    return {
        "lang": t.lang, "_": t, "t": t, "labels": Labels(t, institutions(request)), "request": request,
        "show": display_for(request, t),
        "cart_count": len(cart) if isinstance(cart, list) else 0,
        "switch_lang": other, "switch_url": links.with_params(request.path, request.query, lang=other),
        "static": lambda name: request.app.router["static"].url_for(filename=name),
    }


def render_page(request: web.Request, template: str, context: Mapping[str, Any], *,
                status: int = 200) -> web.Response:
    """Render ``template`` with the page context plus ``context``."""
    response = aiohttp_jinja2.render_template(template, request, {**page_context(request), **context},
                                              status=status)
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response

"""Remote JSON-LD contexts: which a document imports, and reading a registered copy in.

Pure functions; the registered copies live in ``epcis_context`` (see ``trace.epcis.service``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from plateau.i18n import _
from plateau.trace.epcis import cbv

# The JSON-LD contexts every EPCIS 2.0 document imports under one name or another (ours is
# packaged; none of these is ever fetched).
GS1_CONTEXTS = frozenset(
    {
        cbv.CONTEXT_URL,
        "https://gs1.github.io/EPCIS/epcis-context.jsonld",
        "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    }
)


class ContextError(ValueError):
    """An uploaded context that is no JSON-LD context (the message says why)."""


def prefixes_of(document: Any) -> dict[str, str]:
    """Return the prefixes (term → IRI) a JSON-LD context document defines, or raise."""
    if not isinstance(document, Mapping) or "@context" not in document:
        raise ContextError(_('A JSON-LD context document is a JSON object with an "@context".'))
    prefixes: dict[str, str] = {}
    context = document["@context"]
    for item in context if isinstance(context, list) else [context]:
        if isinstance(item, str):
            continue
        if not isinstance(item, Mapping):
            raise ContextError(_('"@context" holds objects and URLs only.'))
        for key, value in item.items():
            if key.startswith("@"):
                continue
            if isinstance(value, str) and ":" in value:
                prefixes[key] = value
            elif isinstance(value, Mapping) and isinstance(value.get("@id"), str):
                prefixes[key] = value["@id"]
    if not prefixes:
        raise ContextError(_("The context defines no prefix or term with an IRI."))
    return prefixes


def remote_urls(context: Any) -> list[str]:
    """Return the context URLs a ``@context`` value imports, other than GS1's own."""
    items = context if isinstance(context, list) else [context]
    return [i for i in items if isinstance(i, str) and i not in GS1_CONTEXTS]


def _contexts(node: Any) -> Iterator[dict[str, Any]]:
    """Yield every JSON object of a document that carries an ``@context``."""
    if isinstance(node, dict):
        if "@context" in node:
            yield node
        for value in node.values():
            yield from _contexts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _contexts(value)


def inline(
    document: dict[str, Any], registered: Mapping[str, Mapping[str, str]]
) -> tuple[dict[str, Any], list[str]]:
    """Return ``document`` with the prefixes of each registered context URL it imports added
    right after that URL (the URL stays), and the URLs read in.

    Where a document also defines a prefix itself, its own definition wins: it comes later.
    """
    if not registered or not any(
        url in registered for n in _contexts(document) for url in remote_urls(n["@context"])
    ):
        return document, []
    result = copy.deepcopy(document)
    used: list[str] = []
    for node in _contexts(result):
        context = node["@context"]
        items = context if isinstance(context, list) else [context]
        expanded: list[Any] = []
        for item in items:
            expanded.append(item)
            if isinstance(item, str) and item in registered:
                expanded.append(dict(registered[item]))
                if item not in used:
                    used.append(item)
        node["@context"] = expanded
    return result, used

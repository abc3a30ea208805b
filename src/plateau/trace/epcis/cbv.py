"""CBV 2.0 standard vocabularies and the forms their values take.

A CBV value can be written four ways: the bare term the JSON-LD binding uses
(``shipping``), the URN the XML binding has always used
(``urn:epcglobal:cbv:bizstep:shipping``), the web URI of CBV 2.0
(``https://ref.gs1.org/cbv/BizStep-shipping``) and that URI as a CURIE through the
``cbv:`` prefix (``cbv:BizStep-shipping``). Anything else that is an absolute URI is a
user-defined value, which the standard allows. A bare word that is not a term is an error.

The terms are read from GS1's JSON-LD context shipped in ``gs1/``, the same file the
JSON binding refers to, so the vocabulary and the context cannot drift apart.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

CBV_WEB = "https://ref.gs1.org/cbv/"
GS1_VOC = "https://gs1.org/voc/"
CONTEXT_URL = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
# Namespaces reserved to GS1: CBV terms and extension fields may not be invented in them.
GS1_NAMESPACES: tuple[str, ...] = (
    "urn:epcglobal:cbv:",
    "https://ref.gs1.org/",
    "http://ref.gs1.org/",
    "https://ns.gs1.org/",
    "http://ns.gs1.org/",
    "https://gs1.org/voc/",
    "http://gs1.org/voc/",
    "https://www.gs1.org/voc/",
    "http://www.gs1.org/voc/",
    "urn:epcglobal:epcis:",
)

# RFC 3986 scheme followed by a colon and at least one character that is not white space.
_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")


class Form(StrEnum):
    """How a vocabulary value was written."""

    BARE = "bare"
    URN = "urn"
    WEB = "web"
    CURIE = "curie"


@dataclass(frozen=True)
class Vocabulary:
    """One CBV (or GS1 Web Vocabulary) code list and the prefixes of its URI forms."""

    name: str
    terms: frozenset[str]
    web_prefix: str
    urn_prefix: str | None = None
    curie_prefix: str | None = None

    def bare(self, value: str) -> str | None:
        """Return the bare term ``value`` stands for, or None when it is no term of this list."""
        term = self._strip(value)
        return term if term is not None and term in self.terms else None

    def form(self, value: str) -> Form | None:
        """Return how ``value`` spells a term of this list, or None when it spells none."""
        if value in self.terms:
            return Form.BARE
        if self.urn_prefix and value.startswith(self.urn_prefix):
            return Form.URN if value[len(self.urn_prefix) :] in self.terms else None
        for web in _web_variants(self.web_prefix):
            if value.startswith(web):
                return Form.WEB if value[len(web) :] in self.terms else None
        if self.curie_prefix and value.startswith(self.curie_prefix):
            return Form.CURIE if value[len(self.curie_prefix) :] in self.terms else None
        return None

    def claims(self, value: str) -> bool:
        """Tell whether ``value`` is written in one of this list's own URI forms."""
        if self.urn_prefix and value.startswith(self.urn_prefix):
            return True
        if any(value.startswith(web) for web in _web_variants(self.web_prefix)):
            return True
        return bool(self.curie_prefix and value.startswith(self.curie_prefix))

    def urn(self, term: str) -> str:
        """Return the URN form of ``term`` (the web URI when the list has no URN form)."""
        return f"{self.urn_prefix}{term}" if self.urn_prefix else self.web(term)

    def web(self, term: str) -> str:
        """Return the web URI form of ``term``."""
        return f"{self.web_prefix}{term}"

    def _strip(self, value: str) -> str | None:
        if value in self.terms:
            return value
        prefixes = [self.urn_prefix, *_web_variants(self.web_prefix), self.curie_prefix]
        for prefix in prefixes:
            if prefix and value.startswith(prefix):
                return value[len(prefix) :]
        return None


class Status(StrEnum):
    """What a value of a vocabulary-typed field turned out to be."""

    STANDARD = "standard"  # a term of the code list, in any of its forms
    USER_DEFINED = "user_defined"  # an absolute URI outside the GS1 namespaces
    UNKNOWN_TERM = "unknown_term"  # a bare word, or a GS1-namespace URI, naming no term
    INVALID = "invalid"  # empty or not a string


def _web_variants(prefix: str) -> tuple[str, ...]:
    # CBV 2.0 drafts used http:// and ns.gs1.org; accept them on input, never produce them.
    variants = [prefix]
    if prefix.startswith("https://"):
        variants.append("http://" + prefix[len("https://") :])
    if prefix.startswith(CBV_WEB):
        tail = prefix[len(CBV_WEB) :]
        variants += [f"https://ns.gs1.org/cbv/{tail}", f"http://ns.gs1.org/cbv/{tail}"]
    if prefix.startswith(GS1_VOC):
        tail = prefix[len(GS1_VOC) :]
        variants += [
            f"https://www.gs1.org/voc/{tail}",
            f"http://www.gs1.org/voc/{tail}",
            f"https://ref.gs1.org/voc/{tail}",
        ]
    return tuple(variants)


def is_absolute_uri(value: str) -> bool:
    """Tell whether ``value`` is an absolute URI (RFC 3986: scheme, colon, something)."""
    return bool(_ABSOLUTE_URI.match(value))


def in_gs1_namespace(uri: str) -> bool:
    """Tell whether ``uri`` lies in a namespace that only GS1 may define terms in."""
    return uri.startswith(GS1_NAMESPACES)


def status(vocabulary: Vocabulary, value: Any) -> Status:
    """Classify a value of a field typed by ``vocabulary``."""
    if not isinstance(value, str) or not value:
        return Status.INVALID
    if vocabulary.form(value) is not None:
        return Status.STANDARD
    if vocabulary.claims(value):
        return Status.UNKNOWN_TERM
    if is_absolute_uri(value) and not in_gs1_namespace(value):
        return Status.USER_DEFINED
    if ":" not in value or in_gs1_namespace(value):
        return Status.UNKNOWN_TERM
    return Status.INVALID


def is_standard(vocabulary: Vocabulary, value: str) -> bool:
    """Tell whether ``value`` names a term of ``vocabulary`` in any accepted form."""
    return vocabulary.form(value) is not None


def to_bare(vocabulary: Vocabulary, value: str) -> str:
    """Return the JSON-LD form of ``value``: the bare term, or ``value`` itself when user-defined."""
    return vocabulary.bare(value) or value


def to_urn(vocabulary: Vocabulary, value: str) -> str:
    """Return the XML form of ``value``: the URN of a term, or ``value`` itself when user-defined."""
    term = vocabulary.bare(value)
    return vocabulary.urn(term) if term is not None else value


def to_web_uri(vocabulary: Vocabulary, value: str) -> str:
    """Return the web URI of a term, or ``value`` itself when user-defined."""
    term = vocabulary.bare(value)
    return vocabulary.web(term) if term is not None else value


@cache
def _context() -> dict[str, Any]:
    path = resources.files("plateau.trace.epcis") / "gs1" / "context" / "epcis-context.jsonld"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["@context"]
    return data


def epcis_context() -> dict[str, Any]:
    """Return GS1's EPCIS 2.0 JSON-LD ``@context`` object (the packaged copy)."""
    return _context()


def _vocab_terms(*path: str, prefix: str) -> frozenset[str]:
    # Nested contexts also carry prefix definitions ("epcis": ...); keep only the code list.
    node: Any = _context()
    for key in path:
        node = node[key]["@context"]
    if isinstance(node, list):
        merged: dict[str, Any] = {}
        for part in node:
            merged.update(part)
        node = merged
    return frozenset(
        k for k, v in node.items() if isinstance(v, str) and v.startswith(prefix) and k != "@vocab"
    )


@cache
def _vocabularies() -> dict[str, Vocabulary]:
    sensor = ("sensorElementList", "sensorReport")
    return {
        "bizStep": Vocabulary(
            "BizStep",
            _vocab_terms("bizStep", prefix="cbv:BizStep-"),
            CBV_WEB + "BizStep-",
            "urn:epcglobal:cbv:bizstep:",
            "cbv:BizStep-",
        ),
        "disposition": Vocabulary(
            "Disp",
            _vocab_terms("disposition", prefix="cbv:Disp-"),
            CBV_WEB + "Disp-",
            "urn:epcglobal:cbv:disp:",
            "cbv:Disp-",
        ),
        "bizTransactionType": Vocabulary(
            "BTT",
            _vocab_terms("bizTransactionList", "type", prefix="cbv:BTT-"),
            CBV_WEB + "BTT-",
            "urn:epcglobal:cbv:btt:",
            "cbv:BTT-",
        ),
        "sourceDestType": Vocabulary(
            "SDT",
            _vocab_terms("sourceList", "type", prefix="cbv:SDT-"),
            CBV_WEB + "SDT-",
            "urn:epcglobal:cbv:sdt:",
            "cbv:SDT-",
        ),
        "errorReason": Vocabulary(
            "ER",
            _vocab_terms("errorDeclaration", "reason", prefix="cbv:ER-"),
            CBV_WEB + "ER-",
            "urn:epcglobal:cbv:er:",
            "cbv:ER-",
        ),
        "component": Vocabulary(
            "Comp",
            _vocab_terms(*sensor, "component", prefix="cbv:Comp-"),
            CBV_WEB + "Comp-",
            None,
            "cbv:Comp-",
        ),
        "measurementType": Vocabulary(
            "MeasurementType",
            _vocab_terms(*sensor, "type", prefix="gs1:"),
            GS1_VOC,
            None,
            "gs1:",
        ),
        "sensorAlertType": Vocabulary(
            "SensorAlertType",
            _vocab_terms(*sensor, "exception", prefix="gs1:"),
            GS1_VOC,
            None,
            "gs1:",
        ),
    }


def vocabulary(name: str) -> Vocabulary:
    """Return a vocabulary by the JSON field it types (``bizStep``, ``disposition``, ...)."""
    return _vocabularies()[name]


def vocabulary_names() -> list[str]:
    """Return the names of every vocabulary this module knows."""
    return list(_vocabularies())


def biz_step() -> Vocabulary:
    """Return the CBV business step vocabulary."""
    return vocabulary("bizStep")


def disposition() -> Vocabulary:
    """Return the CBV disposition vocabulary."""
    return vocabulary("disposition")


def biz_transaction_type() -> Vocabulary:
    """Return the CBV business transaction type vocabulary."""
    return vocabulary("bizTransactionType")


def source_dest_type() -> Vocabulary:
    """Return the CBV source/destination type vocabulary."""
    return vocabulary("sourceDestType")


def error_reason() -> Vocabulary:
    """Return the CBV error reason vocabulary."""
    return vocabulary("errorReason")


def measurement_type() -> Vocabulary:
    """Return the GS1 Web Vocabulary measurement types used by sensor reports."""
    return vocabulary("measurementType")


def sensor_alert_type() -> Vocabulary:
    """Return the GS1 sensor alert types (``exception`` of a sensor report)."""
    return vocabulary("sensorAlertType")


def component() -> Vocabulary:
    """Return the CBV sensor report components (``x``, ``latitude``, ...)."""
    return vocabulary("component")

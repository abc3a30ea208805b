"""The EPCIS query language: parameters from a URL or a JSON query, checked and normalised.

Both spellings of a query end up as one :class:`EventQuery`: values are already in the
form the index columns hold (canonical Digital Links, bare CBV words, UTC instants), so
``repository`` only turns it into SQL. What the language defines and this repository does
not implement (user-extension field filters, some sensor attributes) is refused with 501,
never silently ignored; names the language does not define are a QueryParameterException.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from plateau.i18n import _
from plateau.registry.identifiers import IdentifierError
from plateau.trace import identifiers
from plateau.trace.epcis import cbv, problems, validation
from plateau.trace.epcis.events import (
    Context,
    EventError,
    expand_curie,
    identifier_key,
    parse_time,
    vocab_key,
)

DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 1000
CANONICAL_HOST = identifiers.CANONICAL_HOST

# MATCH_* parameters and the roles of epcis_event_epc they look at.
MATCH_ROLES: dict[str, tuple[str, ...]] = {
    "MATCH_epc": ("epc", "child"),
    "MATCH_parentID": ("parent",),
    "MATCH_inputEPC": ("input",),
    "MATCH_outputEPC": ("output",),
    "MATCH_anyEPC": ("epc", "child", "parent", "input", "output"),
    "MATCH_epcClass": ("quantity_class", "child_quantity_class"),
    "MATCH_inputEPCClass": ("input_quantity_class",),
    "MATCH_outputEPCClass": ("output_quantity_class",),
    "MATCH_anyEPCClass": (
        "quantity_class",
        "child_quantity_class",
        "input_quantity_class",
        "output_quantity_class",
    ),
}
# Every role: what /epcs/{epc}/events looks for.
ANY_ROLE = "MATCH_anyIdentifier"
MATCH_ROLES_ALL = {
    **MATCH_ROLES,
    ANY_ROLE: MATCH_ROLES["MATCH_anyEPC"] + MATCH_ROLES["MATCH_anyEPCClass"],
}
_URI_LISTS = frozenset(
    {
        "eventType",
        "EQ_readPoint",
        "WD_readPoint",
        "EQ_bizLocation",
        "WD_bizLocation",
        "EQ_transformationID",
        "EQ_eventID",
        "EQ_correctiveEventID",
        "EQ_deviceID",
        *MATCH_ROLES,
    }
)
_VOCAB_LISTS: dict[str, str] = {
    "EQ_bizStep": "bizStep",
    "EQ_disposition": "disposition",
    "EQ_persistentDisposition_set": "disposition",
    "EQ_persistentDisposition_unset": "disposition",
    "EQ_errorReason": "errorReason",
    "EQ_type": "measurementType",
}
_TIMES: dict[str, str] = {
    name: name
    for name in (
        "GE_eventTime",
        "LT_eventTime",
        "GE_recordTime",
        "LT_recordTime",
        "GE_errorDeclarationTime",
        "LT_errorDeclarationTime",
        "GE_time",
        "LT_time",
        "GE_startTime",
        "LT_startTime",
        "GE_endTime",
        "LT_endTime",
    )
}
# query-schema.json spells these two with an underscore.
_TIMES["GE_errorDeclaration_Time"] = "GE_errorDeclarationTime"
_TIMES["LT_errorDeclaration_Time"] = "LT_errorDeclarationTime"
_FLAGS = frozenset({"EXISTS_errorDeclaration", "EXISTS_sensorElementList"})
_INTEGERS = frozenset({"eventCountLimit", "maxEventCount"})
_ORDER_FIELDS = ("eventTime", "recordTime")

_COMPARISON = re.compile(r"^(GT|GE|LT|LE)_(quantity)$")
_MEASURE = re.compile(
    r"^(EQ|GT|GE|LT|LE)_(quantity|value|minValue|maxValue|meanValue)_([A-Z0-9]{2,4})$"
)
_TYPED_LIST = re.compile(r"^EQ_(bizTransaction|source|destination)_([a-z][a-zA-Z0-9_]+)$")
# Defined by the language (query-schema.json) but not implemented here.
_UNSUPPORTED = re.compile(
    r"^(EQ|GT|GE|LT|LE|EXISTS|HASATTR)_.*:.*$"
    r"|^EQ_ATTR_"
    r"|^(GE|GT|LT|LE)_(percRank|percValue_[A-Z0-9]{2,4}|sDev_[A-Z0-9]{2,4})$"
    r"|^EQ_(dataProcessingMethod|microorganism|chemicalSubstance|bizRules|stringValue"
    r"|hexBinaryValue|uriValue|booleanValue)$"
)
_NO_DL_SCHEMES: dict[str, str] = {
    "sgtin": "01",
    "sscc": "00",
    "sgln": "414",
    "pgln": "417",
    "grai": "8003",
    "giai": "8004",
    "gsrn": "8018",
    "gsrnp": "8017",
    "gdti": "253",
    "sgcn": "255",
    "cpi": "8010",
    "ginc": "401",
    "gsin": "402",
    "itip": "8006",
    "upui": "01",
}
# Schemes whose serial follows the class digits directly, without a path segment.
_GLUED_SERIALS = frozenset({"grai", "gdti", "sgcn"})


@dataclass(frozen=True)
class Matcher:
    """How one set of identifier values is matched: equal, by prefix, or by LIKE pattern."""

    exact: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    likes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.exact or self.prefixes or self.likes)


@dataclass
class EventQuery:
    """A checked query: filters keyed by parameter name, with normalised values."""

    # Keyed by parameter name, or by a tuple for families (quantity, sensor values, types).
    filters: dict[str | tuple[Any, ...], Any] = field(default_factory=dict)
    order_by: Literal["eventTime", "recordTime"] | None = None
    descending: bool = True
    event_count_limit: int | None = None
    max_event_count: int | None = None

    # Filters a resource path adds (/bizSteps/{bizStep}/events …), ANDed with the others.
    path_filters: list[tuple[str, Any]] = field(default_factory=list)

    def restricted(self, name: str, value: Any) -> EventQuery:
        """Return a copy that also applies ``name`` = ``value`` (from a resource path)."""
        return EventQuery(
            dict(self.filters),
            self.order_by,
            self.descending,
            self.event_count_limit,
            self.max_event_count,
            [*self.path_filters, (name, value)],
        )


# --- reading parameters -------------------------------------------------------------------


def from_url(pairs: Iterable[tuple[str, str]], *, ignore: Iterable[str] = ()) -> EventQuery:
    """Read a query given as URL parameters (lists separated by ``|``)."""
    skip = set(ignore)
    raw: dict[str, str] = {}
    for name, value in pairs:
        if name in skip:
            continue
        if name in raw:
            raise problems.query_parameter_error(
                _("The query parameter %(name)s is given more than once.", name=name)
            )
        raw[name] = value
    query = EventQuery()
    for name, value in raw.items():
        _read(query, name, value, textual=True, prefixes={})
    _check(query)
    return query


def from_json(document: Any) -> EventQuery:
    """Read a query of the REST binding (a JSON object per query-schema.json)."""
    report = validation.report(validation.validate_query(document))
    if not report.ok:
        raise problems.EpcisError(problems.QUERY_VALIDATION, report.detail(), 400)
    assert isinstance(document, Mapping)
    prefixes = Context.of(document.get("@context")).prefixes
    query = EventQuery()
    for name, value in document.items():
        if name == "@context":
            continue
        _read(query, name, value, textual=False, prefixes=prefixes)
    _check(query)
    return query


def _read(
    query: EventQuery, name: str, value: Any, *, textual: bool, prefixes: Mapping[str, str]
) -> None:
    if name in _URI_LISTS:
        values = _list(name, value, textual)
        if name in MATCH_ROLES:
            query.filters[name] = match_values(name, values)
        elif name in ("eventType",):
            query.filters[name] = [_expand(v, prefixes) for v in values]
        elif name in ("EQ_eventID", "EQ_transformationID", "EQ_correctiveEventID"):
            query.filters[name] = values
        else:
            query.filters[name] = [identifier_key(v) for v in values]
    elif name in _VOCAB_LISTS:
        vocabulary = cbv.vocabulary(_VOCAB_LISTS[name])
        query.filters[name] = [
            vocab_key(vocabulary, v, prefixes) for v in _list(name, value, textual)
        ]
    elif name == "EQ_action":
        actions = _list(name, value, textual)
        for action in actions:
            if action not in ("ADD", "OBSERVE", "DELETE"):
                raise problems.query_parameter_error(
                    _(
                        "EQ_action takes ADD, OBSERVE or DELETE, not %(value)s.",
                        value=action,
                    )
                )
        query.filters[name] = actions
    elif name in _TIMES:
        query.filters[_TIMES[name]] = _time(name, value)
    elif name in _FLAGS:
        if _flag(name, value):
            query.filters[name] = True
    elif name in _INTEGERS:
        number = _integer(name, value)
        if name == "eventCountLimit":
            query.event_count_limit = number
        else:
            query.max_event_count = number
    elif name == "orderBy":
        if value not in _ORDER_FIELDS:
            if isinstance(value, str) and (":" in value or value.startswith("http")):
                raise _unsupported(name)
            raise problems.query_parameter_error(
                _("orderBy takes eventTime or recordTime, not %(value)s.", value=str(value))
            )
        query.order_by = value
    elif name == "orderDirection":
        if value not in ("ASC", "DESC"):
            raise problems.query_parameter_error(
                _("orderDirection takes ASC or DESC, not %(value)s.", value=str(value))
            )
        query.descending = value == "DESC"
    elif name == "EQ_quantity":
        query.filters[("quantity", "EQ", None)] = [
            _number(name, v) for v in _list(name, value, textual)
        ]
    elif match := _COMPARISON.match(name):
        query.filters[("quantity", match.group(1), None)] = _number(name, value)
    elif match := _MEASURE.match(name):
        op, measure, uom = match.groups()
        measured: Any = (
            [_number(name, v) for v in _list(name, value, textual)]
            if op == "EQ"
            else _number(name, value)
        )
        query.filters[(measure, op, uom)] = measured
    elif match := _TYPED_LIST.match(name):
        kind, type_name = match.groups()
        vocabulary = (
            cbv.biz_transaction_type() if kind == "bizTransaction" else (cbv.source_dest_type())
        )
        key = vocab_key(vocabulary, type_name, prefixes)
        query.filters[(kind, key)] = [identifier_key(v) for v in _list(name, value, textual)]
    elif _UNSUPPORTED.match(name):
        raise _unsupported(name)
    else:
        raise problems.query_parameter_error(
            _("%(name)s is not a parameter of the EPCIS query language.", name=name)
        )


def _check(query: EventQuery) -> None:
    if query.event_count_limit is not None and query.max_event_count is not None:
        raise problems.query_parameter_error(
            _("eventCountLimit and maxEventCount cannot be used together.")
        )
    if query.event_count_limit is not None and query.order_by is None:
        raise problems.query_parameter_error(_("eventCountLimit needs orderBy."))


def _unsupported(name: str) -> problems.EpcisError:
    return problems.EpcisError(
        problems.IMPLEMENTATION,
        _("The query parameter %(name)s is not supported by this repository.", name=name),
        501,
    )


def _list(name: str, value: Any, textual: bool) -> list[str]:
    if textual:
        items = [v for v in str(value).split("|")]
    elif isinstance(value, list):
        items = [str(v) for v in value]
    else:
        items = [str(value)]
    if not items or any(not v.strip() for v in items):
        raise problems.query_parameter_error(
            _("%(name)s needs one or more values separated by |.", name=name)
        )
    return [v.strip() for v in items]


def _time(name: str, value: Any) -> datetime:
    try:
        return parse_time(value)
    except EventError:
        raise problems.query_parameter_error(
            _(
                "%(name)s must be a date and time with a time zone, such as 2024-05-01T08:00:00+08:00.",
                name=name,
            )
        ) from None


def _flag(name: str, value: Any) -> bool:
    if value is None or value is True or value in ("", "true", "1", 1):
        return True
    if value is False or value in ("false", "0", 0):
        return False
    raise problems.query_parameter_error(_("%(name)s takes true or false.", name=name))


def _integer(name: str, value: Any) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        number = -1
    if number < 1 or isinstance(value, bool):
        raise problems.query_parameter_error(
            _("%(name)s must be a whole number of at least 1.", name=name)
        )
    return number


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool):
        raise problems.query_parameter_error(_("%(name)s must be a number.", name=name))
    try:
        return float(str(value).strip())
    except ValueError:
        raise problems.query_parameter_error(_("%(name)s must be a number.", name=name)) from None


def _expand(value: str, prefixes: Mapping[str, str]) -> str:
    return expand_curie(value, prefixes)


# --- identifier matching (EPCIS 2.0 §8.2.7.1.1) ------------------------------------------------


def match_values(name: str, values: Iterable[str]) -> Matcher:
    """Return how MATCH_* values match indexed identifiers.

    An EPC URI or Digital Link of one object matches it in any spelling. A pattern
    (``urn:epc:idpat:sgtin:0614141.107346.*``), a class (``urn:epc:class:lgtin:…``) or a
    Digital Link naming a class (``https://id.gs1.org/01/10614141073464``) matches the
    class itself and every instance and lot of it.
    """
    exact: set[str] = set()
    prefixes: list[str] = []
    likes: list[str] = []
    for value in values:
        text = value.strip()
        if text.lower().startswith("urn:epc:idpat:"):
            _pattern(name, text, exact, prefixes, likes)
            continue
        key = identifier_key(text)
        exact.add(key)
        if _is_class_link(key):
            prefixes.append(key + "/")
    return Matcher(frozenset(exact), tuple(prefixes), tuple(likes))


def _is_class_link(key: str) -> bool:
    """A Digital Link of a GTIN alone (no serial, lot or other qualifier) names a class."""
    return re.fullmatch(re.escape(CANONICAL_HOST) + r"/01/\d{14}", key) is not None


def _pattern(name: str, text: str, exact: set[str], prefixes: list[str], likes: list[str]) -> None:
    try:
        epc = identifiers.parse_epc_uri(text)
    except IdentifierError as exc:
        raise problems.query_parameter_error(
            _("%(name)s: %(error)s", name=name, error=str(exc))
        ) from None
    ai = _NO_DL_SCHEMES[epc.scheme]
    base = f"{CANONICAL_HOST}/{ai}/"
    if epc.company_prefix == "*":
        likes.append(base + "%")
        return
    free = [i for i, f in enumerate(epc.fields) if f == "*"]
    if free == [len(epc.fields) - 1] and len(epc.fields) > 1:
        link = identifiers.normalize_epc(text, "dl", strict=False)
        if link.startswith(CANONICAL_HOST):
            exact.add(link)
            prefixes.append(link if epc.scheme in _GLUED_SERIALS else link + "/")
            return
    gcp = epc.company_prefix
    if epc.scheme == "sgln" and free == [1]:
        # One location, any extension: the GLN itself and its /254/ extensions.
        gln = identifiers.normalize_epc(f"urn:epc:id:sgln:{gcp}.{epc.fields[0]}.0", "dl")
        exact.add(gln)
        prefixes.append(gln + "/254/")
        return
    if epc.scheme in ("sgtin", "upui", "itip"):
        likes.append(base + "_" + gcp + "_" * (13 - len(gcp)) + "%")
    elif epc.scheme == "sscc":
        likes.append(base + "_" + gcp + "_" * (17 - len(gcp)))
    elif epc.scheme in ("sgln", "pgln", "gdti", "sgcn"):
        likes.append(base + gcp + "_" * (13 - len(gcp)) + "%")
    elif epc.scheme == "grai":
        likes.append(base + "0" + gcp + "_" * (13 - len(gcp)) + "%")
    elif epc.scheme in ("gsrn", "gsrnp"):
        likes.append(base + gcp + "_" * (18 - len(gcp)))
    else:
        likes.append(base + gcp + "%")


# --- pages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageToken:
    """Where the next page starts: the last row's sort value and id, and rows served so far."""

    last_id: int
    last_value: str | None
    served: int

    def encode(self) -> str:
        raw = json.dumps([self.last_id, self.last_value, self.served], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> PageToken:
        try:
            padded = token + "=" * (-len(token) % 4)
            last_id, last_value, served = json.loads(base64.urlsafe_b64decode(padded))
            if not isinstance(last_id, int) or not isinstance(served, int):
                raise ValueError(token)
            if last_value is not None and not isinstance(last_value, str):
                raise ValueError(token)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise problems.query_parameter_error(
                _("The nextPageToken is not one this repository gave out.")
            ) from None
        return cls(last_id, last_value, served)


def per_page(value: str | int | None) -> int:
    """Read ``perPage`` (default 30, at most 1000)."""
    if value is None or value == "":
        return DEFAULT_PER_PAGE
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_PER_PAGE:
        raise problems.query_parameter_error(
            _("perPage must be between 1 and %(max)s.", max=MAX_PER_PAGE)
        )
    return number

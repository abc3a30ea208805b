"""Consistency rules of registry records, shared by single writes and file imports.

Each check returns a list of ``FieldError`` keyed by the schema field name, so that the API
can answer 422 with all of them and an import can map them to its spreadsheet columns.
"""

from __future__ import annotations

import re
from datetime import date

from plateau.errors import FieldError
from plateau.i18n import _
from plateau.registry.reference import Refs


def check_location(
    refs: Refs,
    *,
    prefecture_code: str,
    county_code: str | None = None,
    park_id: str | None = None,
) -> list[FieldError]:
    """Check that the prefecture exists and that the county and park lie inside it."""
    errors: list[FieldError] = []
    prefecture = refs.prefectures.get(prefecture_code)
    if prefecture is None:
        errors.append(
            FieldError(
                _(
                    "Unknown prefecture “%(value)s”: give a GB/T 2260 code such as 540100 (拉萨市).",
                    value=prefecture_code,
                ),
                field="prefecture_code",
                value=prefecture_code,
            )
        )
    if county_code is not None:
        county = refs.counties.get(county_code)
        if county is None:
            errors.append(
                FieldError(
                    _("Unknown county “%(value)s”.", value=county_code),
                    field="county_code",
                    value=county_code,
                )
            )
        elif prefecture is not None and county.prefecture_code != prefecture.code:
            errors.append(
                FieldError(
                    _(
                        "County %(county)s is not in %(prefecture)s.",
                        county=county.name_zh,
                        prefecture=prefecture.name_zh,
                    ),
                    field="county_code",
                    value=county_code,
                )
            )
    if park_id is not None:
        park = refs.parks.get(park_id)
        if park is None:
            errors.append(
                FieldError(
                    _("Unknown park “%(value)s”.", value=park_id), field="park_id", value=park_id
                )
            )
        elif prefecture is not None and park.prefecture_code != prefecture.code:
            errors.append(
                FieldError(
                    _(
                        "Park %(park)s is not in %(prefecture)s.",
                        park=park.name_zh,
                        prefecture=prefecture.name_zh,
                    ),
                    field="park_id",
                    value=park_id,
                )
            )
    return errors


def resolve_industry(
    refs: Refs, *, gbt4754: str | None, industry_id: str | None
) -> tuple[str | None, list[FieldError]]:
    """Return the 533 industry, given explicitly or derived from the GB/T 4754 class."""
    errors: list[FieldError] = []
    klass = None
    if gbt4754 is not None:
        klass = refs.classes.get(gbt4754)
        if klass is None:
            errors.append(
                FieldError(
                    _(
                        "%(code)s is not a GB/T 4754-2017 class of the plateau light industry.",
                        code=gbt4754,
                    ),
                    field="gbt4754",
                    value=gbt4754,
                )
            )
    if industry_id is not None and industry_id not in refs.industries:
        errors.append(
            FieldError(
                _(
                    "Unknown industry “%(value)s”: use one of the eleven 533 industries.",
                    value=industry_id,
                ),
                field="industry_id",
                value=industry_id,
            )
        )
    if errors:
        return None, errors
    if klass is not None and klass.industry_id is not None:
        if industry_id is not None and industry_id != klass.industry_id:
            return None, [
                FieldError(
                    _(
                        "GB/T 4754 class %(code)s (%(class_name)s) belongs to %(derived)s, not to %(given)s.",
                        code=klass.code,
                        class_name=klass.name_zh,
                        derived=refs.industries[klass.industry_id].name_zh,
                        given=refs.industries[industry_id].name_zh,
                    ),
                    field="industry_id",
                    value=industry_id,
                )
            ]
        return klass.industry_id, []
    if industry_id is None:
        return None, [
            FieldError(
                _("Give the 533 industry, or a GB/T 4754 class it can be derived from."),
                field="industry_id",
            )
        ]
    return industry_id, []


def check_industry(refs: Refs, industry_id: str, *, field: str = "industry_id") -> list[FieldError]:
    """Check that a 533 industry id exists."""
    if industry_id in refs.industries:
        return []
    return [
        FieldError(
            _(
                "Unknown industry “%(value)s”: use one of the eleven 533 industries.",
                value=industry_id,
            ),
            field=field,
            value=industry_id,
        )
    ]


def check_base(refs: Refs, base_id: str | None) -> list[FieldError]:
    """Check that a raw-material base exists."""
    if base_id is None or base_id in refs.bases:
        return []
    return [
        FieldError(
            _("Unknown raw-material base “%(value)s”.", value=base_id),
            field="origin_base_id",
            value=base_id,
        )
    ]


def check_date_order(
    pairs: list[tuple[str, date | None, str, date | None]],
) -> list[FieldError]:
    """Check that each later date is not before its earlier one."""
    errors: list[FieldError] = []
    for _first_field, first, then_field, then in pairs:
        if first and then and then < first:
            errors.append(
                FieldError(
                    _(
                        "The end date %(end)s is before the start date %(start)s.",
                        end=then,
                        start=first,
                    ),
                    field=then_field,
                    value=then.isoformat(),
                )
            )
    return errors


def periods_overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    """Tell whether two validity periods (open-ended when the end is None) share a day."""
    return (b_to is None or a_from <= b_to) and (a_to is None or b_from <= a_to)


SC_LICENCE = re.compile(r"SC\d{14}")


def check_licence(kind: str, number: str) -> list[FieldError]:
    """Check a product's licence: a number needs its kind and the reverse; SC is SC + 14 digits."""
    if not kind and not number:
        return []
    if not number:
        return [
            FieldError(
                _("Give the licence or approval number, or no kind."),
                field="licence_no",
                value=number,
            )
        ]
    if not kind:
        return [
            FieldError(
                _("Say which kind of licence or approval the number is."),
                field="licence_kind",
                value=kind,
            )
        ]
    if kind == "sc" and not SC_LICENCE.fullmatch(number):
        return [
            FieldError(
                _(
                    "A food production licence number is SC followed by 14 digits, not “%(value)s”.",
                    value=number,
                ),
                field="licence_no",
                value=number,
            )
        ]
    return []

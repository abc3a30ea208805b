"""The one place that turns the recognition domain's codes into names people read."""

from __future__ import annotations

from plateau.i18n import _, lazy

STAGES: dict[str, str] = {
    "draft": lazy("Being prepared"),
    "nominations": lazy("Open for nominations"),
    "review": lazy("Eligibility review"),
    "scoring": lazy("Jury scoring"),
    "voting": lazy("Public vote"),
    "publicity": lazy("Results under public notice (公示)"),
    "final": lazy("Final results"),
}
STAGE_ORDER = list(STAGES)

KINDS: dict[str, str] = {
    "fashion_week": lazy("Lhasa Fashion Week"),
    "third_pole": lazy('"Third Pole" regional brand evaluation'),
    "catalogue": lazy("Catalogue of famous light-industry products"),
    "design": lazy("Industrial design competition"),
}

ENTRY_KINDS: dict[str, str] = {
    "brand": lazy("Brand"),
    "product": lazy("Product"),
    "design": lazy("Design"),
    "model": lazy("Model"),
}

ELIGIBILITY: dict[str, str] = {
    "none": lazy("Open to all"),
    "lhasa_garment_brand": lazy("A brand of a Lhasa garment enterprise in good standing"),
    "valid_certificate": lazy("A product with a valid certificate"),
}

TIE_BREAKS: dict[str, str] = {
    "jury": lazy("Higher jury score first"),
    "public": lazy("More public votes first"),
    "earliest": lazy("Earlier nomination first"),
}

NOMINATION_STATUSES: dict[str, str] = {
    "submitted": lazy("Awaiting review"),
    "accepted": lazy("Accepted for the jury"),
    "refused": lazy("Refused"),
}

CONFLICT_REASONS: dict[str, str] = {
    "employer": lazy("Employer"),
    "family": lazy("Family"),
    "business": lazy("Business ties"),
}

CONFLICT_SOURCES: dict[str, str] = {
    "declared": lazy("Declared by the juror"),
    "detected": lazy("Detected from the registry"),
}

FLAGS: dict[str, str] = {
    "": "",
    "burst": lazy("Burst from one address"),
    "fresh_alike": lazy("Many fresh voters backing one entry"),
}


def name(table: dict[str, str], code: str) -> str:
    """Translate a code through one of the tables above (the code itself if unknown)."""
    label = table.get(code)
    return _(label) if label else code

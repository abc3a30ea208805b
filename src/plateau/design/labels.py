"""Names of the design platform's codes, and the words of its messages to enterprises."""

from __future__ import annotations

from typing import Any

from plateau.i18n import _, lazy

CATEGORIES: dict[str, str] = {
    "garment": lazy("Garment and costume design"),
    "packaging": lazy("Packaging design"),
    "brand_identity": lazy("Label and brand identity"),
    "product": lazy("Product design"),
    "other": lazy("Other design"),
}
PHASES: dict[str, str] = {
    "open": lazy("Open for proposals"),
    "review": lazy("Proposals closed, in review"),
    "awarded": lazy("Awarded"),
    "closed": lazy("Closed without award"),
}


def name(table: dict[str, str], code: str) -> str:
    label = table.get(code)
    return _(label) if label else code


def association() -> str:
    """How a brief of the industry association names its owner."""
    return _("The industry association")


def message_words(topic: str, params: dict[str, Any]) -> tuple[str, str, str | None]:
    """Subject, body and link of a design message, in the reader's language."""
    title = str(params.get("title", ""))
    url = f"/design/{params.get('brief_id', '')}"
    if topic == "awarded":
        return (
            _("Your design was chosen: %(title)s", title=title),
            _("The owner of the brief awarded your proposal. Write to them through the platform."),
            f"/design/proposals/{params.get('proposal_id', '')}",
        )
    if topic == "not_chosen":
        return (
            _("Brief awarded: %(title)s", title=title),
            _("The brief was awarded to another proposal. Thank you for taking part."),
            url,
        )
    if topic == "closed":
        return (
            _("Brief closed without award: %(title)s", title=title),
            _(
                "The owner closed the brief without an award: %(reason)s",
                reason=params.get("reason", ""),
            ),
            url,
        )
    if topic == "hidden":
        return (
            _("Brief hidden by the industry association: %(title)s", title=title),
            _(
                "The association took the brief off the platform: %(reason)s",
                reason=params.get("reason", ""),
            ),
            url,
        )
    if topic == "proposal":
        return (
            _("New proposal for your brief: %(title)s", title=title),
            _("%(designer)s sent a proposal.", designer=params.get("designer", "")),
            f"/design/proposals/{params.get('proposal_id', '')}",
        )
    if topic == "message":
        return (
            _("New message about the design brief %(title)s", title=title),
            _("Read and answer it on the platform."),
            f"/design/proposals/{params.get('proposal_id', '')}",
        )
    return topic, "", url

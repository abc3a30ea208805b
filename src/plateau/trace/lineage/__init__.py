"""What Plateau builds on the EPCIS repository: genealogy, recall, mass balance, cold chain,
the public Digital Link resolver and consumer page, QR labels, Handle-style and Ecode
identifiers.

The dependency goes one way: lineage reads the repository (``plateau.trace.epcis``: its
service, its index tables and its access rules), the repository never imports lineage.
Lineage keeps its lot index current at capture through the repository's one hook,
registered here so that whoever loads lineage's tables also keeps them current.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from plateau.trace.epcis import capture as _capture


def _index_captured(session: Session, events: list[Any]) -> None:
    from plateau.trace.lineage import genealogy

    genealogy.index_captured(session, events)


_capture.on_stored(_index_captured)

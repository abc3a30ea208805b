"""The migrations build exactly the schema the models describe (the `alembic check` of CI)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from plateau import models  # noqa: F401  (every domain's tables)
from plateau.db import Base


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_every_cascading_foreign_key_is_indexed() -> None:
    """Deleting a parent row cascades to its children: without an index on the child's
    column, each deleted parent scans the whole child table (deleting 10,000 events from a
    repository of 1,000,000 did not finish while ``trace_lot_item.event_id`` had none)."""
    unindexed = []
    for table in Base.metadata.sorted_tables:
        leading = {ix.columns[0].name for ix in table.indexes if len(ix.columns)}
        leading |= {
            c.columns[0].name
            for c in table.constraints
            if c.__class__.__name__ in ("UniqueConstraint", "PrimaryKeyConstraint")
            and len(c.columns)
        }
        for fk in table.foreign_keys:
            if fk.ondelete == "CASCADE" and fk.parent.name not in leading:
                unindexed.append(f"{table.name}.{fk.parent.name}")
    assert unindexed == []

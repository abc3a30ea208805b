"""The one paging helper the exchange, design and standards lists use."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select
from sqlalchemy.orm import Session

from plateau.paging import MAX_PER_PAGE, clamp, paginate

numbers = Table("number", MetaData(), Column("n", Integer, primary_key=True))


def _session() -> Session:
    engine = create_engine("sqlite://")
    numbers.metadata.create_all(engine)
    session = Session(engine)
    session.execute(insert(numbers), [{"n": n} for n in range(1, 8)])
    return session


def test_clamp_keeps_page_and_size_in_range() -> None:
    assert clamp(0, 0) == (1, 1)
    assert clamp(-3, MAX_PER_PAGE + 50) == (1, MAX_PER_PAGE)
    assert clamp(4, 25) == (4, 25)


def test_paginate_counts_all_and_cuts_one_page_in_the_given_order() -> None:
    with _session() as session:
        stmt = select(numbers.c.n).order_by(numbers.c.n.desc())
        first = paginate(session, stmt, page=1, per_page=3, scalars=True)
        last = paginate(session, stmt, page=3, per_page=3, scalars=True)
        past = paginate(session, stmt, page=9, per_page=3)
        below = paginate(session, stmt, page=0, per_page=3)
    assert (first.items, first.total, first.pages) == ([7, 6, 5], 7, 3)
    assert last.items == [1]
    assert past.items == [] and past.total == 7 and past.page == 9
    assert below.page == 1 and below.items == [(7,), (6,), (5,)]

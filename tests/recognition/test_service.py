"""Recognitions end to end through the service: nominations, jury, vote, results, certificates."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plateau.db import utcnow
from plateau.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from plateau.recognition import service, voting
from plateau.recognition.models import Ballot, Nomination, NominationImage, Score
from plateau.recognition.schemas import (
    ConflictDeclare,
    NominationCreate,
    ObjectionCreate,
    RulesUpdate,
    VoteCast,
)
from tests.recognition.builders import (
    PNG_1PX,
    make_world,
    nominate_brands,
    open_nominations,
    score_all,
    to_scoring,
)


class Phone:
    """A pluggable sender that keeps the last code per number, as a real phone would."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}

    def __call__(self, phone: str, code: str) -> None:
        self.codes[phone] = code


def vote(
    session: Session, code: str, phone: str, nomination_id: int, *, address: str = "", now=None
):  # type: ignore[no-untyped-def]
    inbox = Phone()
    voting.request_code(session, phone=phone, now=now, send=inbox)
    return service.cast_vote(
        session,
        code=code,
        data=VoteCast(phone=phone, code=inbox.codes[phone], nomination_id=nomination_id),
        address=address,
        now=now,
    )


def test_a_whole_edition_from_nomination_to_certificate(session: Session) -> None:
    w = make_world(session)
    code = w.edition.code
    open_nominations(session, w)
    a, b, d = nominate_brands(session, w)
    to_scoring(session, w, [a, b, d])

    # The rules are frozen now.
    with pytest.raises(Conflict):
        service.update_rules(
            session, code=code, data=RulesUpdate(jury_weight=50), actor=w.organiser
        )

    # Juror 1 works for maker A: detected, so A is hidden from them and cannot be scored.
    seen = {n.id for n in service.list_nominations(session, code=code, actor=w.jurors[0])}
    assert a.id not in seen and b.id in seen
    with pytest.raises(NotFound):
        score_all(session, w, {(0, a.id): 9})

    score_all(session, w, {(1, a.id): 9, (2, a.id): 8, (0, b.id): 7, (1, b.id): 6, (2, b.id): 5})
    # An unfinished jury blocks the results (the design has no scores yet).
    service.advance(session, code=code, to="voting", actor=w.organiser)
    with pytest.raises(Conflict, match="3"):
        service.advance(session, code=code, to="publicity", actor=w.organiser)
    score_all(session, w, {(0, d.id): 8, (1, d.id): 8, (2, d.id): 8})

    # The public: three voters back B, one A; one changes their mind to B.
    for i in range(3):
        vote(session, code, f"1380000000{i}", b.id)
    vote(session, code, "13900000000", a.id)
    receipt = vote(session, code, "13900000000", b.id)
    assert receipt.changed
    with pytest.raises(Conflict):
        vote(session, code, "13900000000", b.id)  # the same vote twice changes nothing
    assert service.tally(session, edition=w.edition) == {b.id: 4}

    service.advance(session, code=code, to="publicity", actor=w.organiser)
    lines = service.results(session, code=code, actor=w.organiser)
    brand_lines = [ln for ln in lines if ln.category.code == "best_brand"]
    # A: jury mean of 90 and 80 (two jurors: nothing dropped) = 85, public 0 → 59.5
    # B: 70, 60, 50 → drop 70 and 50 → 60; public 100 → 0.7*60 + 30 = 72
    assert [(ln.title, float(ln.result.total)) for ln in brand_lines] == [
        ("圣城", 72.0),
        ("雪域", 59.5),
    ]
    assert brand_lines[0].result.recognised and not brand_lines[1].result.recognised

    objection = service.file_objection(
        session,
        code=code,
        data=ObjectionCreate(nomination_id=a.id, text="评分有误，请复核"),
        actor=w.maker_a,
    )
    with pytest.raises(Conflict):
        service.advance(session, code=code, to="final", actor=w.organiser)
    service.answer_objection(
        session,
        code=code,
        objection_id=objection.id,
        answer="经复核，评分无误。",
        actor=w.organiser,
    )
    service.advance(session, code=code, to="final", actor=w.organiser)

    assert [r.rank for r in service.recognitions(session, brand_id=w.brand_b.id)] == [1]
    assert service.recognitions(session, brand_id=w.brand_a.id) == []
    assert service.recognised_garment_brands(session, up_to_year=w.edition.year) == 1
    pdf = service.certificate(session, code=code, nomination_id=b.id, actor=w.organiser)
    assert pdf.startswith(b"%PDF")
    with pytest.raises(NotFound):
        service.certificate(session, code=code, nomination_id=a.id, actor=w.organiser)


def test_a_juror_never_sees_another_jurors_scores_before_results(session: Session) -> None:
    w = make_world(session, jury_weight=100)
    code = w.edition.code
    open_nominations(session, w)
    a, b, d = nominate_brands(session, w)
    to_scoring(session, w, [a, b, d])
    score_all(session, w, {(1, b.id): 7, (2, b.id): 4})
    mine = service.own_scores(session, code=code, actor=w.jurors[1])
    assert set(mine.values()) == {Decimal(7)}
    with pytest.raises(Forbidden):
        service.all_scores(session, code=code, actor=w.jurors[1])
    with pytest.raises(Forbidden):
        service.all_scores(session, code=code, actor=w.organiser)


def test_a_declared_conflict_hides_the_entry_and_drops_earlier_scores(session: Session) -> None:
    w = make_world(session, jury_weight=100)
    code = w.edition.code
    open_nominations(session, w)
    a, b, d = nominate_brands(session, w)
    to_scoring(session, w, [a, b, d])
    score_all(session, w, {(1, d.id): 7})
    service.declare_conflict(
        session,
        code=code,
        data=ConflictDeclare(nomination_id=d.id, reason="family"),
        actor=w.jurors[1],
    )
    assert d.id not in {
        n.id for n in service.list_nominations(session, code=code, actor=w.jurors[1])
    }
    assert not session.scalar(select(func.count(Score.id)).where(Score.nomination_id == d.id))


def test_eligibility_refusal_and_nominating_someone_elses_brand(session: Session) -> None:
    w = make_world(session)
    code = w.edition.code
    open_nominations(session, w)
    c = service.nominate(
        session,
        code=code,
        data=NominationCreate(category="best_brand", brand_id=w.brand_c.id),
        actor=w.organiser,
    )
    with pytest.raises(ValidationFailed, match="服装企业"):
        service.decide(
            session, code=code, nomination_id=c.id, accept=True, reason="", actor=w.organiser
        )
    with pytest.raises(ValidationFailed):
        service.decide(
            session, code=code, nomination_id=c.id, accept=False, reason="", actor=w.organiser
        )
    refused = service.decide(
        session,
        code=code,
        nomination_id=c.id,
        accept=False,
        reason="非拉萨服装企业",
        actor=w.organiser,
    )
    assert refused.status == "refused"
    with pytest.raises(Forbidden):
        service.nominate(
            session,
            code=code,
            data=NominationCreate(category="best_brand", brand_id=w.brand_b.id),
            actor=w.maker_a,
        )


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"%PDF-1.4 not a picture", "不是图片"),
        (b"\x89PNG" + b"0" * (3 * 1024 * 1024), "2 MB"),
    ],
)
def test_bad_input_changes_nothing(session: Session, blob: bytes, message: str) -> None:
    w = make_world(session)
    code = w.edition.code
    open_nominations(session, w)
    before = session.scalar(select(func.count(Nomination.id)))
    with pytest.raises(ValidationFailed, match=message):
        service.nominate(
            session,
            code=code,
            data=NominationCreate(category="best_design", title="坏图"),
            actor=w.organiser,
            images=[blob],
        )
    late = utcnow() + timedelta(days=11)
    with pytest.raises(Conflict, match="截止"):
        service.nominate(
            session,
            code=code,
            data=NominationCreate(category="best_design", title="迟到"),
            actor=w.organiser,
            images=[PNG_1PX],
            now=late,
        )
    assert session.scalar(select(func.count(Nomination.id))) == before
    assert session.scalar(select(func.count(NominationImage.id))) == 0


def test_a_score_outside_the_scale_is_refused(session: Session) -> None:
    w = make_world(session, jury_weight=100)
    code = w.edition.code
    open_nominations(session, w)
    a, b, d = nominate_brands(session, w)
    to_scoring(session, w, [a, b, d])
    with pytest.raises(ValidationFailed, match="0 到 10"):
        score_all(session, w, {(1, b.id): 11})
    with pytest.raises(DomainError):
        service.submit_scores(session, code=code, nomination_id=b.id, scores={}, actor=w.jurors[1])
    assert not session.scalar(select(func.count(Score.id)))


def test_a_burst_of_stuffed_votes_is_flagged_and_voided_with_a_reason(session: Session) -> None:
    w = make_world(session)
    code = w.edition.code
    open_nominations(session, w)
    a, b, d = nominate_brands(session, w)
    to_scoring(session, w, [a, b, d])
    service.advance(session, code=code, to="voting", actor=w.organiser)
    now = utcnow()
    for i in range(12):
        vote(
            session,
            code,
            f"1370000{i:04d}",
            d.id,
            address="203.0.113.7",
            now=now + timedelta(seconds=i),
        )
    vote(session, code, "13600000000", b.id, address="198.51.100.1", now=now)
    flagged = service.list_ballots(session, code=code, actor=w.organiser, flagged_only=True)
    assert len(flagged) == 12 and {f.nomination_id for f in flagged} == {d.id}
    with pytest.raises(ValidationFailed):
        service.void_ballots(
            session, code=code, ballot_ids=[f.id for f in flagged], reason="", actor=w.organiser
        )
    with pytest.raises(Forbidden):
        service.void_ballots(
            session,
            code=code,
            ballot_ids=[f.id for f in flagged],
            reason="同一地址刷票",
            actor=w.jurors[1],
        )
    n = service.void_ballots(
        session,
        code=code,
        ballot_ids=[f.id for f in flagged],
        reason="同一地址刷票",
        actor=w.organiser,
    )
    assert n == 12
    assert service.tally(session, edition=w.edition) == {b.id: 1}
    assert session.scalar(select(func.count(Ballot.id))) == 13  # the ballots themselves are kept


def test_a_wrong_or_reused_code_does_not_vote(session: Session) -> None:
    w = make_world(session)
    code = w.edition.code
    open_nominations(session, w)
    a, b, d = nominate_brands(session, w)
    to_scoring(session, w, [a, b, d])
    service.advance(session, code=code, to="voting", actor=w.organiser)
    inbox = Phone()
    voting.request_code(session, phone="13512345678", send=inbox)
    wrong = "000000" if inbox.codes["13512345678"] != "000000" else "111111"
    with pytest.raises(ValidationFailed):
        service.cast_vote(
            session, code=code, data=VoteCast(phone="13512345678", code=wrong, nomination_id=b.id)
        )
    service.cast_vote(
        session,
        code=code,
        data=VoteCast(phone="13512345678", code=inbox.codes["13512345678"], nomination_id=b.id),
    )
    with pytest.raises(ValidationFailed):
        service.cast_vote(
            session,
            code=code,
            data=VoteCast(phone="13512345678", code=inbox.codes["13512345678"], nomination_id=a.id),
        )
    with pytest.raises(ValidationFailed):
        voting.request_code(session, phone="12345", send=inbox)

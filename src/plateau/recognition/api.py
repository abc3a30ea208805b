"""JSON API of recognitions: editions, nominations, jury, public vote, results, certificates."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import Response

from plateau.i18n import _
from plateau.paging import Page
from plateau.picking import Choice
from plateau.recognition import service, voting
from plateau.recognition.schemas import (
    BallotRead,
    CategoryCreate,
    CodeRequest,
    ConflictDeclare,
    Decision,
    EditionCreate,
    EditionRead,
    EditionUpdate,
    MemberAdd,
    MemberUpdate,
    NominationCreate,
    NominationRead,
    ObjectionAnswer,
    ObjectionCreate,
    ObjectionRead,
    OwnScore,
    ResultRead,
    RulesUpdate,
    ScoreSubmit,
    StageChange,
    VoidRequest,
    VoteCast,
    VoteReceipt,
)
from plateau.web.deps import Csrf, CurrentActor, DbSession, UserActor
from plateau.web.params import PageNo, PerPage

router = APIRouter(prefix="/recognition", tags=["recognition"], dependencies=[Csrf])
# The public vote needs no CSRF token: it carries no session and is authorised by the
# one-time code sent to the voter's phone, which a forging site cannot know.
vote_router = APIRouter(prefix="/recognition", tags=["recognition"])


def read_image(file: UploadFile) -> bytes:
    """Read an uploaded image up to the size limit plus one byte (so that too big shows)."""
    return file.file.read(service.MAX_IMAGE_BYTES + 1)


@router.get("/choices/{kind}", response_model=Page[Choice])
def choices(
    session: DbSession,
    actor: UserActor,
    kind: Literal["enterprises", "brands", "products"],
    q: Annotated[
        str, Query(max_length=60, description="Part of the name or pinyin initials.")
    ] = "",
    page: PageNo = 1,
    per_page: PerPage = 50,
) -> Page[Choice]:
    """What the caller may pick for a nomination or a juror's employer, by name or pinyin
    initials (an enterprise user: its own)."""
    return service.CHOICE_KINDS[kind](session, actor=actor, query=q, page=page, per_page=per_page)


@router.get("/editions", response_model=list[EditionRead])
def editions(session: DbSession, actor: CurrentActor) -> list[EditionRead]:
    """List the editions (drafts only for their organisers)."""
    return [EditionRead.model_validate(e) for e in service.list_editions(session, actor=actor)]


@router.post("/editions", response_model=EditionRead, status_code=201)
def create_edition(session: DbSession, actor: UserActor, data: EditionCreate) -> EditionRead:
    """Declare an edition: categories, weighted criteria, timetable, combination and tie-break."""
    return EditionRead.model_validate(service.create_edition(session, data=data, actor=actor))


@router.get("/editions/{code}", response_model=EditionRead)
def edition(session: DbSession, actor: CurrentActor, code: str) -> EditionRead:
    """Return one edition with its categories and criteria."""
    return EditionRead.model_validate(service.get_edition(session, code=code, actor=actor))


@router.patch("/editions/{code}/rules", response_model=EditionRead)
def update_rules(session: DbSession, actor: UserActor, code: str, data: RulesUpdate) -> EditionRead:
    """Change the rules before scoring starts (409 once frozen)."""
    return EditionRead.model_validate(
        service.update_rules(session, code=code, data=data, actor=actor)
    )


@router.put("/editions/{code}", response_model=EditionRead)
def update_edition(
    session: DbSession, actor: UserActor, code: str, data: EditionUpdate
) -> EditionRead:
    """Change names, timetable and rules before scoring starts (409 once frozen)."""
    service.update_edition(session, code=code, data=data, actor=actor)
    return EditionRead.model_validate(service.get_edition(session, code=code, actor=actor))


@router.post("/editions/{code}/categories", response_model=EditionRead, status_code=201)
def add_category(
    session: DbSession, actor: UserActor, code: str, data: CategoryCreate
) -> EditionRead:
    """Add a category with weighted criteria before scoring starts."""
    service.add_category(session, code=code, data=data, actor=actor)
    return EditionRead.model_validate(service.get_edition(session, code=code, actor=actor))


@router.put("/editions/{code}/categories/{category_id}", response_model=EditionRead)
def update_category(
    session: DbSession, actor: UserActor, code: str, category_id: int, data: CategoryCreate
) -> EditionRead:
    """Change a category and replace its criteria before scoring starts (its code stays)."""
    service.update_category(session, code=code, category_id=category_id, data=data, actor=actor)
    return EditionRead.model_validate(service.get_edition(session, code=code, actor=actor))


@router.post("/editions/{code}/stage", response_model=EditionRead)
def change_stage(session: DbSession, actor: UserActor, code: str, data: StageChange) -> EditionRead:
    """Move the edition to its next stage (publishing results needs a finished jury)."""
    return EditionRead.model_validate(
        service.advance(session, code=code, to=data.stage, actor=actor)
    )


@router.post("/editions/{code}/members", status_code=201)
def add_member(session: DbSession, actor: UserActor, code: str, data: MemberAdd) -> dict[str, int]:
    """Seat a juror (with their employer, for conflict detection) or add an organiser."""
    member = service.add_member(session, code=code, data=data, actor=actor)
    return {"id": member.id}


@router.patch("/editions/{code}/members/{member_id}")
def update_member(
    session: DbSession, actor: UserActor, code: str, member_id: int, data: MemberUpdate
) -> dict[str, int]:
    """Change a seat's name or employer (an employer outside the register by name only)."""
    member = service.update_member(session, code=code, member_id=member_id, data=data, actor=actor)
    return {"id": member.id}


@router.delete("/editions/{code}/members/{member_id}", status_code=204)
def remove_member(session: DbSession, actor: UserActor, code: str, member_id: int) -> None:
    """Unseat a juror before the results (their scores go with the seat)."""
    service.remove_member(session, code=code, member_id=member_id, actor=actor)


@router.get("/editions/{code}/nominations", response_model=list[NominationRead])
def nominations(session: DbSession, actor: CurrentActor, code: str) -> list[NominationRead]:
    """List the nominations the caller may see (a juror never sees a conflicted entry)."""
    return [
        NominationRead.model_validate(n)
        for n in service.list_nominations(session, code=code, actor=actor)
    ]


@router.post("/editions/{code}/nominations", response_model=NominationRead, status_code=201)
def nominate(
    session: DbSession, actor: UserActor, code: str, data: NominationCreate
) -> NominationRead:
    """Nominate a brand, a product (by GTIN), a design or a model while nominations are open."""
    return NominationRead.model_validate(
        service.nominate(session, code=code, data=data, actor=actor)
    )


@router.post("/editions/{code}/nominations/{nomination_id}/images", status_code=201)
def add_image(
    session: DbSession,
    actor: UserActor,
    code: str,
    nomination_id: int,
    file: Annotated[UploadFile, File(description="A PNG, JPEG or WebP picture up to 2 MB.")],
) -> dict[str, int]:
    """Attach a picture to one's nomination."""
    image = service.add_image(
        session, code=code, nomination_id=nomination_id, blob=read_image(file), actor=actor
    )
    return {"id": image.id}


@router.post("/editions/{code}/nominations/{nomination_id}/decision", response_model=NominationRead)
def decide(
    session: DbSession, actor: UserActor, code: str, nomination_id: int, data: Decision
) -> NominationRead:
    """Accept an eligible nomination or refuse it with a reason."""
    return NominationRead.model_validate(
        service.decide(
            session,
            code=code,
            nomination_id=nomination_id,
            accept=data.accept,
            reason=data.reason,
            actor=actor,
        )
    )


@router.post("/editions/{code}/conflicts", status_code=201)
def declare_conflict(
    session: DbSession, actor: UserActor, code: str, data: ConflictDeclare
) -> dict[str, int]:
    """A juror declares a conflict of interest with an entry."""
    row = service.declare_conflict(session, code=code, data=data, actor=actor)
    return {"id": row.id}


@router.put("/editions/{code}/nominations/{nomination_id}/scores", response_model=list[OwnScore])
def submit_scores(
    session: DbSession, actor: UserActor, code: str, nomination_id: int, data: ScoreSubmit
) -> list[OwnScore]:
    """Record the caller's scores (one per criterion, on the edition's scale)."""
    rows = service.submit_scores(
        session, code=code, nomination_id=nomination_id, scores=data.scores, actor=actor
    )
    return [
        OwnScore(nomination_id=s.nomination_id, criterion_id=s.criterion_id, value=s.value)
        for s in rows
    ]


@router.get("/editions/{code}/my-scores", response_model=list[OwnScore])
def my_scores(session: DbSession, actor: UserActor, code: str) -> list[OwnScore]:
    """The caller's own scores (a juror never sees another juror's before the results)."""
    return [
        OwnScore(nomination_id=n, criterion_id=c, value=v)
        for (n, c), v in service.own_scores(session, code=code, actor=actor).items()
    ]


@router.get("/editions/{code}/progress")
def progress(session: DbSession, actor: UserActor, code: str) -> dict[str, int]:
    """How many scores the jury owes (organisers)."""
    return service.jury_progress(session, code=code, actor=actor)


@vote_router.post("/vote/code", status_code=202)
def request_code(session: DbSession, data: CodeRequest) -> dict[str, str]:
    """Send a one-time code to a mainland mobile number (one a minute)."""
    voting.request_code(session, phone=data.phone)
    return {"message": _("A code was sent to your phone.")}


@vote_router.post("/editions/{code}/votes", response_model=VoteReceipt, status_code=201)
def vote(request: Request, session: DbSession, code: str, data: VoteCast) -> VoteReceipt:
    """Cast or change a vote with a one-time code; the last ballot per category counts."""
    address = request.client.host if request.client else ""
    try:
        return service.cast_vote(session, code=code, data=data, address=address)
    except voting.WrongCode:
        # The boundary keeps the used-up attempt (nothing else was written before it).
        session.commit()
        raise


@router.get("/editions/{code}/ballots", response_model=list[BallotRead])
def ballots(
    session: DbSession, actor: UserActor, code: str, flagged: bool = False
) -> list[BallotRead]:
    """The stored ballots (organisers), optionally only the flagged ones."""
    return [
        BallotRead.model_validate(b)
        for b in service.list_ballots(session, code=code, actor=actor, flagged_only=flagged)
    ]


@router.post("/editions/{code}/ballots/void")
def void_ballots(
    session: DbSession, actor: UserActor, code: str, data: VoidRequest
) -> dict[str, int]:
    """Void ballots with a recorded reason (organisers)."""
    n = service.void_ballots(
        session, code=code, ballot_ids=data.ballot_ids, reason=data.reason, actor=actor
    )
    return {"voided": n}


@router.get("/editions/{code}/results", response_model=list[ResultRead])
def results(session: DbSession, actor: CurrentActor, code: str) -> list[ResultRead]:
    """The ranked lists per category with jury and public parts (from 公示 on)."""
    from plateau.formatting import loc

    return [
        ResultRead(
            category=ln.category.code,
            category_name=loc(ln.category),
            nomination_id=ln.result.nomination_id,
            title=ln.title,
            rank=ln.result.rank,
            jury_score=float(ln.result.jury_score),
            public_score=float(ln.result.public_score),
            votes=ln.result.votes,
            total=float(ln.result.total),
            recognised=ln.result.recognised,
        )
        for ln in service.results(session, code=code, actor=actor)
    ]


@router.get("/editions/{code}/objections", response_model=list[ObjectionRead])
def objections(session: DbSession, actor: UserActor, code: str) -> list[ObjectionRead]:
    """Objections filed during 公示 (organisers see all, others their own)."""
    return [
        ObjectionRead.model_validate(o)
        for o in service.list_objections(session, code=code, actor=actor)
    ]


@router.post("/editions/{code}/objections", response_model=ObjectionRead, status_code=201)
def file_objection(
    session: DbSession, actor: UserActor, code: str, data: ObjectionCreate
) -> ObjectionRead:
    """Object to a published result during 公示."""
    return ObjectionRead.model_validate(
        service.file_objection(session, code=code, data=data, actor=actor)
    )


@router.post("/editions/{code}/objections/{objection_id}/answer", response_model=ObjectionRead)
def answer_objection(
    session: DbSession, actor: UserActor, code: str, objection_id: int, data: ObjectionAnswer
) -> ObjectionRead:
    """Answer an objection (organisers); the edition becomes final once all are answered."""
    return ObjectionRead.model_validate(
        service.answer_objection(
            session, code=code, objection_id=objection_id, answer=data.answer, actor=actor
        )
    )


@router.get("/editions/{code}/nominations/{nomination_id}/certificate.pdf")
def certificate(session: DbSession, actor: CurrentActor, code: str, nomination_id: int) -> Response:
    """The certificate of a final recognition (PDF)."""
    pdf = service.certificate(session, code=code, nomination_id=nomination_id, actor=actor)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="certificate-{code}-{nomination_id}.pdf"'
        },
    )

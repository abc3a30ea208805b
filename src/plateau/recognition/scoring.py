"""The jury and public arithmetic of a recognition, as pure functions of stored rows.

Kept apart from the database so that the rules (weights, drop-highest-and-lowest, per-juror
normalisation, the combination and the tie-break) read in one place and are tested alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from statistics import fmean


@dataclass(frozen=True)
class Rules:
    jury_weight: int  # percent; the public has the rest
    score_max: int
    drop_extremes: bool
    normalise: bool
    tie_break: str  # jury | public | earliest


@dataclass(frozen=True)
class Entry:
    nomination_id: int
    submitted_at: datetime


@dataclass(frozen=True)
class Ranked:
    nomination_id: int
    rank: int
    jury_score: float  # 0–100
    public_score: float  # 0–100, the leader of the category has 100
    votes: int
    total: float
    jurors_counted: int


def juror_totals(
    scores: Mapping[tuple[int, int, int], float],
    weights: Mapping[int, int],
    score_max: int,
) -> dict[tuple[int, int], float]:
    """Weighted score of each (nomination, juror) who scored every criterion, on 0–100."""
    by_pair: dict[tuple[int, int], dict[int, float]] = defaultdict(dict)
    for (nomination_id, member_id, criterion_id), value in scores.items():
        if criterion_id in weights:
            by_pair[(nomination_id, member_id)][criterion_id] = value
    total_weight = sum(weights.values()) or 1
    out: dict[tuple[int, int], float] = {}
    for pair, values in by_pair.items():
        if len(values) == len(weights):
            weighted = sum(values[c] * w for c, w in weights.items()) / total_weight
            out[pair] = weighted * 100 / score_max
    return out


def missing_scores(
    entries: Iterable[int],
    jurors: Iterable[int],
    conflicts: set[tuple[int, int]],
    totals: Mapping[tuple[int, int], float],
) -> list[tuple[int, int]]:
    """The (nomination, juror) pairs still to be scored; conflicted jurors owe nothing."""
    juror_list = list(jurors)
    return [
        (n, m)
        for n in entries
        for m in juror_list
        if (n, m) not in conflicts and (n, m) not in totals
    ]


def normalised(totals: Mapping[tuple[int, int], float]) -> dict[tuple[int, int], float]:
    """Shift each juror's scores so that every juror has the same mean (the overall one).

    A severe juror and a lenient one then weigh alike; the spread a juror gives is kept.
    """
    if not totals:
        return {}
    grand = fmean(totals.values())
    by_juror: dict[int, list[float]] = defaultdict(list)
    for (_n, m), v in totals.items():
        by_juror[m].append(v)
    means = {m: fmean(vs) for m, vs in by_juror.items()}
    return {(n, m): v - means[m] + grand for (n, m), v in totals.items()}


def jury_score(values: list[float], *, drop_extremes: bool) -> float:
    """Mean of the jurors' scores, without the highest and the lowest when three or more."""
    if not values:
        return 0.0
    kept = sorted(values)
    if drop_extremes and len(kept) >= 3:
        kept = kept[1:-1]
    return fmean(kept)


def rank(
    entries: list[Entry],
    totals: Mapping[tuple[int, int], float],
    votes: Mapping[int, int],
    rules: Rules,
) -> list[Ranked]:
    """Rank a category's entries by the combined score, ties broken by the declared rule."""
    pairs = normalised(totals) if rules.normalise else dict(totals)
    per_entry: dict[int, list[float]] = defaultdict(list)
    for (n, _m), v in pairs.items():
        per_entry[n].append(v)
    leader = max((votes.get(e.nomination_id, 0) for e in entries), default=0)
    rows = []
    for e in entries:
        jury = jury_score(per_entry.get(e.nomination_id, []), drop_extremes=rules.drop_extremes)
        n_votes = votes.get(e.nomination_id, 0)
        public = n_votes * 100 / leader if leader else 0.0
        total = (rules.jury_weight * jury + (100 - rules.jury_weight) * public) / 100
        rows.append((e, round(jury, 3), round(public, 3), n_votes, round(total, 3)))

    def key(row: tuple[Entry, float, float, int, float]) -> tuple[float, float, datetime, int]:
        e, jury, _public, n_votes, total = row
        if rules.tie_break == "public":
            second = -float(n_votes)
        elif rules.tie_break == "jury":
            second = -jury
        else:
            second = 0.0
        return (-total, second, e.submitted_at, e.nomination_id)

    rows.sort(key=key)
    return [
        Ranked(
            nomination_id=e.nomination_id,
            rank=i,
            jury_score=jury,
            public_score=public,
            votes=n_votes,
            total=total,
            jurors_counted=len(per_entry.get(e.nomination_id, [])),
        )
        for i, (e, jury, public, n_votes, total) in enumerate(rows, start=1)
    ]


@dataclass(frozen=True)
class CastBallot:
    ballot_id: int
    voter_id: int
    category_id: int
    nomination_id: int
    voided: bool


def tally(ballots: Iterable[CastBallot]) -> dict[int, int]:
    """Count, per nomination, each voter's last ballot in a category (unless it was voided)."""
    last: dict[tuple[int, int], CastBallot] = {}
    for b in ballots:
        k = (b.voter_id, b.category_id)
        if k not in last or b.ballot_id > last[k].ballot_id:
            last[k] = b
    counts: dict[int, int] = defaultdict(int)
    for b in last.values():
        if not b.voided:
            counts[b.nomination_id] += 1
    return dict(counts)


@dataclass(frozen=True)
class BallotFacts:
    ballot_id: int
    nomination_id: int
    address: str
    cast_at: datetime
    voter_created_at: datetime


BURST_WINDOW_SECONDS = 600
BURST_SIZE = 10
FRESH_SECONDS = 900
FRESH_GROUP = 8


def stuffing_flags(ballots: list[BallotFacts]) -> dict[int, str]:
    """Flag bursts from one address and many fresh voters backing one entry in a short time.

    A burst: at least ``BURST_SIZE`` ballots from one address within ``BURST_WINDOW_SECONDS``.
    Fresh alike: at least ``FRESH_GROUP`` voters verified less than ``FRESH_SECONDS`` before
    their ballot, for the same entry within the same window. Flags only inform the organisers;
    voiding is their decision, with a reason.
    """
    flags: dict[int, str] = {}
    by_address: dict[str, list[BallotFacts]] = defaultdict(list)
    fresh_by_entry: dict[int, list[BallotFacts]] = defaultdict(list)
    for b in ballots:
        if b.address:
            by_address[b.address].append(b)
        if (b.cast_at - b.voter_created_at).total_seconds() < FRESH_SECONDS:
            fresh_by_entry[b.nomination_id].append(b)
    for group, size, label in (
        (by_address, BURST_SIZE, "burst"),
        (fresh_by_entry, FRESH_GROUP, "fresh_alike"),
    ):
        for items in group.values():
            items.sort(key=lambda b: b.cast_at)
            start = 0
            for end in range(len(items)):
                while (items[end].cast_at - items[start].cast_at).total_seconds() > (
                    BURST_WINDOW_SECONDS
                ):
                    start += 1
                if end - start + 1 >= size:
                    for b in items[start : end + 1]:
                        flags.setdefault(b.ballot_id, label)
    return flags

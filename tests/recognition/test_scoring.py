"""The recognition arithmetic on its own: weights, trimming, normalisation, ties, tally, flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from plateau.recognition import scoring

T0 = datetime(2025, 8, 1, 2, 0, tzinfo=UTC)
RULES = scoring.Rules(
    jury_weight=70, score_max=10, drop_extremes=True, normalise=False, tie_break="jury"
)


def test_weighted_juror_total_on_a_hundred_point_scale() -> None:
    totals = scoring.juror_totals({(1, 7, 10): 8.0, (1, 7, 11): 6.0}, {10: 30, 11: 70}, 10)
    assert totals == {(1, 7): (8 * 30 + 6 * 70) / 100 * 10}


def test_a_juror_who_scored_only_some_criteria_counts_as_missing() -> None:
    totals = scoring.juror_totals({(1, 7, 10): 8.0}, {10: 30, 11: 70}, 10)
    assert totals == {}
    assert scoring.missing_scores([1], [7, 8], {(1, 8)}, totals) == [(1, 7)]


def test_highest_and_lowest_are_dropped_from_three_or_more() -> None:
    assert scoring.jury_score([10, 50, 60, 70, 100], drop_extremes=True) == 60
    assert scoring.jury_score([40, 80], drop_extremes=True) == 60
    assert scoring.jury_score([10, 50, 90], drop_extremes=False) == 50


def test_normalisation_evens_out_a_severe_juror() -> None:
    # Juror 1 is severe, juror 2 lenient; both put entry 1 above entry 2 by 10 points.
    totals = {(1, 1): 40.0, (2, 1): 30.0, (1, 2): 90.0, (2, 2): 80.0}
    norm = scoring.normalised(totals)
    assert norm[(1, 1)] - norm[(2, 1)] == 10
    assert norm[(1, 1)] == norm[(1, 2)]


def test_combination_and_declared_tie_break() -> None:
    entries = [scoring.Entry(1, T0), scoring.Entry(2, T0 + timedelta(hours=1))]
    # Entry 1: jury 80, 0 votes; entry 2: jury 80 * 0.7 / 0.7 ... equal totals by construction.
    totals = {(1, 9): 80.0, (2, 9): 60.0}
    votes = {2: 10}  # entry 2 leads the public: 100 points
    ranked = scoring.rank(entries, totals, votes, scoring.Rules(50, 10, True, False, "public"))
    # 0.5*80 + 0 = 40; 0.5*60 + 0.5*100 = 80
    assert [r.nomination_id for r in ranked] == [2, 1]
    tied = {(1, 9): 60.0, (2, 9): 60.0}
    by_jury = scoring.rank(entries, tied, {}, RULES)
    assert [r.nomination_id for r in by_jury] == [1, 2]  # equal everywhere: earlier first
    by_public = scoring.rank(
        entries, tied, {2: 1, 1: 1}, scoring.Rules(100, 10, True, False, "public")
    )
    assert by_public[0].total == by_public[1].total
    by_votes = scoring.rank(
        entries, tied, {2: 3, 1: 1}, scoring.Rules(100, 10, True, False, "public")
    )
    assert [r.nomination_id for r in by_votes] == [2, 1]


def test_tally_counts_each_voters_last_ballot_unless_voided() -> None:
    ballots = [
        scoring.CastBallot(1, voter_id=1, category_id=1, nomination_id=10, voided=False),
        scoring.CastBallot(2, voter_id=1, category_id=1, nomination_id=11, voided=False),
        scoring.CastBallot(3, voter_id=2, category_id=1, nomination_id=10, voided=False),
        scoring.CastBallot(4, voter_id=3, category_id=1, nomination_id=10, voided=True),
        scoring.CastBallot(5, voter_id=1, category_id=2, nomination_id=20, voided=False),
    ]
    assert scoring.tally(ballots) == {11: 1, 10: 1, 20: 1}


def test_a_burst_from_one_address_and_fresh_voters_alike_are_flagged() -> None:
    old = T0 - timedelta(days=30)
    burst = [
        scoring.BallotFacts(i, 1, "10.0.0.9", T0 + timedelta(seconds=20 * i), old)
        for i in range(scoring.BURST_SIZE)
    ]
    fresh = [
        scoring.BallotFacts(
            100 + i,
            2,
            f"10.1.0.{i}",
            T0 + timedelta(seconds=30 * i),
            T0 + timedelta(seconds=30 * i - 60),
        )
        for i in range(scoring.FRESH_GROUP)
    ]
    normal = [
        scoring.BallotFacts(200 + i, 1, f"10.2.0.{i}", T0 + timedelta(minutes=7 * i), old)
        for i in range(20)
    ]
    flags = scoring.stuffing_flags(burst + fresh + normal)
    assert {i for i, f in flags.items() if f == "burst"} == {b.ballot_id for b in burst}
    assert {i for i, f in flags.items() if f == "fresh_alike"} == {b.ballot_id for b in fresh}
    assert not any(b.ballot_id in flags for b in normal)
    # One fewer than the threshold is not a burst.
    assert scoring.stuffing_flags(burst[:-1]) == {}

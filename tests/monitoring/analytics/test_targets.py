"""Trajectories, statuses and the split of a region target: pure functions."""

from __future__ import annotations

import pytest

from plateau.monitoring.analytics import targets as tg
from plateau.monitoring.analytics.targets import Anchor, Trajectory


def test_geometric_trajectory_grows_at_a_constant_rate() -> None:
    traj = Trajectory("geometric", Anchor(2022, 5e9, "plan_baseline"), 2025, 7.5e9)
    rate = (7.5 / 5) ** (1 / 3)
    assert traj.at(2022) == pytest.approx(5e9)
    assert traj.at(2023) == pytest.approx(5e9 * rate)
    assert traj.at(2024) == pytest.approx(5e9 * rate**2)
    assert traj.at(2025) == pytest.approx(7.5e9)
    assert traj.at(2021) is None
    assert traj.at(2026) == pytest.approx(7.5e9)  # after the target year: the target


def test_linear_trajectory_adds_a_constant_amount() -> None:
    traj = Trajectory("linear", Anchor(2022, 63, "plan_baseline"), 2025, 80)
    assert [traj.at(y) for y in (2023, 2024)] == pytest.approx([63 + 17 / 3, 63 + 34 / 3])
    assert traj.at(2024.5) == pytest.approx(63 + 17 * 2.5 / 3)


def test_constant_trajectory_for_average_growth() -> None:
    traj = Trajectory("constant", Anchor(2022, 7, "since"), 2025, 7)
    assert traj.at(2023) == traj.at(2030) == 7


@pytest.mark.parametrize(
    ("actual", "status"),
    [
        (100.0, "on_track"),
        (120.0, "on_track"),
        (95.0, "at_risk"),
        (97.0, "at_risk"),
        (94.9, "off_track"),
        (None, None),
    ],
)
def test_status_thresholds(actual: float | None, status: str | None) -> None:
    assert tg.status_of(actual, 100.0, at_risk=0.95) == status


def test_status_against_zero_or_negative_expectations() -> None:
    assert tg.status_of(0.0, 0.0, at_risk=0.95) == "on_track"
    assert tg.status_of(-1.0, 0.0, at_risk=0.95) == "off_track"


def _target(year: int, value: float, since: int | None = None) -> tg.Target:
    return tg.Target("plan_533", "x", "region", year, value, None, "exact", "count", since, "")


def test_the_target_of_a_year_is_the_next_one_due() -> None:
    ts = [_target(2030, 100), _target(2025, 80)]
    assert tg.select_target(ts, 2023).year == 2025  # type: ignore[union-attr]
    assert tg.select_target(ts, 2025).year == 2025  # type: ignore[union-attr]
    assert tg.select_target(ts, 2026).year == 2030  # type: ignore[union-attr]
    assert tg.select_target(ts, 2031).year == 2030  # type: ignore[union-attr]
    assert tg.select_target([], 2025) is None


@pytest.mark.parametrize("total", [80.0, 15.0, 7.0])
def test_count_targets_split_into_whole_numbers_that_add_up(total: float) -> None:
    shares = {"540100": 0.5, "540200": 0.3, "540300": 0.2}
    split = tg.allocate(total, shares, "count")
    assert sum(split.values()) == total
    assert all(v == int(v) for v in split.values())
    assert split["540100"] >= split["540200"] >= split["540300"]


def test_money_targets_split_exactly() -> None:
    split = tg.allocate(7.5e9, {"a": 0.6, "b": 0.4}, "CNY")
    assert split == {"a": pytest.approx(4.5e9), "b": pytest.approx(3.0e9)}

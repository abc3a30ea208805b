"""The calendar module: Losar computed with the Phugpa arithmetic, checked against published dates."""

from __future__ import annotations

from datetime import date

import pytest

from plateau.forecast import calendar

# Losar (first day of the Tibetan year) as published by the Men-Tsee-Khang almanac.
PUBLISHED_LOSAR = [
    date(2010, 2, 14), date(2011, 3, 5), date(2012, 2, 22), date(2013, 2, 11),
    date(2014, 3, 2), date(2015, 2, 19), date(2016, 2, 9), date(2017, 2, 27),
    date(2018, 2, 16), date(2019, 2, 5), date(2020, 2, 24), date(2021, 2, 12),
    date(2022, 3, 3), date(2023, 2, 21), date(2024, 2, 10), date(2025, 2, 28),
]  # fmt: skip


@pytest.mark.parametrize("day", PUBLISHED_LOSAR, ids=str)
def test_losar_matches_published_dates(day: date) -> None:
    assert calendar.losar(day.year) == day


def test_losar_is_not_chinese_new_year_in_every_year() -> None:
    # 2022: Chinese New Year fell on 1 February, Losar a month later.
    assert calendar.losar(2022).month == 3


def test_monthly_features() -> None:
    march_2022 = calendar.monthly_features(2022, 3)
    assert march_2022["losar"] > 0.4 and calendar.monthly_features(2022, 2)["losar"] == 0
    assert calendar.monthly_features(2024, 7)["tourist_season"] == 1.0
    assert calendar.monthly_features(2024, 12)["tourist_season"] == 0.0
    assert calendar.monthly_features(2024, 10)["national_day"] == pytest.approx(7 / 31)
    assert calendar.monthly_features(2024, 11)["double_eleven"] == 1.0
    assert calendar.monthly_features(2022, 9)["shock"] == 1.0
    assert calendar.monthly_features(2023, 9)["shock"] == 0.0
    assert set(march_2022) == set(calendar.FEATURES)

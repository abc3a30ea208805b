"""The return form names one unit per row, and every figure of the row is in that unit: money
is typed in 元, so the filed months, year to date and last year's figures are in 元 too."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.builders import Users, login
from tests.monitoring.builders import core, file
from tests.monitoring.conftest import World


def _row(html: str, element: str) -> list[str]:
    row = re.search(rf'<tr data-element="{element}">(.*?)</tr>', html, re.S)
    assert row, element
    return [
        re.sub(r"<[^>]+>", "", c).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    ]


def test_every_figure_of_a_money_row_is_in_the_unit_its_row_names(
    client: TestClient, session: Session, world: World, users: Users
) -> None:
    file(session, world.a, "2025-09", submit=True, **core(output_value="1500000"))
    file(session, world.a, "2025-10", submit=True, **core(output_value="2500000"))
    session.commit()
    login(client, users.usernames["prefecture_lhasa"])
    page = client.get(f"/monitoring/returns/{world.a}/2025-10")
    assert page.status_code == 200
    cells = _row(page.text, "output_value")
    assert cells[1] == "元"
    # This month, and the year to date (September and October): in 元, as the row says.
    assert cells[2] == "2,500,000" and cells[3] == "4,000,000", cells
    table = page.text[page.text.index("return-table") : page.text.index("</table>")]
    assert "万元" not in table and "亿元" not in table


def test_the_returns_list_gives_output_value_in_one_unit_named_in_its_header(
    client: TestClient, session: Session, world: World, users: Users
) -> None:
    file(session, world.a, "2025-10", submit=True, **core(output_value="25000000"))
    file(session, world.c, "2025-10", submit=True, **core(output_value="950000"))
    session.commit()
    login(client, users.usernames["prefecture_lhasa"])
    page = client.get("/monitoring/returns", params={"period": "2025-10"}).text
    assert "工业总产值（万元）" in page
    cells = re.findall(r'<td class="num nowrap">([^<]*)</td>', page)
    # 2,500 万元 and 95 万元: one unit for the column, never 亿元 beside 万元.
    assert "2,500.00" in cells and "95.00" in cells, cells
    assert not any("元" in c for c in cells)

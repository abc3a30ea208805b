"""The label printing page: an enterprise prints QR labels of its own products' lots and
items, on the configured public URL, with the product's Chinese name; nobody else's."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from plateau.auth.schemas import Role
from tests.builders import login, make_user
from tests.registry.builders import make_enterprise, make_product


def test_an_enterprise_prints_labels_of_its_own_lots_and_items(
    client: TestClient, session: Session
) -> None:
    own = make_enterprise(session, n=941, name="净土牦牛乳业有限公司")
    other = make_enterprise(session, n=942, name="别家食品有限公司")
    code = make_product(session, own, n=94101, name="牦牛酸奶 200g").gtin.zfill(14)
    theirs = make_product(session, other, n=94201, name="别家饼干").gtin.zfill(14)
    user = make_user(session, Role.ENTERPRISE_USER, f"enterprise:{own.uscc}")
    session.commit()
    client.app.state.settings.public_url = "https://trace.example.cn"  # type: ignore[attr-defined]
    login(client, user.username)

    form = client.get("/trace/labels")
    assert form.status_code == 200 and "牦牛酸奶 200g" in form.text and "别家饼干" not in form.text

    lots = client.get(f"/trace/labels?gtin={code}&lot=Y2612A&kind=lot&count=3&size=small")
    uris = re.findall(r'data-label-uri="([^"]+)"', lots.text)
    assert uris == [f"https://trace.example.cn/01/{code}/10/Y2612A"] * 3
    assert lots.text.count("<svg") >= 3 and "牦牛酸奶 200g" in lots.text

    items = client.get(f"/trace/labels?gtin={code}&lot=Y2612A&kind=items&count=4")
    serials = re.findall(r'data-label-uri="[^"]+/21/([^"]+)"', items.text)
    assert len(set(serials)) == 4  # one unpredictable code per item

    # Bad input says why and shows no labels; another enterprise's product is not found.
    bad = client.get(f"/trace/labels?gtin={code}&lot=&kind=items&count=4")
    assert bad.status_code == 422 and "data-label-uri" not in bad.text
    assert "一物一码的单品标签需要填写批号" in bad.text
    assert client.get(f"/trace/labels?gtin={code}&lot=A&count=9999").status_code == 422
    assert client.get(f"/trace/labels?gtin={theirs}&lot=A").status_code == 404


def test_officers_do_not_print_labels(client: TestClient, session: Session) -> None:
    user = make_user(session, Role.PREFECTURE_OFFICER, "prefecture:540100")
    session.commit()
    login(client, user.username)
    assert client.get("/trace/labels").status_code == 403

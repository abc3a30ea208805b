"""Locust users of ``python -m bench load``: the traffic mix of a working day on Plateau.

Read by the ``locust`` command the bench starts (never imported by the application or the
tests: Locust patches the standard library with gevent). Its inputs come from the file named
by ``PLATEAU_LOAD_PLAN`` (JSON, written by ``bench/load.py``); every acknowledged capture and
import is appended to ``PLATEAU_LOAD_ACKS`` so the bench can check afterwards that it is stored.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import uuid
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["PLATEAU_LOAD_PLAN"]).read_text(encoding="utf-8"))
ACKS = open(os.environ["PLATEAU_LOAD_ACKS"], "a", encoding="utf-8")  # noqa: SIM115
_numbers = itertools.count(int(os.environ.get("PLATEAU_LOAD_OFFSET", "0")))


def _ack(kind: str, keys: list[str]) -> None:
    ACKS.write(json.dumps({"kind": kind, "keys": keys}) + "\n")
    ACKS.flush()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class ConsumerScan(HttpUser):
    """Someone who scanned the QR code on a pack: the public consumer page (most traffic)."""

    weight = 12
    wait_time = between(0.5, 2)

    @task
    def scan(self) -> None:
        path = random.choice(PLAN["consumer_paths"])
        self.client.get(path, name="consumer page /01/…")


class EnterpriseCapture(HttpUser):
    """An enterprise's system capturing EPCIS events as its line commissions packs."""

    weight = 3
    wait_time = between(1, 3)

    @task
    def capture(self) -> None:
        token = random.choice(PLAN["enterprise_tokens"])
        n = next(_numbers)
        lot = f"LOAD{os.getpid()}-{n}"
        ids = [f"urn:uuid:{uuid.uuid4()}" for _ in range(5)]
        events = [
            {
                "type": "ObjectEvent",
                "eventID": event_id,
                "eventTime": "2026-11-01T08:00:00.000+08:00",
                "eventTimeZoneOffset": "+08:00",
                "epcList": [f"urn:epc:id:sgtin:0614141.107346.{lot}-{i}"],
                "action": "ADD",
                "bizStep": "commissioning",
                "disposition": "active",
                "ilmd": {"cbvmda:lotNumber": lot},
            }
            for i, event_id in enumerate(ids)
        ]
        document = {
            "@context": "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2026-11-01T08:00:00Z",
            "epcisBody": {"eventList": events},
        }
        with self.client.post(
            "/epcis/capture",
            json=document,
            headers=_bearer(token),
            name="POST /epcis/capture",
            catch_response=True,
        ) as resp:
            if resp.status_code == 202:
                _ack("capture", ids)
                resp.success()
            else:
                resp.failure(f"capture answered {resp.status_code}")


class Officer(HttpUser):
    """A prefecture or region officer on the dashboards and the returns."""

    weight = 2
    wait_time = between(2, 5)

    def on_start(self) -> None:
        self.token = random.choice(PLAN["officer_tokens"])

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/monitoring/dashboard", headers=_bearer(self.token), name="dashboard")

    @task(2)
    def returns(self) -> None:
        self.client.get("/monitoring/returns", headers=_bearer(self.token), name="returns page")

    @task(1)
    def indicators(self) -> None:
        self.client.get(
            "/api/monitoring/analytics/indicators",
            headers=_bearer(self.token),
            name="GET /api/monitoring/analytics/indicators",
        )


class ApiClient(HttpUser):
    """A partner's system reading the registry and the EPCIS repository with its token."""

    weight = 3
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        self.token = random.choice(PLAN["api_tokens"])

    @task(2)
    def enterprises(self) -> None:
        page = random.randint(1, 5)
        self.client.get(
            f"/api/registry/enterprises?page={page}",
            headers=_bearer(self.token),
            name="GET /api/registry/enterprises",
        )

    @task(1)
    def products(self) -> None:
        self.client.get(
            "/api/registry/products", headers=_bearer(self.token), name="GET /api/registry/products"
        )

    @task(2)
    def events(self) -> None:
        self.client.get(
            "/epcis/events?perPage=20", headers=_bearer(self.token), name="GET /epcis/events"
        )


class Importer(HttpUser):
    """An officer importing a small enterprise list now and then."""

    weight = 1
    wait_time = between(10, 20)

    @task
    def import_enterprises(self) -> None:
        block = _next_block()
        if block is None:
            return  # every prepared block is imported
        rows = PLAN["import_rows"][block]
        usccs = [r[0] for r in rows]
        body = "uscc,name,prefecture,industry\n" + "".join(
            f"{u},{name},{prefecture},{industry}\n" for u, name, prefecture, industry in rows
        )
        with self.client.post(
            "/api/registry/enterprises/import",
            files={"file": ("load.csv", body.encode("utf-8"), "text/csv")},
            headers=_bearer(PLAN["admin_token"]),
            name="POST /api/registry/enterprises/import",
            catch_response=True,
        ) as resp:
            if resp.status_code == 200:
                _ack("import", usccs)
                resp.success()
            else:
                resp.failure(f"import answered {resp.status_code}")


_blocks = itertools.count()


def _next_block() -> int | None:
    block = next(_blocks)
    return block if block < len(PLAN["import_rows"]) else None

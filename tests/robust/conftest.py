"""Real servers on real databases: the robustness tests use threads against uvicorn.

The usual fixtures run every test inside one rolled-back connection, which hides exactly what
these tests are about (several connections, SQLite's write lock, the pool). Here each module
gets a fresh database per backend (a file for SQLite), served by uvicorn on loopback.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from plateau.auth.schemas import SYSTEM, Role
from plateau.db import make_engine, make_sessionmaker, session_scope
from plateau.registry.models import Enterprise
from plateau.runtime import migrate
from plateau.settings import Settings
from tests.builders import make_token
from tests.pg import free_port
from tests.registry.builders import make_enterprise
from tests.trace.epcis.test_capture_builders import make_user

BACKENDS = ("sqlite", "postgresql")


@dataclass
class World:
    """A migrated database with the plans, two enterprises and their tokens."""

    url: str
    backend: str
    var_dir: Path
    admin_token: str
    enterprises: list[str] = field(default_factory=list)  # USCCs
    tokens: list[str] = field(default_factory=list)  # one enterprise user's token each

    def engine(self, **options: Any) -> Engine:
        return make_engine(self.url, **options)

    def settings(self) -> Settings:
        return Settings(var_dir=self.var_dir, database_url=self.url, secret_key="robust-tests")


@pytest.fixture(scope="module", params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> World:
    from plateau.plan import service as plan_service

    backend: str = request.param
    var_dir = tmp_path_factory.mktemp(f"robust-{backend}")
    if backend == "sqlite":
        url = f"sqlite:///{var_dir / 'plateau.db'}"
    else:
        url = request.getfixturevalue("pg_server").create_database(
            f"robust_{request.module.__name__.rsplit('.', 1)[-1]}"
        )
    migrate(url)
    engine = make_engine(url)
    with session_scope(make_sessionmaker(engine)) as session:
        plan_service.load_plans(session, actor=SYSTEM)
        admin = make_token(session, make_user(session, Role.REGION_ADMIN))
        found = World(url=url, backend=backend, var_dir=var_dir, admin_token=admin)
        for n in (801, 802, 803, 804):
            ent: Enterprise = make_enterprise(session, n=n)
            found.enterprises.append(ent.uscc)
            user = make_user(session, Role.ENTERPRISE_USER, f"enterprise:{ent.uscc}")
            found.tokens.append(make_token(session, user))
    engine.dispose()
    return found


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port; yield its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        else:
            raise RuntimeError("the test server did not start")
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def served(world: World, **engine_options: Any) -> Iterator[tuple[str, sessionmaker[Session]]]:
    """Serve the whole application on ``world``'s database with its own engine."""
    from plateau.web.app import create_app

    engine = world.engine(**engine_options)
    factory = make_sessionmaker(engine)
    try:
        with serve(create_app(world.settings(), session_factory=factory)) as url:
            yield url, factory
    finally:
        engine.dispose()

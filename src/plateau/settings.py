"""Runtime settings, read from the environment (prefix ``PLATEAU_``)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The repository (or working directory) root: var/ lives beside src/ in a checkout.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _default_var_dir() -> Path:
    return PROJECT_ROOT / "var"


class Settings(BaseSettings):
    """Every knob of the platform; one instance per process."""

    model_config = SettingsConfigDict(env_prefix="PLATEAU_", extra="ignore")

    var_dir: Path = Field(default_factory=_default_var_dir)
    database_url: str = ""
    secret_key: str = ""
    default_locale: str = "zh_Hans_CN"
    session_max_age_s: int = 8 * 3600
    # Secure cookies need HTTPS; the embedded default serves plain HTTP on loopback.
    secure_cookies: bool = False
    max_upload_bytes: int = 20 * 1024 * 1024
    # Who delivers the public vote's one-time codes: "log" writes them to the log (recognition.voting).
    sms_sender: str = "log"
    # The base of every absolute link the server writes (QR labels, Digital Link URIs,
    # identifier records, EPCIS paging links). Never the request's Host header, which the
    # client chooses. The default is `plateau serve`'s own address.
    public_url: str = "http://127.0.0.1:8000"
    # Seconds the public consumer page keeps what it read of a code (consumer_page in
    # trace/lineage/service.py): a new event, a published recognition or an edited product
    # shows at once (plateau.changes); this bounds anything else. 0: read every time.
    public_page_cache_s: float = 30.0
    # Events per EPCIS capture request (GS1-EPCIS-Capture-Limit).
    epcis_capture_limit: int = 10_000
    # Hosts that EPCIS webhook subscriptions may POST to, comma-separated in the
    # environment; "*.example.com" allows the subdomains. Empty: no webhooks at all, so
    # that nobody can point the server at an internal address (SSRF).
    # Background job worker threads in each web process (0: none, e.g. when a separate
    # ``plateau jobs worker`` runs them); how often idle workers look for work; how often a
    # running job proves its worker alive, and after how long without that it is re-queued.
    job_workers: int = 1
    job_poll_s: float = 1.0
    job_heartbeat_s: float = 15.0
    job_stale_after_s: float = 600.0
    # How often each web process hands its consumer-page look-up counts to the job queue
    # (0: never by itself; ``plateau.trace.lineage.lookups.flush`` does it when called).
    lookup_flush_s: float = 60.0
    # An import file larger than this is checked and written by a background job with a
    # progress page (about 2,000 rows of a registry or returns CSV); smaller files answer
    # at once, as before.
    import_job_bytes: int = 256 * 1024
    webhook_allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("webhook_allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [host.strip().lower() for host in value.split(",") if host.strip()]
        return value

    def base_url(self) -> str:
        """Return the public URL without a trailing slash."""
        return self.public_url.rstrip("/")

    def resolved_database_url(self) -> str:
        """Return the database URL, defaulting to the SQLite file under ``var/``."""
        if self.database_url:
            return self.database_url
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.var_dir / 'plateau.db'}"

    def resolved_secret_key(self) -> str:
        """Return the signing key, creating a persistent one under ``var/`` on first use."""
        if self.secret_key:
            return self.secret_key
        self.var_dir.mkdir(parents=True, exist_ok=True)
        path = self.var_dir / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings."""
    return Settings()

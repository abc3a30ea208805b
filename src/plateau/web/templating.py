"""Jinja2 environment and the one ``render`` every page router uses."""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import (
    ChoiceLoader,
    Environment,
    PackageLoader,
    PrefixLoader,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from markupsafe import Markup

from plateau import formatting
from plateau.auth.schemas import ROLE_LABELS, Actor, Role
from plateau.i18n import HTML_LANG, LOCALE_NAMES, LOCALES, get_locale, gettext, ngettext
from plateau.picking import PLAIN_MAX
from plateau.web.deps import csrf_token, request_session
from plateau.web.navigation import account_nav, active_group, active_key, page_list, visible_nav

# Every package that ships templates: prefix -> package. A template is named
# "<prefix>/<file>.html" and lives in "<package>/templates/<prefix>/".
TEMPLATE_PACKAGES: dict[str, str] = {
    "web": "plateau.web",
    "auth": "plateau.auth",
    "plan": "plateau.plan",
    "registry": "plateau.registry",
    "monitoring": "plateau.monitoring",
    "analytics": "plateau.monitoring.analytics",
    "report": "plateau.monitoring.report",
    "trace": "plateau.trace.lineage",
    "epcis": "plateau.trace.epcis",
    "jobs": "plateau.jobs",
    "forecast": "plateau.forecast",
    "policy": "plateau.policy",
    "recognition": "plateau.recognition",
    "standards": "plateau.standards",
    "exchange": "plateau.exchange",
    "design": "plateau.design",
    "messaging": "plateau.messaging",
}


@lru_cache
def environment() -> Environment:
    """Return the shared Jinja2 environment."""
    prefixes = {
        prefix: PackageLoader(package, "templates/" + prefix)
        for prefix, package in TEMPLATE_PACKAGES.items()
    }
    env = Environment(
        loader=ChoiceLoader([PrefixLoader(prefixes)]),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(gettext=gettext, ngettext=ngettext, newstyle=True)  # type: ignore[attr-defined]
    # Jinja's newstyle gettext applies ``%`` formatting even without parameters, so a literal
    # percent sign ("完整率（%）") raised ValueError or had to be written %% in templates only.
    # Ours formats only when parameters are given, as plateau.i18n.gettext does in Python:
    # one rule, and one message id, for both.
    env.globals["gettext"] = env.globals["_"] = _template_gettext
    env.globals.update(
        fmt_cny=formatting.fmt_cny,
        fmt_number=formatting.fmt_number,
        fmt_value=formatting.fmt_value,
        fmt_time=formatting.fmt_time,
        fmt_wan=formatting.fmt_wan,
        unit_label=formatting.unit_label,
        period_text=formatting.period_text,
        beijing_time=formatting.beijing_time,
        beijing_date=formatting.beijing_date,
        loc=formatting.loc,
        LOCALES=LOCALES,
        ROLE_LABELS=ROLE_LABELS,
        LOCALE_NAMES=LOCALE_NAMES,
        picker_plain_max=PLAIN_MAX,
    )
    env.filters["by_name"] = _by_name
    return env


@pass_context
def _template_gettext(__context: Context, __string: str, **variables: Any) -> str:
    """``_()`` in templates: translate, trust the translation, escape and fill parameters."""
    text = str(__context.call(gettext, __string))
    rv = Markup(text) if __context.eval_ctx.autoescape else text
    return rv % variables if variables else rv


def _by_name(items: Any, attribute: str | None = None) -> list[Any]:
    """Jinja filter: ``items | by_name`` (each item's name, ``loc``) or ``| by_name("name")``:
    sorted as readers sort names, by pinyin in Chinese (see ``plateau.collation``)."""
    from plateau.collation import by_name

    if attribute is None:
        return by_name(items, formatting.loc)
    return by_name(items, lambda item: str(getattr(item, attribute, "") or ""))


#: How long a process trusts its last answer to "is the demo loaded?" (a CLI command changes
#: it, a few times in a database's life; every page shows it).
DEMO_FLAG_S = 10.0


def _demo_loaded(request: Request) -> bool:
    """Whether the demo banner shows: read on the request's own connection, at most once
    every ``DEMO_FLAG_S`` seconds per process.

    Never on a second pooled connection: with the request's session holding the first,
    a burst of page views exhausted the pool. A page rendered without an open session (an
    error page after the transaction ended) uses the last answer this process saw.
    """
    from plateau.demo import service as demo_service

    state = request.app.state
    read_at = getattr(state, "demo_loaded_at", None)
    now = time.monotonic()
    if read_at is not None and now - read_at < DEMO_FLAG_S:
        return bool(state.demo_loaded)
    session = request_session(request)
    if session is None:
        return bool(getattr(state, "demo_loaded", False))
    loaded = demo_service.demo_loaded(session)
    state.demo_loaded, state.demo_loaded_at = loaded, now
    return loaded


def _unread_messages(request: Request, actor: Actor) -> int:
    """Unread messages of an enterprise user, for the account menu (0 for anybody else)."""
    if actor.role is not Role.ENTERPRISE_USER:
        return 0
    from plateau.messaging import service as messaging_service

    session = request_session(request)
    return messaging_service.unread_count(session, actor=actor) if session is not None else 0


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    actor: Actor,
    status_code: int = 200,
    active: str = "",
) -> HTMLResponse:
    """Render a page with the layout's shared context (caller, locale, CSRF, demo banner)."""
    ctx: dict[str, Any] = {
        "request": request,
        "actor": actor,
        "locale": get_locale(),
        "html_lang": HTML_LANG[get_locale()],
        "csrf_token": csrf_token(request),
        "nav": visible_nav(actor),
        "nav_active": active_key(request.url.path),
        "nav_group": active_group(request.url.path),
        "account_nav": account_nav(actor),
        "page_list": page_list(actor),
        "active": active,
        "demo_data": _demo_loaded(request),
        "unread_messages": _unread_messages(request, actor),
        "path": request.url.path,
        "query": request.url.query,
    }
    if context:
        ctx.update(context)
    html = environment().get_template(template).render(ctx)
    return HTMLResponse(html, status_code=status_code)

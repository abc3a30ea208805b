"""The main navigation and the page list: declared here as data, never discovered.

Each capability is one ``NavItem``: a top-level entry, or a child of one (``parent``).
Who sees an entry is declared with ``roles`` (``None``: every role, the public included;
``LOGGED_IN``: every signed-in role). A domain that lands adds one line here; the layout,
the footer, the home page's shortcuts and the README's page list all read this table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from plateau.auth.schemas import Actor, Role
from plateau.i18n import lazy

LOGGED_IN: frozenset[Role] = frozenset(r for r in Role if r is not Role.PUBLIC)
OFFICIALS: frozenset[Role] = frozenset(
    {Role.REGION_ADMIN, Role.ANALYST, Role.PREFECTURE_OFFICER, Role.PARK_OFFICER}
)
REPORT_READERS: frozenset[Role] = frozenset(
    {Role.REGION_ADMIN, Role.ANALYST, Role.PREFECTURE_OFFICER}
)

# Who prints QR labels: an enterprise for its own products, the administrator for any.
LABEL_PRINTERS: frozenset[Role] = frozenset({Role.REGION_ADMIN, Role.ENTERPRISE_USER})


ACCOUNT = "account"  # the parent of entries shown in the signed-in user's menu


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str  # an English message id, translated at display
    href: str
    roles: frozenset[Role] | None = None  # None: everybody, the public included
    parent: str | None = None
    description: str = ""  # one line for the footer page list and the home shortcuts

    def visible_to(self, actor: Actor) -> bool:
        return self.roles is None or actor.role in self.roles

    @property
    def login_required(self) -> bool:
        return self.roles is not None and Role.PUBLIC not in self.roles


# Six top-level entries at most, so that the bar stays one line from 1024 px in English:
# Home, Plans, Monitoring ▾, Enterprises ▾, Traceability, Brands and markets ▾ (the
# public sees Policy notices instead of Enterprises). Background jobs live in the account menu.
NAV: tuple[NavItem, ...] = (
    NavItem("dashboard", lazy("Home"), "/", description=lazy("Your start page: figures against targets and what is waiting for you.")),
    NavItem("plan", lazy("Plans and targets"), "/plan", description=lazy("Every figure of both plans, the eleven industries, parks and raw-material bases.")),
    NavItem("monitoring", lazy("Monitoring"), "/monitoring/dashboard", roles=LOGGED_IN),
    NavItem("monitoring.dashboard", lazy("Monitoring dashboard"), "/monitoring/dashboard", roles=LOGGED_IN, parent="monitoring", description=lazy("Every target of a scope: where it stands, its trend and projection.")),
    NavItem("monitoring.warnings", lazy("Early warnings"), "/monitoring/warnings", roles=LOGGED_IN, parent="monitoring", description=lazy("Targets off track, enterprises in decline, late filers and outliers.")),
    NavItem("monitoring.decomposition", lazy("Target decomposition"), "/monitoring/decomposition", roles=OFFICIALS, parent="monitoring", description=lazy("The region's targets shared out to the prefectures.")),
    NavItem("monitoring.report", lazy("Mid-term evaluation report"), "/monitoring/report", roles=REPORT_READERS, parent="monitoring", description=lazy("The evaluation report of a year as a page, PDF or Excel.")),
    NavItem("monitoring.returns", lazy("Statistical returns"), "/monitoring", roles=LOGGED_IN, parent="monitoring", description=lazy("Monthly and annual returns: filing, review, completeness and late filers.")),
    NavItem("enterprises", lazy("Enterprises"), "/registry", roles=LOGGED_IN),
    NavItem("registry", lazy("Registry"), "/registry", roles=LOGGED_IN, parent="enterprises", description=lazy("Enterprises, statuses, products, brands, certificates and the investment project library.")),
    NavItem("policy", lazy("Incentive policies"), "/policy", roles=LOGGED_IN, parent="enterprises", description=lazy("The subsidies each enterprise is entitled to without applying (免申即享).")),
    NavItem("trace", lazy("Traceability"), "/trace", description=lazy("Where a product came from: genealogy, recall, mass balance and the consumer page.")),
    # Those who print labels get a menu; for everybody else Traceability stays one link.
    NavItem("trace.home", lazy("Traceability"), "/trace", roles=LABEL_PRINTERS, parent="trace"),
    NavItem("trace.labels", lazy("QR label printing"), "/trace/labels", roles=LABEL_PRINTERS, parent="trace", description=lazy("Sheets of QR labels for a product's lot or items, ready to print.")),
    NavItem("quality", lazy("Brands and markets"), "/recognition"),
    NavItem("recognition", lazy("Brands and awards"), "/recognition", parent="quality", description=lazy("Fashion week, 地球第三极 and the list of famous products: nominations, jury, public vote and results.")),
    NavItem("standards", lazy("Standards"), "/standards", parent="quality", description=lazy("The standards programme of 专栏2: the register, progress and enterprise self-declarations.")),
    NavItem("exchange", lazy("Supply and demand"), "/exchange", parent="quality", description=lazy("Offers and needs of materials, packaging, processing and design, matched, with threads.")),
    NavItem("design", lazy("Crowdsourced design"), "/design", parent="quality", description=lazy("Design briefs of enterprises and the association, proposals from designers, awards carried into production.")),
    NavItem("forecast", lazy("Demand forecast"), "/forecast", parent="quality", description=lazy("Demand forecasts by market region, category and product.")),
    NavItem("policy_notices", lazy("Policy notices"), "/policy/notices", roles=frozenset({Role.PUBLIC}), description=lazy("Published lists of enterprises entitled to incentives (公示), open to objections.")),
    NavItem("messages", lazy("Messages"), "/messages", roles=frozenset({Role.ENTERPRISE_USER}), parent=ACCOUNT, description=lazy("Messages to your enterprise, such as reminders of overdue returns; unread ones are counted in the account menu.")),
    NavItem("jobs", lazy("Background jobs"), "/jobs", roles=LOGGED_IN, parent=ACCOUNT, description=lazy("Imports, forecast runs and other long work, with their progress.")),
)  # fmt: skip


@dataclass(frozen=True)
class NavEntry:
    """One visible top-level entry with its visible children."""

    item: NavItem
    children: tuple[NavItem, ...] = field(default_factory=tuple)


def visible_nav(actor: Actor, nav: tuple[NavItem, ...] = NAV) -> list[NavEntry]:
    """The entries and sub-entries ``actor`` may use, in declaration order."""
    entries: list[NavEntry] = []
    for item in nav:
        if item.parent is not None or not item.visible_to(actor):
            continue
        children = tuple(c for c in nav if c.parent == item.key and c.visible_to(actor))
        entries.append(NavEntry(item, children))
    return entries


def account_nav(actor: Actor, nav: tuple[NavItem, ...] = NAV) -> list[NavItem]:
    """The entries of the signed-in user's menu (beside the account and sign-out)."""
    return [i for i in nav if i.parent == ACCOUNT and i.visible_to(actor)]


def active_group(path: str, nav: tuple[NavItem, ...] = NAV) -> str:
    """The top-level entry to highlight for a path: the active entry's group, or itself."""
    key = active_key(path, nav)
    item = next((i for i in nav if i.key == key), None)
    if item is None:
        return ""
    return item.parent if item.parent and item.parent != ACCOUNT else item.key


def page_list(actor: Actor, nav: tuple[NavItem, ...] = NAV) -> list[NavItem]:
    """Every page ``actor`` may open that has a description (footer and home shortcuts)."""
    return [i for i in nav if i.description and i.visible_to(actor)]


def active_key(path: str, nav: tuple[NavItem, ...] = NAV) -> str:
    """The navigation entry a path belongs to (the longest matching href)."""
    best, best_len = "", -1
    for item in nav:
        href = item.href
        matches = path == href or (href != "/" and path.startswith(href.rstrip("/") + "/"))
        if matches and len(href) >= best_len:
            best, best_len = item.key, len(href)
    return best

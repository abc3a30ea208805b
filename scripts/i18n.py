"""Keep the translation catalogs complete.

``python scripts/i18n.py check``  lists messages without a Chinese translation (exit 1 if any).
``python scripts/i18n.py update`` adds every new message id to its package's
``locale/zh_Hans_CN.po`` (empty msgstr, to be translated) so nothing is forgotten.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

SRC = Path(__file__).resolve().parents[1] / "src" / "plateau"
LOCALE = "zh_Hans_CN"
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", "jinja2.ext:babel_extract")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy": None}


def packages() -> list[Path]:
    """Each domain package (and the top-level modules, as package ``plateau``)."""
    return [SRC, *sorted(p for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists())]


def extract(pkg: Path) -> dict[str, list[str]]:
    """Return message id -> places, for one package (top level: its own modules only)."""
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _ctx in extract_from_dir(
        str(pkg), METHOD_MAP, options_map=OPTIONS, keywords=KEYWORDS
    ):
        if pkg == SRC and "/" in filename:
            continue  # sub-packages are handled on their own
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, []).append(f"{pkg.name}/{filename}:{lineno}")
    return found


def catalog_path(pkg: Path) -> Path:
    return pkg / "locale" / f"{LOCALE}.po"


def load(path: Path) -> Catalog:
    if path.exists():
        with path.open("rb") as fh:
            return read_po(fh, locale="zh_Hans_CN")
    return Catalog(locale="zh_Hans_CN", project="plateau")


def all_translations() -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in SRC.glob(f"**/locale/{LOCALE}.po"):
        for msg in load(path):
            # Plural entries carry tuples: (singular, plural) ids and one string per form.
            msgid = msg.id[0] if isinstance(msg.id, (tuple, list)) else msg.id
            text = msg.string[0] if isinstance(msg.string, (tuple, list)) else msg.string
            if msgid and text:
                merged[str(msgid)] = str(text)
    return merged


def missing() -> dict[str, list[str]]:
    """Message ids used in code or templates that no catalog translates."""
    known = all_translations()
    result: dict[str, list[str]] = {}
    for pkg in packages():
        for msgid, places in extract(pkg).items():
            if msgid not in known:
                result.setdefault(msgid, []).extend(places)
    return result


def update() -> None:
    known = all_translations()
    for pkg in packages():
        msgs = extract(pkg)
        new = [m for m in msgs if m not in known]
        if not new:
            continue
        path = catalog_path(pkg)
        cat = load(path)
        for m in new:
            cat.add(
                m,
                "",
                locations=[(p.rsplit(":", 1)[0], int(p.rsplit(":", 1)[1])) for p in msgs[m][:3]],
            )
        path.parent.mkdir(exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, cat, width=100, omit_header=False)
        print(f"{path.relative_to(SRC.parent.parent)}: {len(new)} new message(s)")


def main() -> int:
    if sys.argv[1:] == ["update"]:
        update()
        return 0
    gaps = missing()
    for msgid, places in sorted(gaps.items()):
        print(f"{places[0]}: {msgid!r}")
    print(f"{len(gaps)} untranslated message(s)")
    return 1 if gaps else 0


if __name__ == "__main__":
    raise SystemExit(main())

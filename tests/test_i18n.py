"""Every user-facing string has a Simplified Chinese translation."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from plateau.i18n import gettext, set_locale, translations

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "i18n.py"


def _i18n_tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("i18n_tool", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_message_in_code_and_templates_is_translated() -> None:
    missing = _i18n_tool().missing()
    assert missing == {}, "untranslated: " + "; ".join(
        f"{v[0]}: {k!r}" for k, v in list(missing.items())[:20]
    )


def test_the_extractor_sees_python_and_templates() -> None:
    tool = _i18n_tool()
    web = tool.extract(tool.SRC / "web")
    assert "Home" in web and "Something went wrong" in web  # navigation.py and error.html


def test_catalogs_merge_and_english_falls_back_to_the_message_id() -> None:
    translations.cache_clear()
    set_locale("zh_Hans_CN")
    assert gettext("Log in") == "登录"
    assert gettext("Wrong user name or password.") == "用户名或密码错误。"
    set_locale("en")
    assert gettext("Log in") == "Log in"


def test_a_percent_sign_in_a_template_message_is_plain_text_in_both_languages() -> None:
    from plateau.web.templating import environment

    template = environment().from_string(
        '{{ _("Completeness (%)") }}|{{ _("Change (%)") }}|'
        '{{ _("%(jury)s%% jury, %(public)s%% public vote", jury=60, public="<b>40</b>") }}'
    )
    set_locale("zh_Hans_CN")
    try:
        assert template.render() == (
            "完整率（%）|同比（%）|评委 60%，公众投票 &lt;b&gt;40&lt;/b&gt;%"
        )
        set_locale("en")
        assert template.render().startswith("Completeness (%)|Change (%)|60% jury")
    finally:
        set_locale("zh_Hans_CN")


def test_no_template_escapes_a_percent_sign_in_a_message_without_parameters() -> None:
    # One rule for Python and templates: %% only where the message has parameters.
    import re

    src = Path(__file__).resolve().parents[1] / "src" / "plateau"
    found = [
        f"{path.relative_to(src)}: {m}"
        for path in src.rglob("templates/**/*.html")
        for m in re.findall(r'_\("([^"]*%%[^"]*)"\)', path.read_text())
    ]
    assert found == []

"""GS1 keys, EPC URIs and GS1 Digital Link URIs: check digits, both conversions, the corpus."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from plateau.i18n import DEFAULT_LOCALE, set_locale
from plateau.registry.identifiers import IdentifierError, gtin_check_digit
from plateau.trace import identifiers as ids
from plateau.trace.identifiers import (
    UnknownCompanyPrefix,
    canonical_digital_link,
    check_digit,
    default_gcp_length,
    digital_link_to_epc,
    epc_to_digital_link,
    is_gs1_identifier,
    normalize_epc,
    parse_digital_link,
    parse_epc_uri,
    validate_key,
)

SRC = Path(ids.__file__).resolve().parent
CORPUS = Path(
    os.environ.get(
        "PLATEAU_EPCIS_CORPUS", Path(__file__).resolve().parents[2].parent / "shared" / "epcis"
    )
)
requires_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no EPCIS corpus at {CORPUS}")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_locale("en")
    yield
    set_locale(DEFAULT_LOCALE)


# --- check digits ---------------------------------------------------------------------

# Keys whose numeric part ends in a mod-10 check digit: (kind, digits before the check digit).
NUMERIC_KEYS = [
    ("gtin", 13),
    ("sscc", 17),
    ("gln", 12),
    ("pgln", 12),
    ("gsrn", 17),
    ("gsrnp", 17),
    ("gsin", 16),
    ("gdti", 12),
    ("gcn", 12),
]


def test_check_digit_is_the_registry_mod10() -> None:
    assert check_digit("401234512345") == gtin_check_digit("401234512345") == "6"
    assert check_digit("0401234512345") == "6"  # GTIN 04012345123456
    assert check_digit("34012345111111111") == "1"  # SSCC 340123451111111111
    assert check_digit("401234500005") == "4"  # GLN 4012345000054


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("gtin", "04012345123456"),
        ("gtin", "4012345123456"),
        ("gtin", "00614141777778"),
        ("sscc", "340123451111111111"),
        ("gln", "4012345000054"),
        ("pgln", "4000001000005"),
        ("grai", "04012345000221334455"),
        ("giai", "4012345ABC345"),
        ("gsrn", "401234500000067657"),
        ("gsrnp", "401234500000000074"),
        ("gdti", "4012345000092PO-4711"),
        ("ginc", "0614141xyz47/11"),
        ("gsin", "40123452223334442"),
        ("gcn", "0811625999996554433"),
        ("cpid", "061414111111111111111-A#/"),
        ("itip", "040123451111180102"),
    ],
)
def test_valid_keys_from_the_standard_examples(kind: str, value: str) -> None:
    assert validate_key(kind, value) == (value.zfill(14) if kind == "gtin" else value)


@given(data=st.data())
@pytest.mark.parametrize(("kind", "body_length"), NUMERIC_KEYS)
def test_a_computed_check_digit_validates_and_any_other_is_named(
    kind: str, body_length: int, data: st.DataObject
) -> None:
    body = data.draw(st.text("0123456789", min_size=body_length, max_size=body_length))
    good = body + check_digit(body)
    assert validate_key(kind, good).endswith(good)
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != good[-1]]))
    with pytest.raises(IdentifierError) as err:
        validate_key(kind, body + wrong)
    assert f"is {wrong} but should be {good[-1]}" in str(err.value)
    assert err.value.position == body_length + 1


@given(st.text("0123456789", min_size=7, max_size=7), st.sampled_from([8, 12, 13, 14]))
def test_every_gtin_length_pads_to_14(digits: str, length: int) -> None:
    body = digits.rjust(length - 1, "1")[: length - 1]
    gtin = body + check_digit(body)
    assert ids.validate_gtin(gtin) == gtin.zfill(14)


@given(
    st.text("0123456789", min_size=12, max_size=12), st.text(alphabet=sorted(ids.CS82), max_size=16)
)
def test_grai_check_digit_covers_the_numeric_part_only(body: str, serial: str) -> None:
    numeric = "0" + body + check_digit("0" + body)
    assert ids.validate_grai(numeric + serial) == numeric + serial


def test_itip_check_digit_sits_inside_the_gtin() -> None:
    assert ids.validate_itip("040123451111180102") == "040123451111180102"
    with pytest.raises(IdentifierError, match="should be 8"):
        ids.validate_itip("040123451111190102")


@pytest.mark.parametrize(
    ("call", "value", "message"),
    [
        (
            ids.validate_gtin,
            "4012345123457",
            "check digit of GTIN 4012345123457 is 7 but should be 6",
        ),
        (ids.validate_gtin, "40123451234", "must have 8/12/13/14 digits; it has 11"),
        (ids.validate_sscc, "34012345111111111X", "must start with 18 digits"),
        (ids.validate_grai, "94012345000221", "starts with the digit 0"),
        (ids.validate_giai, "40AB", "must start with a GS1 company prefix"),
        (ids.validate_gdti, "4012345000092" + "X" * 18, "longer than 30 characters"),
        (ids.validate_cpid, "4012345abc", "contains “a”"),
        (ids.validate_gcn, "0811625999996A", "contains “A”"),
        (ids.validate_upui, "é", "contains “é”"),
    ],
)
def test_bad_keys_are_rejected_with_the_fault_named(call: Any, value: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        call(value)


def test_messages_are_translated_into_chinese() -> None:
    set_locale("zh_Hans_CN")
    with pytest.raises(IdentifierError, match="校验码是 7，应为 6"):
        ids.validate_gtin("4012345123457")
    with pytest.raises(IdentifierError, match="不是有效的 EPC URI"):
        parse_epc_uri("urn:epc:sgtin:4012345.012345.1")


def test_every_message_of_the_module_has_a_chinese_translation() -> None:
    with (SRC / "locale" / "zh_Hans_CN.po").open("rb") as fh:
        catalog = read_po(fh, locale="zh")
    msgids = {m for _l, m, _c, _x in extract_from_file("python", str(SRC / "identifiers.py"))}
    assert msgids
    missing = [m for m in msgids if not (catalog.get(m) and catalog.get(m).string)]  # type: ignore[union-attr]
    assert missing == []


# --- EPC URI ⇄ Digital Link -----------------------------------------------------------

# TDS 2.x / GS1 Digital Link pairs; every EPC scheme, class and pattern the corpus uses.
PAIRS = [
    ("urn:epc:id:sgtin:4012345.011111.98%22", "https://id.gs1.org/01/04012345111118/21/98%22"),
    ("urn:epc:id:sgtin:415056789012.0.987654", "https://id.gs1.org/01/04150567890128/21/987654"),
    (
        "urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()",
        "https://id.gs1.org/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29",
    ),
    ("urn:epc:id:sscc:4012345.3111111111", "https://id.gs1.org/00/340123451111111111"),
    ("urn:epc:id:sgln:4012345.00005.122", "https://id.gs1.org/414/4012345000054/254/122"),
    ("urn:epc:id:sgln:4012345.00005.0", "https://id.gs1.org/414/4012345000054"),
    ("urn:epc:id:pgln:4000001.00000", "https://id.gs1.org/417/4000001000005"),
    ("urn:epc:id:pgln:999999999999.", "https://id.gs1.org/417/9999999999994"),
    ("urn:epc:id:grai:4012345.00022.334455", "https://id.gs1.org/8003/04012345000221334455"),
    ("urn:epc:id:giai:4012345.ABC345", "https://id.gs1.org/8004/4012345ABC345"),
    ("urn:epc:id:gsrn:4012345.0000006765", "https://id.gs1.org/8018/401234500000067657"),
    ("urn:epc:id:gsrnp:4012345.0000000007", "https://id.gs1.org/8017/401234500000000074"),
    ("urn:epc:id:gdti:4012345.00009.PO-4711", "https://id.gs1.org/253/4012345000092PO-4711"),
    ("urn:epc:id:gdti:987659999999..9", "https://id.gs1.org/253/98765999999929"),
    (
        "urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234",
        "https://id.gs1.org/8010/061414111111111111111-A%23%2F/8011/1234",
    ),
    ("urn:epc:id:sgcn:4012345.99999.44", "https://id.gs1.org/255/401234599999044"),
    ("urn:epc:id:ginc:0614141.xyz47%2F11", "https://id.gs1.org/401/0614141xyz47%2F11"),
    ("urn:epc:id:gsin:4012345.222333444", "https://id.gs1.org/402/40123452223334442"),
    (
        "urn:epc:id:itip:4012345.011111.01.02.987",
        "https://id.gs1.org/8006/040123451111180102/21/987",
    ),
    (
        "urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7'SDB",
        "https://id.gs1.org/01/01234567987651/235/51qIgY%29%3C%26Jp3%2Aj7'SDB",
    ),
    ("urn:epc:class:lgtin:4012345.012345.Lot987", "https://id.gs1.org/01/04012345123456/10/Lot987"),
    ("urn:epc:idpat:sgtin:4054739.099914.*", "https://id.gs1.org/01/04054739999148"),
    ("urn:epc:idpat:grai:4012345.66666.*", "https://id.gs1.org/8003/04012345666663"),
    ("urn:epc:idpat:gdti:4012345.55555.*", "https://id.gs1.org/253/4012345555554"),
    ("urn:epc:idpat:sgcn:4012345.99999.*", "https://id.gs1.org/255/4012345999990"),
    ("urn:epc:idpat:cpi:4012345.ABC.*", "https://id.gs1.org/8010/4012345ABC"),
    ("urn:epc:idpat:itip:4012345.012345.01.02.*", "https://id.gs1.org/8006/040123451234560102"),
]


@pytest.mark.parametrize(("urn", "link"), PAIRS)
def test_epc_uri_and_digital_link_convert_both_ways(urn: str, link: str) -> None:
    assert epc_to_digital_link(urn) == link
    gcp_length = len(urn.split(":")[4].split(".")[0])
    assert digital_link_to_epc(link, gcp_length=gcp_length) == urn
    assert normalize_epc(link, "urn", gcp_length=gcp_length) == normalize_epc(urn, "urn") == urn
    assert normalize_epc(urn, "dl") == normalize_epc(link, "dl") == link


@pytest.mark.parametrize(
    ("link", "canonical"),
    [
        ("https://id.gs1.org/gtin/09780345418913", "https://id.gs1.org/01/09780345418913"),
        (
            "https://example.com/gtin/09780345418913/21/765tz?abc=211121",
            "https://id.gs1.org/01/09780345418913/21/765tz",
        ),
        ("http://us-company-with-UPC.com/01/001122334455", "https://id.gs1.org/01/00001122334455"),
        (
            "https://ean-13.de/gtin/4012345123456/ser/ABC524",
            "https://id.gs1.org/01/04012345123456/21/ABC524",
        ),
        ("http://id.gs1.org/gtin/9780345418913", "https://id.gs1.org/01/09780345418913"),
        ("https://id.gs1.de/414/4012345000115", "https://id.gs1.org/414/4012345000115"),
        (
            "https://gs1.test.example.org/01/9780345418913/10/1223",
            "https://id.gs1.org/01/09780345418913/10/1223",
        ),
        ("https://example.co.uk/party/4226350800008", "https://id.gs1.org/417/4226350800008"),
        # Only the identity is kept: the CPV goes, and so does the lot next to a serial.
        (
            "https://id.gs1.org/gtin/9780345418913/cpv/344/lot/1223/ser/765tz",
            "https://id.gs1.org/01/09780345418913/21/765tz",
        ),
        (
            "https://id.gs1.org/itip/040123451111180102/cpv/ABCD",
            "https://id.gs1.org/8006/040123451111180102",
        ),
        (
            "https://fashion-corp.com/8006/040123451111180102/10/Lot-123/21/ser987",
            "https://id.gs1.org/8006/040123451111180102/21/ser987",
        ),
        # A company's own path prefix before the primary key is allowed.
        (
            "https://brand.example.cn/p/01/06901234567892/10/L1",
            "https://id.gs1.org/01/06901234567892/10/L1",
        ),
        # Characters of set 82 that URIs reserve are percent-encoded, the others are not.
        (
            "https://id.gs1.org/01/04012345123456/21/!(C)*+,:'.;=",
            "https://id.gs1.org/01/04012345123456/21/%21%28C%29%2A%2B%2C%3A'.;=",
        ),
    ],
)
def test_digital_links_on_any_host_become_canonical(link: str, canonical: str) -> None:
    assert canonical_digital_link(link) == canonical
    assert normalize_epc(link, "dl") == canonical


def test_dedup_across_spellings() -> None:
    spellings = [
        "urn:epc:id:sgtin:9780345.041891.765tz",
        "https://id.gs1.org/01/09780345418913/21/765tz",
        "https://example.com/gtin/9780345418913/lot/L9/ser/765tz?linkType=gs1:pip",
        "  https://id.gs1.org/01/09780345418913/21/765tz  ",
    ]
    # 978 is Bookland (ISBN): GS1's company prefix table gives no length there, so the EPC
    # URI is only known when someone wrote it; the Digital Link form needs no split.
    assert normalize_epc(spellings[0], "urn") == "urn:epc:id:sgtin:9780345.041891.765tz"
    for spelling in spellings[1:]:
        with pytest.raises(UnknownCompanyPrefix, match="978034541891 is unknown"):
            normalize_epc(spelling, "urn")
    assert {normalize_epc(s, "urn", gcp_length=7) for s in spellings} == {
        "urn:epc:id:sgtin:9780345.041891.765tz"
    }
    assert {normalize_epc(s, "dl") for s in spellings} == {
        "https://id.gs1.org/01/09780345418913/21/765tz"
    }


def test_other_uris_pass_through_untouched() -> None:
    for value in (
        "geo:47.506694,11.104301",
        "urn:uuid:374d95fc-9457-4a51-bd6a-0bba133845a8",
        "http://transaction.acme.com/po/12345678",
        "urn:epcglobal:cbv:bt:0614141073467:1152",
        "http://www.w3.org/2000/01/rdf-schema#",
        "https://example.org/rail/someSectorSpecificValue",
    ):
        assert normalize_epc(value, "urn") == value
        assert normalize_epc(value, "dl") == value
        assert not is_gs1_identifier(value)


def test_wide_patterns_keep_their_urn_and_have_no_digital_link() -> None:
    for pattern in ("urn:epc:idpat:sgtin:4012345.*.*", "urn:epc:idpat:sgtin:*.*.*"):
        assert normalize_epc(pattern, "dl") == pattern
        with pytest.raises(IdentifierError, match="selects more than one GS1 key"):
            epc_to_digital_link(pattern)
    with pytest.raises(IdentifierError, match="selects more than one GS1 key"):
        epc_to_digital_link("urn:epc:idpat:sgln:4012345.00005.*")


@pytest.mark.parametrize("scheme", ["sscc", "giai", "gsrn", "gsrnp", "pgln", "ginc", "gsin"])
def test_one_field_patterns_parse_and_keep_their_urn(scheme: str) -> None:
    pattern = f"urn:epc:idpat:{scheme}:0614141.*"
    epc = parse_epc_uri(pattern)
    assert (epc.level, epc.scheme, epc.company_prefix, epc.fields) == (
        "idpat",
        scheme,
        "0614141",
        ("*",),
    )
    assert epc.urn() == pattern
    # Every key of the company, so no single Digital Link.
    assert normalize_epc(pattern, "dl") == pattern


@pytest.mark.parametrize(
    "pattern",
    ["urn:epc:idpat:sscc:06141.*", "urn:epc:idpat:sscc:0614141.1*", "urn:epc:idpat:sscc:0614141"],
)
def test_bad_one_field_patterns_are_identifier_errors(pattern: str) -> None:
    with pytest.raises(IdentifierError):
        parse_epc_uri(pattern)


def test_class_level_links_become_classes_or_patterns() -> None:
    assert digital_link_to_epc("https://id.gs1.org/01/04012345123456/10/L1") == (
        "urn:epc:class:lgtin:4012345.012345.L1"
    )
    assert digital_link_to_epc("https://id.gs1.org/01/04012345123456") == (
        "urn:epc:idpat:sgtin:4012345.012345.*"
    )
    # A UPUI pattern names the same class as the SGTIN pattern of its GTIN.
    assert normalize_epc(normalize_epc("urn:epc:idpat:upui:4012345.012345.*", "dl"), "urn") == (
        "urn:epc:idpat:sgtin:4012345.012345.*"
    )
    with pytest.raises(IdentifierError, match="has no EPC URI equivalent"):
        digital_link_to_epc("https://id.gs1.org/8006/040123451234560102/10/L1")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("urn:epc:sgtin:4012345.012345.1", "not a valid EPC URI"),
        ("urn:epc:id:gid:95100000.12345.400", "EPC scheme “gid” is not supported"),
        ("urn:epc:class:sgtin:4012345.012345.1", "EPC scheme “sgtin” is not supported"),
        ("urn:epc:id:sgtin:4012345.012345", "needs 3 dot-separated parts after “sgtin:”; it has 2"),
        ("urn:epc:id:sgtin:40123.0123456.1", "company prefix in .* must be 6 to 12 digits"),
        ("urn:epc:id:sgtin:4012345.12345.1", "must have 13 digits together"),
        ("urn:epc:id:sgtin:4012345.012345.A/B", "must escape or never use"),
        ("urn:epc:id:sgtin:4012345.012345." + "1" * 21, "longer than 20 characters"),
        ("urn:epc:id:itip:4012345.012345.1.02.9", "piece and total must have two digits each"),
        ("urn:epc:idpat:sgtin:4012345.*.1", "not a valid EPC URI"),
    ],
)
def test_bad_epc_uris_name_the_fault(value: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        parse_epc_uri(value)
    with pytest.raises(IdentifierError):
        normalize_epc(value, "dl")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://id.gs1.org/01/04012345123457", "check digit of GTIN 04012345123457 is 7"),
        ("https://id.gs1.org/01/04012345123456/254/1", "AI 254 cannot qualify AI 01"),
        ("https://id.gs1.org/01/04012345123456/21/1/21/2", "AI 21 cannot qualify AI 01"),
        ("https://id.gs1.org/00/3401234511111111", "SSCC 3401234511111111 must have 18 digits"),
        ("https://id.gs1.org/01/04012345123456/21/" + "x" * 21, "longer than 20 characters"),
    ],
)
def test_bad_digital_links_name_the_fault(value: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        parse_digital_link(value)
    with pytest.raises(IdentifierError, match=message):
        normalize_epc(value, "urn")


def test_unknown_format_is_refused() -> None:
    with pytest.raises(IdentifierError, match="use “urn” or “dl”"):
        normalize_epc("urn:epc:id:sgtin:4012345.012345.1", "xml")  # type: ignore[arg-type]


# --- company prefix length ------------------------------------------------------------


def test_default_company_prefix_lengths_come_from_gs1s_table() -> None:
    assert default_gcp_length("6901234567892") == 7
    assert default_gcp_length("6921234567892") == 8
    assert default_gcp_length("4012345123456") == 7
    assert default_gcp_length("0614141") == 7
    # The case: GS1 US allocated a 6-digit prefix under 030001; a fixed rule of 7
    # digits split it as 0300011.
    assert default_gcp_length("030001111124") == 6
    assert default_gcp_length("9780345418913") is None  # Bookland: no GS1 company prefix


def test_a_digital_link_becomes_the_urn_the_partner_wrote() -> None:
    link = "https://id.gs1.org/414/" + "030001111124" + check_digit("030001111124")
    assert digital_link_to_epc(link) == "urn:epc:id:sgln:030001.111124.0"
    assert normalize_epc(link, "urn") == "urn:epc:id:sgln:030001.111124.0"


def test_an_unknown_prefix_length_is_said_not_guessed() -> None:
    link = "https://id.gs1.org/01/09780345418913/21/1"
    with pytest.raises(UnknownCompanyPrefix, match="unknown"):
        digital_link_to_epc(link)
    # The Digital Link spelling needs no split and still works.
    assert normalize_epc(link, "dl") == link


def test_gs1_china_prefixes_split_by_the_default_rule() -> None:
    gtin13 = "692123456789" + check_digit("692123456789")
    link = f"https://id.gs1.org/01/0{gtin13}/21/S1"
    assert digital_link_to_epc(link) == "urn:epc:id:sgtin:69212345.06789.S1"
    link_690 = "https://id.gs1.org/414/" + "690123400005" + check_digit("690123400005")
    assert digital_link_to_epc(link_690) == "urn:epc:id:sgln:6901234.00005.0"


def test_company_prefix_length_can_be_given_or_looked_up() -> None:
    link = "https://id.gs1.org/01/04012345123456/21/1"
    assert digital_link_to_epc(link, gcp_length=9) == "urn:epc:id:sgtin:401234512.0345.1"
    registry = {"4012345": 7, "40123451": 8}

    def lookup(digits: str) -> int | None:
        return next(
            (n for p, n in sorted(registry.items(), reverse=True) if digits.startswith(p)), None
        )

    assert digital_link_to_epc(link, gcp_length=lookup) == "urn:epc:id:sgtin:40123451.02345.1"
    assert (  # a lookup without an answer falls back to GS1's table
        digital_link_to_epc(link, gcp_length=lambda _d: None) == "urn:epc:id:sgtin:4012345.012345.1"
    )
    with pytest.raises(IdentifierError, match="6 to 12 digits, not 13"):
        digital_link_to_epc(link, gcp_length=13)


# --- property-based round trips -------------------------------------------------------

SERIAL = st.text(alphabet=sorted(ids.CS82), min_size=1, max_size=20)


@given(st.integers(6, 12), st.text("0123456789", min_size=13, max_size=13), SERIAL)
def test_sgtin_round_trips_for_any_prefix_length_and_serial(
    gcp_len: int, digits: str, serial: str
) -> None:
    gcp, item = digits[1 : 1 + gcp_len], digits[0] + digits[1 + gcp_len :]
    urn = ids.EpcUri("id", "sgtin", gcp, (item, serial)).urn()
    link = epc_to_digital_link(urn)
    assert not set(link.split("/21/", 1)[1]) & set('!"#&()*+,/:<>?')
    assert parse_digital_link(link).get("21") == serial
    assert digital_link_to_epc(link, gcp_length=gcp_len) == urn
    assert parse_epc_uri(urn).fields == (item, serial)


@given(st.integers(6, 12), st.text("0123456789", min_size=17, max_size=17))
def test_sscc_round_trips(gcp_len: int, digits: str) -> None:
    urn = f"urn:epc:id:sscc:{digits[1 : 1 + gcp_len]}.{digits[0]}{digits[1 + gcp_len :]}"
    link = epc_to_digital_link(urn)
    assert ids.validate_sscc(link.rsplit("/", 1)[1])
    assert digital_link_to_epc(link, gcp_length=gcp_len) == urn


@given(st.integers(6, 12), st.text("0123456789", min_size=12, max_size=12), SERIAL)
def test_sgln_round_trips(gcp_len: int, digits: str, extension: str) -> None:
    urn = ids.EpcUri("id", "sgln", digits[:gcp_len], (digits[gcp_len:], extension)).urn()
    link = epc_to_digital_link(urn)
    assert digital_link_to_epc(link, gcp_length=gcp_len) == urn


# --- the conformance corpus -----------------------------------------------------------


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for member in value.values():
            yield from _strings(member)
    elif isinstance(value, list):
        for member in value:
            yield from _strings(member)


def identifiers_in(path: Path, *, body_only: bool = False) -> list[str]:
    """Return every EPC URI and Digital Link written in a corpus document (or its body)."""
    if path.suffix == ".xml":
        root = etree.parse(str(path)).getroot()
        if body_only:
            root = next(
                e
                for e in root.iter()
                if isinstance(e.tag, str) and etree.QName(e).localname == "EPCISBody"
            )
        found = [e.text.strip() for e in root.iter() if isinstance(e.tag, str) and e.text]
        found += [v.strip() for e in root.iter() for v in e.attrib.values()]
    else:
        document = json.loads(path.read_text(encoding="utf-8"))
        found = list(_strings(document["epcisBody"] if body_only else document))
    return [v for v in found if v.startswith("urn:epc:") or is_gs1_identifier(v)]


def _is_negative_test(path: Path) -> bool:
    return "Invalid" in path.parts or "invalid" in path.stem.lower()


@cache
def corpus_documents() -> tuple[Path, ...]:
    roots = [
        CORPUS / "examples",
        CORPUS / "openepcis" / "test-resources" / "2.0",
        CORPUS / "event-hash",
    ]
    files = [
        p
        for root in roots
        for pattern in ("**/*.jsonld", "**/*.json", "**/*.xml")
        for p in root.glob(pattern)
        if not _is_negative_test(p)
    ]
    return tuple(sorted(set(files)))


@cache
def corpus_identifiers() -> tuple[str, ...]:
    return tuple(sorted({v for p in corpus_documents() for v in identifiers_in(p)}))


@requires_corpus
def test_the_corpus_uses_every_scheme_we_support() -> None:
    schemes = {v.split(":")[3] for v in corpus_identifiers() if v.startswith("urn:epc:")}
    assert schemes >= {"sgtin", "lgtin", "sscc", "sgln", "grai", "giai", "gsrn", "gsrnp", "gdti"}
    assert schemes >= {"cpi", "sgcn", "ginc", "gsin", "itip", "upui", "pgln"}


@requires_corpus
def test_every_epc_uri_in_the_corpus_round_trips() -> None:
    urns = [v for v in corpus_identifiers() if v.startswith("urn:epc:")]
    assert len(urns) > 150
    for urn in urns:
        epc = parse_epc_uri(urn)
        assert epc.urn() == urn, urn
        try:
            link = normalize_epc(urn, "dl")
        except IdentifierError:
            pytest.fail(f"{urn} has no Digital Link")
        if link == urn:  # a wide pattern
            assert epc.is_pattern
            continue
        back = digital_link_to_epc(link, gcp_length=len(epc.company_prefix))
        expected = urn.replace("urn:epc:idpat:upui:", "urn:epc:idpat:sgtin:")
        assert back == expected, (urn, link, back)


# Digital Links in the OpenEPCIS corpus whose GRAI is wrong: kept as written, not convertible.
CORPUS_DEFECTS = {
    "https://id.example.com/8003/030013450007718765": "check digit of GRAI 030013450007718765 is 1 but should be 6",
    "https://id.gs1.org/8003/030013450007718765": "check digit of GRAI 030013450007718765 is 1 but should be 6",
    "https://id.example.com/8003/952012200000001004": "A GRAI starts with the digit 0",
    "https://id.gs1.org/414/9521141123452": "check digit of GLN 9521141123452 is 2 but should be 4",
}


@requires_corpus
def test_every_digital_link_in_the_corpus_round_trips() -> None:
    links = [v for v in corpus_identifiers() if v.startswith("http")]
    assert len(links) > 40
    unknown: list[str] = []
    for link in links:
        if link in CORPUS_DEFECTS:
            with pytest.raises(IdentifierError, match=CORPUS_DEFECTS[link]):
                normalize_epc(link, "dl")
            assert normalize_epc(link, "dl", strict=False) == (
                "https://id.gs1.org/" + link.split("/", 3)[3]
            )
            continue
        canonical = normalize_epc(link, "dl")
        assert canonical.startswith("https://id.gs1.org/"), link
        assert normalize_epc(canonical, "dl") == canonical
        try:
            urn = normalize_epc(link, "urn")
        except UnknownCompanyPrefix:
            unknown.append(link)
            continue
        assert normalize_epc(urn, "dl") == canonical, link
    # Bookland GTINs and the corpus's 4000001… GIAIs are in no GS1 prefix table.
    assert 0 < len(unknown) < len(links) // 4, unknown


def _twins() -> list[tuple[Path, Path]]:
    pairs = []
    for folder in ("Capture/Documents", "Query"):
        json_dir = CORPUS / "openepcis/test-resources/2.0/EPCIS/JSON" / folder
        for json_file in sorted(json_dir.glob("*.json")):
            xml_file = (
                CORPUS
                / "openepcis/test-resources/2.0/EPCIS/XML"
                / folder
                / (json_file.stem + ".xml")
            )
            if xml_file.exists():
                pairs.append((json_file, xml_file))
    hashes = CORPUS / "event-hash" / "examples"
    for json_file in sorted(hashes.glob("*.jsonld")):
        if json_file.with_suffix(".xml").exists():
            pairs.append((json_file, json_file.with_suffix(".xml")))
    return pairs


@requires_corpus
@pytest.mark.parametrize(
    ("json_file", "xml_file"), _twins(), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_xml_and_json_twins_name_the_same_objects(json_file: Path, xml_file: Path) -> None:
    # Document headers differ (the JSON twins carry sender/receiver, the XML ones no SBDH).
    in_json = {
        normalize_epc(v, "dl", strict=False) for v in identifiers_in(json_file, body_only=True)
    }
    in_xml = {
        normalize_epc(v, "dl", strict=False) for v in identifiers_in(xml_file, body_only=True)
    }
    assert in_json
    assert in_json == in_xml

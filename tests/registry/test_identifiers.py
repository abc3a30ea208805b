"""Check characters of 统一社会信用代码 (GB 32100-2015) and GTIN (GS1)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plateau.i18n import set_locale
from plateau.registry.identifiers import (
    USCC_ALPHABET,
    IdentifierError,
    make_gtin,
    make_uscc,
    validate_gtin,
    validate_uscc,
)

SAMPLE = "91350100M000100Y43"  # the worked example of GB 32100-2015
FORBIDDEN_LETTERS = "IOSVZ"


def test_the_standard_sample_is_valid() -> None:
    assert validate_uscc(SAMPLE) == SAMPLE
    assert validate_uscc(" 91350100m000100y43 ") == SAMPLE


def test_make_uscc_reproduces_the_sample_check_character() -> None:
    assert make_uscc(SAMPLE[:17]) == SAMPLE


@pytest.mark.parametrize("position", range(1, 19))
def test_every_single_character_change_of_the_sample_is_caught(position: int) -> None:
    original = SAMPLE[position - 1]
    for replacement in USCC_ALPHABET + FORBIDDEN_LETTERS:
        if replacement == original:
            continue
        changed = SAMPLE[: position - 1] + replacement + SAMPLE[position:]
        with pytest.raises(IdentifierError) as caught:
            validate_uscc(changed)
        if replacement in FORBIDDEN_LETTERS:
            expected = position  # the character itself is impossible
        elif 3 <= position <= 8 and not replacement.isdigit():
            expected = 3  # the administrative division code must be digits
        else:
            expected = 18  # a valid character: only the check character can tell
        assert caught.value.position == expected, (changed, caught.value.message)


def test_messages_name_the_faulty_character_in_chinese_and_english() -> None:
    set_locale("zh_Hans_CN")
    with pytest.raises(IdentifierError) as caught:
        validate_uscc("91350100M000100Y44")
    assert "第 18 位" in caught.value.message and "“3”" in caught.value.message
    with pytest.raises(IdentifierError) as caught:
        validate_uscc("91350100MO00100Y43")
    assert "第 10 位" in caught.value.message and "“O”" in caught.value.message
    set_locale("en")
    with pytest.raises(IdentifierError) as caught:
        validate_uscc("91350100M000100Y44")
    assert "position 18" in caught.value.message and "should be “3”" in caught.value.message
    with pytest.raises(IdentifierError) as caught:
        validate_uscc("9135")
    assert "18 characters" in caught.value.message


_DIGITS = "0123456789"
first17 = st.tuples(
    st.text(USCC_ALPHABET, min_size=2, max_size=2),
    st.text(_DIGITS, min_size=6, max_size=6),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
).map("".join)


@given(first17)
def test_make_uscc_always_validates(body: str) -> None:
    assert validate_uscc(make_uscc(body)) == make_uscc(body)


@given(first17, st.integers(0, 17), st.sampled_from(USCC_ALPHABET))
def test_any_single_substitution_in_a_uscc_is_caught(body: str, index: int, char: str) -> None:
    code = make_uscc(body)
    if code[index] == char:
        return
    with pytest.raises(IdentifierError):
        validate_uscc(code[:index] + char + code[index + 1 :])


@pytest.mark.parametrize(
    "code", ["6901234567892", "96385074", "036000291452", "10614141000415", "06901234567892"]
)
def test_known_gtins_are_valid_and_stored_as_gtin14(code: str) -> None:
    assert validate_gtin(code) == code.zfill(14)


def test_gtin_errors_say_what_is_wrong() -> None:
    set_locale("en")
    with pytest.raises(IdentifierError) as caught:
        validate_gtin("6901234567893")
    assert caught.value.position == 13
    assert "should be 2" in caught.value.message
    with pytest.raises(IdentifierError):
        validate_gtin("69012345678")  # 11 digits is no GTIN length
    with pytest.raises(IdentifierError):
        validate_gtin("690123456789X")


@given(st.sampled_from([7, 11, 12, 13]).flatmap(lambda n: st.text(_DIGITS, min_size=n, max_size=n)))
def test_make_gtin_always_validates(body: str) -> None:
    assert validate_gtin(make_gtin(body)) == make_gtin(body)


@given(
    st.text(_DIGITS, min_size=12, max_size=12),
    st.integers(0, 12),
    st.sampled_from(_DIGITS),
)
def test_any_single_digit_change_in_a_gtin_is_caught(body: str, index: int, digit: str) -> None:
    code = make_gtin(body)[1:]  # the GTIN-13 as printed
    if code[index] == digit:
        return
    with pytest.raises(IdentifierError):
        validate_gtin(code[:index] + digit + code[index + 1 :])

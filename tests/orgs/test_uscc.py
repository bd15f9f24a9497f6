"""Unified social credit code (GB 32100-2015): shape and check character."""
import pytest

from charity.orgs import uscc

# Weights and alphabet written out from the standard (table 2 and annex), not computed,
# so a slip in the module's formula cannot hide behind the same slip here.
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# Published codes of real organisations (business licences, charity registrations).
REAL_CODES = [
    "91350100M000100Y43",  # the worked example of GB 32100-2015
    "91440300708461136T",
    "91330100716105852F",
    "91110000802100433B",
    "53100000500021676K",  # a social organisation (first character 5)
]


def reference_check(body: str) -> str:
    total = sum(CHARS.index(ch) * w for ch, w in zip(body, WEIGHTS))
    return CHARS[(31 - total % 31) % 31]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    assert uscc.is_valid(code)
    assert uscc.check_char(code[:17]) == code[17]


@pytest.mark.parametrize("code", REAL_CODES)
def test_every_other_check_character_is_refused(code):
    for ch in CHARS:
        if ch != code[17]:
            assert not uscc.is_valid(code[:17] + ch), code[:17] + ch


def test_module_weights_match_the_standard():
    assert uscc._WEIGHTS == WEIGHTS
    assert uscc.ALPHABET == CHARS


@pytest.mark.parametrize("body", ["51620102MJ7304215", "5162010200000000001"[:17],
                                  "Y1110000ABCDEFGHJ", "12100000400001010", "N2110101TUWXY0000"])
def test_check_char_matches_reference(body):
    assert uscc.check_char(body) == reference_check(body)
    assert uscc.is_valid(uscc.make(body))


def test_check_character_can_be_zero():
    # A body whose weighted sum is a multiple of 31 gets "0", not "31" or an index error.
    body = None
    for n in range(10_000):
        candidate = f"5162010200000{n:04d}"
        if reference_check(candidate) == "0":
            body = candidate
            break
    assert body is not None
    assert uscc.check_char(body) == "0"
    assert uscc.is_valid(body + "0")


def test_single_typo_is_detected():
    code = REAL_CODES[0]
    for i in range(17):
        for ch in CHARS:
            if ch == code[i]:
                continue
            typo = code[:i] + ch + code[i + 1:]
            assert not uscc.is_valid(typo), typo


@pytest.mark.parametrize("code", [
    "", None, "91350100M000100Y4", "91350100M000100Y433",
    "91350100M00010OY43",  # O is not in the alphabet
    "9135010OM000100Y43",  # letters are not allowed in the division code
    "01350100M000100Y43",  # registration authority 0 does not exist
    "I1350100M000100Y43", "S1350100M000100Y43", "Z1350100M000100Y43", "V1350100M000100Y43",
    "91350100M000100Y4!", "91350100M000100Y43\x00",
])
def test_malformed_codes_are_refused(code):
    assert not uscc.is_valid(code)


def test_normalize_accepts_lowercase_and_spaces():
    assert uscc.normalize(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert uscc.normalize("9135 0100 M000 100Y43") == "91350100M000100Y43"
    assert uscc.is_valid("91350100m000100y43")
    assert uscc.normalize(None) == ""


def test_demo_organisation_code_is_valid():
    from charity.demo.loader import ORG

    assert uscc.is_valid(ORG["uscc"])


def test_full_width_characters_from_an_input_method_are_accepted():
    # Chinese input methods type full-width digits and letters; they mean the same code.
    assert uscc.is_valid("９１３５０１００Ｍ０００１００Ｙ４３")
    assert uscc.normalize("91３50100m000100y43") == "91350100M000100Y43"


@pytest.mark.parametrize("code", [
    "91\u066350100M000100Y43",  # an Arabic-Indic digit 3 in the division code
    "91350100M000100Y4\u0663",
    "91\u0b6750100M000100Y43",  # an Oriya digit 1
])
def test_other_scripts_digits_are_refused_not_crashing(code):
    assert uscc.is_valid(code) is False

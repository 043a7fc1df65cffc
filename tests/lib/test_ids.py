import pytest

from bankplan.lib.ids import is_id


@pytest.mark.parametrize(
    ("value", "taken"),
    [
        ("7", True),
        ("922337203685477580", True),  # 18 digits: within a 64-bit integer
        ("10000000000000000000000", False),  # overflows SQLite's integers
        ("²", False),  # a digit to str.isdigit(), not to int()
        ("١٢", False),  # Arabic-Indic digits
        ("-1", False),
        ("", False),
        ("1e3", False),
    ],
)
def test_an_id_is_ascii_digits_a_database_takes(value, taken):
    assert is_id(value) is taken

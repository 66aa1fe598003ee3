"""A corrected year is stored in ASCII digits: full-width digits are normalised, other digits refused."""

from __future__ import annotations

import pytest

from indexer.corrections import CorrectionError, validate_values


def test_a_full_width_year_is_stored_as_ascii_digits() -> None:
    assert validate_values({"year": "２０２３"}) == {"year": "2023"}
    assert validate_values({"year": " 2023 "}) == {"year": "2023"}


@pytest.mark.parametrize("year", ["٢٠٢٣", "二〇二三", "２０２３年", "20２３5"])
def test_years_in_other_digits_are_refused(year: str) -> None:
    with pytest.raises(CorrectionError, match="四位数字"):
        validate_values({"year": year})

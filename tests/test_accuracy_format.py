"""One accuracy format everywhere (issue 33): the count, then the share it is."""

from __future__ import annotations

from fractions import Fraction

import pytest

from mlpmath.display import format_accuracy


@pytest.mark.parametrize("total", [1, 3, 7, 8, 9, 10, 64])
@pytest.mark.parametrize("decimals", [0, 2, 4])
def test_the_count_and_its_share(total: int, decimals: int) -> None:
    for correct in range(total + 1):
        text = format_accuracy(correct, total, decimals)
        count, sign, share = text.split(" ")
        assert count == f"{correct}/{total}"
        assert sign in ("=", "≈")
        exact = Fraction(correct, total)
        places = len(share.partition(".")[2])
        assert places <= max(decimals, 2)
        assert not share.endswith("0") or share == "0"  # no needless digits
        assert abs(Fraction(share) - exact) <= Fraction(1, 2 * 10**places)
        if Fraction(share) == exact:
            assert sign == "="


def test_the_issue_s_examples() -> None:
    assert format_accuracy(6, 8) == "6/8 = 0.75"
    assert format_accuracy(0, 10) == "0/10 = 0"
    assert format_accuracy(10, 10) == "10/10 = 1"


@pytest.mark.parametrize(("correct", "total"), [(3, 2), (-1, 4), (0, 0)])
def test_impossible_counts_are_refused(correct: int, total: int) -> None:
    with pytest.raises(ValueError):
        format_accuracy(correct, total)

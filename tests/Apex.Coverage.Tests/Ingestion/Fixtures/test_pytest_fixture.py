# Produces pytest-junit.xml, a real pytest --junitxml file for the ingestion tests:
#   cd tests/Apex.Coverage.Tests/Ingestion/Fixtures
#   /usr/bin/python3 -m pytest test_pytest_fixture.py --junitxml=pytest-junit.xml -o junit_family=xunit2 -o junit_logging=all
import sys

import pytest


class TestCart:
    def test_total_adds_items(self):
        assert 2 + 3 == 5

    def test_discount_fails_on_purpose(self):
        print("cart has 2 items")
        print("stderr line", file=sys.stderr)
        assert 100 * 0.9 == 91

    @pytest.mark.skip(reason="tax service not available")
    def test_tax_is_skipped(self):
        assert False

    @pytest.mark.parametrize("a,b,total", [(1, 1, 2), (2, 3, 5)])
    def test_sum_rows(self, a, b, total):
        assert a + b == total


@pytest.fixture
def broken():
    raise RuntimeError("fixture setup exploded")


def test_error_in_fixture(broken):
    assert broken

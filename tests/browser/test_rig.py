"""The browser rig itself: Chromium reaches the live server, and the checkers catch faults."""

import pytest

pytestmark = pytest.mark.browser


def test_the_checkers_find_faults_in_a_bad_page(page, assert_accessible, assert_valid_html):
    bad = "<!doctype html><html><head><title>x</title></head><body><img src=a.png><p><div></p>"
    with pytest.raises(AssertionError, match="HTML errors"):
        assert_valid_html(bad)
    page.goto("/")
    page.set_content(bad)
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)

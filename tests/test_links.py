"""A page's navigation links only pages that exist, and names the others "not made yet" (run/links.py)."""

from pathlib import Path

from lacperf_helpers.run.links import link_pages

NAV = (
    '<p>before <a href="../2019-08/kent.html">outside the nav</a></p>'
    '<nav class="lacperf-nav" aria-label="Pages of this scorecard"><p><strong>On this page:</strong> '
    '<a href="#overview">Overview</a></p><p><strong>September 2019, by area:</strong> <span aria-current="page">Kent'
    '</span> · <a href="west-kent.html">West Kent</a> · <a href="east-kent.html">East Kent</a></p>'
    '<p><strong>Other periods:</strong> <a href="../2019-08/kent.html">previous month, August 2019</a> · '
    '<a href="index.html">every page of September 2019</a></p></nav>'
)


def test_only_pages_that_exist_are_linked_and_a_page_made_later_is_linked_then(tmp_path: Path) -> None:
    month = tmp_path / "2019-09"
    month.mkdir()
    (month / "kent.html").write_text(NAV)
    (month / "west-kent.html").write_text("<p>West Kent</p>")
    (month / "index.html").write_text("<p>index</p>")
    assert link_pages(tmp_path) == 1
    page = (month / "kent.html").read_text()
    assert '<a href="west-kent.html">West Kent</a>' in page and '<a href="index.html">' in page  # made: linked
    assert '<a href="#overview">Overview</a>' in page  # within the page: as it was
    assert "East Kent (not made yet)</span>" in page and '<a href="east-kent.html"' not in page
    assert "previous month, August 2019 (not made yet)</span>" in page
    assert page.startswith('<p>before <a href="../2019-08/kent.html">')  # only the navigation is changed
    assert link_pages(tmp_path) == 0  # nothing new: no page written again
    (tmp_path / "2019-08").mkdir()
    (tmp_path / "2019-08" / "kent.html").write_text("<p>August</p>")  # a later batch makes August
    assert link_pages(tmp_path) == 1
    page = (month / "kent.html").read_text()
    assert (
        '<a href="../2019-08/kent.html">previous month, August 2019</a>' in page and "August 2019 (not made" not in page
    )
    assert "East Kent (not made yet)" in page

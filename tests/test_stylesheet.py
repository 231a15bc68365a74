"""Only the JupyterLab style rules a page uses (run/stylesheet.py), on small stylesheets worked out by hand;
tests/test_browser.py checks a whole page looks the same on screen and in print with only those rules."""

from lacperf_helpers.run.stylesheet import classes_of, used_rules

PAGE = '<body class="jp-Notebook"><div class="jp-Cell jp-mod-noInput"><p class=\'lead\'>x</p></div></body>'


def test_the_classes_of_a_page_are_those_its_elements_carry() -> None:
    assert classes_of(PAGE) == {"jp-Notebook", "jp-Cell", "jp-mod-noInput", "lead"}


def test_a_rule_is_kept_when_every_class_one_of_its_selectors_requires_is_on_the_page() -> None:
    css = """
    .jp-Cell { margin: 0 }
    .jp-Toolbar { display: flex }
    .jp-Notebook .jp-Cell.jp-mod-noInput { padding: 2px }
    .jp-Notebook .jp-Cell.jp-mod-active { padding: 9px }
    body, pre { color: black }
    """
    assert used_rules(css, classes_of(PAGE), set()).splitlines() == [
        ".jp-Cell{margin:0}",
        ".jp-Notebook .jp-Cell.jp-mod-noInput{padding:2px}",
        "body,pre{color:black}",  # no class required: kept (an element selector is not judged)
    ]


def test_a_selector_list_keeps_only_the_selectors_that_can_match() -> None:
    css = ".jp-Toolbar, .jp-Cell > p, .lead:hover { color: red }"
    assert used_rules(css, classes_of(PAGE), set()) == ".jp-Cell > p,.lead:hover{color:red}"


def test_classes_inside_not_or_is_are_not_required() -> None:
    css = ".jp-Cell:not(.jp-mod-active) { color: red }\n:is(.jp-Toolbar, .lead) { color: blue }"
    assert used_rules(css, classes_of(PAGE), set()).splitlines() == [
        ".jp-Cell:not(.jp-mod-active){color:red}",
        ":is(.jp-Toolbar, .lead){color:blue}",
    ]


def test_a_rule_naming_an_element_the_page_does_not_have_is_left_out() -> None:
    """The page has p and div (and body, as every page does); it has no pre, kbd or img: JupyterLab's rules for
    them style nothing. A name after `.` or `:` is a class or a pseudo-class, not an element."""
    from lacperf_helpers.run.stylesheet import elements_of

    css = """
    pre, .jp-Cell p { margin: 0 }
    .jp-Cell kbd, .jp-Cell > img { border: 1px solid }
    body .lead:first-child { color: red }
    input::placeholder { color: grey }
    .jp-Cell :not(pre) > p { padding: 0 }
    tbody tr:hover, html { color: blue }
    """
    elements = elements_of(PAGE)
    assert elements == {"body", "div", "p", "html", "head", "tbody"}  # a table's tbody is there unwritten
    assert used_rules(css, classes_of(PAGE), set(), elements).splitlines() == [
        ".jp-Cell p{margin:0}",
        "body .lead:first-child{color:red}",
        ".jp-Cell :not(pre) > p{padding:0}",  # inside :not() an element is not required
        "html{color:blue}",  # tr is not on the page
    ]


def test_keyframes_are_kept_only_where_a_kept_rule_animates_by_them_and_blanks_are_one() -> None:
    css = """
    @keyframes fadeIn { 0% { opacity: 0 } 100% { opacity: 1 } }
    @keyframes spin { 0% { transform: rotate(0deg) } }
    .jp-Cell { animation: 1s spin; box-shadow: 0 1px 2px red,
        0 2px   4px blue; font-family: "Segoe  UI",   sans-serif }
    .jp-Toolbar { animation-name: fadeIn }
    """
    assert used_rules(css, classes_of(PAGE), set()).splitlines() == [
        "@keyframes spin { 0% { transform: rotate(0deg) } }",
        '.jp-Cell{animation:1s spin;box-shadow:0 1px 2px red, 0 2px 4px blue;font-family:"Segoe  UI", sans-serif}',
    ]


def test_custom_properties_are_kept_where_something_reads_them_directly_or_through_another() -> None:
    css = """
    :root { --a: 1px; --b: var(--c); --c: red; --d: blue; --e: green; --icon: url(data:image/svg+xml;base64,AAAA) }
    .jp-Cell { border-width: var(--a); color: var(--b) }
    .jp-Toolbar { color: var(--d) }
    """
    assert used_rules(css, classes_of(PAGE), {"--e"}).splitlines() == [
        ":root{--a:1px;--b:var(--c);--c:red;--e:green}",  # --d only for a rule dropped; --icon for nothing
        ".jp-Cell{border-width:var(--a);color:var(--b)}",
    ]


def test_at_rules_keep_what_is_kept_inside_them_and_page_rules_whole() -> None:
    css = """
    @media print { .jp-Cell { break-inside: avoid } .jp-Toolbar { display: none } }
    @media screen { .jp-Toolbar { display: flex } }
    @page { margin: 0.5in }
    .x { color: red !important }
    .jp-Cell { color: red !important }
    """
    assert used_rules(css, classes_of(PAGE), set()).splitlines() == [
        "@media print{",
        ".jp-Cell{break-inside:avoid}",
        "}",
        "@page { margin: 0.5in }",
        ".jp-Cell{color:red !important}",
    ]


def test_a_download_is_percent_encoded_only_where_a_data_url_needs_it() -> None:
    """The page's CSV downloads (data: URLs) keep commas and spaces as they are, and encode what would end
    or break the URL or the attribute: the same file, in a little over half the characters."""
    from urllib.parse import unquote

    from lacperf_helpers.present.templating import data_url

    csv = 'area,kpi,value\nSouth Kent,"Care leavers, 19-21",12.5%\n#1 & 2 <b> it\'s\r\n£ – é\t'
    encoded = data_url(csv)
    assert unquote(encoded) == csv
    assert encoded.startswith("area,kpi,value%0ASouth Kent,%22Care leavers, 19-21%22,12.5%25%0A%231 %26 2 %3Cb%3E")
    assert not set(encoded) & set("\n\r\t#&'\"<>?")


def test_a_download_is_encoded_as_urllib_encodes_it() -> None:
    """data_url encodes what it must by runs of characters, not by looking up each in turn: the same text as
    urllib's quote, for every character up to U+024F, line ends, and characters of two to four bytes."""
    from urllib.parse import quote

    from lacperf_helpers.present.templating import DATA_URL_SAFE, data_url

    every = "".join(chr(c) for c in range(0x250)) + "€😀\r\n"
    for text in (every, every[::-1], "a\n\n\nb", "", "%%", "😀😀 x\n", "-~_.!$()*+,/:;=@ "):
        assert data_url(text) == quote(text, safe=DATA_URL_SAFE)


def test_the_pages_own_stylesheet_loses_its_comments_and_layout_but_never_a_meaning() -> None:
    from lacperf_helpers.run.stylesheet import minified

    css = """/* the table */
    td :first-child , th > b {  color : red ;
        font-family: Arial, "Liberation  Sans ;}" ; }
    @media print {
      .x { margin: 0 auto; }  /* print */
    }"""
    assert minified(css) == (
        'td :first-child,th > b{color :red;font-family:Arial,"Liberation  Sans ;}"}@media print{.x{margin:0 auto}}'
    )  # a blank before a colon stays: `td :first-child` is any first child inside a cell

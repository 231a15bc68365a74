"""Only the JupyterLab style rules a page uses: nbconvert's lab template inlines JupyterLab's whole stylesheet
(about 270 kB) in every page, and directors receive pages as e-mail attachments.

A rule is kept if one of its selectors can match the page: every class it requires (outside `:not()`,
`:is()` and the like) is on some element of the page, and so is every element it names (`pre`, `kbd`: the
page has none). Attribute and pseudo selectors are not judged, so a rule is kept whenever in doubt; a rule
that is dropped names a class or an element the page does not have, so it styles nothing. Custom
properties (`--jp-...`) are kept where some kept rule, the page's own styles or an element's `style` uses
them, directly or through another property. @page, @font-face and the like are kept, and @keyframes where
a kept rule animates by them; @media and @supports keep the rules inside them that are kept. A kept
declaration's runs of blanks are one blank.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import tinycss2
from tinycss2 import ast

CLASS_ATTRIBUTE = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)')""")
ELEMENT = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)")
IMPLIED = frozenset({"html", "head", "body", "tbody"})  # there whether or not the page writes them
VARIABLE = re.compile(r"var\(\s*(--[A-Za-z0-9_-]+)")
NESTED = ("media", "supports", "document", "layer", "container")


@dataclass(frozen=True)
class Declaration:
    text: str
    defines: str  # the custom property it defines ('' for an ordinary property)
    uses: frozenset[str]  # the custom properties its value reads


@dataclass(frozen=True)
class Selector:
    text: str
    classes: frozenset[str] = frozenset()  # the classes it requires
    elements: frozenset[str] = frozenset()  # the elements it names (lower case)


@dataclass(frozen=True)
class Rule:
    selectors: tuple[Selector, ...]
    declarations: tuple[Declaration, ...]


@dataclass(frozen=True)
class Block:
    """An at-rule: its prelude, and either the rules inside it (@media) or its text as it is (@page)."""

    head: str
    rules: tuple[Rule | Block, ...] | None
    text: str


def _selectors(prelude: list[ast.Node]) -> tuple[Selector, ...]:
    """A selector list split at its top-level commas, each with the classes it requires (a `.name` at the top
    level; one inside a function such as :not() or :is() may be absent or an alternative) and the elements it
    names (a name at the top level after neither `.` nor `:`)."""
    found: list[Selector] = []
    part: list[ast.Node] = []
    for token in [*prelude, None]:
        if token is None or (token.type == "literal" and token.value == ","):
            pairs = list(itertools.pairwise([None, *part]))
            required = {
                after.value
                for before, after in pairs
                if before is not None and before.type == "literal" and before.value == "." and after.type == "ident"
            }
            elements = {
                after.lower_value
                for before, after in pairs
                if after.type == "ident"
                and not (before is not None and before.type == "literal" and before.value in ".:|")
            }
            found.append(Selector(tinycss2.serialize(part).strip(), frozenset(required), frozenset(elements)))
            part = []
        else:
            part.append(token)
    return tuple(found)


def _declarations(content: list[ast.Node]) -> tuple[Declaration, ...]:
    out = []
    for item in tinycss2.parse_declaration_list(content, skip_whitespace=True, skip_comments=True):
        if item.type != "declaration":
            continue
        value = _BLANKS.sub(lambda m: m.group(1) or " ", tinycss2.serialize(item.value).strip())
        important = " !important" if item.important else ""
        name = item.name if item.name.startswith("--") else item.lower_name
        out.append(
            Declaration(
                f"{name}:{value}{important}", name if name.startswith("--") else "", frozenset(VARIABLE.findall(value))
            )
        )
    return tuple(out)


def _parse(nodes: Iterable[ast.Node]) -> tuple[Rule | Block, ...]:
    parsed: list[Rule | Block] = []
    for node in nodes:
        if node.type == "qualified-rule":
            parsed.append(Rule(_selectors(node.prelude), _declarations(node.content)))
        elif node.type == "at-rule":
            head = f"@{node.at_keyword}{tinycss2.serialize(node.prelude).rstrip()}"
            if node.lower_at_keyword in NESTED and node.content is not None:
                inner = tinycss2.parse_rule_list(node.content, skip_whitespace=True, skip_comments=True)
                parsed.append(Block(head, _parse(inner), ""))
            else:
                parsed.append(Block(head, None, tinycss2.serialize([node]).strip()))
    return tuple(parsed)


@functools.lru_cache(maxsize=8)
def parsed(css: str) -> tuple[Rule | Block, ...]:
    """A stylesheet's rules (parsed once per process: every page carries the same stylesheet)."""
    return _parse(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True))


def elements_of(html: str) -> set[str]:
    """Every element the page has (lower case), and those a browser makes whether or not it is written."""
    return {name.lower() for name in ELEMENT.findall(html)} | IMPLIED


def classes_of(html: str) -> set[str]:
    """Every class named in an element's class attribute."""
    found: set[str] = set()
    for match in CLASS_ATTRIBUTE.finditer(html):
        found.update((match.group(1) or match.group(2) or "").split())
    return found


def _kept(
    rules: tuple[Rule | Block, ...], classes: set[str], elements: set[str] | None
) -> list[tuple[Rule, tuple[str, ...]] | Block]:
    kept: list[tuple[Rule, tuple[str, ...]] | Block] = []
    for rule in rules:
        if isinstance(rule, Rule):
            selectors = tuple(
                s.text for s in rule.selectors if s.classes <= classes and (elements is None or s.elements <= elements)
            )
            if selectors:
                kept.append((rule, selectors))
        elif rule.rules is None:
            kept.append(rule)
        else:
            inner = _kept(rule.rules, classes, elements)
            if inner:
                kept.append(Block(rule.head, tuple(_flatten(inner)), ""))
    return kept


def _flatten(kept: list[tuple[Rule, tuple[str, ...]] | Block]) -> list[Rule | Block]:
    """Kept rules with only their kept selectors, as rules again (for a nested block)."""
    return [item if isinstance(item, Block) else Rule(tuple(Selector(s) for s in item[1]), item[0].declarations)
            for item in kept]  # fmt: skip


KEYFRAMES = re.compile(r"@(?:-webkit-)?keyframes\s*(\S+)", re.I)


def _animated(kept: list[Rule | Block]) -> list[Rule | Block]:
    """Kept rules without the @keyframes no kept rule animates by (JupyterLab's spinners and fades)."""
    animations = " ".join(
        d.text for rule in _walk(kept) for d in rule.declarations if d.text.lower().startswith("animation")
    )
    names = set(re.findall(r"[\w-]+", animations))
    return [item for item in kept if not isinstance(item, Block) or (m := KEYFRAMES.match(item.head)) is None
            or m.group(1) in names]  # fmt: skip


def _walk(kept: Iterable[Rule | Block]) -> Iterable[Rule]:
    for item in kept:
        if isinstance(item, Rule):
            yield item
        elif item.rules is not None:
            yield from _walk(item.rules)


def _needed(kept: list[Rule | Block], used_elsewhere: set[str]) -> set[str]:
    """Custom properties read by a kept declaration or elsewhere in the page, and those they read in turn."""
    defined: dict[str, set[str]] = {}
    needed = set(used_elsewhere)
    for rule in _walk(kept):
        for declaration in rule.declarations:
            if declaration.defines:
                defined.setdefault(declaration.defines, set()).update(declaration.uses)
            else:
                needed |= declaration.uses
    for block in (item for item in kept if isinstance(item, Block) and item.rules is None):
        needed |= set(VARIABLE.findall(block.text))
    todo = list(needed)
    while todo:
        for more in defined.get(todo.pop(), set()) - needed:
            needed.add(more)
            todo.append(more)
    return needed


def _write(kept: Iterable[Rule | Block], needed: set[str]) -> str:
    out = []
    for item in kept:
        if isinstance(item, Rule):
            body = ";".join(d.text for d in item.declarations if not d.defines or d.defines in needed)
            if body:
                out.append(f"{','.join(s.text for s in item.selectors)}{{{body}}}")
        elif item.rules is None:
            out.append(item.text)
        else:
            inner = _write(item.rules, needed)
            if inner:
                out.append(f"{item.head}{{\n{inner}\n}}")
    return "\n".join(out)


def used_rules(
    css: str, classes: set[str], variables_used_elsewhere: set[str], elements: set[str] | None = None
) -> str:
    """The rules of `css` a page with these classes (and these elements, if given) can use, its custom
    properties those it reads."""
    kept = _animated(_flatten(_kept(parsed(css), classes, elements)))
    return _write(kept, _needed(kept, variables_used_elsewhere))


_STRING = r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'"
_BLANKS = re.compile(rf"({_STRING})|\s+", re.S)
_SPACE = re.compile(rf"({_STRING})|(?:/\*.*?\*/|\s)+", re.S)
_AROUND = re.compile(rf"({_STRING})| ?([{{}};,]) ?|(:) ")
_LAST = re.compile(rf"({_STRING})|;(}})")


def minified(css: str) -> str:
    """The page's own stylesheet without its comments and layout: a comment or a run of blanks is one blank,
    dropped beside `{ } ; ,` and after a colon (never before one: `td :first-child` is not `td:first-child`).
    and a rule's last `;`. Quoted strings are kept as they are."""
    spaced = _SPACE.sub(lambda m: m.group(1) or " ", css)
    tight = _AROUND.sub(lambda m: m.group(1) or m.group(2) or m.group(3), spaced)
    return _LAST.sub(lambda m: m.group(1) or m.group(2), tight).strip()

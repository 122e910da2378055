"""Every literal a person reads through a translator is one `make messages` extracts.

Babel only sees a string when it is the argument of a keyword it knows (the Makefile's `-k` list
plus Babel's defaults: `_`, `gettext`, `ngettext`, `pgettext`, ...). A translator kept under
another name (`them = translator(...)`, `ct = ...`) or a helper that passes its argument on to one
(`def say(text): reply(context.t(text))`) is called with literals Babel never sees: they are
missing from the catalogues and stay English in every language. This test finds the translating
calls by reading the code (`ast`), then asks Babel what it extracts from the same file.

Proved to fail on the code before the fix: it listed handlers/feedback.py's
`them("💬 A coordinator replied ...")`, `them("You can answer back...")` (twice) and
`them("Answer back")`, and handlers/glossary.py's `ct("{name} asked about the word ...")`.
"""

from __future__ import annotations

import ast
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.frontend import parse_keywords

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("bot", "handlers")
# Translator methods and where their message arguments are.
METHODS = {"gettext": (0,), "ngettext": (0, 1), "pgettext": (1,)}
MAKES_TRANSLATORS = {"translator", "Translator"}
# The project's names for a translator, whatever they are bound to.
TRANSLATOR_NAMES = {"t", "_"}


def _keywords() -> dict[str, Any]:
    """The keywords `make messages` extracts with: the Makefile's `-k` list and Babel's own."""
    makefile = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    command = next(line for line in makefile.splitlines() if "pybabel extract" in line)
    words = shlex.split(command)
    given = [words[i + 1] for i, word in enumerate(words) if word == "-k"]
    keywords: dict[str, Any] = dict(DEFAULT_KEYWORDS)
    if "--no-default-keywords" in words:
        keywords = {}
    keywords.update(parse_keywords(given))
    return keywords


def _files() -> list[Path]:
    return sorted(p for source in SOURCES for p in (ROOT / source).rglob("*.py"))


def _extracted(path: Path, keywords: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for _lineno, message, _comments, _context in extract_from_file(
        "python", str(path), keywords=keywords
    ):
        found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


def _annotation_is_translator(node: ast.expr | None) -> bool:
    if node is None:
        return False
    text = ast.unparse(node).strip("'\"")
    return bool(re.fullmatch(r"(\w+\.)?Translator( \| None)?", text))


@dataclass(frozen=True)
class Wrapper:
    """A function that hands one of its parameters to a translator as the message."""

    name: str
    position: int  # among the call's positional arguments (self/cls left out)
    parameter: str


class _Scan:
    def __init__(self, trees: dict[Path, ast.Module]) -> None:
        self.trees = trees
        self.returns_translator = set(MAKES_TRANSLATORS)
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(
                    node, ast.FunctionDef | ast.AsyncFunctionDef
                ) and _annotation_is_translator(node.returns):
                    self.returns_translator.add(node.name)
        self.wrappers: dict[str, Wrapper] = {}

    def _translators_in(self, scope: ast.AST) -> set[str]:
        """Names bound to a translator in this function (or module)."""
        names: set[str] = set()
        if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = scope.args.posonlyargs + scope.args.args + scope.args.kwonlyargs
            names |= {a.arg for a in arguments if _annotation_is_translator(a.annotation)}
        for _ in range(2):  # a name bound from another translator name further down
            for node in ast.walk(scope):
                if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    if self.is_translator(node.value, names) or (
                        isinstance(node, ast.AnnAssign)
                        and _annotation_is_translator(node.annotation)
                    ):
                        names |= {t.id for t in targets if isinstance(t, ast.Name)}
                elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                    items = node.iter
                    elements = (
                        items.elts if isinstance(items, ast.Tuple | ast.List | ast.Set) else []
                    )
                    if (
                        elements
                        and all(self.is_translator(e, names) for e in elements)
                        and isinstance(node.target, ast.Name)
                    ):
                        names.add(node.target.id)
                elif (
                    isinstance(node, ast.withitem)
                    and isinstance(node.optional_vars, ast.Name)
                    and self.is_translator(node.context_expr, names)
                ):
                    names.add(node.optional_vars.id)
        return names

    def is_translator(self, node: ast.expr, names: set[str]) -> bool:
        if isinstance(node, ast.Name):
            return node.id in names or node.id in TRANSLATOR_NAMES
        if isinstance(node, ast.Attribute):
            return node.attr == "t"  # context.t, the update's translator
        if isinstance(node, ast.Call):
            called = node.func
            name = called.id if isinstance(called, ast.Name) else getattr(called, "attr", None)
            return name in self.returns_translator
        if isinstance(node, ast.IfExp):
            return self.is_translator(node.body, names) or self.is_translator(node.orelse, names)
        return False

    def message_arguments(self, call: ast.Call, names: set[str]) -> list[ast.expr]:
        """The arguments of `call` that end up as a translator's message."""
        called = call.func
        if self.is_translator(called, names):
            return call.args[:1]
        if (
            isinstance(called, ast.Attribute)
            and called.attr in METHODS
            and self.is_translator(called.value, names)
        ):
            return [call.args[i] for i in METHODS[called.attr] if i < len(call.args)]
        name = called.id if isinstance(called, ast.Name) else getattr(called, "attr", None)
        wrapper = self.wrappers.get(name or "")
        if wrapper is None:
            return []
        found = [k.value for k in call.keywords if k.arg == wrapper.parameter]
        if wrapper.position < len(call.args):
            found.append(call.args[wrapper.position])
        return found

    def scopes(self) -> list[tuple[Path, ast.AST]]:
        found: list[tuple[Path, ast.AST]] = []
        for path, tree in self.trees.items():
            found.append((path, tree))
            found += [
                (path, node)
                for node in ast.walk(tree)
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            ]
        return found

    def calls(self) -> list[tuple[Path, ast.AST, ast.Call, set[str]]]:
        found = []
        for path, scope in self.scopes():
            names = self._translators_in(scope)
            body = scope.body if isinstance(scope, ast.Module) else [scope]
            for statement in body:
                for node in ast.walk(statement):
                    if isinstance(node, ast.Call):
                        found.append((path, scope, node, names))
        return found

    def find_wrappers(self) -> None:
        """Functions passing a parameter on as a message, and functions passing those on, ..."""
        calls = self.calls()
        while True:
            before = len(self.wrappers)
            for _path, scope, call, names in calls:
                if not isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                parameters = [a.arg for a in scope.args.posonlyargs + scope.args.args]
                if parameters[:1] in (["self"], ["cls"]):
                    parameters = parameters[1:]
                for argument in self.message_arguments(call, names):
                    if isinstance(argument, ast.Name) and argument.id in parameters:
                        position = parameters.index(argument.id)
                        self.wrappers.setdefault(
                            scope.name, Wrapper(scope.name, position, argument.id)
                        )
            if len(self.wrappers) == before:
                return


def _unextracted() -> list[str]:
    keywords = _keywords()
    trees = {path: ast.parse(path.read_text(), str(path)) for path in _files()}
    scan = _Scan(trees)
    scan.find_wrappers()
    extracted = {path: _extracted(path, keywords) for path in trees}
    problems: set[str] = set()
    for path, _scope, call, names in scan.calls():
        for argument in scan.message_arguments(call, names):
            where = f"{path.relative_to(ROOT)}:{argument.lineno}"
            if isinstance(argument, ast.JoinedStr):
                problems.add(f"{where}: an f-string is never extracted: {ast.unparse(argument)}")
            elif (
                isinstance(argument, ast.Constant)
                and isinstance(argument.value, str)
                and argument.value
                and argument.value not in extracted[path]
            ):
                problems.add(f"{where}: not extracted: {argument.value!r}")
    return sorted(problems)


def test_every_literal_given_to_a_translator_is_extracted() -> None:
    assert _unextracted() == []


def test_the_scan_finds_a_translator_under_another_name_and_a_helper(tmp_path: Path) -> None:
    """The scan itself: a renamed translator and a helper are caught; marked literals are not."""
    source = tmp_path / "example.py"
    source.write_text(
        "def N_(m): return m\n"
        "def say(update, context, text):\n"
        "    return context.t(text)\n"
        "def tell(them_language, words):\n"
        "    return say(None, None, words)\n"
        "def notify(language):\n"
        "    them = translator(language)\n"
        "    them('Answer back')\n"
        "    them(N_('Answer back marked'))\n"
        "    say(None, None, 'Said')\n"
        "    tell('cy', 'Told')\n"
        "    return them.ngettext('{n} day', '{n} days', 2)\n"
    )
    trees = {source: ast.parse(source.read_text())}
    scan = _Scan(trees)
    scan.find_wrappers()
    assert set(scan.wrappers) == {"say", "tell"}
    literals = {
        argument.value
        for _path, _scope, call, names in scan.calls()
        for argument in scan.message_arguments(call, names)
        if isinstance(argument, ast.Constant)
    }
    assert literals == {"Answer back", "Said", "Told", "{n} day", "{n} days"}
    extracted = _extracted(source, _keywords())
    assert "Answer back marked" in extracted and "{n} day" in extracted
    assert "Answer back" not in extracted and "Said" not in extracted

"""Whether client-written SPARQL would make the server call other hosts: ``SERVICE`` (queries
and updates) and ``LOAD`` (updates), server-side request forgery even behind the token.

The decision is made on the operation's tokens, never on its words: :func:`code_keywords`
tokenizes the text by the SPARQL grammar as Oxigraph reads it (comments end at ``\\r`` or
``\\n``; strings with their escapes, IRIs, variables and prefix declarations are skipped) and
finds ``SERVICE``/``LOAD`` where the engine could read them as keywords. Oxigraph reads a
keyword wherever it can: ``1SERVICE``, ``?o.SERVICE:x`` and ``LOAD:x`` are calls, so the
letters count anywhere in the code except inside a prefixed or blank node name that began
before them (``ex:public_service``, ``_:load1``). A prefix *named* ``service:`` or ``load:`` is
refused where it is used (rename it), its ``PREFIX`` declaration is not.

rdflib's SPARQL parser (:func:`parsed_calls`) is a second, independent opinion: an operation
whose parse tree holds a ``Load`` or ``ServiceGraphPattern`` is refused too. It cannot be the
only one: rdflib ends comments only at ``\\n`` (``; # x\\r LOAD <http://…>`` is a comment to
rdflib and a LOAD to Oxigraph) and expands ``\\u`` escapes before tokenizing, which Oxigraph
does not. Both run only when the word appears at all (:func:`mentions`), and the tokenizer is
linear, so ordinary SPARQL pays nothing.
"""
from __future__ import annotations

import re

# Characters of SPARQL names (PN_CHARS_U of the grammar, plus digits and the joiners).
_NAME = ("A-Za-z0-9_\u00B7\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u037D\u037F-\u1FFF\u200C\u200D"
         "\u203F\u2040\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
# One token at a time, the first alternative that matches: what is skipped (comments, strings,
# IRIs, variables, prefix declarations), prefixed names, runs of name characters, any other char.
_TOKEN = re.compile(
    r"(?P<skip>#[^\r\n]*"                                           # comment (Oxigraph: to \r or \n)
    r'|"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""'                          # long strings
    r"|'''(?:[^'\\]|\\[\s\S]|'(?!''))*'''"
    r'|"(?:[^"\\\r\n]|\\[^\r\n])*"'                                 # strings
    r"|'(?:[^'\\\r\n]|\\[^\r\n])*'"
    r"|<(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>"  # IRI
    rf"|[?$][{_NAME}]*"                                             # variable
    rf"|PREFIX\s+[{_NAME}.\-]*:)"                                   # a prefix declaration's name
    rf"|(?P<pname>[{_NAME}]*:)[{_NAME}.\-:%\\]*"                     # prefixed name, blank node
    rf"|(?P<word>[{_NAME}]+)"                                       # keywords, numbers, a, true ...
    r"|[\s\S]",
    re.IGNORECASE)
_KEYWORD = {"query": re.compile("SERVICE", re.IGNORECASE), "update": re.compile("SERVICE|LOAD", re.IGNORECASE)}
_REMOTE = {"ServiceGraphPattern": "SERVICE", "Load": "LOAD"}


def mentions(text: str, kind: str) -> bool:
    """Whether the word SERVICE (or, in an update, LOAD) appears anywhere, in any case."""
    return bool(_KEYWORD[kind].search(text))


def code_keywords(text: str, kind: str) -> list[str]:
    """The keywords SERVICE (and for ``kind="update"`` LOAD) that the engine could read in
    ``text``, upper case, in order: those in the code, not in strings, comments, IRIs,
    variables or the local part of names. Linear in the length of ``text``."""
    keyword, found = _KEYWORD[kind], []
    for token in _TOKEN.finditer(text):
        # "SERVICE:x" is SERVICE :x to Oxigraph, "trueSERVICE" and "1SERVICE" are two tokens
        code = token.group("pname") or token.group("word")
        if code:
            found += [k.group().upper() for k in keyword.finditer(code)]
    return found


def parsed_calls(text: str, kind: str) -> set[str]:
    """SERVICE/LOAD in rdflib's parse tree of ``text``; empty if rdflib cannot parse it (its
    grammar is stricter and its parser recursive: Oxigraph's parser then has the last word)."""
    from pyparsing import ParseBaseException, ParseResults
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        tree = (parseUpdate if kind == "update" else parseQuery)(text)
    except (ParseBaseException, RecursionError, ValueError, TypeError):
        return set()
    found, stack = set(), [tree]
    while stack:  # not recursive: the tree may be deep
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name in _REMOTE:
                found.add(_REMOTE[node.name])
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, ParseResults)):
            stack.extend(node)
    return found


def remote_call_refusal(text: str, kind: str) -> str | None:
    """Why ``text`` (a ``kind`` "query" or "update") is refused, in one line, or None."""
    if not mentions(text, kind):
        return None
    calls = set(code_keywords(text, kind)) or parsed_calls(text, kind)
    if not calls:
        return None
    names = " and ".join(sorted(calls, reverse=True))  # SERVICE and LOAD
    what = "federated queries (SERVICE)" if kind == "query" else "LOAD and SERVICE in updates"
    return (f"{what} are not allowed: the {kind} uses {names}, which would make this server "
            "call another host (the word in a string, comment, IRI or variable is fine; rename a "
            "prefix called service: or load:)")

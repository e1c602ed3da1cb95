"""Drive's query language (`q` of files.list), parsed into a predicate over the fake's files.

Follows Google's "Search query terms and operators" for files: `and`, `or`, `not`, parentheses;
`name` (`=`, `!=`, `contains`: prefix of a word, case-insensitive), `fullText contains` (whole
words of the name, or a quoted phrase; the fake has no file content), `mimeType` (`=`, `!=`,
`contains`: substring), `modifiedTime`/`createdTime`/`viewedByMeTime` (`<`, `<=`, `=`, `!=`,
`>`, `>=` against RFC 3339 date-times, UTC when no offset is given), `trashed`/`starred`/
`sharedWithMe` (`=`, `!=` against true/false), `visibility` and `shortcutDetails.targetId`
(`=`, `!=`), `'x' in parents|owners|writers|readers` (`'me'` is the signed-in account), and
`properties`/`appProperties has { key='k' and value='v' }` (the fake's files have none).
Anything else is Drive's 400 `invalid` with location `q`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

import attrs

from .drive_errors import DriveError, invalid

#: Parentheses/`not` nested deeper than this are refused rather than recursed into.
MAX_NESTING = 50
MAX_QUERY_LENGTH = 20_000


class QueryFile(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def mime_type(self) -> str: ...
    @property
    def parent(self) -> str | None: ...
    @property
    def created(self) -> float: ...
    @property
    def modified(self) -> float: ...
    @property
    def trashed(self) -> bool: ...
    @property
    def starred(self) -> bool: ...


Predicate = Callable[[QueryFile], bool]


@attrs.frozen
class QueryContext:
    root_id: str
    #: The signed-in account: owner, writer and reader of every file of the fake.
    account: str


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<str>'(?:[^'\\]|\\.)*')
      | (?P<op><=|>=|!=|=|<|>)
      | (?P<punct>[(){}])
      | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    )""",
    re.X | re.S,
)

_STRING_FIELDS = {"name", "mimeType", "fullText", "visibility", "shortcutDetails.targetId"}
_TIME_FIELDS = {"modifiedTime", "createdTime", "viewedByMeTime"}
_BOOL_FIELDS = {"trashed", "starred", "sharedWithMe"}
_IN_COLLECTIONS = {"parents", "owners", "writers", "readers"}
_COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})?", re.I
)


def _bad(detail: str) -> DriveError:
    return invalid("q", detail)


def _tokens(q: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    q = q.rstrip()
    while pos < len(q):
        m = _TOKEN.match(q, pos)
        if not m:
            raise _bad(f"cannot parse the query near {q[pos : pos + 30]!r}")
        kind = m.lastgroup
        assert kind is not None
        text = m.group(kind)
        if kind == "str":
            text = re.sub(r"\\(.)", r"\1", text[1:-1], flags=re.S)
        out.append((kind, text))
        pos = m.end()
    return out


def parse_query(q: str, ctx: QueryContext) -> Predicate:
    """A predicate for Drive's `q`; an empty query matches everything."""
    if len(q) > MAX_QUERY_LENGTH:
        raise _bad(f"the query is longer than {MAX_QUERY_LENGTH} characters")
    parser = _Parser(_tokens(q), ctx)
    if not parser.tokens:
        return lambda f: True
    pred = parser.expr(0)
    if parser.pos != len(parser.tokens):
        raise _bad(f"unexpected {parser.tokens[parser.pos][1]!r}")
    return pred


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], ctx: QueryContext) -> None:
        self.tokens = tokens
        self.pos = 0
        self.ctx = ctx

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise _bad("the query ends too early")
        self.pos += 1
        return tok

    def keyword(self, word: str) -> bool:
        tok = self.peek()
        if tok is not None and tok[0] == "word" and tok[1].lower() == word:
            self.pos += 1
            return True
        return False

    def expect(self, kind: str, text: str | None = None) -> str:
        tok = self.take()
        if tok[0] != kind or (text is not None and tok[1].lower() != text):
            raise _bad(f"expected {text or kind}, found {tok[1]!r}")
        return tok[1]

    # expr := and_expr ('or' and_expr)* ; and_expr := unary ('and' unary)*
    def expr(self, depth: int) -> Predicate:
        if depth > MAX_NESTING:
            raise _bad("the query is nested too deep")
        parts = [self.and_expr(depth)]
        while self.keyword("or"):
            parts.append(self.and_expr(depth))
        if len(parts) == 1:
            return parts[0]
        return lambda f: any(p(f) for p in parts)

    def and_expr(self, depth: int) -> Predicate:
        parts = [self.unary(depth)]
        while self.keyword("and"):
            parts.append(self.unary(depth))
        if len(parts) == 1:
            return parts[0]
        return lambda f: all(p(f) for p in parts)

    def unary(self, depth: int) -> Predicate:
        if depth > MAX_NESTING:
            raise _bad("the query is nested too deep")
        if self.keyword("not"):
            inner = self.unary(depth + 1)
            return lambda f: not inner(f)
        tok = self.peek()
        if tok == ("punct", "("):
            self.pos += 1
            inner = self.expr(depth + 1)
            self.expect("punct", ")")
            return inner
        return self.term()

    def term(self) -> Predicate:
        first = self.take()
        if first[0] == "str":
            self.expect("word", "in")
            return self.membership(first[1], self.expect("word"))
        if first[0] != "word":
            raise _bad(f"expected a query term, found {first[1]!r}")
        field = first[1]
        if field in ("properties", "appProperties"):
            return self.has_clause()
        tok = self.take()
        op = tok[1].lower() if tok[0] == "word" else tok[1]
        if tok[0] not in ("op", "word") or (tok[0] == "word" and op != "contains"):
            raise _bad(f"expected an operator after {field}, found {tok[1]!r}")
        value = self.take()
        if field in _STRING_FIELDS:
            return self.string_term(field, op, value)
        if field in _TIME_FIELDS:
            return self.time_term(field, op, value)
        if field in _BOOL_FIELDS:
            return self.bool_term(field, op, value)
        raise _bad(f"unknown query term {field!r}")

    def membership(self, value: str, collection: str) -> Predicate:
        if collection not in _IN_COLLECTIONS:
            raise _bad(f"'in' works with {', '.join(sorted(_IN_COLLECTIONS))}, not {collection!r}")
        if collection == "parents":
            parent = self.ctx.root_id if value == "root" else value
            return lambda f: f.parent == parent
        person = self.ctx.account if value == "me" else value
        # One account owns everything in the fake Drive; nothing is shared with anyone else.
        mine = person.lower() == self.ctx.account.lower()
        return lambda f: mine

    def has_clause(self) -> Predicate:
        self.expect("word", "has")
        self.expect("punct", "{")
        self.expect("word", "key")
        self.expect("op", "=")
        self.expect("str")
        self.expect("word", "and")
        self.expect("word", "value")
        self.expect("op", "=")
        self.expect("str")
        self.expect("punct", "}")
        return lambda f: False  # the fake's files carry no custom properties

    def string_term(self, field: str, op: str, value: tuple[str, str]) -> Predicate:
        if value[0] != "str":
            raise _bad(f"{field} compares with a quoted string, not {value[1]!r}")
        text = value[1]
        allowed = {"fullText": {"contains"}}.get(field, {"=", "!=", "contains"})
        if field in ("visibility", "shortcutDetails.targetId"):
            allowed = {"=", "!="}
        if op not in allowed:
            raise _bad(f"{field} does not support {op!r}")
        if field == "name":
            if op == "contains":
                return lambda f: _word_prefix(text, f.name)
            return lambda f: (f.name == text) != (op == "!=")
        if field == "mimeType":
            if op == "contains":
                return lambda f: text in f.mime_type
            return lambda f: (f.mime_type == text) != (op == "!=")
        if field == "fullText":
            return lambda f: _full_text(text, f.name)
        if field == "visibility":
            return lambda f: (text == "limited") != (op == "!=")
        return lambda f: op == "!="  # shortcutDetails.targetId: the fake has no shortcuts

    def time_term(self, field: str, op: str, value: tuple[str, str]) -> Predicate:
        if op == "contains" or value[0] != "str":
            raise _bad(f"{field} compares with <, <=, =, !=, >, >= and a quoted RFC 3339 time")
        when = _parse_time(value[1])
        compare = _COMPARISONS[op]
        if field == "createdTime":
            return lambda f: compare(f.created, when)
        if field == "modifiedTime":
            return lambda f: compare(f.modified, when)
        # viewedByMeTime: nothing in the fake was ever viewed.
        return lambda f: False

    def bool_term(self, field: str, op: str, value: tuple[str, str]) -> Predicate:
        if op not in ("=", "!=") or value[0] != "word" or value[1].lower() not in ("true", "false"):
            raise _bad(f"{field} compares with = or != and true or false")
        wanted = (value[1].lower() == "true") != (op == "!=")
        if field == "trashed":
            return lambda f: f.trashed == wanted
        if field == "starred":
            return lambda f: f.starred == wanted
        return lambda f: not wanted  # sharedWithMe: nothing is shared with the account


def _parse_time(text: str) -> float:
    if not _RFC3339.fullmatch(text):
        raise _bad(f"{text!r} is not an RFC 3339 date-time such as 2024-06-04T12:00:00Z")
    fixed = text.upper().replace("Z", "+00:00")
    # fromisoformat takes at most 6 fractional digits.
    fixed = re.sub(r"(\.\d{6})\d+", r"\1", fixed)
    try:
        dt = datetime.fromisoformat(fixed)
    except ValueError:
        raise _bad(f"{text!r} is not a valid date-time") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


# A word starts where a letter or digit follows anything else (or the start): "_", "-", "."
# and spaces separate words.
_WORD_START = re.compile(r"(?<![^\W_])(?=[^\W_])|^")
_WORD = re.compile(r"[^\W_]+")


def _word_prefix(needle: str, name: str) -> bool:
    """Drive's `name contains`: the text starts one of the name's words (case-insensitive).

    "HelloWorld" matches 'Hello' but not 'World'; "Vacation 2024" matches 'Vac' and '2024'.
    """
    needle = needle.lower()
    if not needle:
        return True
    hay = name.lower()
    return any(hay.startswith(needle, m.start()) for m in _WORD_START.finditer(hay))


def _full_text(needle: str, name: str) -> bool:
    """`fullText contains`: whole words, or a "quoted phrase" of consecutive words."""
    words = _WORD.findall(name.lower())
    wanted = _WORD.findall(needle.lower())
    if not wanted:
        return False
    if needle.startswith('"') and needle.endswith('"'):
        n = len(wanted)
        return any(words[i : i + n] == wanted for i in range(len(words) - n + 1))
    return all(w in words for w in wanted)

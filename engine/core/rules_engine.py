"""Evaluate `CompiledRules` with durable_rules: the ONLY module that imports durable.

    engine = RulesEngine.build(spec)         # compiled and registered; held by the caller
    matches = engine.evaluate(fact)          # every matching rule, in file order; [] for none

`build` is called once per revision by `engine.core.revision.compile_revision`; whoever holds
the compiled revision holds this engine. Nothing here caches engines. Each engine remembers the
rules matched by its last messages (`MEMO` of them): the message holds every value a rule
reads and a call shares nothing with another, so an equal message matches the same rules. A
sweep or replay re-asks the same question for every reminder (half a replay's time was
durable_rules answering it again).

How durable_rules is used, and why (measured on durable-rules 2.0.28):
- One durable ruleset per build, named `<sop>@<revision>`. Names cannot be re-registered or
  removed, so a name is never reused: when the same key is built again (other content, or the
  same revision compiled twice, e.g. by two services in one process) `#<hash>` and then a count
  are appended. `_names` is that name registry, not a cache. One durable rule per compiled
  rule, registered from a deep copy (the library edits the dict it is given).
- A fact is *asserted* (`assert_fact`), not posted: a posted event is consumed by the first
  rule that matches it, so two matching rules would yield one match. A fact is seen by every
  rule. Each call uses a fresh sid, deleted before it returns: no session outlives a call,
  so the 1024-sessions-per-ruleset limit is never approached and calls cannot see each other.
- Every durable rule runs one action from our own registry, `match:<index>`, which records
  the index under the call's sid; `get_action` resolves nothing else. The actions a rule
  asks for are data (`Match.actions`) for the domain core, never run here.
- `_Host._run` does nothing: no background dispatch or timer threads, so every action runs
  on the thread that asserted the fact, inside the call. The extension never releases the
  GIL, so concurrent calls interleave only between its C calls, as they do with the
  library's own dispatch thread; each call touches only its own sid (no lock needed).
- durable_rules compares loosely ("7" > 5, "true" == True, a dotted key is a path) and
  compares texts as the escaped bytes it was given. Its answers must be those of the reference
  evaluator (engine.spec.semantics; tests/unit/rules/test_semantics_agree.py checks it on
  random conditions and facts). So the message holds only the values rules read, under
  generated keys: `v<i>` a typed token ("s:text", "n:2", "b:1"; hashed when the text is not
  plain ASCII), `s<i>` when the value is set (not null, "", [] or {}), `n<i>` a number for
  gt/lt (its float bits as hex text: the C engine cannot read 1e+20), `t<i>` a text in code
  point order (hex) for gt/lt against texts. There is no `$in` (compiled to `$or` of
  equals) and no `$not` (pushed down; `$neq` never matches a missing key, so not-equal is
  `$nex` or `$neq`).
- `delete_state` on a session that never ran an action frees pointers the C engine never
  initialised (createStateNode leaves `context` unset): after an unmatched post it aborts the
  process now and then ("free(): invalid pointer", or a segfault). So every ruleset carries
  one more rule, `seen`, matching a constant key every message has: every call runs at least
  one action (which also proves the actions ran inside the call), and no post goes unmatched.
  Were MessageNotHandledException raised all the same, the session is left alone (leaked)
  and RulesError raised, rather than risking the process.
- An exception in an action is written as a string to the state's `exception` key:
  raised as RulesError, as is any other failure of the library.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import struct
import threading
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, ClassVar

from durable import engine as durable_engine
from durable.engine import MessageNotHandledException

from engine.errors import RulesError
from engine.spec.expression import All, AnyOf, Cmp, Expr, Not, fact_value, leaves
from engine.spec.model import Spec
from engine.spec.rules.actions import TRIGGERS
from engine.spec.rules.compile import compile_rules
from engine.spec.rules.compiled import CompiledRules, Match
from engine.spec.rules.reasons import reason
from engine.spec.semantics import as_float, is_set, kind, normal

ACTION_PREFIX = "match:"
SEEN_ACTION = "seen"  # the action of the rule every message matches
SEEN = -1  # what it records
SEEN_KEY = "e"  # the constant key (value 1) of every message, matched by the `seen` rule
_HITS: dict[str, list[int]] = {}  # sid of a call in progress -> indexes of the rules it matched
_SIDS = itertools.count(1)
MEMO = 4096  # messages whose matches each engine remembers


def _record(index: int) -> Callable[[Any], None]:
    def record(c: Any) -> None:
        _HITS[c.s.sid].append(index)

    return record


class _Host(durable_engine.Host):
    """A Host with no background threads, resolving actions from our registry only."""

    def _run(self) -> None:
        return None

    def get_action(self, action_name: str) -> Callable[[Any], None]:
        if action_name == SEEN_ACTION:
            return _record(SEEN)
        index = action_name.removeprefix(ACTION_PREFIX)
        if not action_name.startswith(ACTION_PREFIX) or not index.isdigit():
            raise RulesError(f"durable_rules asked for action {action_name!r}, which is not ours")
        return _record(int(index))


# --- typed values: the reference semantics (engine.spec.semantics) on a loosely typed engine ---


LONGEST_TOKEN = 200  # longer tokens are hashed: the C engine keeps string lengths in 16 bits
_SAFE = frozenset(chr(c) for c in range(0x20, 0x7F)) - {'"', "\\"}


def token(value: Any) -> str:
    """The equality token of a value: equal tokens exactly when the values are equal (`same`).
    Text the C engine could mangle (escapes, control or non-ASCII characters, lone surrogates)
    or longer than LONGEST_TOKEN is hashed."""
    text = _token(normal(value))
    if len(text) <= LONGEST_TOKEN and _SAFE.issuperset(text):
        return text
    return "h:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _token(value: Any) -> str:
    if isinstance(value, bool):
        return "b:1" if value else "b:0"
    if isinstance(value, int):
        return f"n:{value}"
    if isinstance(value, float):
        return f"n:{int(value)}" if value.is_integer() else f"n:{value!r}"
    if isinstance(value, str):
        return f"s:{value}"
    return "j:" + json.dumps(value, sort_keys=True, default=str)


def ordered_number(value: Any) -> str | None:
    """A finite number as plain ASCII whose byte order is the number's order (the C engine
    cannot read JSON numbers such as 1e+20): the float's bits, sign-flipped, in hex."""
    number = as_float(value)
    if number is None:
        return None
    bits = struct.unpack(">Q", struct.pack(">d", number))[0]
    bits = (~bits & 0xFFFF_FFFF_FFFF_FFFF) if bits >> 63 else bits | (1 << 63)
    return f"y{bits:016x}"


def ordered_text(text: str) -> str:
    """Text as plain ASCII whose byte order is the text's code point order (the C engine
    compares the escaped bytes it was given): six hex digits per code point."""
    return "x" + "".join(f"{ord(ch):06x}" for ch in text)


class _Keys:
    """Generated message keys for each (subject, key) the rules read: `v<i>` its equality
    token (absent when null), `s<i>` whether it is set, `n<i>` its number, `t<i>` its text in
    code point order (only for subjects some rule orders against a text)."""

    def __init__(self, refs: tuple[tuple[str, str], ...], texts: dict[tuple[str, str], int]):
        self.refs = refs
        self.index = {ref: i for i, ref in enumerate(refs)}
        self.texts = texts  # ref -> longest text it is ordered against

    def key(self, prefix: str, cmp: Cmp) -> str:
        return f"{prefix}{self.index[cmp.ref]}"

    def message(self, fact: Mapping[str, Any]) -> dict[str, Any]:
        msg: dict[str, Any] = {SEEN_KEY: 1}
        for i, (subject, key) in enumerate(self.refs):
            value = fact_value(fact, subject, key)
            if value is None:
                continue
            msg[f"v{i}"] = token(value)
            if is_set(value):
                msg[f"s{i}"] = 1
            num = ordered_number(value)
            if num is not None:
                msg[f"n{i}"] = num
            longest = self.texts.get((subject, key))
            if longest is not None and kind(value) == "text":
                # a prefix one longer than every text it meets orders exactly as the whole
                msg[f"t{i}"] = ordered_text(normal(value)[: longest + 1])
        return msg


def ordering_texts(compiled: CompiledRules) -> dict[tuple[str, str], int]:
    """For each subject some rule orders against a text: the longest such text."""
    out: dict[tuple[str, str], int] = {}
    for rule in compiled.rules:
        for cmp in leaves(rule.test):
            if cmp.op in _NUMERIC and kind(cmp.value) == "text":
                out[cmp.ref] = max(out.get(cmp.ref, 0), len(normal(cmp.value)))
    return out


# --- the neutral expression as a durable_rules condition ---


def _or(items: list[Any]) -> Any:
    return items[0] if len(items) == 1 else {"$or": items}


def _and(items: list[Any]) -> Any:
    return items[0] if len(items) == 1 else {"$and": items}


def to_durable(expr: Expr, keys: _Keys, negate: bool = False) -> Any:
    if isinstance(expr, Not):
        return to_durable(expr.item, keys, not negate)
    if isinstance(expr, All | AnyOf):
        parts = [to_durable(item, keys, negate) for item in expr.items]
        return _and(parts) if isinstance(expr, All) == (not negate) else _or(parts)
    return _cmp(expr, keys, negate)


_OPPOSITE = {"equals": "not_equals", "in": "not_in", "is_set": "is_not_set"}
_OPPOSITE.update({v: k for k, v in _OPPOSITE.items()})
_NUMERIC = {"lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}
_NEGATED_NUMERIC = {"lt": "$gte", "lte": "$gt", "gt": "$lte", "gte": "$lt"}


def _cmp(cmp: Cmp, keys: _Keys, negate: bool) -> Any:
    op = _OPPOSITE[cmp.op] if negate and cmp.op in _OPPOSITE else cmp.op
    if op in _NUMERIC:
        return _ordering(cmp, op, keys, negate)
    if op in ("is_set", "is_not_set"):
        return {"$ex" if op == "is_set" else "$nex": {keys.key("s", cmp): 1}}
    tok = keys.key("v", cmp)
    values = cmp.value if isinstance(cmp.value, tuple) else (cmp.value,)
    given = [v for v in values if v is not None]
    if op in ("equals", "in"):  # null equals a missing or null subject
        return _or(
            [{tok: token(v)} for v in given] + ([{"$nex": {tok: 1}}] if None in values else [])
        )
    differs = [{"$neq": {tok: token(v)}} for v in given]
    if None in values:
        return _and([{"$ex": {tok: 1}}, *differs])
    return {"$or": [{"$nex": {tok: 1}}, _and(differs)]}


def _ordering(cmp: Cmp, op: str, keys: _Keys, negate: bool) -> Any:
    """Numbers against `n<i>`, texts against `t<i>`: absent for any other kind, so false."""
    value: Any
    if kind(cmp.value) == "text":
        key, value = keys.key("t", cmp), ordered_text(normal(cmp.value))
    else:
        key, value = keys.key("n", cmp), ordered_number(cmp.value)
    if not negate:
        return {_NUMERIC[op]: {key: value}}
    return {"$or": [{"$nex": {key: 1}}, {_NEGATED_NUMERIC[op]: {key: value}}]}


def definition(compiled: CompiledRules) -> dict[str, Any]:
    """The durable_rules ruleset: one rule per compiled rule, each on one message."""
    keys = _Keys(compiled.refs, ordering_texts(compiled))
    rules = {
        f"r{rule.index}": {
            "all": [{"m": to_durable(rule.test, keys)}],
            "run": f"{ACTION_PREFIX}{rule.index}",
        }
        for rule in compiled.rules
    }
    rules[SEEN_ACTION] = {"all": [{"m": {SEEN_KEY: 1}}], "run": SEEN_ACTION}
    return rules


# --- the engine the domain core calls ---


class RulesEngine:
    """The rules of one spec revision, registered with durable_rules under a name of its own."""

    _names: ClassVar[set[str]] = set()
    _host: ClassVar[_Host | None] = None
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, compiled: CompiledRules, name: str) -> None:
        self.compiled = compiled
        self.name = name
        self._keys = _Keys(compiled.refs, ordering_texts(compiled))
        self._heads = frozenset((r.trigger, r.name) for r in compiled.rules)
        self.definition = definition(compiled)
        self._matching = lru_cache(maxsize=MEMO)(self._post_items)

    @classmethod
    def build(cls, spec: Spec) -> RulesEngine:
        """Compile `spec`'s rules and register them under a name no other build has used.
        Every call registers anew (durable_rules keeps each ruleset for the process's life):
        call it once per revision and keep the result."""
        compiled = compile_rules(spec)
        with cls._lock:
            engine = cls(compiled, cls._free_name(spec.key, spec.content_hash))
            engine._register()
        return engine

    @classmethod
    def _free_name(cls, key: str, content_hash: str) -> str:
        if "$" in key:
            raise RulesError(f"{key!r}: a ruleset name cannot contain '$' (durable_rules)")
        tag = f"{key}#{content_hash[:12]}"
        names = itertools.chain((key, tag), (f"{tag}.{n}" for n in itertools.count(2)))
        return next(name for name in names if name not in cls._names)

    def _register(self) -> None:
        if not self.compiled.rules:
            return
        if RulesEngine._host is None:
            RulesEngine._host = _Host()
        try:
            RulesEngine._host.register_rulesets({self.name: copy.deepcopy(self.definition)})
        except Exception as exc:
            raise RulesError(f"durable_rules refused the rules of {self.name}: {exc}") from exc
        RulesEngine._names.add(self.name)

    def evaluate(self, fact: Mapping[str, Any]) -> list[Match]:
        """Every rule whose conditions hold for `fact`, in file order; [] when none does."""
        head = _head(fact)
        if head not in self._heads:
            return []
        indexes = self._matching(tuple(self._keys.message(fact).items()))
        rules = self.compiled.rules
        return [Match(rules[i].id, rules[i].actions, reason(rules[i], fact)) for i in indexes]

    def _post_items(self, items: tuple[tuple[str, Any], ...]) -> tuple[int, ...]:
        return tuple(self._post(dict(items)))

    def _post(self, message: dict[str, Any]) -> list[int]:
        host = RulesEngine._host
        assert host is not None
        sid = str(next(_SIDS))
        message["sid"] = sid
        hits: list[int] = []
        _HITS[sid] = hits
        try:
            state = host.assert_fact(self.name, message)
        except MessageNotHandledException as exc:
            # Not even `seen` matched; deleting this session could abort the process.
            _HITS.pop(sid, None)
            raise RulesError(
                f"durable_rules matched no rule of {self.name}: {exc.message}"
            ) from exc
        except Exception as exc:
            _HITS.pop(sid, None)
            _delete(host, self.name, sid)
            raise RulesError(f"durable_rules failed on {self.name}: {exc!r}") from exc
        _HITS.pop(sid, None)
        _delete(host, self.name, sid)
        return self._checked(state, hits)

    def _checked(self, state: Any, hits: list[int]) -> list[int]:
        if isinstance(state, dict) and state.get("exception"):
            raise RulesError(
                f"a rule of {self.name} failed inside durable_rules",
                durable_exception=str(state["exception"]),
            )
        if not isinstance(state, dict) or SEEN not in hits:
            raise RulesError(f"durable_rules ran the actions of {self.name} off the call")
        return sorted({i for i in hits if i != SEEN})


def _head(fact: Mapping[str, Any]) -> tuple[str, str]:
    trigger, name = fact.get("trigger"), fact.get("name")
    if trigger not in TRIGGERS:
        raise RulesError(f"fact trigger {trigger!r} is not one of {', '.join(TRIGGERS)}")
    if not isinstance(name, str):
        raise RulesError(f"fact name must be text, got {name!r}")
    return trigger, name


def _delete(host: _Host, name: str, sid: str) -> None:
    try:
        host.delete_state(name, sid)
    except Exception as exc:
        raise RulesError(f"durable_rules could not drop session {sid} of {name}: {exc}") from exc


__all__ = ["RulesEngine", "definition", "ordered_number", "ordered_text", "to_durable", "token"]

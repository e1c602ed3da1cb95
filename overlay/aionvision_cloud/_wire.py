"""What the overlay knows about the generated models, read from the models themselves.

Nothing here lists a model's fields: each check, request body and JSON shape is derived from the
generated class's attrs fields and their annotations, so a field ``make regen`` adds is checked,
accepted and printed with no edit here.

* :func:`check` walks a parsed answer: every value must have a type its annotation allows (the
  generated parsers only ``cast``), naive timestamps are read as UTC (the API's rule), and each
  generated model met is re-classed to the overlay's subclass registered for it (``adopts``), so
  nested models come back as the overlay's types too.
* :func:`body` builds a request model from the overlay's arguments plus any optional field the
  model has, refusing an unknown name before anything is sent.
* :class:`WireModel` gives the overlay's subclasses a repr without ``UNSET`` noise, secrets or
  unknown keys, and a ``to_dict`` that gives back what the service sent for a mapped field
  (``status``); :func:`rebuild` makes a parsed answer into a subclass with state of its own.
"""

from __future__ import annotations

import builtins
import keyword
import sys
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import attrs

from .errors import InvalidInputError

if TYPE_CHECKING:
    from aionvision_cloud_api.types import UNSET, Unset
else:

    def __getattr__(name: str) -> Any:
        # The generated package loads with the first Client, not with `import aionvision_cloud`.
        if name in ("UNSET", "Unset"):
            from aionvision_cloud_api import types as generated

            return getattr(generated, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "UNSET",
    "Mismatch",
    "Unreadable",
    "Unset",
    "WireModel",
    "adopts",
    "body",
    "check",
    "core_id",
    "expect",
    "given",
    "json_key",
    "model_json",
    "optional_fields",
    "params",
    "rebuild",
]

M = TypeVar("M")
W = TypeVar("W", bound="WireModel")
_MODELS_PACKAGE = "aionvision_cloud_api.models"


class Unreadable(Exception):
    """An answer that parsed but lacks what the overlay needs (a core id); ``Requester.call``
    turns it into ``APIResponseValidationError`` with the operation, status and request id."""


class Mismatch(Unreadable):
    """A value whose type its model does not allow; ``path`` says where (``job.total_files``)."""

    def __init__(self, path: str, expected: str, value: object) -> None:
        super().__init__(f"{path}: expected {expected}, got {type(value).__name__}")
        self.path = path


@attrs.frozen
class _Spec:
    """The types one annotation allows: exact types (fast to test), nested models, list items."""

    exact: frozenset[type]
    models: tuple[type, ...] = ()
    items: _Spec | None = None
    any: bool = False
    text: str = ""


@attrs.frozen
class _InitField:
    alias: str
    slot: Any


@attrs.frozen
class _Field:
    name: str
    spec: _Spec
    has_datetime: bool


def _namespace(obj: Any) -> dict[str, Any]:
    """The names a generated module's string annotations use: its own, the models', datetime."""
    import importlib

    ns: dict[str, Any] = dict(vars(importlib.import_module(_MODELS_PACKAGE)))
    ns.update(vars(sys.modules[obj.__module__]))
    ns["datetime"] = sys.modules["datetime"]
    return ns


def _spec(hint: Any) -> _Spec:
    if hint is Any:
        return _Spec(frozenset(), any=True, text="anything")
    args = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    exact: set[type] = set()
    models: list[type] = []
    items: _Spec | None = None
    for arg in args:
        origin = typing.get_origin(arg)
        if arg is None or arg is type(None):
            exact.add(type(None))
        elif origin is list:
            (item,) = typing.get_args(arg) or (Any,)
            items = _spec(item)
        elif origin is dict or arg is dict:
            exact.add(dict)
        elif attrs.has(arg):
            models.append(arg)
        elif isinstance(arg, type):
            exact.add(arg)
            if arg is float:
                exact.add(int)  # JSON has one number type
        else:
            return _Spec(frozenset(), any=True, text="anything")
    from aionvision_cloud_api.types import Unset

    names = sorted("null" if t is type(None) else t.__name__ for t in exact if t is not Unset)
    names += [m.__name__ for m in models]
    if items is not None:
        names.append(f"list[{items.text}]")
    return _Spec(frozenset(exact), tuple(models), items, text=" | ".join(names))


# Per generated class, worked out on first use (plain dicts: a lookup per answer must be cheap).
_FIELDS: dict[type, tuple[_Field, ...]] = {}
_OPTIONAL: dict[type, tuple[str, ...]] = {}
_INIT: dict[type, tuple[_InitField, ...]] = {}


def _fields(cls: type) -> tuple[_Field, ...]:
    """The checked fields of a generated model class (``additional_properties`` stays free)."""
    known = _FIELDS.get(cls)
    if known is not None:
        return known
    hints = typing.get_type_hints(cls, globalns=_namespace(cls))
    out = []
    for field in attrs.fields(cls):
        if field.name == "additional_properties":
            continue
        spec = _spec(hints[field.name])
        out.append(_Field(field.name, spec, datetime in spec.exact))
    _FIELDS[cls] = found = tuple(out)
    return found


#: Generated model class -> the overlay's subclass its instances become (see ``adopts``).
_ADOPTED: dict[type, type] = {}


def adopts(cls: type[W]) -> type[W]:
    """Class decorator: answers parsed as the generated base of ``cls`` become ``cls``. Only for
    subclasses that add no state (``__slots__ = ()``), so re-classing copies nothing."""
    base = generated_base(cls)
    _ADOPTED[base] = cls
    _CHECKERS.clear()  # compiled checkers re-class nested models: they must see this one
    return cls


def generated_base(cls: type) -> type:
    for klass in cls.__mro__:
        if klass.__module__.startswith(_MODELS_PACKAGE):
            return klass
    raise TypeError(f"{cls.__name__} does not derive from a generated model")


def check(value: object, path: str) -> None:
    """Check a parsed answer in place (see the module docstring); raises :class:`Mismatch`."""
    cls = type(value)
    checker = _CHECKERS.get(cls)
    if checker is None:
        checker = _CHECKERS[cls] = _checker(generated_base(cls))
    checker(value, path)
    overlay = _ADOPTED.get(cls)
    if overlay is not None:
        # Zero-copy re-wrap: the subclass has the same slots (see ``adopts``).
        object.__setattr__(value, "__class__", overlay)


_CHECKERS: dict[type, Callable[[object, str], None]] = {}


_COMPILING: set[type] = set()


def _checker(cls: type) -> Callable[[object, str], None]:
    checker = _CHECKERS.get(cls)
    if checker is not None:
        return checker
    if cls in _COMPILING:
        # A model that holds itself (a tree): look its checker up when called, not now.
        return lambda value, path: _CHECKERS[cls](value, path)
    _COMPILING.add(cls)
    try:
        checker = _CHECKERS[cls] = _compile(cls)
    finally:
        _COMPILING.discard(cls)
    return checker


def _compile(cls: type) -> Callable[[object, str], None]:
    """The checker of one generated class: a function testing each field's type inline, and
    nested models (one, or a list of them) with their own checkers, re-classed as it goes. It
    is compiled once per class, as attrs compiles ``__init__``, so a listing of a hundred
    connections is checked in tens of microseconds. Fields are read before the value is
    re-classed, so no overlay property stands in front of what was parsed."""
    fields = _fields(cls)
    ns: dict[str, Any] = {
        "_slow": _slow_field,
        "_F": fields,
        "_datetime": datetime,
        "_list": list,
        "_UTC": UTC,
        "_reclass": object.__setattr__,
    }
    lines = ["def check(value, path):"]
    for i, field in enumerate(fields):
        spec = field.spec
        if spec.any:
            continue
        exact = sorted(spec.exact - {datetime}, key=lambda t: t.__name__)
        for j, kind in enumerate(exact):
            ns[f"_T{i}_{j}"] = kind
        other = " and ".join(f"t is not _T{i}_{j}" for j in range(len(exact))) or "True"
        lines.append(f"    x = value.{field.name}")
        lines.append("    t = type(x)")
        nested = _nested(spec)
        items = _nested(spec.items) if spec.items is not None else None
        if field.has_datetime:
            # A naive timestamp from this API means UTC.
            lines.append("    if t is _datetime:")
            lines.append("        if x.tzinfo is None:")
            lines.append(f"            value.{field.name} = x.replace(tzinfo=_UTC)")
            lines.append(f"    elif {other}:")
        elif nested is not None:
            ns[f"_M{i}"], ns[f"_C{i}"], ns[f"_A{i}"] = nested
            lines.append(f"    if t is _M{i}:")
            lines.append(f"        _C{i}(x, path + '.{field.name}')")
            if nested[2] is not None:
                lines.append(f"        _reclass(x, '__class__', _A{i})")
            lines.append(f"    elif {other}:")
        elif items is not None:
            ns[f"_M{i}"], ns[f"_C{i}"], ns[f"_A{i}"] = items
            lines.append("    if t is _list:")
            lines.append(f"        here = path + '.{field.name}[]'")
            lines.append("        for e in x:")
            lines.append(f"            if type(e) is not _M{i}:")
            lines.append(f"                _slow(x, _F[{i}], path)")
            lines.append(f"            _C{i}(e, here)")
            if items[2] is not None:
                lines.append(f"            _reclass(e, '__class__', _A{i})")
            lines.append(f"    elif {other}:")
        else:
            lines.append(f"    if {other}:")
        lines.append(f"        _slow(x, _F[{i}], path)")
    lines.append("    return None")
    exec("\n".join(lines), ns)  # noqa: S102 - source built above from the model's own fields
    checker: Callable[[object, str], None] = ns["check"]
    return checker


def _nested(spec: _Spec) -> tuple[type, Callable[[object, str], None], type | None] | None:
    """One generated model (its checker, its overlay subclass) a field holds, if that is all."""
    if len(spec.models) != 1 or spec.items is not None or spec.any:
        return None
    model = spec.models[0]
    return model, _checker(model), _ADOPTED.get(model)


def _slow_field(item: object, field: _Field, path: str) -> None:
    """A value the inline test did not pass: a list, a nested model, or a mismatch."""
    _check_value(item, field.spec, f"{path}.{field.name}")


def _check_value(item: object, spec: _Spec, path: str) -> None:
    kind = type(item)
    if spec.any or kind in spec.exact:
        return
    if kind is list and spec.items is not None:
        elements: list[object] = item  # type: ignore[assignment]
        for i, element in enumerate(elements):
            _check_value(element, spec.items, f"{path}[{i}]")
        return
    if spec.models and isinstance(item, spec.models):
        check(item, path)
        return
    # A subclass of an allowed type (a str enum given for a request field), but never a bool
    # for a number: JSON tells them apart.
    if isinstance(item, tuple(spec.exact)) and (kind is not bool or bool in spec.exact):
        return
    raise Mismatch(path, spec.text, item)


def core_id(value: object, path: str) -> str:
    """A core identifier of an answer (a job id, a connection id): a non-empty string, which the
    contract leaves unchecked (no ``minLength``) but the overlay cannot do without."""
    if type(value) is not str or not value:
        raise Unreadable(f"{path} is missing or empty")
    return value


def expect(cls: type[M], value: object, path: str) -> M:
    """``value``, which must be a ``cls`` (what :func:`check` made it); raises :class:`Mismatch`."""
    if not isinstance(value, cls):
        raise Mismatch(path, cls.__name__, value)
    return value


def rebuild(cls: type[M], value: object, path: str, **extra: object) -> M:
    """The parsed (and checked) ``value`` as ``cls``, a subclass of its generated model with
    state of its own (``extra``); unknown keys are kept."""
    base = generated_base(cls)
    if not isinstance(value, base):
        raise Mismatch(path, base.__name__, value)
    kwargs = {f.alias: f.slot.__get__(value, base) for f in _init_fields(base)}
    model = cls(**kwargs, **extra)
    model.additional_properties = value.additional_properties  # type: ignore[attr-defined]
    return model


def _init_fields(cls: type) -> tuple[_InitField, ...]:
    known = _INIT.get(cls)
    if known is None:
        known = _INIT[cls] = tuple(
            _InitField(f.alias, cls.__dict__[f.name]) for f in attrs.fields(cls) if f.init
        )
    return known


# -- requests ------------------------------------------------------------------------------------


def optional_fields(cls: type) -> tuple[str, ...]:
    """The request model's optional fields (those with a default), in the model's order."""
    known = _OPTIONAL.get(cls)
    if known is None:
        known = _OPTIONAL[cls] = tuple(
            f.name
            for f in attrs.fields(cls)
            if f.init and f.default is not attrs.NOTHING and f.name != "additional_properties"
        )
    return known


def given(**values: object) -> dict[str, object]:
    """The keywords a caller gave (``None`` stands for "not given" in the overlay's methods)."""
    return {k: v for k, v in values.items() if v is not None}


def body(
    cls: type[M],
    operation: str,
    required: Mapping[str, object],
    optional: Mapping[str, object],
    extra: Mapping[str, object],
) -> M:
    """``cls(**required)`` with ``optional`` (checked by the overlay) and ``extra`` (any other
    optional field of ``cls``, checked here against its annotation) set. An ``extra`` name that
    is not an optional field of ``cls`` is refused, naming the ones there are."""
    names = optional_fields(typing.cast(type, cls))
    unknown = [k for k in extra if k not in names or k in optional]
    if unknown:
        raise InvalidInputError(
            f"{operation}() got {_plural(unknown, 'an unknown field', 'unknown fields')} "
            f"{', '.join(map(repr, unknown))}; the optional fields of {cls.__name__} are "
            f"{', '.join(names) or 'none'}"
        )
    model = cls(**required)
    # Strict in what is sent: a default the generator fills in (auto_describe=True) is not sent
    # unless asked for; the service applies its own.
    from aionvision_cloud_api.types import UNSET

    for name in names:
        setattr(model, name, UNSET)
    hints = {f.name: f.spec for f in _fields(typing.cast(type, cls))}
    for name, value in extra.items():
        spec = hints[name]
        if spec.models and isinstance(value, Mapping):
            value = spec.models[0].from_dict(value)  # type: ignore[attr-defined]
        try:
            _check_value(value, spec, name)
        except Mismatch as exc:
            raise InvalidInputError(f"{operation}() {exc}") from None
    for name, value in (*optional.items(), *extra.items()):
        setattr(model, name, value)
    return model


_PARAMETERS: dict[Callable[..., Any], dict[str, _Spec]] = {}


def _parameters(function: Callable[..., Any]) -> dict[str, _Spec]:
    """A generated ``sync_detailed``'s keyword-only parameters (its query), ``client`` aside."""
    known = _PARAMETERS.get(function)
    if known is not None:
        return known
    import inspect  # ~10 ms, needed only by the first call that takes query parameters

    hints = typing.get_type_hints(function, globalns=_namespace(function))
    _PARAMETERS[function] = known = {
        name: _spec(hints[name])
        for name, p in inspect.signature(function).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and name != "client"
    }
    return known


def params(
    function: Callable[..., Any],
    operation: str,
    handled: Iterable[str],
    extra: Mapping[str, object],
) -> dict[str, object]:
    """``extra`` as keywords for ``function`` (a generated ``sync_detailed``): any of its query
    parameters the overlay does not take by name, checked against its annotation."""
    valid = _parameters(function)
    taken = set(handled)
    unknown = [k for k in extra if k not in valid or k in taken]
    if unknown:
        raise InvalidInputError(
            f"{operation}() got {_plural(unknown, 'an unknown parameter', 'unknown parameters')} "
            f"{', '.join(map(repr, unknown))}; its optional parameters are "
            f"{', '.join(valid) or 'none'}"
        )
    for name, value in extra.items():
        try:
            _check_value(value, valid[name], name)
        except Mismatch as exc:
            raise InvalidInputError(f"{operation}() {exc}") from None
    return dict(extra)


def _plural(items: list[str], one: str, many: str) -> str:
    return one if len(items) == 1 else many


# -- the overlay's subclasses --------------------------------------------------------------------


class WireModel:
    """Mixed into each overlay subclass of a generated model (before it, so its methods win)."""

    __slots__ = ()
    #: Fields shown as ``[redacted]`` in ``repr`` (secrets).
    _hidden: ClassVar[frozenset[str]] = frozenset()
    #: Fields the subclass reads through a property mapping the stored value (``Job.status``).
    _mapped: ClassVar[tuple[str, ...]] = ()

    def __repr__(self) -> str:
        from aionvision_cloud_api.types import Unset

        shown = []
        for field in attrs.fields(type(self)):  # type: ignore[arg-type]
            if field.name == "additional_properties":
                continue  # what the contract does not name could be anything, a secret too
            value = getattr(self, field.name)
            if isinstance(value, Unset):
                continue
            text = "[redacted]" if field.name in self._hidden else repr(value)
            shown.append(f"{field.name}={text}")
        return f"{type(self).__name__}({', '.join(shown)})"

    __str__ = __repr__

    def to_dict(self) -> dict[str, Any]:
        """The generated ``to_dict``, with mapped fields as the service sent them."""
        from aionvision_cloud_api.types import Unset

        data: dict[str, Any] = super().to_dict()  # type: ignore[misc]
        base = generated_base(type(self))
        for name in self._mapped:
            raw = base.__dict__[name].__get__(self, base)
            if isinstance(raw, Unset):
                data.pop(name, None)  # the generated code saw the mapped None, not UNSET
            else:
                data[name] = raw
        return data


# -- JSON for people and scripts -----------------------------------------------------------------

_RESERVED = frozenset(dir(builtins)) | frozenset(keyword.kwlist) | {"self", "true", "false"}


def json_key(attribute: str) -> str:
    """The JSON key of a generated attribute: the generator appends ``_`` to a name that would
    shadow a keyword or builtin (``type`` -> ``type_``); tests hold this to openapi.yaml."""
    if attribute.endswith("_") and attribute[:-1] in _RESERVED:
        return attribute[:-1]
    return attribute


def model_json(model: Any, extra: Iterable[tuple[str, object]] = ()) -> dict[str, Any]:
    """A model as JSON with every field's key present (``null`` when the service left it out)."""
    cls = generated_base(type(model))
    out: dict[str, Any] = {json_key(f.name): None for f in _fields(cls)}
    out.update(model.to_dict())
    out.update(extra)
    return out

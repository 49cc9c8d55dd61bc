"""The Jinja2 environment: a learner's theme overrides any single template of the default theme.

Templates are looked up by name in each theme folder in turn, most specific first (Pelican's habit). A
template that overrides a default one can still build on it: the default theme is also reachable under
the prefix `!default/`, so `{% extends "!default/base.html" %}` in a learner's base.html extends the
shipped base.html rather than itself.
"""
from __future__ import annotations

import types
from pathlib import Path

import jinja2
from jinja2.runtime import Macro
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import internalcode

from .. import shipped
from . import paths
from .markdown import at_root, markdown, shift_headings

DEFAULT_PREFIX = "!default"
DEFAULT_THEME = shipped.default_theme().resolve()   # in the package (a wheel) or the repository (a checkout)


def theme_dirs(model) -> list[Path]:
    """Theme folders, most specific first: the learner's `site.theme`, then the portfolio's own
    themes/default/ (it overrides the shipped theme by path), then the shipped default theme. A
    `site.theme` that is not a folder is left out here: validate reports it as an error."""
    default = DEFAULT_THEME
    root = Path(model.root) if model else None
    candidates = []
    theme = (model.site or {}).get("theme") if model else None
    if isinstance(theme, str) and theme:
        candidates.append(root / theme)
    if root is not None:
        candidates.append(root / "themes" / "default")
    dirs = []
    for d in candidates:
        d = d.resolve()
        if d.is_dir() and d != default and d not in dirs:
            dirs.append(d)
    return dirs + [default]


def relative(target: str, page: str) -> str:
    """A link from site path `page` to site path `target` (see paths.relative)."""
    return paths.relative(target, page)


def filesize(n) -> str:
    if n is None:
        return "unknown size"
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


class Undefined(jinja2.StrictUndefined):
    """Printing, iterating or computing with a missing value is an error (a typo shows at once), but
    testing one is not: `{% if network.data.joined %}` reads naturally for optional record keys."""

    def __bool__(self):
        return False


_ENVIRONMENTS: dict = {}


def _templates_state(dirs: list[Path]) -> tuple:
    """Every template file with its size and mtime: a theme edit (while serving) makes a new environment."""
    state = []
    for d in dirs:
        for f in sorted((d / "templates").rglob("*")):
            if f.is_file():
                st = f.stat()
                state.append((str(f), st.st_size, st.st_mtime_ns))
    return tuple(state)


def environment(dirs: list[Path]) -> jinja2.Environment:
    """One environment per theme stack and state, kept across builds in one process (`serve`): compiled
    templates are reused, and Jinja need not stat a template file on every page (auto_reload is off).
    Compiled templates are never kept on disk: Jinja's bytecode cache is marshalled code that would be
    run as loaded, and the build cache must be data that cannot run (generator/cache.py)."""
    key = _templates_state(dirs)
    if key not in _ENVIRONMENTS:
        _ENVIRONMENTS.clear()
        _ENVIRONMENTS[key] = _make(dirs)
    return _ENVIRONMENTS[key]


_METHODS = (types.MethodType, types.BuiltinMethodType)


class _Context(jinja2.runtime.Context):
    """Jinja's template context, with a shorter way to call a macro (86,000 calls at 1,000 entries).
    `Context.call` first asks the callee, and its `__call__`, whether it wants the context or environment
    passed (`jinja_pass_arg`); a template's macro never does (Jinja's Macro class has no such attribute
    and a template cannot give one an attribute), so a Macro is called at once, as `Context.call` would
    after the same steps: the loop's and block's variables dropped, StopIteration made undefined."""

    @internalcode
    def call(__self, __obj, *args, **kwargs):  # noqa: N805 (Jinja's spelling: no clash with the callee's keywords)
        if type(__obj) is not Macro:
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception")


class ThemeSandbox(SandboxedEnvironment):
    """Jinja's sandbox (no `_private` attributes, no Python internals), and no attribute a model class
    lists in PRIVATE (record file names, private ids: they can spell a hidden contact's name)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._safe: dict = {}

    def is_safe_attribute(self, obj, attr, value):
        # Every test here and in Jinja's sandbox (the name, `PRIVATE` of the class, `isinstance` of the
        # object against function, method, type, code, frame and generator types) depends only on the
        # object's exact type and the attribute's name, never on the value: so each answer is worked out
        # once per (type, name) and reused. Templates read ~500,000 attributes at 1,000 entries.
        key = (type(obj), attr)
        safe = self._safe.get(key)
        if safe is None:
            safe = self._safe[key] = self._decide(obj, attr, value)
        return safe

    def _decide(self, obj, attr, value) -> bool:
        if attr in getattr(type(obj), "PRIVATE", ()):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def getattr(self, obj, attribute):
        # SandboxedEnvironment.getattr with its checks inlined, the same answers: the safety cached per
        # (type, name) as above, and `str.format` wrapped as there — a value can be one only if it is a
        # bound method, so the wrapper is asked about those alone (types it tests by `isinstance` are final).
        # One answer is stricter: a `str.format` under a refused name is refused, not wrapped.
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            try:
                return obj[attribute]
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=attribute)
        safe = self._safe.get((type(obj), attribute))
        if safe is None:
            safe = self.is_safe_attribute(obj, attribute, value)
        if not safe:
            return self.unsafe_undefined(obj, attribute)
        if type(value) in _METHODS:
            fmt = self.wrap_str_format(value)
            if fmt is not None:
                return fmt
        return value


class ShippedTheme(ThemeSandbox):
    """The environment of a theme stack with no template but the shipped ones (the common case): the same
    attribute rule as ThemeSandbox (`PRIVATE`, `_private`, Python internals; `str.format` wrapped), but
    templates are compiled as unsandboxed code, whose calls go straight to the callee instead of through
    the sandbox's check that it is not marked unsafe (`jinja2.sandbox.unsafe`, Django's `alters_data`:
    nothing the templates are given is). The shipped templates are the generator's own code; attribute
    reads, the only way a template reaches data, are still checked (`getattr`, `getitem`, `|attr`, the
    `attribute=` of filters all go through them). With the cheaper `getattr` and macro calls, 8–15 % of the
    render's CPU at 1,000 entries (docs/performance.md). A template made from a string is not shipped: it
    is compiled sandboxed."""

    sandboxed = False    # read by Jinja's compiler only: calls are compiled as `context.call`

    def from_string(self, source, globals=None, template_class=None):
        if self._strings is None:
            self._strings = _make(self._dirs, sandboxed=True)
        return self._strings.from_string(source, globals, template_class)


def shipped_only(dirs: list[Path]) -> bool:
    """No template in the stack but the shipped theme's: a folder that overrides only assets holds none."""
    return all(not any(f.is_file() for f in (d / "templates").rglob("*")) for d in dirs if d != DEFAULT_THEME)


def _make(dirs: list[Path], sandboxed: bool | None = None) -> jinja2.Environment:
    # Sandboxed: a theme template reaches only public attributes of what it is given, never `_private`
    # ones or Python internals (`__globals__`, `__class__` ...), from which it could walk to the redactor
    # or the loaded records. What it is given holds no channel value or unpublished name (docs/themes.md).
    # With only the shipped templates, ShippedTheme: the same attribute rule, calls unchecked.
    if sandboxed is None:
        sandboxed = not shipped_only(dirs)
    env = (ThemeSandbox if sandboxed else ShippedTheme)(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d / "templates")) for d in dirs] + [
            jinja2.PrefixLoader({DEFAULT_PREFIX: jinja2.FileSystemLoader(str(dirs[-1] / "templates"))})]),
        autoescape=True,
        undefined=Undefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env._dirs, env._strings = dirs, None
    env.context_class = _Context
    env.filters["markdown"] = markdown
    env.filters["date"] = lambda d, fmt="%-d %B %Y": d.strftime(fmt) if d else ""
    env.filters["filesize"] = filesize
    env.filters["slugify"] = paths.slugify
    env.filters["shift_headings"] = shift_headings
    env.filters["at_root"] = at_root
    env.filters["crit_key"] = lambda c: f"{c.unit.slug}--{paths.slugify(c.id)}"
    return env

"""Code for America's `open311` client library (PyPI `open311==1.1`, 2011), run on Python 3.

The package is Python 2 code. It installs from its sdist, but `import open311` fails on
Python 3: its modules import each other by Python 2's implicit relative imports (`from api
import API`, `from xml2dict import xml2dict`, `from object_dict import object_dict`), and `api`
would be this project's own package. So `load()` executes the installed package's own files
under the module names they import each other by (`object_dict`, `xml2dict`,
`xml2dict.xml2dict`, `api`, `api.api`), registered in `sys.modules` only while they load;
the entries they replaced (this project's `api` among them) are put back before it returns.

Shimmed, only what Python 3 removed:

1. `Element.getchildren()` (removed in Python 3.9), which its XML reader (`xml2dict`) calls:
   its module's `ET` is given a `fromstring` that parses with `ET.XMLParser(target=
   ET.TreeBuilder(element_factory=...))`, whose element class adds `getchildren()`.
2. `urlopen(url, data)` with a `str` body (`post_service_request` urlencodes to `str`; Python
   3's urlopen wants bytes): a `urlopen` that encodes a str body as UTF-8, then calls the
   real one.

Two bugs of the library are not shimmed but gone around, with its own generic `call_api`:

- `service_definition(code)` asks `service/<code>.<fmt>`; GeoReport v2 says
  `services/<code>.<fmt>`: use `call_api("services/<code>.<fmt>")`.
- `service_list()` asks `services.xml` whatever the format: in JSON mode use
  `call_api("services.json")`; and `service_requests()` reads the XML root
  (`data["service_requests"]["request"]`), which a JSON answer (a bare array) has not: in
  JSON mode use `call_api("requests.json", ...)`.

Everything else (building URLs and bodies, urlencoding, reading JSON and XML answers: note
that its XML reader gives one `request` as a mapping, several as a list) is the library's.
"""

from __future__ import annotations

import importlib.util
import sys
import types
import urllib.request
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

_NAMES = ("object_dict", "xml2dict", "xml2dict.xml2dict", "api", "api.api")


class _Element(ET.Element):
    """An element as Python 2.7's: with `getchildren()`."""

    def getchildren(self) -> list[ET.Element]:
        return list(self)


def _fromstring(text: str | bytes) -> ET.Element:
    parser = ET.XMLParser(target=ET.TreeBuilder(element_factory=_Element))
    parser.feed(text)
    return parser.close()


def _urlopen(url: Any, data: Any = None, *args: Any, **kwargs: Any) -> Any:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return urllib.request.urlopen(url, data, *args, **kwargs)  # noqa: S310 - tests, 127.0.0.1


def package_dir() -> Path:
    spec = importlib.util.find_spec("open311")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("open311 is not installed: it is in the `dev` extra (pyproject.toml)")
    return Path(next(iter(spec.submodule_search_locations)))


def _exec(name: str, path: Path, package: bool = False) -> types.ModuleType:
    locations = [str(path.parent)] if package else None
    spec = importlib.util.spec_from_file_location(name, path, submodule_search_locations=locations)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load() -> type:
    """The library's `Open311` class, loaded from the installed package's files."""
    root = package_dir()
    saved = {name: sys.modules.get(name) for name in _NAMES}
    try:
        with warnings.catch_warnings():
            # Its source has Python 2 string escapes ("\{"): warnings when compiled, not errors.
            warnings.simplefilter("ignore", DeprecationWarning)
            warnings.simplefilter("ignore", SyntaxWarning)
            _exec("object_dict", root / "api" / "xml2dict" / "object_dict.py")
            xml2dict = _exec("xml2dict", root / "api" / "xml2dict" / "__init__.py", package=True)
            inner = sys.modules["xml2dict.xml2dict"]
            inner.ET = types.SimpleNamespace(fromstring=_fromstring)  # type: ignore[attr-defined]
            api_api = _exec("api.api", root / "api" / "api.py")
            sys.modules["api"] = api_api  # `from api import API` in open311.py
            api_api.urlopen = _urlopen  # type: ignore[attr-defined]
            lib = _exec("open311_py2", root / "open311.py")
            lib.urlopen = _urlopen  # type: ignore[attr-defined]
            del xml2dict
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
        sys.modules.pop("open311_py2", None)
    return lib.Open311  # type: ignore[no-any-return]


def client(endpoint: str, fmt: str, api_key: str = "") -> Any:
    """An `Open311(endpoint=..., format=...)` of the library; `api_key` goes with every call
    (its `required_params`) and with each POST (its own `api_key` parameter)."""
    made = load()(endpoint=endpoint, format=fmt, api_key=api_key)
    if api_key:
        made.required_params = {"api_key": api_key}
    return made


def listed(answer: Any, root: str, item: str) -> list[Any]:
    """A list answer in either format: JSON's array, or XML's root holding one item (a
    mapping) or several (a list)."""
    if isinstance(answer, list):
        return answer
    return as_list((answer.get(root) or {}).get(item))


def as_list(items: Any) -> list[Any]:
    """What the library's XML reader gives for repeated elements: None for none, a mapping
    for one, a list for several."""
    if items is None:
        return []
    return items if isinstance(items, list) else [items]

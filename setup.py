"""The wheel's build step: the metadata is in pyproject.toml; this only adds what lives outside
the packages to the built tree, so that an installed (non-editable) `sop` finds it:

- `sop/` and `rules/` (the bundled SOPs, their scenarios and demo values, and their rules) into
  `engine/bundled/`, where engine/spec/bundled.py looks when there is no checkout;
- mermaid.min.js and its licence, when `make mermaid` fetched them into `.cache/web-vendor/`,
  into `api/web/third_party/` (api/web/vendor.py); without them the SOP page shows the
  diagram's text, as in a checkout.

An editable install copies nothing: the checkout's own folders are used.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = [("sop", "engine/bundled/sop"), ("rules", "engine/bundled/rules")]
VENDOR = ROOT / ".cache" / "web-vendor"
VENDOR_FILES = ("mermaid.min.js", "mermaid.LICENSE")
VENDOR_DEST = "api/web/third_party"


class BuildWithBundle(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        out = Path(self.build_lib)
        for src, dest in BUNDLED:
            if not (ROOT / src).is_dir():
                raise SystemExit(f"setup.py: {ROOT / src} is missing: the wheel must bundle it")
            shutil.rmtree(out / dest, ignore_errors=True)
            shutil.copytree(
                ROOT / src, out / dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        if (VENDOR / VENDOR_FILES[0]).is_file():
            (out / VENDOR_DEST).mkdir(parents=True, exist_ok=True)
            for name in VENDOR_FILES:
                if (VENDOR / name).is_file():
                    shutil.copy2(VENDOR / name, out / VENDOR_DEST / name)


setup(cmdclass={"build_py": BuildWithBundle})

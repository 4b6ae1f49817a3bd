"""The wheel's build hook: compile pdkit's gettext catalogs (.po → .mo) into the build.

The .mo files are not in git (they are build output), so the hook names them as
artifacts: hatch then puts them in the wheel although .gitignore lists them. An editable
install compiles them in place too (``scripts/setup.sh`` also does, on every run).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogsHook(BuildHookInterface):  # type: ignore[misc]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        spec = importlib.util.spec_from_file_location(
            "compile_catalogs", root / "scripts" / "compile_catalogs.py"
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        written = module.compile_catalogs(root)
        build_data["artifacts"].extend(path.as_posix() for path in written)

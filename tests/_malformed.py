"""The one check every malformed-definition test makes: the error says where, exactly."""

from __future__ import annotations

import pytest

from pdkit.definitions import parse_definition
from pdkit.errors import DefinitionError


def assert_reported_where_it_is(text: str, line: int, path: str, problem: str) -> None:
    """Parsing ``text`` as ``bad.yaml`` fails at ``line`` and ``path`` with ``problem``,
    and the message reads ``bad.yaml, line N: path: problem``."""
    with pytest.raises(DefinitionError) as caught:
        parse_definition(text, file="bad.yaml")
    error = caught.value
    assert (error.file, error.line, error.path) == ("bad.yaml", line, path)
    assert problem in error.problem
    where = f"{path}: " if path else ""
    assert str(error) == f"bad.yaml, line {line}: {where}{error.problem}"

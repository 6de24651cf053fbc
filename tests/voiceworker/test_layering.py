"""The worker reports events through calls.services.voice; statuses and transitions are decided there."""

import ast
from pathlib import Path

import pytest

import voiceworker

FORBIDDEN_NAMES = {"call_transition", "encuesta_transition", "lead_transition", "Status"}
SOURCES = sorted(Path(voiceworker.__file__).parent.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda path: path.name)
def test_the_worker_names_no_status_and_drives_no_transition(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    offences = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_NAMES:
            offences.append(f"{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            offences.append(f"{node.lineno}: {node.id}")
        elif isinstance(node, ast.ImportFrom) and node.module == "calls.models":
            offences.append(f"{node.lineno}: from calls.models import ...")
    assert offences == []

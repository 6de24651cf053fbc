"""Validate real API responses against the OpenAPI schema drf-spectacular serves at /api/schema/."""

import functools
import re
from typing import Any

from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator


def _strict(node: Any) -> Any:
    """OpenAPI 3.0 -> JSON Schema for responses: ``nullable`` becomes a null branch; objects admit
    only the properties they document and need all of them (an output serializer renders every
    field), so a response with an undocumented or a missing key fails."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _strict(value) for key, value in node.items() if key != "nullable"}
    if isinstance(node.get("properties"), dict) and "additionalProperties" not in converted:
        converted["additionalProperties"] = False
        converted["required"] = sorted(node["properties"])
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@functools.cache
def api_schema() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


@functools.cache
def _components() -> dict[str, Any]:
    return _strict(api_schema().get("components", {}))


def _template_for(path: str) -> str:
    for template in sorted(api_schema()["paths"], key=lambda t: t.count("{")):
        pattern = re.sub(r"\\\{[^/]*?\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            return template
    raise AssertionError(f"{path} is not in /api/schema/")


def documented_operations() -> set[tuple[str, str, str]]:
    """(path template, method, status) of every documented response."""
    return {
        (path, method, status)
        for path, item in api_schema()["paths"].items()
        for method, operation in item.items()
        for status in operation.get("responses", {})
    }


def assert_matches_schema(method: str, path: str, status: int, body: Any) -> tuple[str, str, str]:
    """Fail unless ``body`` is what the schema documents for this call; returns the operation."""
    template = _template_for(path.split("?")[0])
    operation = api_schema()["paths"][template].get(method.lower())
    assert operation is not None, f"{method} {template} is not documented"
    response = operation["responses"].get(str(status))
    assert response is not None, f"{method} {template} answered {status}, not documented"
    content = response.get("content", {}).get("application/json")
    if content is None:
        assert body in (None, b"", ""), f"{method} {template} {status} documents no body but sent one"
    else:
        schema = {"allOf": [_strict(content["schema"])], "components": _components()}
        errors = sorted(Draft202012Validator(schema).iter_errors(body), key=str)
        assert not errors, f"{method} {template} {status}: " + "; ".join(e.message for e in errors[:5])
    return template, method.lower(), str(status)

#!/usr/bin/env python3
"""Checks a compose file against the Compose Specification's JSON Schema vendored in deploy/compose-spec/.

Usage: scripts/validate-compose.py [FILE]     (default: docker-compose.yml)
Prints "FILE: valid; services: ..." and exits 0, or prints one line per violation (its path in the document and
the schema's message) and exits 1. Needs PyYAML and jsonschema (scripts/install-deps.sh installs them).
"""
import json
import pathlib
import sys

import jsonschema
import yaml

SCHEMA = pathlib.Path(__file__).resolve().parent.parent / "deploy" / "compose-spec" / "compose-spec.json"


def violations(document, schema):
    validator = jsonschema.Draft7Validator(schema)
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
        where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
        yield f"{where}: {error.message}"


def main(argv):
    path = argv[1] if len(argv) > 1 else "docker-compose.yml"
    document = yaml.safe_load(pathlib.Path(path).read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    problems = list(violations(document, schema))
    for problem in problems:
        print(f"{path}: {problem}")
    if problems:
        return 1
    services = ", ".join(sorted((document or {}).get("services", {})))
    print(f"{path}: valid; services: {services}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Checks the declared MSRV against every normal (non-dev) dependency.

Reads `cargo metadata --format-version 1 --locked` on stdin. Fails when a
dependency that users compile needs a newer Rust than the workspace's
`rust-version`. (Clippy's `incompatible_msrv` lint checks this project's
own use of the standard library against the same version.)
"""
import json
import sys


def version(text):
    return tuple(int(part) for part in text.split("."))


metadata = json.load(sys.stdin)
packages = {p["id"]: p for p in metadata["packages"]}
nodes = {n["id"]: n for n in metadata["resolve"]["nodes"]}
members = set(metadata["workspace_members"])
declared = {packages[m]["rust_version"] for m in members}
if len(declared) != 1:
    sys.exit(f"msrv: the workspace crates declare different rust-versions: {declared}")
msrv = version(declared.pop())

seen, stack = set(), list(members)
while stack:
    node = stack.pop()
    if node in seen:
        continue
    seen.add(node)
    for dep in nodes[node]["deps"]:
        if any(kind["kind"] in (None, "build") for kind in dep["dep_kinds"]):
            stack.append(dep["pkg"])

too_new = [
    f"{packages[p]['name']} {packages[p]['version']} needs {packages[p]['rust_version']}"
    for p in sorted(seen - members)
    if packages[p].get("rust_version") and version(packages[p]["rust_version"]) > msrv
]
if too_new:
    sys.exit("msrv: dependencies newer than the declared rust-version:\n  " + "\n  ".join(too_new))
print(f"msrv: {len(seen - members)} dependencies fit rust-version {'.'.join(map(str, msrv))}")

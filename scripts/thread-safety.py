#!/usr/bin/env python3
"""Clang's thread-safety analysis over the sources that use the annotations.

Usage: scripts/thread-safety.py BUILD_DIR

Reads BUILD_DIR/compile_commands.json (the release build), picks every translation unit that
includes base/mutex.h or base/thread_annotations.h directly or through the project's headers, and
compiles each with clang++ -fsyntax-only -Wthread-safety -Werror=thread-safety (the build's
include paths and definitions; its warning flags dropped, since only this analysis is checked
here). In a unity build (cmake/Unity.cmake) a batch holding such a file is compiled whole, as the
build compiles it: its headers parsed once for all its files (every file of the batch is then
checked). Two at a time. Exit status 1 and clang's diagnostics when a lock rule is broken.
"""
import json
import os
import re
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

ANNOTATION_HEADERS = {"base/mutex.h", "base/thread_annotations.h"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def includes(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return INCLUDE.findall(f.read())
    except OSError:
        return []


def annotated_headers(src):
    """Project headers (as included, e.g. engine/x.h) that reach an annotation header."""
    headers = {}
    for root, _, files in os.walk(src):
        for name in files:
            if name.endswith(".h"):
                full = os.path.join(root, name)
                headers[os.path.relpath(full, src)] = includes(full)
    reach = set(ANNOTATION_HEADERS)
    changed = True
    while changed:
        changed = False
        for header, incs in headers.items():
            if header not in reach and any(i in reach for i in incs):
                reach.add(header)
                changed = True
    return reach


def sources(entries):
    """(source entry, its unity batch's entry or None) for each of the build's sources: a unity
    batch (cmake/Unity.cmake) expanded into one entry per source it includes, with the batch's
    command."""
    for e in entries:
        batch = os.path.abspath(os.path.join(e["directory"], e["file"]))
        if os.sep + "Unity" + os.sep not in batch:
            yield e, None
            continue
        for source in includes(batch):
            one = dict(e, file=source)
            if "command" in e:
                one["command"] = e["command"].replace(batch, source)
            else:
                one["arguments"] = [source if a == batch else a for a in e["arguments"]]
            yield one, e


def clang_command(entry):
    args = shlex.split(entry["command"]) if "command" in entry else list(entry["arguments"])
    out = ["clang++"]
    skip = False
    for a in args[1:]:
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
            continue
        if a in ("-c", "-MD", "-MMD") or a.startswith("-W") or a.startswith("-fsanitize"):
            continue
        out.append(a)
    return out + ["-fsyntax-only", "-Wthread-safety", "-Werror=thread-safety"]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    src = os.path.join(root, "src")
    with open(os.path.join(build, "compile_commands.json")) as f:
        entries = json.load(f)
    reach = annotated_headers(src)
    chosen = []
    batches = set()
    for e, batch in sources(entries):
        path = os.path.abspath(os.path.join(e["directory"], e["file"]))
        if not path.startswith(src + os.sep) or path.endswith("_test.cc"):
            continue
        if not any(i in reach for i in includes(path)):
            continue
        if batch is None:
            chosen.append((path, e))
        elif batch["file"] not in batches:
            batches.add(batch["file"])
            chosen.append((path, batch))
    if not chosen:
        sys.exit("thread-safety: no source uses the annotations; is BUILD_DIR right?")

    def check(item):
        path, e = item
        r = subprocess.run(clang_command(e), cwd=e["directory"], capture_output=True, text=True)
        return path, r.returncode, r.stderr

    failed = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        for path, code, err in pool.map(check, chosen):
            if code != 0:
                failed += 1
                sys.stderr.write(err)
    print(f"thread-safety: {len(chosen)} translation units checked, {failed} with errors")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Lists the names a .cc file keeps to itself (anonymous namespace or `static` at namespace scope)
that another .cc of the same unity target also defines. In a unity build (CMAKE_UNITY_BUILD) the
files of a target are compiled as one, so two such names meet: mostly a compile error, but two
functions of the same name with different parameters silently become one overload set.

  unity_names.py FILE...     (the files of one target)
Prints one line per clash and exits 1 when there is one."""
import re
import sys
from collections import defaultdict

DECL = re.compile(
    r"^(?:static\s+)?(?:inline\s+)?(?:constexpr\s+|const\s+)*"
    r"(?:(?:struct|class|enum(?:\s+class)?|union)\s+(?P<type>[A-Za-z_]\w*)"
    r"|using\s+(?P<alias>[A-Za-z_]\w*)\s*="
    r"|[\w:<>,\s\*&]+?[\s\*&](?P<name>[A-Za-z_]\w*)\s*(?:\(|=|\[|\{|;))")


def strip(text):
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r'R"(\w*)\((?:.|\n)*?\)\1"', '""', text)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)
    text = re.sub(r"'(?:\\.|[^'\\\n])*'", "''", text)
    # GCC attributes (`__attribute__((target("avx512f")))`) before a declaration are not its name.
    return re.sub(r"__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)", "", text)


def private_names(path):
    """Names declared at the top of an anonymous namespace, or `static` at namespace scope."""
    text = strip(open(path, encoding="utf-8").read())
    names = set()
    stack = []  # one entry per open brace: 'anon', 'ns' or 'block'
    i = 0
    statement_start = 0
    while i < len(text):
        c = text[i]
        if c == "{":
            head = text[statement_start:i].strip()
            if re.fullmatch(r"namespace", head):
                stack.append("anon")
            elif re.fullmatch(r"(?:inline\s+)?namespace\s+[\w:]+", head):
                stack.append("ns")
            else:
                in_anon = "anon" in stack and all(s != "block" for s in stack)
                at_ns = all(s != "block" for s in stack)
                m = DECL.match(head.replace("\n", " ")) if at_ns else None
                if m and (in_anon or head.startswith("static ")):
                    n = m.group("type") or m.group("alias") or m.group("name")
                    if n and n not in ("operator",):
                        names.add(n)
                stack.append("block")
            statement_start = i + 1
        elif c == "}":
            if stack:
                stack.pop()
            statement_start = i + 1
        elif c == ";":
            head = text[statement_start:i].strip()
            at_ns = all(s != "block" for s in stack)
            if at_ns and head and not head.startswith(("using namespace", "namespace ", "#")):
                in_anon = "anon" in stack
                m = DECL.match(head.replace("\n", " ") + ";")
                if m and (in_anon or head.startswith("static ")):
                    n = m.group("type") or m.group("alias") or m.group("name")
                    if n:
                        names.add(n)
            statement_start = i + 1
        elif c == "#" and (i == 0 or text[i - 1] == "\n"):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end
            statement_start = i + 1
        i += 1
    return names


def main(files):
    where = defaultdict(list)
    for f in files:
        for n in private_names(f):
            where[n].append(f)
    clashes = {n: fs for n, fs in where.items() if len(fs) > 1}
    for n in sorted(clashes):
        print(f"{n}: {' '.join(clashes[n])}")
    return 1 if clashes else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""Who imports whom in src/, by top-level module (tests left out), and the import circles
between files. usage: scripts/module-graph.py [SRC_DIR]

Reads `use crate::…`, `use super::…` and `crate::…` paths as text: a quick picture for a
review, not a compiler's answer."""
import os
import re
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "src"
files = {}
for root, _, names in os.walk(src):
    for n in names:
        if n.endswith(".rs") and n != "tests.rs" and not n.endswith("_tests.rs"):
            rel = os.path.relpath(os.path.join(root, n), src)[:-3].split(os.sep)
            if rel[-1] == "mod":
                rel = rel[:-1]
            if rel in (["lib"], ["main"]):
                rel = []
            files[tuple(rel)] = os.path.join(root, n)


def resolve(parts):
    for k in range(len(parts), -1, -1):
        if tuple(parts[:k]) in files:
            return tuple(parts[:k])
    return None


def without_tests(text):
    """Drops `#[cfg(test)]` items (brace counting) and comments."""
    out, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        if re.match(r"\s*#\[cfg\(test\)\]", lines[i]):
            j, depth, started = i + 1, 0, False
            while j < len(lines):
                depth += lines[j].count("{") - lines[j].count("}")
                started = started or "{" in lines[j]
                if (started and depth <= 0) or (not started and lines[j].rstrip().endswith(";")):
                    break
                j += 1
            i = j + 1
            continue
        out.append(lines[i])
        i += 1
    return re.sub(r"//[^\n]*", "", "\n".join(out))


edges = {k: set() for k in files}
path_re = r"\b(crate|super(?:::super)*)((?:::[A-Za-z_][A-Za-z0-9_]*)+)(?:::\{([^;]*?)\})?"
for mod, path in files.items():
    for m in re.finditer(path_re, without_tests(open(path, encoding="utf-8").read())):
        head, tail, group = m.groups()
        base = [] if head == "crate" else list(mod[: len(mod) - head.count("super")])
        parts = base + [p for p in tail.split("::") if p]
        targets = [parts]
        for g in re.split(r"[,\s]+", re.sub(r"\{[^}]*\}", "", group or "")):
            if g and g != "self" and re.match(r"[A-Za-z_]", g):
                targets.append(parts + g.split("::"))
        for t in targets:
            r = resolve(t)
            if r is not None and r not in (mod, ()):
                edges[mod].add(r)

layers = {}
for a, bs in edges.items():
    for b in bs:
        if a and b and a[0] != b[0]:
            layers.setdefault(a[0], set()).add(b[0])
print("who imports whom (top-level modules):")
for a in sorted(set(m[0] for m in files if m)):
    print(f"  {a:<10} -> {', '.join(sorted(layers.get(a, ()))) or '-'}")

index, low, stack, on, circles, counter = {}, {}, [], set(), [], [0]
sys.setrecursionlimit(10000)


def visit(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in edges[v]:
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            circles.append(comp)


for v in files:
    if v not in index:
        visit(v)
top = {}
for a, bs in layers.items():
    for b in bs:
        if a in layers.get(b, ()) and a < b:
            top.setdefault("top", []).append(f"{a} <-> {b}")
for pair in top.get("top", []):
    print(f"two-way between top-level modules: {pair}")
for c in circles:
    print("circle: " + ", ".join(sorted(files[m] for m in c)))
print(f"circles {len(circles)}")

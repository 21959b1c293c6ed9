#!/usr/bin/env python3
"""Lists the longest Rust functions under the given folders (lines from `fn` to its closing
brace), for the code-health figures of a refactor: `python3 scripts/longest-fns.py [-n 10] DIR...`.

Brace matching skips strings, chars and comments well enough for this codebase; it is a
measuring aid, not a parser."""
import argparse
import os
import re

FN = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?((const|async|unsafe|extern\s+\"C\")\s+)*fn\s+(\w+)")


def strip(line, in_block):
    """The line without comments, strings and char literals; whether a block comment stays open."""
    out, i, n = [], 0, len(line)
    while i < n:
        if in_block:
            end = line.find("*/", i)
            if end < 0:
                return "".join(out), True
            i, in_block = end + 2, False
        elif line.startswith("//", i):
            break
        elif line.startswith("/*", i):
            in_block, i = True, i + 2
        elif line[i] == '"':
            i += 1
            while i < n and line[i] != '"':
                i += 2 if line[i] == "\\" else 1
            i += 1
        elif line[i] == "'" and re.match(r"'(\\.|[^\\'])'", line[i:]):
            i += len(re.match(r"'(\\.|[^\\'])'", line[i:]).group(0))
        else:
            out.append(line[i])
            i += 1
    return "".join(out), in_block


def functions(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().splitlines()
    clean, block = [], False
    for line in lines:
        text, block = strip(line, block)
        clean.append(text)
    for start, line in enumerate(lines):
        m = FN.match(line)
        if not m:
            continue
        depth, opened = 0, False
        for end in range(start, len(clean)):
            text = clean[end]
            if not opened and ";" in text and "{" not in text:
                break  # a declaration without a body
            depth += text.count("{") - text.count("}")
            opened = opened or "{" in text
            if opened and depth <= 0:
                yield end - start + 1, f"{path}:{start + 1}", m.group(5)
                break


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=10)
    ap.add_argument("dirs", nargs="+")
    args = ap.parse_args()
    found = []
    for d in args.dirs:
        for root, _, files in os.walk(d):
            for name in files:
                if name.endswith(".rs") and "/tests" not in root:
                    found.extend(functions(os.path.join(root, name)))
    found.sort(reverse=True)
    for length, where, name in found[: args.n]:
        print(f"{length:5}  {name:32} {where}")


if __name__ == "__main__":
    main()

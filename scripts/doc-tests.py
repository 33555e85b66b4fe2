#!/usr/bin/env python3
"""Runs the SQL of the documentation against its shown output, so the docs cannot drift.

In README.md and docs/*.md, every fenced block with info string `sql` is executed; if the next fenced block (only
blank lines between) has info string `text`, the output of the SQL block must equal it, otherwise the SQL block must
print nothing (DDL and DML print nothing: psql runs with -q). Errors are part of the output ("ERROR:  ...",
"HINT:  ..."), so documented errors are checked too. A block whose info string is `sql norun` is shown but not run
(only for what a single server cannot run, such as a multi-node cluster); the count of such blocks is printed.

Each file runs in a fresh database with the extension installed, its blocks in order in one session, so a block
can use the tables an earlier block of the same file created. Connection: the PG* environment variables.

Usage: doc-tests.py [--counts FILE] FILE.md...   (exit 1 if any block differs)
"""
import difflib
import os
import re
import subprocess
import sys

FENCE = re.compile(r"^( {0,3})```(.*)$")
MARK = "@@doc-block {}@@"


def blocks(path):
    """[(info, first_line, text)] of the fenced blocks of a markdown file. A fence may be indented by up to 3 spaces
    (a block inside a list item); that indentation is removed from the block's lines."""
    out, info, start, buf, indent = [], None, 0, [], 0
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = FENCE.match(line.rstrip("\n"))
            if info is None:
                if m:
                    info, start, buf, indent = m.group(2).strip(), n, [], len(m.group(1))
                else:
                    if line.strip():
                        out.append(("prose", n, ""))
            elif m and m.group(2).strip() == "":
                out.append((info, start, "".join(buf)))
                info = None
            else:
                strip = len(line) - len(line.lstrip(" "))
                buf.append(line[min(strip, indent):])
    return out


def cases(path):
    """[(line, sql, expected)] for the runnable SQL blocks; and the number of norun blocks."""
    bl = blocks(path)
    result, norun = [], 0
    for i, (info, line, text) in enumerate(bl):
        if info == "sql norun":
            norun += 1
        if info != "sql":
            continue
        expected = ""
        if i + 1 < len(bl) and bl[i + 1][0] == "text":
            expected = bl[i + 1][2]
        result.append((line, text, expected))
    return result, norun


def normalize(text):
    lines = [l.rstrip() for l in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def psql(db, *args, stdin=None):
    return subprocess.run(["psql", "-X", "-q", "-d", db, *args], input=stdin, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def run_file(path):
    tests, norun = cases(path)
    if not tests:
        return 0, 0, norun
    db = "doctest_" + re.sub(r"[^a-z0-9]+", "_", os.path.splitext(os.path.basename(path))[0].lower())
    setup = psql("postgres", "-v", "ON_ERROR_STOP=1", stdin=f"DROP DATABASE IF EXISTS {db};\nCREATE DATABASE {db};\n")
    if setup.returncode != 0:
        print(setup.stdout)
        return 0, len(tests), norun
    script = ["\\set ON_ERROR_STOP 0", "\\set VERBOSITY default", "CREATE EXTENSION morpheus;"]
    for k, (_, sql, _) in enumerate(tests):
        script += [f"\\echo '{MARK.format(k)}'", sql.rstrip("\n")]
    res = psql(db, stdin="\n".join(script) + "\n")
    parts = {}
    current = None
    for line in res.stdout.split("\n"):
        m = re.fullmatch(r"@@doc-block (\d+)@@", line.strip())
        if m:
            current = int(m.group(1))
            parts[current] = []
        elif current is not None:
            parts[current].append(line)
    ok = bad = 0
    for k, (line, sql, expected) in enumerate(tests):
        got = normalize("\n".join(parts.get(k, ["(no output: the session ended before this block)"])))
        want = normalize(expected)
        if got == want:
            ok += 1
            continue
        bad += 1
        print(f"docs: {path}:{line}: output differs from the document")
        for d in difflib.unified_diff(want, got, "shown", "actual", lineterm="", n=2):
            print("    " + d)
    psql("postgres", stdin=f"DROP DATABASE IF EXISTS {db};\n")
    return ok, bad, norun


def main(argv):
    counts = None
    if len(argv) > 1 and argv[0] == "--counts":
        counts, argv = argv[1], argv[2:]
    total_ok = total_bad = total_norun = 0
    for path in argv:
        ok, bad, norun = run_file(path)
        total_ok, total_bad, total_norun = total_ok + ok, total_bad + bad, total_norun + norun
        print(f"docs: {path}: {ok} blocks as shown, {bad} differ, {norun} not run")
    if counts:
        with open(counts, "a", encoding="utf-8") as f:
            f.write(f"docs {total_ok} {total_bad}\n")
    print(f"docs: {total_ok} SQL blocks as shown, {total_bad} differ, {total_norun} marked norun")
    return 1 if total_bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

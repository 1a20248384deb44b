#!/usr/bin/env python3
"""figures.py ABIGUARD [DIR] -- the suite's scoreboard: diffs every pair of
DIR/expected.tsv (default tests/realworld) with ABIGUARD from the committed
corpora and prints, per library and in total, the figures issue 9 is measured
by:

  pairs        consecutive release pairs
  failed       pairs on which abiguard diff failed (crashed or errored)
  agree        pairs whose verdict equals the adjudicated one
  brk          pairs abiguard calls breaking
  false-brk    of those, pairs adjudicated other than breaking
  missed       pairs adjudicated breaking that abiguard calls less
  entries      reported breaking/api-break/risky changes
  private      of those, changes inside a type private.tsv marks private
  over         of those, changes in a pair whose adjudicated verdict is below
               the change's verdict (so the entry is false by the
               adjudication), private ones included

`make realworld-figures` runs it. Only abiguard is run; nothing is built.
"""
import json
import os
import subprocess
import sys

RANK = {"none": 0, "harmless": 1, "compatible": 2, "risky": 3, "api-break": 4, "breaking": 5}
SEVERE = ("breaking", "api-break", "risky")


def read_tsv(path, nfields):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != nfields:
                sys.exit(f"figures.py: error: {path}: want {nfields} tab-separated fields: {line!r}")
            rows.append(fields)
    return rows


def in_private(subject, types):
    return any(subject == t or subject.startswith(t + "::") for t in types)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: figures.py ABIGUARD [DIR]")
    abiguard = sys.argv[1]
    top = sys.argv[2] if len(sys.argv) == 3 else "tests/realworld"
    private = {}
    for lib, typ in read_tsv(os.path.join(top, "private.tsv"), 2):
        private.setdefault(lib, set()).add(typ)
    stats = {}
    order = []
    for lib, old, new, verdict, _breaks, _note in read_tsv(os.path.join(top, "expected.tsv"), 6):
        if lib not in stats:
            stats[lib] = dict(pairs=0, failed=0, agree=0, brk=0, false_brk=0, missed=0, entries=0, private=0, over=0)
            order.append(lib)
        s = stats[lib]
        run = subprocess.run([abiguard, "diff", "--format", "json",
                              os.path.join(top, lib, old + ".json"), os.path.join(top, lib, new + ".json")],
                             capture_output=True, text=True, env=dict(os.environ, DEBUGINFOD_URLS=""))
        s["pairs"] += 1
        if run.returncode not in (0, 4, 12):
            print(f"figures.py: {lib} {old} -> {new}: abiguard diff failed (exit {run.returncode}): "
                  f"{run.stderr.strip()}", file=sys.stderr)
            s["failed"] += 1
            s["missed"] += verdict == "breaking"
            continue
        report = json.loads(run.stdout)
        got = report["verdict"]
        s["agree"] += got == verdict
        s["brk"] += got == "breaking"
        s["false_brk"] += got == "breaking" and verdict != "breaking"
        s["missed"] += verdict == "breaking" and got != "breaking"
        for c in report["changes"]:
            if c.get("suppressed") or c["verdict"] not in SEVERE:
                continue
            s["entries"] += 1
            s["private"] += in_private(c["subject"], private.get(lib, ()))
            s["over"] += RANK[c["verdict"]] > RANK[verdict]
    cols = ["pairs", "failed", "agree", "brk", "false_brk", "missed", "entries", "private", "over"]
    print("| library | " + " | ".join(c.replace("_", "-") for c in cols) + " |")
    print("| --- |" + " ---: |" * len(cols))
    total = {c: 0 for c in cols}
    for lib in order:
        print(f"| {lib} | " + " | ".join(str(stats[lib][c]) for c in cols) + " |")
        for c in cols:
            total[c] += stats[lib][c]
    print("| **total** | " + " | ".join(str(total[c]) for c in cols) + " |")


if __name__ == "__main__":
    main()

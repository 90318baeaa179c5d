#!/usr/bin/env python3
"""Medians over rounds of the reservation benchmark.

Usage: python3 bench/medians.py LABEL=FILE ...   (one FILE per round; each holds one `RESULT {json}` line)

Groups the runs by label and tenant count and prints, per phase, the median over the rounds of the rate and of the
ratio to the naive baseline of the same run, with the range, as a Markdown table.
"""
import json
import statistics
import sys
from collections import defaultdict


def result(path):
    with open(path, encoding="utf-8") as file:
        for line in file:
            if line.startswith("RESULT "):
                return json.loads(line[len("RESULT "):])
    raise SystemExit(f"{path}: no RESULT line (the run failed; see the file)")


def span(values, digits):
    return f"{statistics.median(values):,.{digits}f} ({min(values):,.{digits}f} – {max(values):,.{digits}f})"


groups = defaultdict(list)
for argument in sys.argv[1:]:
    label, _, path = argument.partition("=")
    run = result(path)
    groups[(label, run["tenants"])].append(run)

print("| run | tenants | phase | rounds | granted/s, median (min – max) | vs naive, same run, median (min – max) | mean write ms, median |")
print("|---|---:|---|---:|---:|---:|---:|")
for (label, tenants), runs in sorted(groups.items(), key=lambda item: (item[0][1], item[0][0])):
    for index, phase in enumerate(runs[0]["phases"]):
        rates = [run["phases"][index]["grantedPerSecond"] for run in runs]
        ratios = [run["phases"][index]["ratioToNaive"] for run in runs]
        writes = [run["phases"][index]["meanWriteMs"] for run in runs]
        print(f"| {label} | {tenants:,} | {phase['name']} | {len(runs)} | {span(rates, 0)} | {span(ratios, 2)}× | {statistics.median(writes):.2f} |")

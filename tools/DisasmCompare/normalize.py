#!/usr/bin/env python3
"""Normalises a DOTNET_JitStdOutFile dump for diffing: one block per method, sorted by the method's signature, with
block labels renumbered per method (G_M12345_IG07 -> IG07), offsets, addresses and handles replaced by placeholders.
Usage: normalize.py dump.asm > dump.norm; prints a summary line (methods, total bytes) to stderr."""
import re
import sys

HEADER = "; Assembly listing for method "
blocks = {}
current = None
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    line = line.rstrip("\n")
    if line.startswith(HEADER):
        current = line
        blocks.setdefault(current, [])
        continue
    if current is None:
        continue
    line = re.sub(r"G_M\d+_IG(\d+)", r"IG\1", line)           # per-method label prefix (a hash of the method)
    line = re.sub(r"\s*;; offset=0x[0-9A-Fa-f]+", "", line)     # code offsets shift with any earlier change
    line = re.sub(r"0x[0-9A-Fa-f]{8,}", "ADDR", line)            # handles, static addresses, code addresses
    # The stack-guard (GS) cookie: an immediate stored in the prolog and compared before CORINFO_HELP_FAIL_FAST, a new
    # random value in every process (only methods with stackalloc or fixed buffers have one).
    line = re.sub(r"^(\s+(?:mov|cmp)\s+qword ptr \[rbp-0x[0-9A-Fa-f]+\]), 0x[0-9A-Fa-f]+$", r"\1, GS_COOKIE", line)
    blocks[current].append(line.rstrip())

total = 0
for header in sorted(blocks):
    body = blocks[header]
    for line in body:
        m = re.match(r"; Total bytes of code (\d+)", line)
        if m:
            total += int(m.group(1))
    print(header)
    print("\n".join(body))
print(f"{len(blocks)} methods, {total} bytes of code", file=sys.stderr)

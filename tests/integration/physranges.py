#!/usr/bin/env python3
"""Physical 2 MiB blocks of a process's ranges (ground truth for paddr).

usage: physranges.py PID ADDR_FILE

ADDR_FILE lines: NAME START END [TID] (virtual, 2 MiB-aligned ranges).
Prints "NAME PSTART PEND" for each 2 MiB block of each range, sorted by
physical address: each block must be one transparent huge page (all 512
pages present, physically contiguous from a 2 MiB-aligned frame, the
head flagged THP in /proc/kpageflags), so that the whole physical block
belongs to that range. Exits 3 with the reason when one is not.
"""
import struct
import sys

PAGE = 4096
HPAGE = 2 << 20
KPF_THP = 22


def main():
    pid = int(sys.argv[1])
    out = []
    with open('/proc/%d/pagemap' % pid, 'rb') as pm, \
            open('/proc/kpageflags', 'rb') as kf:
        for line in open(sys.argv[2]):
            f = line.split()
            if len(f) < 3:
                continue
            name, start, end = f[0], int(f[1], 0), int(f[2], 0)
            if start % HPAGE or end % HPAGE:
                print('%s is not 2 MiB-aligned' % name)
                sys.exit(3)
            for va in range(start, end, HPAGE):
                pm.seek(va // PAGE * 8)
                ents = struct.unpack('512Q', pm.read(512 * 8))
                pfn0 = ents[0] & ((1 << 55) - 1)
                ok = all(e >> 63 for e in ents) and pfn0 % 512 == 0 and \
                    all((e & ((1 << 55) - 1)) == pfn0 + i
                        for i, e in enumerate(ents))
                if ok:
                    kf.seek(pfn0 * 8)
                    ok = struct.unpack('Q', kf.read(8))[0] >> KPF_THP & 1
                if not ok:
                    print('%s: block %#x is not one transparent huge page'
                          % (name, va))
                    sys.exit(3)
                out.append((pfn0 * PAGE, name))
    for p, name in sorted(out):
        print('%s %#x %#x' % (name, p, p + HPAGE))


main()

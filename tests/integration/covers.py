#!/usr/bin/env python3
"""Does each record cover the program that wrote its ranges?

usage: covers.py RECORD ADDR_FILE [RECORD ADDR_FILE ...]

For each pair: the last snapshot's regions must cover the first range of
ADDR_FILE (NAME START END lines, as wl_ranges writes them) entirely, and
some region overlapping it must show accesses in some snapshot (the range
lies at a random address that only the final program maps; on a busy
machine a short final program may be followed late in the record, so no
particular part of the record is asked for). Prints what fails; exits 1 if
any pair fails.
"""
import sys

from rangeheat import load, ranges


def check(record, addr_file):
    _, s, e = ranges(addr_file)[0]
    snaps = load(record)[0]['snapshots']
    if not snaps:
        return 'no snapshots'
    covered = sum(min(e, r['end']) - max(s, r['start'])
                  for r in snaps[-1]['regions']
                  if r['start'] < e and s < r['end'])
    seen = any(r['nr_accesses']['samples'] > 0
               for sn in snaps for r in sn['regions']
               if r['start'] < e and s < r['end'])
    if covered == e - s and seen:
        return None
    return '%d of %d bytes of %#x-%#x covered at the end, accesses %sseen' % (
        covered, e - s, s, e, '' if seen else 'not ')


def main():
    args = sys.argv[1:]
    bad = 0
    for i in range(0, len(args) - 1, 2):
        why = check(args[i], args[i + 1])
        if why:
            bad += 1
            print('%s: %s' % (args[i], why))
    print('%d of %d records cover the final program' % (len(args) // 2 - bad,
                                                         len(args) // 2))
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()

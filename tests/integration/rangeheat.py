#!/usr/bin/env python3
"""Access rate of named address ranges in a damo record (ground truth check).

usage: rangeheat.py RECORD ADDR_FILE [--from-fraction F] [--pid PID]

ADDR_FILE lines: NAME START END [TID]  (addresses in hex or decimal; the
lines of one NAME make one range, weighted by their sizes)
Prints "NAME RATE" per range: the mean, over the snapshots from fraction F
of the run on (default 0.5, the second half), of the size-weighted access
percent of the regions overlapping the range, as a fraction 0..1.
The record of the first target, or with --pid that of process PID (its
udamon.pid) in a multi-target record.
"""
import json
import sys
import zlib


def load(path):
    data = open(path, 'rb').read()
    if data[:1] == b'\x78':
        data = zlib.decompress(data)
    return json.loads(data)


def ranges(path):
    out = []
    for line in open(path):
        f = line.split()
        if len(f) >= 3:
            out.append((f[0], int(f[1], 0), int(f[2], 0)))
    return out


def rate(snap, start, end):
    covered = 0
    acc = 0.0
    for r in snap['regions']:
        lo, hi = max(start, r['start']), min(end, r['end'])
        if lo < hi:
            covered += hi - lo
            acc += (hi - lo) * r['nr_accesses']['percent'] / 100.0
    return acc / covered if covered else 0.0


def main():
    frac = 0.5
    if '--from-fraction' in sys.argv:
        frac = float(sys.argv[sys.argv.index('--from-fraction') + 1])
    recs = load(sys.argv[1])
    rec = recs[0]
    if '--pid' in sys.argv:
        pid = int(sys.argv[sys.argv.index('--pid') + 1])
        mine = [r for r in recs if r.get('udamon', {}).get('pid') == pid]
        if not mine:
            print('no record of process %d' % pid, file=sys.stderr)
            sys.exit(2)
        rec = mine[0]
    snaps = rec['snapshots']
    if not snaps:
        print('no snapshots', file=sys.stderr)
        sys.exit(2)
    tail = snaps[int(len(snaps) * frac):] or snaps[-1:]
    names = []
    acc = {}
    for name, s, e in ranges(sys.argv[2]):
        if name not in acc:
            names.append(name)
            acc[name] = [0.0, 0]
        acc[name][0] += sum(rate(sn, s, e) for sn in tail) / len(tail) * (e - s)
        acc[name][1] += e - s
    for name in names:
        print('%s %.4f' % (name, acc[name][0] / acc[name][1]))

if __name__ == '__main__':
    main()

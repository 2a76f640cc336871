#!/usr/bin/env python3
"""What udamon's samples cost it, against the target's size.

usage: bench/sample_cost.py [--sizes 1,16] [--seconds 15] [--runs 3]
                            [--udamon PATH[,PATH...][,exact]] [--strace]
                            [-- extra udamon record options]

For each size (GiB), a wbench target is filled (all of it resident), then
writes a 64 MiB hot set for good (100 % of its writes, with a read-hot
set of 64 MiB beside it, as bench/compare.py); udamon record (write-only,
default intervals and budget unless the extra options say otherwise)
attaches by pid and runs for --seconds. Printed per run: udamon's CPU
(utime + stime from /proc/PID/stat, from 1 s after attaching to the end,
per second), its samples and regions (from the record), and with
--strace the system calls per sample (strace -c -f over the same time).
With several binaries (--udamon a,b), they alternate in each round, so
their figures are comparable (medians at the end); "exact" among them
runs the exact write tracker (bench/exact_track, 5 ms) instead. Run as root, one at
a time: the 16 GiB target needs 16 GiB of memory.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TICK = os.sysconf('SC_CLK_TCK')


def cpu_s(pid):
    with open(f'/proc/{pid}/stat') as f:
        v = f.read().rsplit(')', 1)[1].split()
    return (int(v[11]) + int(v[12])) / TICK


def record_stats(path):
    d = open(path, 'rb').read()
    if d[:1] == b'\x78':
        d = zlib.decompress(d)
    snaps = json.loads(d)[0]['snapshots']
    regions = [len(s['regions']) for s in snaps]
    return len(regions), (statistics.median(regions) if regions else 0)


def one(udamon, size, seconds, extra, strace, tmp):
    wait = os.path.join(tmp, 'go')
    if os.path.exists(wait):
        os.unlink(wait)
    wb = subprocess.Popen([os.path.join(ROOT, 'build/bin/wbench'), '--size',
                           str(size << 10), '--hot', '64', '--rhot', '64',
                           '--hot-pct', '100', '--think', '20', '--writes',
                           str(10 ** 12), '--wait-file', wait],
                          stdout=subprocess.PIPE, text=True)
    try:
        wb.stdout.readline()			# "filled"
        open(wait, 'w').close()
        rec = os.path.join(tmp, 'rec.data')
        if udamon == 'exact':
            cmd = [os.path.join(ROOT, 'build/bin/exact_track'), str(wb.pid),
                   '5000', rec]
        else:
            cmd = [udamon, 'record', '-q', '--exp_ops_use_reports', 'y',
                   '--exp_ops_write_only', 'y', '-o', rec] + extra + [
                   str(wb.pid)]
        mon = subprocess.Popen(cmd)
        time.sleep(1)
        c0, t0 = cpu_s(mon.pid), time.time()
        st = None
        if strace:
            st = subprocess.Popen(['strace', '-c', '-f', '-q', '-o',
                                   os.path.join(tmp, 'strace'), '-p',
                                   str(mon.pid)])
        time.sleep(seconds)
        if st:
            st.send_signal(2)
            st.wait()
        c1, t1 = cpu_s(mon.pid), time.time()
        mon.send_signal(2)
        mon.wait()
        nsnap, nreg = (0, 0) if udamon == 'exact' else record_stats(rec)
        calls = {}
        if strace:
            for line in open(os.path.join(tmp, 'strace')):
                f = line.split()
                if len(f) >= 5 and f[0][0].isdigit():
                    calls[f[-1]] = int(f[3])
        return {'cpu': (c1 - c0) / (t1 - t0), 'snaps': nsnap,
                'regions': nreg, 'calls': calls}
    finally:
        wb.kill()
        wb.wait()


def main():
    args = sys.argv[1:]
    extra = []
    if '--' in args:
        extra = args[args.index('--') + 1:]
        args = args[:args.index('--')]
    opt = {'--sizes': '1,16', '--seconds': '15', '--runs': '3',
           '--udamon': os.path.join(ROOT, 'build/udamon')}
    strace = False
    i = 0
    while i < len(args):
        if args[i] == '--strace':
            strace = True
            i += 1
            continue
        if args[i] not in opt or i + 1 >= len(args):
            sys.exit(f'sample_cost.py: unknown or incomplete option '
                     f'"{args[i]}"; see the header of {__file__}')
        opt[args[i]] = args[i + 1]
        i += 2
    sizes = [int(s) for s in opt['--sizes'].split(',')]
    bins = opt['--udamon'].split(',')
    res = {}
    print('load average at start:', open('/proc/loadavg').read().split()[:3])
    with tempfile.TemporaryDirectory() as tmp:
        for rnd in range(int(opt['--runs'])):
            for size in sizes:
                for b in bins:
                    r = one(b, size, float(opt['--seconds']), extra, strace,
                            tmp)
                    res.setdefault((size, b), []).append(r)
                    calls = ''
                    if r['calls']:
                        ns = max(1, r['snaps'] * 20)
                        calls = ' '.join(f'{k}={v}' for k, v in sorted(
                            r['calls'].items(), key=lambda x: -x[1])[:6])
                    print(f'round {rnd + 1} {size:2d} GiB {b}: cpu '
                          f'{100 * r["cpu"]:.2f} % regions {r["regions"]} '
                          f'snapshots {r["snaps"]} {calls}', flush=True)
    print('load average at end:', open('/proc/loadavg').read().split()[:3])
    for (size, b), rs in res.items():
        print(f'median {size:2d} GiB {b}: cpu '
              f'{100 * statistics.median(r["cpu"] for r in rs):.2f} % '
              f'regions {statistics.median(r["regions"] for r in rs)}')


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Cost of write monitoring to real programs, measured side by side.

usage: bench/run_real.py [--runs N] [--only NAME,...] [--build DIR]
                         [--data DIR] [-- udamon record options...]

Programs (inputs are generated once, deterministically, under --data,
default /var/tmp/udamon-bench):
  xz      xz -T2 -6 of a 64 MiB text-like file (several blocks: both
          threads work)
  sort    sort of a 200 MiB text-like file
  sqlite  sqlite3 inserting 1 M rows (one statement, a file database)
  thp     build/bin/wl_thp: 512 MiB of MADV_HUGEPAGE memory, 300 M random
          word writes from one thread

Each round runs the program unmonitored, then monitored (the order
alternates from round to round): started here, then attached with
`udamon record --exp_ops_use_reports y --exp_ops_write_only y PID` (plus
the options after --), so that the target's and udamon's CPU times are
measured apart (wait4 of each). Prints per program the medians of: the
elapsed time, the slowdown against the unmonitored run of the same round,
the target's CPU time (user + system) and system time, and udamon's CPU
time (user + system) per second of the monitored run. Installs xz-utils and sqlite3 with apt when
they are missing (bench-only packages).
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ensure_packages():
    need = [p for p, exe in (('xz-utils', 'xz'), ('sqlite3', 'sqlite3'))
            if not shutil.which(exe)]
    if need:
        print('installing', ' '.join(need), file=sys.stderr)
        env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
        if subprocess.call(['apt-get', 'install', '-y', '-q'] + need,
                           env=env, stdout=subprocess.DEVNULL):
            subprocess.check_call(['apt-get', 'update', '-q'], env=env,
                                  stdout=subprocess.DEVNULL)
            subprocess.check_call(['apt-get', 'install', '-y', '-q'] + need,
                                  env=env, stdout=subprocess.DEVNULL)


def gen(data, name, mib):
    path = os.path.join(data, name)
    if not os.path.exists(path):
        subprocess.check_call([sys.executable,
                               os.path.join(ROOT, 'bench', 'gen_input.py'),
                               str(mib), path])
    return path


SQL = ('PRAGMA journal_mode=OFF; CREATE TABLE t(a INTEGER, b TEXT);\n'
       'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c '
       'WHERE x < 1000000) INSERT INTO t SELECT x, hex(randomblob(16)) '
       'FROM c;\n')


def programs(data, build):
    """name -> (argv, stdin path or None, setup function or None)"""
    xz_in = gen(data, 'in64', 64)
    sort_in = gen(data, 'in200', 200)
    sql = os.path.join(data, 'insert.sql')
    with open(sql, 'w') as f:
        f.write(SQL)
    db = os.path.join(data, 'bench.db')

    def rm_db():
        if os.path.exists(db):
            os.unlink(db)
    return {
        'xz': (['xz', '-T2', '-6', '-c', xz_in], None, None),
        'sort': (['sort', '-o', os.path.join(data, 'sorted'), sort_in],
                 None, None),
        'sqlite': (['sqlite3', db], sql, rm_db),
        'thp': ([os.path.join(build, 'bin', 'wl_thp'), '--mib', '512',
                 '--writes', '300000000'], None, None),
    }


# the record is not looked at; udamon writes only regular files
RECORD = os.path.join(tempfile.gettempdir(), 'udamon-bench-%d.data' % os.getpid())


def cpu(ru):
    return ru.ru_utime + ru.ru_stime


def run(prog, udamon, opts):
    """One run; returns (elapsed, target sys, udamon cpu/s or 0, target cpu)."""
    argv, stdin, setup = prog
    if setup:
        setup()
    fin = open(stdin) if stdin else subprocess.DEVNULL
    t0 = time.monotonic()
    target = subprocess.Popen(argv, stdin=fin, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    mon = None
    if udamon:
        mon = subprocess.Popen([udamon, 'record', '-q', '--exp_ops_use_reports',
                                'y', '--exp_ops_write_only', 'y', *opts,
                                '-o', RECORD, str(target.pid)],
                               stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(target.pid, 0)
    elapsed = time.monotonic() - t0
    if status:
        sys.exit(f'{argv[0]} failed (status {status:#x})')
    mcpu = 0.0
    if mon:
        _, mstatus, mru = os.wait4(mon.pid, 0)
        mcpu = cpu(mru) / (time.monotonic() - t0)
        if mstatus:
            sys.exit(f'udamon record of {argv[0]} failed (status {mstatus:#x})')
        os.unlink(RECORD)
    if stdin:
        fin.close()
    return elapsed, ru.ru_stime, mcpu, cpu(ru)


def main():
    args = sys.argv[1:]
    opts = []
    if '--' in args:
        opts = args[args.index('--') + 1:]
        args = args[:args.index('--')]
    runs, only = 5, None
    build = os.path.join(ROOT, 'build')
    data = '/var/tmp/udamon-bench'
    while args:
        a = args.pop(0)
        if a == '--runs':
            runs = int(args.pop(0))
        elif a == '--only':
            only = args.pop(0).split(',')
        elif a == '--build':
            build = args.pop(0)
        elif a == '--data':
            data = args.pop(0)
        else:
            sys.exit(__doc__)
    ensure_packages()
    os.makedirs(data, exist_ok=True)
    udamon = os.path.join(build, 'udamon')
    progs = programs(data, build)
    print(f'{"program":8} {"mode":12} {"elapsed s":>9} {"slowdown":>8} '
          f'{"target CPU s":>12} {"target sys s":>12} {"udamon CPU s/s":>14}')
    for name, prog in progs.items():
        if only and name not in only:
            continue
        res = {'off': [], 'on': []}
        for i in range(runs):
            order = ['off', 'on'] if i % 2 == 0 else ['on', 'off']
            got = {}
            for mode in order:
                got[mode] = run(prog, udamon if mode == 'on' else None, opts)
                res[mode].append(got[mode])
            res.setdefault('ratio', []).append(got['on'][0] / got['off'][0])
            load = open('/proc/loadavg').read().split()[0]
            print(f'# {name} round {i + 1}: off {got["off"][0]:.2f} s, on '
                  f'{got["on"][0]:.2f} s, load average {load}',
                  file=sys.stderr, flush=True)
        for mode in ('off', 'on'):
            el = statistics.median(r[0] for r in res[mode])
            st = statistics.median(r[1] for r in res[mode])
            uc = statistics.median(r[2] for r in res[mode])
            tc = statistics.median(r[3] for r in res[mode])
            ratio = statistics.median(res['ratio']) if mode == 'on' else 1.0
            print(f'{name:8} {"monitored" if mode == "on" else "unmonitored":12} '
                  f'{el:9.2f} {ratio:7.3f}x {tc:12.2f} {st:12.2f} {uc:14.3f}',
                  flush=True)


if __name__ == '__main__':
    main()

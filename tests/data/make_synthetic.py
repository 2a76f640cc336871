#!/usr/bin/env python3
# Write synthetic.data: a record with known hot ranges whose snapshots are
# 100 ms apart and start on 100 ms boundaries, so that a 40-row heatmap's
# rows are exactly the snapshots (the first two rows are the age of the
# first snapshot's regions).
#
# Target 0 maps [1 GiB, 1 GiB + 64 MiB) and [2 GiB, 2 GiB + 4 MiB):
#   [1 GiB + 16 MiB, 1 GiB + 24 MiB) written at every sample in snapshots
#   10 to 29 (200 hz), else idle; [1 GiB + 24 MiB, 1 GiB + 40 MiB) at 5 of
#   20 samples (50 hz) throughout; the rest idle; the 4 MiB mapping at 1
#   sample (10 hz).
import json
import zlib

GiB, MiB = 1 << 30, 1 << 20
SAMPLE_US, AGGR_US = 5000, 100000
T0 = 5 * 10**9


def samples(name, snap):
    if name == 'hot':
        return 20 if 10 <= snap < 30 else 0
    return {'cold_lo': 0, 'warm': 5, 'cold_hi': 0, 'far': 1}[name]


RANGES = [('cold_lo', GiB, GiB + 16 * MiB), ('hot', GiB + 16 * MiB,
          GiB + 24 * MiB), ('warm', GiB + 24 * MiB, GiB + 40 * MiB),
          ('cold_hi', GiB + 40 * MiB, GiB + 64 * MiB),
          ('far', 2 * GiB, 2 * GiB + 4 * MiB)]
snapshots = []
age = {name: 2 for name, _, _ in RANGES}
prev = {}
for s in range(38):
    regions = []
    for name, start, end in RANGES:
        n = samples(name, s)
        if name in prev and prev[name] != n:
            age[name] = 0
        elif name in prev:
            age[name] += 1
        prev[name] = n
        regions.append({'start': start, 'end': end,
                        'nr_accesses': {'samples': n,
                                        'percent': n * 100 * SAMPLE_US //
                                        AGGR_US},
                        'age': {'usec': age[name] * AGGR_US,
                                'aggr_intervals': age[name]}})
    snapshots.append({'start_time': T0 + s * AGGR_US * 1000,
                      'end_time': T0 + (s + 1) * AGGR_US * 1000,
                      'total_bytes': sum(r['end'] - r['start']
                                         for r in regions),
                      'regions': regions})
record = [{'kdamond_idx': 0, 'context_idx': 0,
           'intervals': {'sample_us': SAMPLE_US, 'aggr_us': AGGR_US,
                         'ops_update_us': 1000000},
           'scheme_idx': None, 'target_id': 0, 'snapshots': snapshots}]
with open('synthetic.data', 'wb') as f:
    f.write(zlib.compress(json.dumps(record).encode()))

#!/bin/bash
# --ops paddr --numa_node N: the regions are the node's online memory
# blocks (/sys/devices/system/node/nodeN/memoryM), as damo picks them;
# scoped to a cgroup the test creates (machine-wide paddr never runs here).
. "$(dirname "$0")/lib.sh"
need_write_monitoring
[ -d /sys/devices/system/node/node0 ] || skip "no NUMA node 0 in sysfs"
make_cgroup udamon-numa

sh -c "echo \$\$ >'$CG/cgroup.procs' && exec '$WL/wl_ranges' --seconds 0 --addr-file '$TMP/wl.addr' hot:write:2M" &
PIDS+=("$!")
wait_lines "$TMP/wl.addr" 1
"$UDAMON" record -q "${WO[@]}" --ops paddr --target_cgroup "$NAME" \
	--numa_node 0 --timeout 2 -o "$TMP/numa.data" 2>"$TMP/numa.err" ||
	{ cat "$TMP/numa.err"; fail "record --numa_node 0 failed"; }
python3 - "$TMP/numa.data" <<'PY' || fail "the regions are not node 0's memory"
import json, os, sys, zlib
d = open(sys.argv[1], 'rb').read()
snap = json.loads(zlib.decompress(d) if d[:1] == b'\x78' else d)[0]['snapshots'][0]
node = '/sys/devices/system/node/node0'
bs = int(open('/sys/devices/system/memory/block_size_bytes').read(), 16)
want = []
for i in sorted(int(n[6:]) for n in os.listdir(node)
                if n.startswith('memory') and n[6:].isdigit()):
    st = os.path.join(node, 'memory%d' % i, 'state')
    if os.path.exists(st) and not open(st).read().startswith('online'):
        continue
    if want and want[-1][1] == i * bs:
        want[-1][1] = (i + 1) * bs
    else:
        want.append([i * bs, (i + 1) * bs])
got = []
for r in snap['regions']:
    if got and got[-1][1] == r['start']:
        got[-1][1] = r['end']
    else:
        got.append([r['start'], r['end']])
print('node 0:', [(hex(a), hex(b)) for a, b in want])
print('regions:', [(hex(a), hex(b)) for a, b in got])
sys.exit(0 if got == want else 1)
PY
expect_error "no such NUMA node" "$UDAMON" record "${WO[@]}" --ops paddr \
	--target_cgroup "$NAME" --numa_node 4000
expect_error "give one of them" "$UDAMON" record "${WO[@]}" --ops paddr \
	--target_cgroup "$NAME" --numa_node 0 -r 4096-8192
expect_error "is for --ops paddr" "$UDAMON" record "${WO[@]}" \
	--numa_node 0 1234
echo "node 0's memory as the regions"

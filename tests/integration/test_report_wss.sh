#!/bin/bash
# report wss --plot: a PNG a strict parser reads, with the points where the
# record's working set sizes put them; SVG well-formed; bad input.
# (The texts of the wss options are checked against damo in
# test_report_damo.sh.)
. "$(dirname "$0")/lib.sh"
SYN=$ROOT/tests/data/synthetic.data	# tests/data/make_synthetic.py
PNG=$ROOT/tests/integration/pngread.py

# synthetic.data, 38 snapshots: 16 MiB at 50 hz and 4 MiB at 10 hz always,
# 8 MiB more in snapshots 10-29: the sorted sizes are 18 x 20 MiB then
# 20 x 28 MiB; percentile 25 is 20 MiB, 50 and above 28 MiB (the top).
# Plot area (report/plot.h): (130, 50), 640 x 500.
"$UDAMON" report wss -i "$SYN" --plot "$TMP/w.png" || fail "wss --plot failed"
python3 "$PNG" "$TMP/w.png" >/dev/null || fail "$(python3 "$PNG" "$TMP/w.png")"
[ -s "$TMP/w.png" ] || fail "no picture"
"$UDAMON" report wss -i "$SYN" --plot "$TMP/w.png" | grep -q . &&
	fail "wss --plot also printed text"
is_line() { awk '{ exit !($1 > 150 && $2 < 80 && $3 < 80) }' <<<"$1"; }
y_of() { echo $((50 + 500 - 500 * $1 / 28)); }	# MiB
for at in "0 20" "25 20" "50 28" "75 28" "100 28"; do
	set -- $at
	x=$((130 + 640 * $1 / 100)) y=$(y_of "$2")
	p=$(python3 "$PNG" "$TMP/w.png" "$x,$y" | tail -n 1)
	is_line "$p" || fail "no point at percentile $1, $2 MiB ($x,$y): '$p'"
done
# nothing drawn at percentile 75 and 10 MiB
p=$(python3 "$PNG" "$TMP/w.png" "$((130 + 480)),$(y_of 10)" | tail -n 1)
is_line "$p" && fail "a point where the record has none: '$p'"

"$UDAMON" report wss -i "$SYN" --all_wss --sortby time -p "$TMP/w.svg" ||
	fail "wss --plot w.svg failed"
xmllint --noout "$TMP/w.svg" || fail "w.svg is not well-formed XML"

expect_error "--plot 'w.jpg': expected a file name ending in .png, .svg or .pdf" \
	"$UDAMON" report wss -i "$SYN" --plot w.jpg
expect_error "--sortby 'age': expected time or size" \
	"$UDAMON" report wss -i "$SYN" --sortby age
expect_error "report wss: cannot write '/nonexistent/w.png'" \
	"$UDAMON" report wss -i "$SYN" --plot /nonexistent/w.png
expect_error "--work_time: invalid time" \
	"$UDAMON" report wss -i "$SYN" --work_time soon
echo "wss plots as expected"

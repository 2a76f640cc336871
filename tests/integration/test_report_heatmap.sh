#!/bin/bash
# report heatmap beyond damo's texts (those are in test_report_damo.sh):
# pictures that a strict parser reads, with the hot range where the record
# puts it; the age rule (no cell hotter than the record's fastest rate);
# colour only on a terminal; bad --output and --time_range.
. "$(dirname "$0")/lib.sh"
DATA=$ROOT/tests/data
SYN=$DATA/synthetic.data	# made by tests/data/make_synthetic.py
PNG=$ROOT/tests/integration/pngread.py

# Plot layout (report/plot.h): area from (130, 50), 640 x 500 points.
# synthetic.data: 4 s from 4.8 s; [16, 24) MiB of the 64 MiB mapping at
# 1 GiB is written at 200 hz from 1.2 s to 3.2 s, [24, 40) MiB at 50 hz
# all along, the rest idle.
px_x() { echo $((130 + 640 * $1 / 4000)); }		# ms since the start
px_y() { echo $((50 + 500 - 500 * $1 / 64)); }		# MiB into the map
pixel() { python3 "$PNG" "$1" "$2,$3" | tail -n 1; }
is_hot() { awk '{ exit !($1 > 200 && $2 > 200 && $3 > 200) }' <<<"$1"; }
is_black() { awk '{ exit !($1 < 30 && $2 < 30 && $3 < 30) }' <<<"$1"; }
is_warm() { awk '{ exit !($1 > 80 && $2 < 60 && $3 < 60) }' <<<"$1"; }

note "PNG"
"$UDAMON" report heatmap -i "$SYN" --output "$TMP/h.png" ||
	fail "heatmap --output h.png failed"
python3 "$PNG" "$TMP/h.png" >"$TMP/png.txt" || fail "$(cat "$TMP/png.txt")"
[ "$(head -1 "$TMP/png.txt")" = "1000 640" ] || fail "PNG size: $(head -1 "$TMP/png.txt")"
p=$(pixel "$TMP/h.png" "$(px_x 2200)" "$(px_y 20)")
is_hot "$p" || fail "hot range at 2.2 s, 20 MiB is '$p', expected near white"
for at in "600 20" "3600 20" "2200 8" "2200 50"; do
	set -- $at
	p=$(pixel "$TMP/h.png" "$(px_x "$1")" "$(px_y "$2")")
	is_black "$p" || fail "idle at $1 ms, $2 MiB is '$p', expected black"
done
p=$(pixel "$TMP/h.png" "$(px_x 600)" "$(px_y 32)")
is_warm "$p" || fail "50 hz range at 600 ms, 32 MiB is '$p', expected dark red"

note "SVG: valid XML; its cells image has the hot range where the PNG has it"
"$UDAMON" report heatmap -i "$SYN" --output "$TMP/h.svg" ||
	fail "heatmap --output h.svg failed"
xmllint --noout "$TMP/h.svg" || fail "h.svg is not well-formed XML"
grep -q '<svg' "$TMP/h.svg" || fail "h.svg has no <svg> element"
# 500 x 500 cells: x = time (8 ms each), y = address from the top (128 KiB)
cell() { python3 "$PNG" --svg-image "$TMP/h.svg" "$1,$2" | tail -n 1; }
p=$(cell 275 $((499 - 20 * 8))) && is_hot "$p" || fail "SVG hot cell is '$p'"
p=$(cell 75 $((499 - 20 * 8))) && is_black "$p" || fail "SVG idle cell is '$p'"

note "PDF"
"$UDAMON" report heatmap -i "$SYN" --output "$TMP/h.pdf" || fail "h.pdf failed"
head -c 5 "$TMP/h.pdf" | grep -q '%PDF-' || fail "h.pdf has no PDF header"
tail -c 8 "$TMP/h.pdf" | grep -q '%%EOF' || fail "h.pdf has no PDF trailer"

note "a cell never gets hotter than what was measured (the age rule)"
# rows of 200 ms hold two snapshots; the 200 hz range must stay 200 hz
# (damo 3.3 prints 300 hz here, counting time twice)
"$UDAMON" report heatmap -i "$SYN" --resol 20 40 >"$TMP/age.txt"
grep -qxF "# access_frequency: 0123456789 (0.000-200.000 hz)" "$TMP/age.txt" ||
	fail "heat above the measured 200 hz: $(grep access_frequency "$TMP/age.txt")"

note "colour only on a terminal"
"$UDAMON" report heatmap -i "$SYN" | grep -q $'\e' && fail "colour in a pipe"
if command -v script >/dev/null; then
	script -qc "$UDAMON report heatmap -i $SYN" /dev/null </dev/null >"$TMP/tty.txt"
	grep -q $'\e\\[48;5;232m\e\\[38;5;253m8' "$TMP/tty.txt" ||
		fail "no colour on a terminal"
fi

note "bad input"
expect_error "--output 'h.gif': expected stdout, raw, or a file name ending in .png, .svg or .pdf" \
	"$UDAMON" report heatmap -i "$SYN" --output h.gif
expect_error "--time_range 2s 1s: expected START below END" \
	"$UDAMON" report heatmap -i "$SYN" --time_range 2s 1s
expect_error "cannot write" \
	"$UDAMON" report heatmap -i "$SYN" --output /nonexistent/dir/h.png
echo "heatmap pictures, age rule and colours as expected"

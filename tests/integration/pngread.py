#!/usr/bin/env python3
"""Read a PNG strictly: signature, every chunk's CRC, IHDR first, IEND
last, the IDAT stream inflated and unfiltered. Prints "W H" and, for each
"x,y" argument, the pixel's "r g b". Exit 1 with a reason when invalid.
Also reads the first base64 PNG embedded in an SVG (--svg-image FILE)."""
import base64
import re
import struct
import sys
import zlib


def fail(msg):
    print('invalid PNG: %s' % msg)
    sys.exit(1)


def chunks(data):
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        fail('bad signature')
    pos = 8
    while pos < len(data):
        if pos + 8 > len(data):
            fail('truncated chunk header at %d' % pos)
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc_at = pos + 8 + length
        if crc_at + 4 > len(data):
            fail('truncated chunk %r' % kind)
        crc, = struct.unpack('>I', data[crc_at:crc_at + 4])
        if zlib.crc32(kind + body) & 0xffffffff != crc:
            fail('CRC mismatch in chunk %r' % kind)
        yield kind, body
        pos = crc_at + 4


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode(data):
    kinds, idat, ihdr = [], b'', None
    for kind, body in chunks(data):
        kinds.append(kind)
        if kind == b'IHDR':
            ihdr = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
    if not kinds or kinds[0] != b'IHDR' or kinds[-1] != b'IEND':
        fail('IHDR must come first and IEND last (%r)' % kinds)
    w, h, depth, ctype, _, _, interlace = ihdr
    bpp = {2: 3, 6: 4}.get(ctype)
    if depth != 8 or bpp is None or interlace:
        fail('unexpected format depth %d colour type %d' % (depth, ctype))
    raw = zlib.decompress(idat)
    stride = w * bpp
    if len(raw) != h * (stride + 1):
        fail('IDAT holds %d bytes, expected %d' % (len(raw), h * (stride + 1)))
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                line[i] = (line[i] + paeth(a, b, c)) & 255
            elif f != 0:
                fail('bad filter %d in row %d' % (f, y))
        rows.append(line)
        prev = line
    return w, h, bpp, rows


def main():
    args = sys.argv[1:]
    if args[0] == '--svg-image':
        text = open(args[1]).read()
        m = re.search(r'data:image/png;base64,([A-Za-z0-9+/=\s]+)', text)
        if not m:
            fail('no embedded PNG in %s' % args[1])
        data = base64.b64decode(re.sub(r'\s', '', m.group(1)))
        args = args[2:]
    else:
        data = open(args[0], 'rb').read()
        args = args[1:]
    w, h, bpp, rows = decode(data)
    print(w, h)
    for xy in args:
        x, y = (int(v) for v in xy.split(','))
        print(*rows[y][x * bpp:x * bpp + 3])


main()

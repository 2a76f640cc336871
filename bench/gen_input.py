#!/usr/bin/env python3
"""A deterministic, compressible but not trivial input for the benchmarks.

usage: bench/gen_input.py MIB OUTPUT

Text-like lines of words drawn from a fixed vocabulary with a fixed-seed
random generator, with numbers mixed in: xz -6 compresses it to about a
quarter. The same arguments always give the same bytes.
"""
import random
import sys


def main():
    mib, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(20261127)
    letters = 'abcdefghijklmnopqrstuvwxyz'
    vocab = [''.join(rng.choice(letters) for _ in range(rng.randint(2, 11)))
             for _ in range(20000)]
    want = mib << 20
    with open(out + '.tmp', 'w') as f:
        size = 0
        while size < want:
            words = rng.choices(vocab, k=4096)
            for i in range(0, 4096, 13):
                words[i] = str(rng.getrandbits(24))
            chunk = []
            for i in range(0, 4096, 16):
                chunk.append(' '.join(words[i:i + 16]))
            text = '\n'.join(chunk) + '\n'
            f.write(text)
            size += len(text)
    with open(out + '.tmp', 'r+') as f:
        f.truncate(want)
    import os
    os.rename(out + '.tmp', out)


if __name__ == '__main__':
    main()

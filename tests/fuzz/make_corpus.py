#!/usr/bin/env python3
"""Writes the hand-made seed corpus of nmatrix_fuzz (tests/fuzz/corpus/): one mode byte ('0' text, '1' wire form,
'2'/'3' stored form aligned/unaligned), then the payload. Includes the reproducers of issue 12. Run from anywhere:
python3 tests/fuzz/make_corpus.py"""
import os
import struct

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def layout(n, parts, transposed=False, version=1, big=True):
    """parts: list of (identity, sparse, rows, cols, nnz, index, outer, inner, values)."""
    e = ">" if big else "<"
    out = bytearray()

    def pad():
        if version >= 2:
            while (len(out) + 4) % 8:
                out.append(0)

    out += struct.pack(e + "IHHIIq", 0x4E4D4154, version, 1 if transposed else 0, 0, len(parts), n)
    for identity, sparse, rows, cols, nnz, index, outer, inner, values in parts:
        pad()
        out += struct.pack(e + "BBHIqqq", identity, sparse, 0, 0, rows, cols, nnz)
        for arr, fmt in ((index, "i"), (outer, "i"), (inner, "i"), (values, "d")):
            if arr is None:
                continue
            pad()
            out += struct.pack(e + fmt * len(arr), *arr)
    pad()
    return bytes(out)


def write(name, mode, payload):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(mode + payload)


os.makedirs(HERE, exist_ok=True)
# Text forms: the empty-shape and the memory-amplification reproducers, then ordinary values.
write("text-3x0", b"0", b"nmatrix v1 rows=3 transposed=false; identity dense 3x0 {}")
write("text-wide-sparse", b"0", b"nmatrix v1 rows=1 transposed=false; identity sparse 1x2147483647 {}")
write("text-star", b"0", b"nmatrix v1 rows=4 transposed=false; identity dense 4x2 {{1,2},{3,4},{5,6},{7,8}}; "
      b"index {1,2,2,1} sparse 2x3 {(1,2,0.5),(2,3,-1)}")
write("text-mn", b"0", b"nmatrix v1 rows=3 transposed=true; index {1,2,2} dense 2x1 {{1},{2}}; "
      b"index {3,1,2} dense 3x2 {{1,0},{0,1},{1e-300,-2.5e300}}")
# Wire form: the 68-byte COPY reproducer (sparse block, nnz 0, row pointers {0,1,0}) and the over-read one (row
# pointers {0,25345,0,2,3}, nnz 3).
copy_value = bytes.fromhex("4e4d415400010000000000000000000100000000000000020101000000000000000000000000000200000000"
                           "000000030000000000000000000000000000000100000000")
write("wire-copy-reproducer", b"1", copy_value)
write("wire-overread", b"1", layout(4, [(1, 1, 4, 3, 3, None, [0, 25345, 0, 2, 3], [0, 1, 2], [1.0, 2.0, 3.0])]))
star = [(1, 0, 4, 2, 0, None, None, None, [1, 2, 3, 4, 5, 6, 7, 8]),
        (0, 1, 2, 3, 2, [0, 1, 1, 0], [0, 1, 2], [1, 2], [0.5, -1.0])]
write("wire-star", b"1", layout(4, star))
write("stored-star-v2", b"2", layout(4, star, version=2, big=False))
write("stored-star-v2-unaligned", b"3", layout(4, star, version=2, big=False))
write("stored-star-v1", b"2", layout(4, star, version=1, big=False))
write("stored-mn-transposed", b"2", layout(3, [(0, 0, 2, 1, 0, [0, 1, 1], None, None, [1, 2]),
                                              (0, 1, 3, 2, 2, [2, 0, 1], [0, 1, 1, 2], [0, 1], [1.0, 1.0])],
                                          transposed=True, version=2, big=False))

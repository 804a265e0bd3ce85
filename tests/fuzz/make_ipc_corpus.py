#!/usr/bin/env python3
"""Writes tests/fuzz/corpus/ipc/ from real heartbeat 3.0.6 client conversations.

Sources: tests/data/captures/ipc-*.txt (lines `C->D len=N magic=0xabcd '<python-escaped body>'`)
and hbspec-ipc.txt (strace `sendto(3, "<C-escaped frame>", ...)` lines). Each client->daemon
frame is rebuilt as heartbeat sends it: native int length (counting the trailing NUL), the magic
0xabcd as 4 little-endian bytes, the text message and its NUL.

fuzz_ipc's input is a mode byte, a split byte, then the bytes the client writes (see
tests/fuzz/fuzz_ipc.cpp). Conversations are written three ways: as captured (their sign-on
carries a foreign pid, so the server refuses it), and with their sign-on frames taken out behind
a harness sign-on (casual or named) so that the requests themselves are served.

Usage: make_ipc_corpus.py [CAPTURES_DIR] [OUT_DIR]
"""
import ast
import hashlib
import os
import re
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))
captures = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "../data/captures")
out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "corpus/ipc")

MODE_RAW, MODE_CASUAL, MODE_NAMED = 0, 1, 2
EOF_AFTER, READ_BETWEEN = 4, 8


def frame(body: bytes) -> bytes:
    if not body.endswith(b"\0"):
        body += b"\0"
    return struct.pack("<iI", len(body), 0xABCD) + body


def c_unescape(s: str) -> bytes:
    """strace's C string escapes: \\n \\t \\" \\\\ \\NNN (octal), \\xHH."""
    out = bytearray()
    i = 0
    simple = {"n": 10, "t": 9, "r": 13, "v": 11, "f": 12, '"': 34, "\\": 92, "a": 7, "b": 8}
    while i < len(s):
        c = s[i]
        if c != "\\":
            out += c.encode("latin-1")
            i += 1
            continue
        n = s[i + 1]
        if n in simple:
            out.append(simple[n])
            i += 2
        elif n == "x":
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
        else:
            m = re.match(r"[0-7]{1,3}", s[i + 1:])
            out.append(int(m.group(0), 8))
            i += 1 + len(m.group(0))
    return bytes(out)


def conversations():
    """Yields (name, [client frames]) per captured conversation."""
    for fn in sorted(os.listdir(captures)):
        path = os.path.join(captures, fn)
        if fn.startswith("ipc-") and fn.endswith(".txt"):
            frames = []
            for line in open(path, encoding="latin-1"):
                m = re.match(r"C->D len=(\d+) magic=0xabcd (.*)$", line.strip())
                if not m:
                    continue
                body = ast.literal_eval("b" + m.group(2))
                assert len(body) == int(m.group(1)), (fn, line)
                frames.append(frame(body))
            yield fn[:-4], frames
        elif fn == "hbspec-ipc.txt":
            name, frames = None, []
            for line in open(path, encoding="latin-1"):
                line = line.strip()
                if line.startswith("### "):
                    if name and frames:
                        yield name, frames
                    name, frames = "hbspec-" + line[4:].replace(".txt", ""), []
                    continue
                m = re.search(r'sendto\(\d+, "((?:[^"\\]|\\.)*)"', line)
                if not m:
                    continue
                raw = c_unescape(m.group(1))
                length, magic = struct.unpack("<iI", raw[:8])
                assert magic == 0xABCD and length == len(raw) - 8, (name, line)
                frames.append(raw)
            if name and frames:
                yield name, frames


def is_signon(f: bytes) -> bool:
    return b"\nreqtype=signon\n" in f


def is_casual(frames) -> bool:
    for f in frames:
        m = re.search(rb"\npid=(\d+)\nfrom_id=([^\n]*)\n", f)
        if m:
            return m.group(1) == m.group(2)
    return True


def write(files, mode, split, payload):
    data = bytes([mode, split]) + payload
    files[hashlib.sha1(data).hexdigest()[:16]] = data


def main():
    os.makedirs(out, exist_ok=True)
    files = {}
    seen_frames = set()
    for name, frames in conversations():
        if not frames:
            continue
        whole = b"".join(frames)
        write(files, MODE_RAW, 128, whole)  # as captured: refused at sign-on
        rest = [f for f in frames if not is_signon(f)]
        mode = MODE_CASUAL if is_casual(frames) else MODE_NAMED
        if rest:
            body = b"".join(rest)
            write(files, mode, 128, body)
            write(files, mode | EOF_AFTER | READ_BETWEEN, 64, body)
        for f in rest:
            if f not in seen_frames:
                seen_frames.add(f)
                write(files, MODE_NAMED, 0, f)
    # A netstring body (what the IPC uses for messages with structs), a frame cut in the middle of
    # its header, and a bad magic.
    ns = b"###\n9:(0)t=ping,13:(0)dest=alpha,%%%\n"
    write(files, MODE_NAMED, 128, struct.pack("<iI", len(ns), 0xABCD) + ns)
    write(files, MODE_NAMED, 0, frame(b">>>\nt=ping\n<<<\n")[:5])
    write(files, MODE_RAW, 0, struct.pack("<iI", 16, 0xDCBA) + b">>>\nt=ping\n<<<\n\0")
    for old in os.listdir(out):
        os.unlink(os.path.join(out, old))
    for key, data in sorted(files.items()):
        with open(os.path.join(out, key), "wb") as fh:
            fh.write(data)
    print(f"{len(files)} seeds in {out}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""S7's client probe: an ICMP echo request to the VIP every 10 ms, and every echo reply from it
seen on the wire with the Ethernet source MAC that carried it (an AF_PACKET socket, so the reply's
real sender is known whatever the neighbour cache says). One line per reply on stdout:
"<CLOCK_REALTIME ns> <mac>". Runs in the client's namespace until killed, or for --seconds.
Usage: s7_probe.py VIP IFACE [--seconds N]"""
import argparse
import os
import select
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("vip")
    ap.add_argument("iface")
    ap.add_argument("--seconds", type=float, default=3600.0)
    a = ap.parse_args()
    ident = os.getpid() & 0xFFFF
    sender = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sniffer = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
    sniffer.bind((a.iface, 0))
    vip = socket.inet_aton(a.vip)
    out = sys.stdout
    seq = 0
    next_send = time.monotonic()
    end = next_send + a.seconds
    while time.monotonic() < end:
        now = time.monotonic()
        if now >= next_send:
            seq = (seq + 1) & 0xFFFF
            head = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
            body = b"s7-probe"
            packet = struct.pack("!BBHHH", 8, 0, checksum(head + body), ident, seq) + body
            try:
                sender.sendto(packet, (a.vip, 0))
            except OSError:
                pass  # no route yet, a full buffer: the next probe tries again
            next_send += 0.01
            if next_send < now:
                next_send = now + 0.01
        ready, _, _ = select.select([sniffer], [], [], max(0.0, next_send - time.monotonic()))
        if not ready:
            continue
        frame = sniffer.recv(2048)
        if len(frame) < 14 + 20 + 8:
            continue
        ihl = (frame[14] & 0x0F) * 4
        if frame[14 + 9] != socket.IPPROTO_ICMP or frame[14 + 12:14 + 16] != vip:
            continue
        icmp = 14 + ihl
        if frame[icmp] != 0 or struct.unpack("!H", frame[icmp + 4:icmp + 6])[0] != ident:
            continue
        mac = ":".join("%02x" % b for b in frame[6:12])
        out.write("%d %s\n" % (time.time_ns(), mac))
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

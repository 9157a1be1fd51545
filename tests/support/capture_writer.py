#!/usr/bin/env python3
"""Writes small pcap/pcapng captures with struct, as tcpdump and Wireshark would: the conversation
the import end-to-end test replays, and the seed corpus of the capture fuzz target.

  capture_writer.py conversation OUT.pcap [pcapng]   a device conversation (see CONVERSATION)
  capture_writer.py corpus DIR                        seeds for tests/fuzz/corpus/capture
"""
import os
import struct
import sys

CLIENT = (bytes([10, 0, 0, 1]), 40000)
SERVER = (bytes([10, 0, 0, 2]), 502)
# (from client?, payload pieces sent as separate segments)
CONVERSATION = [
    (True, [b"HEL", b"LO\r\n"]),
    (False, [b"WORLD 1\r\n"]),
    (True, [bytes.fromhex("01 03 00 00 00 01 84 0A")]),
    (False, [bytes.fromhex("01 03 02 00 2A"), bytes.fromhex("38 5B")]),
    (True, [b"BYE {x}\\\r\n"]),
    (False, [b"OK\r\n"]),
]


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4(src, dst, proto, payload, ident=1):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto, 0, src, dst)
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def tcp(src, dst, seq, ack, flags, payload=b""):
    seg = struct.pack("!HHIIBBHHH", src[1], dst[1], seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4, flags, 65535, 0, 0)
    pseudo = src[0] + dst[0] + struct.pack("!BBH", 0, 6, len(seg) + len(payload))
    seg = seg[:16] + struct.pack("!H", checksum(pseudo + seg + payload)) + seg[18:]
    return ipv4(src[0], dst[0], 6, seg + payload)


def udp(src, dst, payload):
    return ipv4(src[0], dst[0], 17, struct.pack("!HHHH", src[1], dst[1], 8 + len(payload), 0) + payload)


def ether(ip_packet):
    return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + ip_packet


FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16


def conversation_packets(t0=1_700_000_000.0, latency=0.020, gap=0.050):
    """(time, ethernet frame): handshake, the conversation (the second client piece retransmitted
    once, the server's two pieces sent out of order), FIN both ways."""
    c_seq, s_seq = 1000, 5000
    t = t0
    out = []
    out.append((t, ether(tcp(CLIENT, SERVER, c_seq, 0, SYN))))
    out.append((t + 0.0001, ether(tcp(SERVER, CLIENT, s_seq, c_seq + 1, SYN | ACK))))
    out.append((t + 0.0002, ether(tcp(CLIENT, SERVER, c_seq + 1, s_seq + 1, ACK))))
    c_seq += 1
    s_seq += 1
    t += 0.001
    for from_client, pieces in CONVERSATION:
        src, dst = (CLIENT, SERVER) if from_client else (SERVER, CLIENT)
        seq = c_seq if from_client else s_seq
        segments = []
        for piece in pieces:
            segments.append((seq, piece))
            seq += len(piece)
        if from_client and len(segments) > 1:
            segments.append(segments[-1])                         # a retransmission
        if not from_client and len(segments) > 1:
            segments = segments[::-1]                             # out of order
        t += latency if not from_client else gap
        for s, piece in segments:
            ack = s_seq if from_client else c_seq
            out.append((t, ether(tcp(src, dst, s, ack, PSH | ACK, piece))))
            t += 0.0001
        if from_client:
            c_seq = seq
        else:
            s_seq = seq
    out.append((t + 0.001, ether(tcp(CLIENT, SERVER, c_seq, s_seq, FIN | ACK))))
    out.append((t + 0.0011, ether(tcp(SERVER, CLIENT, s_seq, c_seq + 1, FIN | ACK))))
    out.append((t + 0.0012, ether(tcp(CLIENT, SERVER, c_seq + 1, s_seq + 1, ACK))))
    return out


def pcap(packets, link=1, big=False, nanos=False):
    e = ">" if big else "<"
    magic = 0xA1B23C4D if nanos else 0xA1B2C3D4
    out = struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, 262144, link)
    for t, frame in packets:
        sec = int(t)
        frac = round((t - sec) * (1e9 if nanos else 1e6))
        out += struct.pack(e + "IIII", sec, frac, len(frame), len(frame)) + frame
    return out


def block(e, kind, body):
    body += b"\0" * (-len(body) % 4)
    length = len(body) + 12
    return struct.pack(e + "II", kind, length) + body + struct.pack(e + "I", length)


def pcapng(packets, link=1, big=False, tsresol=None, extra_interface=False):
    e = ">" if big else "<"
    out = block(e, 0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1))
    if extra_interface:   # interface 0 is something else; the packets go on interface 1
        out += block(e, 1, struct.pack(e + "HHI", 113, 0, 0))
    options = b""
    if tsresol is not None:
        options = struct.pack(e + "HH", 9, 1) + bytes([tsresol, 0, 0, 0]) + struct.pack(e + "HH", 0, 0)
    out += block(e, 1, struct.pack(e + "HHI", link, 0, 0) + options)
    out += block(e, 0x0BAD, b"custom block a reader skips")
    units = 1e6
    if tsresol is not None:
        units = 2 ** (tsresol & 0x7F) if tsresol & 0x80 else 10 ** tsresol
    iface = 1 if extra_interface else 0
    for t, frame in packets:
        ticks = round(t * units)
        out += block(e, 6, struct.pack(e + "IIIII", iface, ticks >> 32, ticks & 0xFFFFFFFF, len(frame), len(frame)) + frame)
    return out


def corpus(directory):
    os.makedirs(directory, exist_ok=True)
    packets = conversation_packets()
    raw = [(t, f[14:]) for t, f in packets]
    sll = [(t, struct.pack("!HHH8sH", 0, 1, 6, b"\0" * 8, 0x0800) + f[14:]) for t, f in packets]
    null = [(t, struct.pack("<I", 2) + f[14:]) for t, f in packets]
    udps = [(1.0 + i, ether(udp(CLIENT, SERVER, b"ping %d" % i))) for i in range(3)]
    seeds = {
        "pcap_le": pcap(packets), "pcap_be_ns": pcap(packets, big=True, nanos=True),
        "pcapng_le": pcapng(packets), "pcapng_be_ns": pcapng(packets, big=True, tsresol=9),
        "pcapng_two_ifaces": pcapng(packets, extra_interface=True), "pcap_raw": pcap(raw, link=101),
        "pcap_sll": pcap(sll, link=113), "pcap_null": pcap(null, link=0), "pcap_udp": pcap(udps),
    }
    for name, data in seeds.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "conversation":
        packets = conversation_packets()
        data = pcapng(packets) if len(sys.argv) > 3 and sys.argv[3] == "pcapng" else pcap(packets)
        with open(sys.argv[2], "wb") as f:
            f.write(data)
    elif len(sys.argv) == 3 and sys.argv[1] == "corpus":
        corpus(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

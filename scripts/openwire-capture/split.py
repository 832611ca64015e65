#!/usr/bin/env python3
"""Cut recorded OpenWire streams into frames (stdlib only).

    python3 split.py DIR [--out OUTDIR] [--loose]

DIR holds cN-c2b.raw / cN-b2c.raw files written by proxy.py. Every OpenWire
frame (ActiveMQ 5.x, size prefix enabled, which is the default and what the
Java client and broker use) is

    int32 big-endian SIZE | SIZE bytes of body; body[0] = data-structure type id

That includes the very first frame, WireFormatInfo: its body starts with type 1
and the 8-byte magic "ActiveMQ" (checked here). Each frame, *including its
4-byte size prefix*, i.e. exactly as it crossed the wire, is written to

    OUTDIR/<conn>-<dir>-<index>-t<typeid>-<TypeName>.bin

plus OUTDIR/index.tsv with one line per frame. With --loose, the index also
decodes the loose-encoding command header (commandId, responseRequired and,
for responses, correlationId); that is only meaningful for streams that
negotiated tightEncodingEnabled=false.

As a module: split_stream(bytes) -> [(offset, typeid, frame_bytes)],
decode_wireformat_info(frame_bytes) -> dict.
"""
import argparse
import glob
import os
import re
import struct
import sys

# org.apache.activemq.command.CommandTypes (activemq-client 5.17.2, checked with
# `javap -constants`): every data-structure type id that can stand first in a frame body.
TYPE_NAMES = {
    1: "WireFormatInfo", 2: "BrokerInfo", 3: "ConnectionInfo", 4: "SessionInfo", 5: "ConsumerInfo",
    6: "ProducerInfo", 7: "TransactionInfo", 8: "DestinationInfo", 9: "RemoveSubscriptionInfo",
    10: "KeepAliveInfo", 11: "ShutdownInfo", 12: "RemoveInfo", 14: "ControlCommand", 15: "FlushCommand",
    16: "ConnectionError", 17: "ConsumerControl", 18: "ConnectionControl", 19: "ProducerAck",
    20: "MessagePull", 21: "MessageDispatch", 22: "MessageAck", 23: "ActiveMQMessage",
    24: "ActiveMQBytesMessage", 25: "ActiveMQMapMessage", 26: "ActiveMQObjectMessage",
    27: "ActiveMQStreamMessage", 28: "ActiveMQTextMessage", 29: "ActiveMQBlobMessage", 30: "Response",
    31: "ExceptionResponse", 32: "DataResponse", 33: "DataArrayResponse", 34: "IntegerResponse",
    40: "DiscoveryEvent", 50: "JournalTopicAck", 52: "JournalQueueAck", 53: "JournalTrace",
    54: "JournalTransaction", 55: "DurableSubscriptionInfo", 60: "PartialCommand", 61: "LastPartialCommand",
    65: "ReplayCommand", 90: "MessageDispatchNotification", 91: "NetworkBridgeFilter",
    92: "BrokerSubscriptionInfo",
}
RESPONSE_TYPES = {30, 31, 32, 33, 34}
MAGIC = b"ActiveMQ"


def type_name(t: int) -> str:
    return TYPE_NAMES.get(t, f"Unknown{t}")


def split_stream(data: bytes):
    """Return [(offset, typeid, frame)] where frame includes the 4-byte size prefix.
    A trailing partial frame (connection cut mid-frame) is reported with typeid -1."""
    frames = []
    off = 0
    n = len(data)
    while off < n:
        if n - off < 4:
            frames.append((off, -1, data[off:]))
            break
        (size,) = struct.unpack_from(">i", data, off)
        if size <= 0 or off + 4 + size > n:
            frames.append((off, -1, data[off:]))
            break
        frame = data[off:off + 4 + size]
        t = frame[4]
        if off == 0:
            # the first frame must be WireFormatInfo: size | 0x01 | "ActiveMQ" | version ...
            if t != 1 or frame[5:13] != MAGIC:
                raise ValueError(f"stream does not start with a size-prefixed WireFormatInfo: {frame[:16].hex()}")
        frames.append((off, t, frame))
        off += 4 + size
    return frames


# ----------------------------------------------------------------- primitive maps
# org.apache.activemq.util.MarshallingSupport type tags
P_NULL, P_BOOL, P_BYTE, P_CHAR, P_SHORT, P_INT, P_LONG, P_DOUBLE, P_FLOAT, P_STRING, P_BYTES, P_MAP, P_LIST, \
    P_BIGSTRING = range(14)


class Reader:
    def __init__(self, b: bytes, off: int = 0):
        self.b, self.o = b, off

    def take(self, n):
        v = self.b[self.o:self.o + n]
        if len(v) != n:
            raise ValueError("truncated")
        self.o += n
        return v

    def u8(self):
        return self.take(1)[0]

    def i8(self):
        return struct.unpack(">b", self.take(1))[0]

    def i16(self):
        return struct.unpack(">h", self.take(2))[0]

    def u16(self):
        return struct.unpack(">H", self.take(2))[0]

    def i32(self):
        return struct.unpack(">i", self.take(4))[0]

    def i64(self):
        return struct.unpack(">q", self.take(8))[0]

    def utf(self):  # java.io.DataOutput.writeUTF: u16 length + modified UTF-8
        return decode_mutf8(self.take(self.u16()))


def decode_mutf8(b: bytes) -> str:
    # modified UTF-8: NUL as C0 80, supplementary chars as surrogate pairs (CESU-8)
    return b.replace(b"\xc0\x80", b"\x00").decode("utf-8", "surrogatepass").encode(
        "utf-16", "surrogatepass").decode("utf-16")


def read_primitive(r: Reader):
    t = r.u8()
    if t == P_NULL:
        return None
    if t == P_BOOL:
        return r.u8() != 0
    if t == P_BYTE:
        return r.i8()
    if t == P_CHAR:
        return chr(r.u16())
    if t == P_SHORT:
        return r.i16()
    if t == P_INT:
        return r.i32()
    if t == P_LONG:
        return r.i64()
    if t == P_DOUBLE:
        return struct.unpack(">d", r.take(8))[0]
    if t == P_FLOAT:
        return struct.unpack(">f", r.take(4))[0]
    if t == P_STRING:
        return r.utf()
    if t == P_BYTES:
        return r.take(r.i32())
    if t == P_MAP:
        return read_primitive_map(r)
    if t == P_LIST:
        return [read_primitive(r) for _ in range(r.i32())]
    if t == P_BIGSTRING:
        return decode_mutf8(r.take(r.i32()))
    raise ValueError(f"unknown primitive type {t}")


def read_primitive_map(r: Reader) -> dict:
    n = r.i32()
    out = {}
    if n < 0:
        return None
    for _ in range(n):
        k = r.utf()
        out[k] = read_primitive(r)
    return out


def java_type(v) -> str:
    return {bool: "boolean", int: "int/long", float: "double/float", str: "String", bytes: "byte[]"}.get(
        type(v), type(v).__name__)


def decode_wireformat_info(frame: bytes) -> dict:
    """Decode a WireFormatInfo frame (size prefix included). It is always loose-marshalled in
    practice (the initial OpenWireFormat is loose, uncached): magic[8] | int version |
    boolean present | int length | primitive map."""
    r = Reader(frame, 4)
    if r.u8() != 1:
        raise ValueError("not a WireFormatInfo")
    magic = r.take(8)
    version = r.i32()
    props = None
    typed = {}
    if r.u8():
        length = r.i32()
        body = r.take(length)
        pr = Reader(body)
        n = pr.i32()
        props = {}
        for _ in range(n):
            k = pr.utf()
            tag = pr.b[pr.o]
            v = read_primitive(pr)
            props[k] = v
            typed[k] = {P_BOOL: "boolean", P_INT: "int", P_LONG: "long", P_STRING: "String"}.get(tag, str(tag))
    return {"magic": magic.decode("latin-1"), "version": version, "properties": props, "types": typed,
            "trailing": len(frame) - r.o}


# --------------------------------------------------------- a little loose decoding
# Enough of the loose (tightEncodingEnabled=false, cacheEnabled=false) marshalling to label
# frames in index.tsv. Field orders are those of org.apache.activemq.openwire.v12.*Marshaller.
ACK_TYPES = {0: "DELIVERED", 1: "POISON", 2: "STANDARD", 3: "REDELIVERED", 4: "INDIVIDUAL", 5: "UNMATCHED",
             6: "EXPIRED"}
TX_TYPES = {0: "BEGIN", 1: "PREPARE", 2: "COMMIT_ONE_PHASE", 3: "COMMIT_TWO_PHASE", 4: "ROLLBACK", 5: "RECOVER",
            6: "FORGET", 7: "END"}
DEST_PREFIX = {100: "queue://", 101: "topic://", 102: "temp-queue://", 103: "temp-topic://"}


def l_str(r: Reader):
    return r.utf() if r.u8() else None


def l_bytes(r: Reader):
    return r.take(r.i32()) if r.u8() else None


def l_nested(r: Reader):
    """A nested data structure: boolean notNull, type byte, fields. Only id/destination types."""
    if not r.u8():
        return None
    t = r.u8()
    if t == 120:
        return f"ConnectionId({l_str(r)})"
    if t == 121:
        return f"SessionId({l_str(r)}:{r.i64()})"
    if t == 122:
        return f"ConsumerId({l_str(r)}:{r.i64()}:{r.i64()})"
    if t == 123:
        c, v, sid = l_str(r), r.i64(), r.i64()
        return f"ProducerId({c}:{sid}:{v})"
    if t in DEST_PREFIX:
        return DEST_PREFIX[t] + (l_str(r) or "")
    if t == 111:
        v = r.i64()
        return f"LocalTx({l_nested(r)}:{v})"
    if t == 112:
        fmt, g, b = r.i32(), l_bytes(r), l_bytes(r)
        return f"XATx(format={fmt},gtid={g!r},bq={b!r})"
    raise ValueError(f"no loose decoder for nested type {t}")


def l_throwable(r: Reader):
    if not r.u8():
        return None
    return f"{l_str(r)}: {l_str(r)}"  # the stack trace and cause follow


def loose_header(t: int, frame: bytes) -> str:
    """commandId / responseRequired (+ correlationId, + a few key fields) of a loose-encoded
    command frame."""
    if t in (1, -1) or t not in TYPE_NAMES or len(frame) < 10:
        return ""
    r = Reader(frame, 5)
    cid = r.i32()
    rr = r.u8()
    s = f"commandId={cid} responseRequired={bool(rr)}"
    try:
        if t in RESPONSE_TYPES:
            s += f" correlationId={r.i32()}"
            if t == 31:
                s += f" exception=[{l_throwable(r)}]"
            elif t == 34:
                s += f" result={r.i32()}"
        elif t == 16:
            s += f" exception=[{l_throwable(r)}]"
        elif t == 21:
            consumer, dest = l_nested(r), l_nested(r)
            if r.u8():
                mt = r.u8()
                s += f" consumer={consumer} destination={dest} message={type_name(mt)}"
            else:
                s += f" consumer={consumer} destination={dest} message=null"
        elif t == 22:
            dest, tx, consumer = l_nested(r), l_nested(r), l_nested(r)
            ack = r.u8()
            s += f" ackType={ack}:{ACK_TYPES.get(ack, '?')} destination={dest} tx={tx}"
        elif t == 7:
            conn, tx = l_nested(r), l_nested(r)
            tt = r.u8()
            s += f" type={tt}:{TX_TYPES.get(tt, '?')} tx={tx}"
        elif t == 17:
            dest, close, consumer = l_nested(r), r.u8(), l_nested(r)
            s += f" destination={dest} close={bool(close)} consumer={consumer} prefetch={r.i32()}"
        elif t == 12:
            s += f" object={l_nested(r)} lastDeliveredSequenceId={r.i64()}"
        elif t in (4, 6, 8, 9):  # SessionInfo, ProducerInfo, DestinationInfo, RemoveSubscriptionInfo
            s += f" first={l_nested(r)}"
        elif 23 <= t <= 29:
            producer, dest = l_nested(r), l_nested(r)
            s += f" destination={dest}"
    except (ValueError, IndexError) as e:
        s += f" (decode stopped: {e})"
    return s


def split_dir(src: str, out: str, loose: bool) -> list:
    os.makedirs(out, exist_ok=True)
    rows = []
    raws = sorted(glob.glob(os.path.join(src, "c*-c2b.raw")) + glob.glob(os.path.join(src, "c*-b2c.raw")),
                  key=lambda p: (int(re.match(r"c(\d+)-", os.path.basename(p)).group(1)), p))
    for path in raws:
        conn, direction = re.match(r"(c\d+)-(c2b|b2c)\.raw$", os.path.basename(path)).groups()
        with open(path, "rb") as f:
            data = f.read()
        if not data:
            continue
        for i, (off, t, frame) in enumerate(split_stream(data)):
            name = type_name(t) if t >= 0 else "Truncated"
            fn = f"{conn}-{direction}-{i:04d}-t{t if t >= 0 else 'X'}-{name}.bin"
            with open(os.path.join(out, fn), "wb") as f:
                f.write(frame)
            rows.append((fn, conn, direction, i, off, len(frame), t, name,
                         loose_header(t, frame) if loose else ""))
    with open(os.path.join(out, "index.tsv"), "w") as f:
        f.write("file\tconn\tdir\tindex\tstream_offset\tframe_len\ttype\tname\tloose_header\n")
        for row in rows:
            f.write("\t".join(str(x) for x in row) + "\n")
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", help="directory with cN-c2b.raw / cN-b2c.raw")
    ap.add_argument("--out", help="where to write frames (default: SRC)")
    ap.add_argument("--loose", action="store_true", help="decode loose command headers into index.tsv")
    ap.add_argument("--wfi", action="store_true", help="print the decoded WireFormatInfo of each stream")
    args = ap.parse_args()
    rows = split_dir(args.src, args.out or args.src, args.loose)
    counts = {}
    for r in rows:
        counts[(r[6], r[7])] = counts.get((r[6], r[7]), 0) + 1
    for (t, name), c in sorted(counts.items()):
        print(f"{t:>3} {name:<28} {c}")
    if args.wfi:
        for path in sorted(glob.glob(os.path.join(args.src, "c*-*.raw"))):
            with open(path, "rb") as f:
                data = f.read()
            if data:
                print(os.path.basename(path), decode_wireformat_info(split_stream(data)[0][2]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

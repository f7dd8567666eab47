#!/usr/bin/env python3
"""Checks a report folder's report.json with the Python standard library only.

Usage: tools/verify-report-proofs.py REPORT_DIR

Checks, in order: report.json is canonical JSON; the checkpoint's genesis hash is that of its
log id; every embedded event hashes to its `hash` from its columns, links to the embedded event
before it when their seqs are consecutive, and its RFC 6962 inclusion proof leads to the
checkpoint root. It does not check the signature (use tools/verify-signature.sh) and does not
re-derive the verdicts (use `audit verify-report`). Prints OK, or FAILED and the first reason.
"""
import hashlib
import json
import struct
import sys


def fail(reason):
    print("FAILED: " + reason)
    sys.exit(1)


def field(value):
    # NULL is 0x00; text is 0x01, its UTF-8 length as 4 bytes big-endian, then the bytes.
    if value is None:
        return b"\x00"
    data = value.encode("utf-8")
    return b"\x01" + struct.pack(">I", len(data)) + data


def chain_hash(e):
    columns = ["event_id", "site", "stack", "type", "payload", "observed_at", "recorded_at", "actor"]
    message = bytes.fromhex(e["prev_hash"]) + struct.pack(">Q", e["seq"])
    message += b"".join(field(e[c]) for c in columns)
    return hashlib.sha256(message).hexdigest()


def verify_inclusion(leaf_hash, index, size, proof, root):
    # RFC 9162 section 2.1.3.2.
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


raw = open(sys.argv[1] + "/report.json", "rb").read()
report = json.loads(raw)
canonical = json.dumps(report, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
if canonical != raw:
    fail("report.json is not canonical JSON")
checkpoint = report["checkpoint"]
genesis = hashlib.sha256(field("audit.genesis.v1") + field(report["log_id"])).hexdigest()
if genesis != checkpoint["genesis"]:
    fail("checkpoint genesis is not the genesis hash of log id " + report["log_id"])
size, root = checkpoint["size"], bytes.fromhex(checkpoint["root"])
previous = None
for e in report["events"]:
    seq = e["seq"]
    if chain_hash(e) != e["hash"]:
        fail("event seq %d: hash does not match its columns" % seq)
    if seq == 1 and e["prev_hash"] != checkpoint["genesis"]:
        fail("event seq 1: prev_hash is not the genesis hash")
    if previous is not None and previous["seq"] == seq - 1 and e["prev_hash"] != previous["hash"]:
        fail("event seq %d: prev_hash does not link to event seq %d" % (seq, seq - 1))
    if seq == size and e["hash"] != checkpoint["head"]:
        fail("event seq %d: hash is not the checkpoint head" % seq)
    leaf = hashlib.sha256(b"\x00" + bytes.fromhex(e["hash"])).digest()
    if not verify_inclusion(leaf, seq - 1, size, [bytes.fromhex(p) for p in e["proof"]], root):
        fail("event seq %d: inclusion proof does not verify against the checkpoint root" % seq)
    previous = e
print("OK: %d events proven against root %s (checkpoint size %d)" % (len(report["events"]), checkpoint["root"], size))

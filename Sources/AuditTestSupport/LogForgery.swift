/// A python3 script that does what a key holder could: edits the payload of one seq and recomputes every later
/// hash, so the chain alone still verifies. Arguments: the log's path, the seq.
public enum LogForgery {
    public static let script = """
        import hashlib, json, sqlite3, struct, sys
        con = sqlite3.connect(sys.argv[1])
        con.execute("DROP TRIGGER events_no_update"); con.execute("DROP TRIGGER events_no_delete")
        seq = int(sys.argv[2])
        data = json.loads(con.execute("SELECT payload FROM events WHERE seq = ?", (seq,)).fetchone()[0])
        data["forged"] = 1
        con.execute("UPDATE events SET payload = ? WHERE seq = ?", (json.dumps(data, sort_keys=True, separators=(",", ":")), seq))
        def field(v):
            if v is None: return b"\\x00"
            b = v.encode("utf-8"); return b"\\x01" + struct.pack(">I", len(b)) + b
        prev = con.execute("SELECT prev_hash FROM events WHERE seq = ?", (seq,)).fetchone()[0]
        for row in con.execute("SELECT seq, event_id, site, stack, type, payload, observed_at, recorded_at, actor FROM events WHERE seq >= ? ORDER BY seq", (seq,)).fetchall():
            digest = hashlib.sha256(bytes.fromhex(prev) + struct.pack(">Q", row[0]) + b"".join(field(v) for v in row[1:9])).hexdigest()
            con.execute("UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, row[0]))
            prev = digest
        con.commit()
        """
}

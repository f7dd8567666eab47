import GRDB
import GRDBSQLite

extension Database {
    /// One `sqlite3_step` for the hand-rolled loops that read SQLite's buffers directly: true for a row,
    /// false when done, and any other result code thrown as GRDB would.
    func step(_ statement: OpaquePointer) throws -> Bool {
        let code = sqlite3_step(statement)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        throw DatabaseError(
            resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqliteConnection)))
    }
}

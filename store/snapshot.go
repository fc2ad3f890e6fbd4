package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// SQLiteFile is where the embedded FerretDB keeps database name under
// dataDir (one SQLite file per database).
func SQLiteFile(dataDir, name string) string {
	return filepath.Join(dataDir, "db", name+".sqlite")
}

// SnapshotSQLite writes a consistent copy of the embedded database's SQLite
// file at src to dest (which must not exist) with SQLite's VACUUM INTO: one
// read transaction, so the copy is the database as it was at one moment,
// while serve goes on writing (the file is in WAL mode: readers and the
// writer do not block each other).
// Errors: src missing or unreadable, dest present, the disk's.
func SnapshotSQLite(ctx context.Context, src, dest string) error {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("database file: %w", err)
	}
	if _, err := os.Stat(dest); err == nil {
		return fmt.Errorf("%s exists", dest)
	}
	if strings.ContainsAny(dest, "'\x00") {
		return fmt.Errorf("snapshot path %q: no quotes", dest)
	}
	sdb, err := sql.Open("sqlite", "file:"+src+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("open %s: %w", src, err)
	}
	defer sdb.Close()
	if _, err := sdb.ExecContext(ctx, "VACUUM INTO '"+dest+"'"); err != nil {
		return fmt.Errorf("snapshot %s: %w", src, err)
	}
	return nil
}

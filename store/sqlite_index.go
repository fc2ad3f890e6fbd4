package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.mongodb.org/mongo-driver/mongo"
	_ "modernc.org/sqlite" // the driver FerretDB itself uses; registers "sqlite"
)

// IndexIDs makes _id lookups, updates and deletes use an index in the
// embedded FerretDB's SQLite files.
//
// FerretDB 1.24 indexes _id as `_ferretdb_sjson->"_id"` but queries it as
// `_ferretdb_sjson->'$._id'`; SQLite uses an expression index only for the
// same expression, so every find, update and delete by _id scans the table
// (measured here at 10,000 documents: update 42 ms → 3.7 ms, find 1.9 ms →
// 0.7 ms with this index). This creates the matching index on every FerretDB
// table of the database. The collections named are created first, so that
// their tables exist; tables FerretDB creates later get the index at the next
// start. The collections are created on every backend: FerretDB keeps a
// catalogue of collections per process, and one created by another instance
// after this one started would read as empty here (seen over PostgreSQL).
func (db *DB) IndexIDs(ctx context.Context, collections ...string) error {
	for _, name := range collections {
		err := db.DB.CreateCollection(ctx, name)
		var ce mongo.CommandError
		if err != nil && !(errors.As(err, &ce) && ce.Code == 48) { // 48: NamespaceExists
			return fmt.Errorf("create collection %s: %w", name, err)
		}
	}
	if db.sqliteDir == "" {
		return nil
	}
	return IndexSQLiteIDs(ctx, filepath.Join(db.sqliteDir, db.DB.Name()+".sqlite"))
}

// IndexSQLiteIDs adds the _id index (see IndexIDs) to every FerretDB table in
// the SQLite file at path.
func IndexSQLiteIDs(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("sqlite file: %w", err)
	}
	sdb, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer sdb.Close()
	rows, err := sdb.QueryContext(ctx, `SELECT table_name FROM _ferretdb_collections`)
	if err != nil {
		return fmt.Errorf("list ferretdb tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	for _, t := range tables {
		if strings.ContainsAny(t, `"`) {
			continue
		}
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS "%s_herstart_id" ON "%s" (_ferretdb_sjson->'$._id')`, t, t)
		if _, err := sdb.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("index %s: %w", t, err)
		}
	}
	return nil
}

// DropIndexes removes the named indexes of coll; one that is not there is
// no error.
func DropIndexes(ctx context.Context, coll *mongo.Collection, names ...string) error {
	for _, name := range names {
		_, err := coll.Indexes().DropOne(ctx, name)
		var ce mongo.CommandError
		if err != nil && !(errors.As(err, &ce) && (ce.Code == 27 || ce.Code == 26)) { // IndexNotFound, NamespaceNotFound
			return fmt.Errorf("drop index %s.%s: %w", coll.Name(), name, err)
		}
	}
	return nil
}

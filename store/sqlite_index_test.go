package store_test

import (
	"context"
	"database/sql"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/herstart/herstart/store"
)

// TestIndexIDs checks that the embedded SQLite backend gets an index on the
// very expression FerretDB filters _id by, and that SQLite's planner uses it
// for the statements FerretDB sends for a find and an update.
func TestIndexIDs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, store.Config{DataDir: dir, Database: "idx", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if db.Backend != "ferretdb-sqlite" {
		t.Skipf("backend %s: the index is for the embedded SQLite backend only", db.Backend)
	}
	if err := db.IndexIDs(ctx, "things", "others"); err != nil {
		t.Fatal(err)
	}
	if err := db.IndexIDs(ctx, "things"); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if _, err := db.DB.Collection("things").InsertOne(ctx, bson.M{"_id": "a", "n": 1}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(ctx); err != nil {
		t.Fatal(err)
	}

	sdb, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "db", "idx.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	var table string
	if err := sdb.QueryRow(`SELECT table_name FROM _ferretdb_collections WHERE name = 'things'`).Scan(&table); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM "` + table + `" WHERE _ferretdb_sjson->'$._id' = ?`,
		`EXPLAIN QUERY PLAN UPDATE "` + table + `" SET _ferretdb_sjson = ? WHERE _ferretdb_sjson->'$._id' = ?`,
	} {
		var id, parent, notused int
		var detail string
		if err := sdb.QueryRow(q, `"a"`, `"a"`).Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		if want := "USING INDEX " + table + "_herstart_id"; !strings.Contains(detail, want) {
			t.Fatalf("plan %q; want %q", detail, want)
		}
	}
}

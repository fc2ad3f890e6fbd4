// Package storetest gives each test its own database on a real server: an
// embedded FerretDB (SQLite) started once per test binary, the embedded
// FerretDB over PostgreSQL when HERSTART_TEST_POSTGRES_URL is set, or a real
// MongoDB when HERSTART_TEST_MONGODB_URI is set.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/herstart/herstart/store"
)

var (
	once      sync.Once
	serverURI string
	client    *mongo.Client
	backend   string
	startErr  error
	sharedDir string
)

func start() {
	uri := os.Getenv("HERSTART_TEST_MONGODB_URI")
	backend = "mongodb"
	if uri == "" {
		dir, err := os.MkdirTemp("", "herstart-storetest-")
		if err != nil {
			startErr = err
			return
		}
		sharedDir = dir
		quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
		e, err := store.StartEmbedded(store.Config{DataDir: dir, PostgresURL: os.Getenv("HERSTART_TEST_POSTGRES_URL"), Logger: quiet})
		if err != nil {
			startErr = err
			return
		}
		uri, backend = e.URI, e.Backend
		// The embedded server lives as long as the test binary; the OS reclaims it.
	}
	serverURI = uri
	client, startErr = mongo.Connect(context.Background(), options.Client().ApplyURI(uri).SetTimeout(60*time.Second))
}

// Create makes the named collections of db now, as serve does at start:
// two FerretDB servers on one PostgreSQL database that both create a
// collection on its first write race ("relation … already exists"), so
// race tests create theirs before the second instance starts.
func Create(tb testing.TB, db *mongo.Database, names ...string) {
	tb.Helper()
	for _, n := range names {
		err := db.CreateCollection(context.Background(), n)
		var ce mongo.CommandError
		if err != nil && !(errors.As(err, &ce) && ce.Code == 48) { // NamespaceExists
			tb.Fatalf("storetest: create %s: %v", n, err)
		}
	}
}

// SecondInstance returns db as a second serve instance would see it: over
// FerretDB on PostgreSQL, through a second embedded FerretDB server on the
// same PostgreSQL database (two serve processes); otherwise through a
// second client of the same server (its own connection pool), since two
// processes cannot share one SQLite-backed FerretDB, and a real MongoDB is
// one server for any number of clients.
func SecondInstance(t testing.TB, db *mongo.Database) *mongo.Database {
	t.Helper()
	uri := URI()
	if pg := os.Getenv("HERSTART_TEST_POSTGRES_URL"); pg != "" && os.Getenv("HERSTART_TEST_MONGODB_URI") == "" {
		quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
		e, err := store.StartEmbedded(store.Config{DataDir: t.TempDir(), PostgresURL: pg, Logger: quiet})
		if err != nil {
			t.Fatalf("storetest: second server: %v", err)
		}
		uri = e.URI
		t.Cleanup(e.Stop)
	}
	c, err := mongo.Connect(context.Background(), options.Client().ApplyURI(uri).SetTimeout(60*time.Second))
	if err != nil {
		t.Fatalf("storetest: second client: %v", err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c.Database(db.Name())
}

// URI is the test server's connection string, for a test that opens a
// second client (as a second serve instance would).
func URI() string {
	once.Do(start)
	return serverURI
}

// Open returns a fresh, empty database for t, dropped when t ends.
func Open(t testing.TB) *mongo.Database {
	t.Helper()
	once.Do(start)
	if startErr != nil {
		t.Fatalf("storetest: start database: %v", startErr)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := fmt.Sprintf("t_%s", hex.EncodeToString(b[:]))
	db := client.Database(name)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = db.Drop(ctx)
	})
	return db
}

// Backend names the server the tests run against.
func Backend() string {
	once.Do(start)
	return backend
}

// IndexIDs creates db's collections, and gives them the _id index of
// store.DB.IndexIDs when the tests run on the embedded SQLite backend, as
// serve does at start.
func IndexIDs(tb testing.TB, db *mongo.Database, collections ...string) {
	tb.Helper()
	ctx := context.Background()
	for _, c := range collections {
		if err := db.CreateCollection(ctx, c); err != nil && !strings.Contains(err.Error(), "already exists") {
			tb.Fatalf("create %s: %v", c, err)
		}
	}
	if sharedDir == "" || backend != "ferretdb-sqlite" {
		return
	}
	if err := store.IndexSQLiteIDs(ctx, filepath.Join(sharedDir, "db", db.Name()+".sqlite")); err != nil {
		tb.Fatalf("index ids: %v", err)
	}
}

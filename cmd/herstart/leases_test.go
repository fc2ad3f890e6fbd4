package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/herstart/herstart/store"
)

// TestServe_TakesOverAndGivesUpLeases: a serve that was killed leaves its
// leases behind (here planted: the payments sweep held for two more hours
// by the previous run's holder); the next serve of that data directory
// takes them at once, and a serve that stops gives its own up.
func TestServe_TakesOverAndGivesUpLeases(t *testing.T) {
	env := testEnv(t, map[string]string{"HERSTART_ADDR": "127.0.0.1:0"})
	ctx := context.Background()
	open := func() *store.DB {
		db, err := store.Open(ctx, store.Config{MongoURI: env["MONGODB_URI"], PostgresURL: env["HERSTART_POSTGRES_URL"], DataDir: env["HERSTART_DATA_DIR"], Database: env["HERSTART_DB_NAME"]})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := open()
	if ok, err := store.NewLeases(db.DB).Acquire(ctx, "payments-sweep", "i_killedprocess01", time.Now(), 2*time.Hour); !ok || err != nil {
		t.Fatalf("plant: %v, %v", ok, err)
	}
	db.Close(ctx)
	if err := os.WriteFile(filepath.Join(env["HERSTART_DATA_DIR"], "serve-holder"), []byte("i_killedprocess01\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	_, _, stop := startServe(t, env)
	// The jobs start with the serve: give the payments sweep a moment.
	time.Sleep(2 * time.Second)
	stop()

	db = open()
	defer db.Close(ctx)
	var lease struct {
		Holder string    `bson:"holder"`
		Until  time.Time `bson:"until"`
	}
	if err := db.DB.Collection("leases").FindOne(ctx, bson.M{"_id": "payments-sweep"}).Decode(&lease); err != nil {
		t.Fatal(err)
	}
	if lease.Holder == "i_killedprocess01" {
		t.Fatalf("the killed process's lease was not taken over: %+v", lease)
	}
	if !lease.Until.IsZero() && lease.Until.After(time.Now()) {
		t.Fatalf("the stopped serve kept its lease until %s", lease.Until)
	}
	n, err := db.DB.Collection("leases").CountDocuments(ctx, bson.M{"until": bson.M{"$gt": time.Now()}})
	if err != nil || n != 0 {
		t.Fatalf("%d leases still held after serve stopped (%v)", n, err)
	}
}

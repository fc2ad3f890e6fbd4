package audit_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"path/filepath"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/store/storetest"
)

// rewrite replaces events from seq on with a forged history whose hashes
// are recomputed, and moves the head to its end: what someone with write
// access to the database (and the code) can do. keep events are written.
func rewrite(t *testing.T, db *mongo.Database, from int64, keep int) {
	t.Helper()
	ctx := context.Background()
	ev := db.Collection("audit_events")
	var prev struct {
		Hash string `bson:"hash"`
	}
	if err := ev.FindOne(ctx, bson.M{"_id": audit.DocID(from - 1)}).Decode(&prev); err != nil {
		t.Fatal(err)
	}
	if _, err := ev.DeleteMany(ctx, bson.M{"seq": bson.M{"$gte": from}}); err != nil {
		t.Fatal(err)
	}
	hash := prev.Hash
	for i := 0; i < keep; i++ {
		e := audit.Event{Seq: from + int64(i), ActorID: "u1", Role: "coordinator", Action: "test.forged", Subject: "candidate:c1", PrevHash: hash}
		e.Hash = audit.Hash(e)
		doc := bson.M{"_id": audit.DocID(e.Seq), "seq": e.Seq, "time": e.Time, "actor_id": e.ActorID, "role": e.Role, "action": e.Action,
			"subject": e.Subject, "prev_hash": e.PrevHash, "hash": e.Hash}
		if _, err := ev.InsertOne(ctx, doc); err != nil {
			t.Fatal(err)
		}
		hash = e.Hash
	}
	if _, err := db.Collection("audit_head").UpdateOne(ctx, bson.M{"_id": "head"}, bson.M{"$set": bson.M{"seq": from + int64(keep) - 1, "hash": hash}}); err != nil {
		t.Fatal(err)
	}
}

// TestCheckpoints_CatchACutAndARewrite: the hash chain alone takes a
// rewritten or cut tail whose hashes were recomputed; the signed
// checkpoints (in the database, and the newest in a file outside it) do
// not, and a checkpoint signed by another key is refused.
func TestCheckpoints_CatchACutAndARewrite(t *testing.T) {
	ctx := context.Background()
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	pub := key.Public().(ed25519.PublicKey)
	setup := func(t *testing.T) (*mongo.Database, *audit.Recorder, string) {
		db := storetest.Open(t)
		r := audit.NewRecorder(db, nil)
		file := filepath.Join(t.TempDir(), "checkpoint.json")
		r.SetSigner(key, 5, file)
		record(t, r, 12, "candidate:c1")
		if err := r.Checkpoint(ctx); err != nil { // as at shutdown
			t.Fatal(err)
		}
		rep, err := r.VerifySigned(ctx, pub, file)
		if err != nil || !rep.OK() || rep.Checkpoints != 3 || rep.Events != 12 {
			t.Fatalf("VerifySigned of an intact log = %+v, %v; want 12 events, checkpoints 5, 10 and 12", rep, err)
		}
		return db, r, file
	}
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, db *mongo.Database)
		noFile bool
		want   string
	}{
		{"tail cut", func(t *testing.T, db *mongo.Database) { rewrite(t, db, 11, 0) }, false, "tail was cut"},
		{"tail cut, checkpoints deleted too", func(t *testing.T, db *mongo.Database) {
			rewrite(t, db, 11, 0)
			db.Collection("audit_checkpoints").DeleteMany(ctx, bson.M{})
		}, false, "tail was cut"},
		{"newest events rewritten", func(t *testing.T, db *mongo.Database) { rewrite(t, db, 9, 4) }, false, "signed checkpoint"},
		{"rewritten from before a checkpoint, without the file", func(t *testing.T, db *mongo.Database) {
			rewrite(t, db, 4, 9)
		}, true, "signed checkpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, r, file := setup(t)
			tc.tamper(t, db)
			if tc.noFile {
				file = ""
			}
			plain, err := r.Verify(ctx)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := r.VerifySigned(ctx, pub, file)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("hash chain alone: %+v; with the signed checkpoints: %+v", plain, rep)
			if !plain.OK() {
				t.Fatalf("the tampering is caught by the hash chain alone (%s): the case shows nothing", plain.Problem)
			}
			if rep.OK() || !strings.Contains(rep.Problem, tc.want) {
				t.Fatalf("VerifySigned = %+v; want it broken: %q", rep, tc.want)
			}
		})
	}
	t.Run("forged checkpoint", func(t *testing.T) {
		db, r, _ := setup(t)
		_, other, _ := ed25519.GenerateKey(rand.Reader)
		forger := audit.NewRecorder(db, nil)
		forger.SetSigner(other, 1000, "")
		rewrite(t, db, 11, 0)
		db.Collection("audit_checkpoints").DeleteMany(ctx, bson.M{})
		if err := forger.Checkpoint(ctx); err != nil {
			t.Fatal(err)
		}
		if rep, _ := r.VerifySigned(ctx, pub, ""); rep.OK() || !strings.Contains(rep.Problem, "valid signature") {
			t.Fatalf("a checkpoint signed by another key: %+v", rep)
		}
	})
}

// TestLoadOrCreateKey: a key is made once and read back the same, with
// its public key beside it.
func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "audit.key")
	k1, err := audit.LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := audit.LoadOrCreateKey(path)
	if err != nil || !k1.Equal(k2) {
		t.Fatalf("the key read back differs: %v", err)
	}
}

package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"
)

// A checkpoint is the chain's end (sequence number and hash) signed with
// an Ed25519 key kept outside the database. The hash chain alone catches an
// edited event; someone with write access to the database could still cut
// the tail, or rewrite the newest events and recompute their hashes. A
// signed checkpoint fixes the chain up to its event: verify checks every
// checkpoint's signature, that the chain still holds its hash at its
// sequence number, and that the chain reaches the newest checkpoint. The
// newest one is also written to a file beside the key, so deleting the
// checkpoints from the database does not hide a cut either.
type Checkpoint struct {
	Seq  int64     `json:"seq" bson:"seq"`
	Hash string    `json:"hash" bson:"hash"`
	At   time.Time `json:"at" bson:"at"`
	Sig  string    `json:"sig" bson:"sig"` // base64 Ed25519 signature of message()
}

// message is what a checkpoint's signature covers.
func (c Checkpoint) message() []byte {
	return []byte("herstart-audit-checkpoint\n" + strconv.FormatInt(c.Seq, 10) + "\n" + c.Hash + "\n" + c.At.UTC().Format(time.RFC3339Nano))
}

// Valid reports whether the checkpoint is signed by pub.
func (c Checkpoint) Valid(pub ed25519.PublicKey) bool {
	sig, err := base64.StdEncoding.DecodeString(c.Sig)
	return err == nil && len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, c.message(), sig)
}

// DefaultCheckpointEvery is how many events a signed checkpoint covers at
// most (HERSTART_AUDIT_CHECKPOINT_EVERY), besides the one at shutdown.
const DefaultCheckpointEvery = 1000

// signer is the recorder's signing key and where the newest checkpoint is
// kept outside the database.
type signer struct {
	key   ed25519.PrivateKey
	every int64
	file  string // the newest checkpoint, as JSON ("" for none)
}

// SetSigner makes the recorder sign a checkpoint every `every` events
// (and on Checkpoint), keeping the newest in file as well (may be "").
func (r *Recorder) SetSigner(key ed25519.PrivateKey, every int64, file string) {
	if every < 1 {
		every = DefaultCheckpointEvery
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.signer = &signer{key: key, every: every, file: file}
}

// LoadOrCreateKey reads the Ed25519 signing key of path (hex seed), or
// makes one there (mode 0600) when the file does not exist. The public key
// is written beside it (path + ".pub", hex), for verifying elsewhere.
func LoadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		seed, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("audit signing key %s: not a hex Ed25519 seed", path)
		}
		return ed25519.NewKeyFromSeed(seed), nil
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(key.Seed())+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	pub := key.Public().(ed25519.PublicKey)
	if err := os.WriteFile(path+".pub", []byte(hex.EncodeToString(pub)+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	return key, nil
}

// ParsePublicKey reads a hex Ed25519 public key.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("not a hex Ed25519 public key")
	}
	return ed25519.PublicKey(b), nil
}

// maybeCheckpoint signs a checkpoint when seq completes a stretch of the
// signer's size. Called under r.mu after an append; a failure is returned
// for logging only: the event itself is written.
func (r *Recorder) maybeCheckpoint(ctx context.Context, seq int64, hash string) error {
	if r.signer == nil || seq%r.signer.every != 0 {
		return nil
	}
	return r.sign(ctx, seq, hash)
}

func (r *Recorder) sign(ctx context.Context, seq int64, hash string) error {
	c := Checkpoint{Seq: seq, Hash: hash, At: r.now().UTC().Truncate(time.Millisecond)}
	c.Sig = base64.StdEncoding.EncodeToString(ed25519.Sign(r.signer.key, c.message()))
	_, err := r.checkpoints.UpdateOne(ctx, bson.M{"_id": DocID(seq)}, bson.M{"$setOnInsert": c}, options.Update().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("audit checkpoint %d: %w", seq, err)
	}
	if r.signer.file == "" {
		return nil
	}
	if prev, err := readCheckpointFile(r.signer.file); err == nil && prev.Seq > seq {
		return nil // another process (or an earlier run) signed further
	}
	b, _ := json.Marshal(c)
	tmp := r.signer.file + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("audit checkpoint file: %w", err)
	}
	return os.Rename(tmp, r.signer.file)
}

// Checkpoint saves the head and signs the chain's end as it is now (at
// shutdown, and for tests); it signs nothing when no key is set or the log
// is empty.
func (r *Recorder) Checkpoint(ctx context.Context) error {
	r.FlushHead(ctx)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.signer == nil {
		return nil
	}
	h, err := r.currentHead(ctx)
	if err != nil {
		return err
	}
	if h, err = r.catchUp(ctx, h); err != nil {
		return err
	}
	if h.Seq == 0 {
		return nil
	}
	return r.sign(ctx, h.Seq, h.Hash)
}

func readCheckpointFile(path string) (Checkpoint, error) {
	var c Checkpoint
	b, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("audit checkpoint file %s: %w", path, err)
	}
	return c, nil
}

// checkpoints reads the signed checkpoints of the database, by sequence
// number, and the one in file (when given and present).
func (r *Recorder) checkpointsOf(ctx context.Context, file string) ([]Checkpoint, error) {
	cur, err := r.checkpoints.Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return nil, fmt.Errorf("audit checkpoints: %w", err)
	}
	var out []Checkpoint
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("audit checkpoints: %w", err)
	}
	if file != "" {
		c, err := readCheckpointFile(file)
		switch {
		case err == nil:
			out = append(out, c)
		case !errors.Is(err, os.ErrNotExist):
			return nil, err
		}
	}
	return out, nil
}

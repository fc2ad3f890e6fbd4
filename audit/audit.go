// Package audit keeps the append-only, hash-chained audit log: every event
// carries the SHA-256 of the one before it, so editing or deleting any stored
// event breaks the chain, and Verify finds the first broken link.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/herstart/herstart/store"
)

// Actions recorded by the platform. Domain packages add their own.
const (
	ActionLogin          = "auth.login"
	ActionLoginFailed    = "auth.login_failed"
	ActionUserCreate     = "user.create"
	ActionTOTPEnrol      = "user.totp_enrol"
	ActionAuditRead      = "audit.read"
	ActionIdentityRead   = "candidate.identity_read"
	ActionCandidateWrite = "candidate.write"
	ActionConsentGrant   = "consent.grant"
	ActionConsentRevoke  = "consent.withdraw"
)

// Entry is what a caller records; the Recorder adds sequence, time and hashes.
type Entry struct {
	ActorID string
	Role    string
	Action  string
	Subject string            // "candidate:c_…", "user:u_…"
	Details map[string]string // no personal data: ids, field names, levels
}

// Event is a stored audit event.
type Event struct {
	Seq       int64             `json:"seq"`
	Time      time.Time         `json:"time"`
	ActorID   string            `json:"actor_id"`
	Role      string            `json:"role"`
	Action    string            `json:"action"`
	Subject   string            `json:"subject"`
	RequestID string            `json:"request_id,omitempty"`
	Details   map[string]string `json:"details,omitempty"`
	PrevHash  string            `json:"prev_hash"`
	Hash      string            `json:"hash"`
}

type eventDoc struct {
	ID        string            `bson:"_id"` // DocID(Seq): FerretDB finds string ids by index, integer ids only by scanning
	Seq       int64             `bson:"seq"`
	Time      time.Time         `bson:"time"`
	ActorID   string            `bson:"actor_id"`
	Role      string            `bson:"role"`
	Action    string            `bson:"action"`
	Subject   string            `bson:"subject"`
	RequestID string            `bson:"request_id,omitempty"`
	Details   map[string]string `bson:"details,omitempty"`
	PrevHash  string            `bson:"prev_hash"`
	Hash      string            `bson:"hash"`
}

type headDoc struct {
	ID   string `bson:"_id"`
	Seq  int64  `bson:"seq"`
	Hash string `bson:"hash"`
}

// genesis is the previous hash of the first event.
const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Recorder appends events to the chain. It is safe for concurrent use, and
// several processes may append to the same database: a clash on a sequence
// number is detected by the unique _id and retried on the newer head.
type Recorder struct {
	events   *mongo.Collection
	head     *mongo.Collection
	subjects *mongo.Collection
	now      func() time.Time

	mu     sync.Mutex
	cached *headDoc
}

// NewRecorder returns a Recorder over db. now may be nil (time.Now).
func NewRecorder(db *mongo.Database, now func() time.Time) *Recorder {
	if now == nil {
		now = time.Now
	}
	return &Recorder{
		events:   db.Collection("audit_events"),
		head:     db.Collection("audit_head"),
		subjects: db.Collection("audit_subjects"),
		now:      now,
	}
}

// Collections names the collections the Recorder uses.
func (r *Recorder) Collections() []string {
	return []string{r.events.Name(), r.head.Name(), r.subjects.Name()}
}

// EnsureIndexes creates the indexes real MongoDB uses to answer the
// coordinator's subject queries.
func (r *Recorder) EnsureIndexes(ctx context.Context) error {
	_, err := r.events.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: bson.D{{Key: "subject", Value: 1}, {Key: "seq", Value: -1}}})
	if err != nil {
		return fmt.Errorf("audit indexes: %w", err)
	}
	return nil
}

type ctxKey struct{}

// WithRequestID returns ctx carrying the request id that events record.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// RequestID returns the request id in ctx, or "".
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(ctxKey{}).(string)
	return s
}

// Hash returns the chain hash of e: SHA-256 over its content and PrevHash.
func Hash(e Event) string {
	canon := struct {
		Seq       int64             `json:"seq"`
		Time      string            `json:"time"`
		ActorID   string            `json:"actor_id"`
		Role      string            `json:"role"`
		Action    string            `json:"action"`
		Subject   string            `json:"subject"`
		RequestID string            `json:"request_id"`
		Details   map[string]string `json:"details"` // encoding/json sorts map keys
		PrevHash  string            `json:"prev_hash"`
	}{e.Seq, e.Time.UTC().Format(time.RFC3339Nano), e.ActorID, e.Role, e.Action, e.Subject, e.RequestID, e.Details, e.PrevHash}
	b, _ := json.Marshal(canon)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Record appends an event for entry. The event is written before Record
// returns; an error means it may not have been.
func (r *Recorder) Record(ctx context.Context, entry Entry) error {
	if entry.Action == "" {
		return errors.New("audit: empty action")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	h, err := r.currentHead(ctx)
	if err != nil {
		return err
	}
	for attempt := 0; attempt < 100; attempt++ {
		e := Event{
			Seq: h.Seq + 1,
			// BSON keeps milliseconds: hash what is stored.
			Time:      r.now().UTC().Truncate(time.Millisecond),
			ActorID:   entry.ActorID,
			Role:      entry.Role,
			Action:    entry.Action,
			Subject:   entry.Subject,
			RequestID: RequestID(ctx),
			Details:   entry.Details,
			PrevHash:  h.Hash,
		}
		e.Hash = Hash(e)
		if e.Subject != "" {
			// Indexed before the insert: a crash in between leaves an index
			// entry the reader skips, never an event the index misses.
			if err := r.index(ctx, e.Subject, e.Seq); err != nil {
				return err
			}
		}
		_, err := r.events.InsertOne(ctx, toDoc(e))
		if mongo.IsDuplicateKeyError(err) {
			// Another process appended first: move to its event and retry.
			var d eventDoc
			if err := r.events.FindOne(ctx, bson.M{"_id": DocID(h.Seq + 1)}).Decode(&d); err != nil {
				return fmt.Errorf("audit: read event %d: %w", h.Seq+1, err)
			}
			h = &headDoc{ID: "head", Seq: d.Seq, Hash: d.Hash}
			continue
		}
		if err != nil {
			r.cached = nil
			return fmt.Errorf("audit insert: %w", err)
		}
		nh := &headDoc{ID: "head", Seq: e.Seq, Hash: e.Hash}
		r.cached = nh
		if err := r.saveHead(ctx, nh); err != nil {
			return err
		}
		return nil
	}
	return errors.New("audit: could not append after 100 attempts")
}

func (r *Recorder) currentHead(ctx context.Context) (*headDoc, error) {
	if r.cached != nil {
		return r.cached, nil
	}
	var h headDoc
	err := r.head.FindOne(ctx, bson.M{"_id": "head"}).Decode(&h)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		h = headDoc{ID: "head", Seq: 0, Hash: genesis}
	case err != nil:
		return nil, fmt.Errorf("audit head: %w", err)
	}
	return &h, nil
}

// saveHead moves the head forward, never back. The head is only a hint where
// to append; the chain of events is the truth.
func (r *Recorder) saveHead(ctx context.Context, h *headDoc) error {
	res, err := r.head.UpdateOne(ctx, bson.M{"_id": "head", "seq": bson.M{"$lt": h.Seq}}, bson.M{"$set": bson.M{"seq": h.Seq, "hash": h.Hash}})
	if err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	if res.MatchedCount == 0 {
		_, err := r.head.InsertOne(ctx, h)
		if err != nil && !mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("audit head: %w", err)
		}
	}
	return nil
}

// DocID is the stored _id of event seq: zero-padded, so ids sort as numbers.
func DocID(seq int64) string { return fmt.Sprintf("%016d", seq) }

func toDoc(e Event) eventDoc {
	return eventDoc{DocID(e.Seq), e.Seq, e.Time, e.ActorID, e.Role, e.Action, e.Subject, e.RequestID, e.Details, e.PrevHash, e.Hash}
}

func (d eventDoc) toEvent() Event {
	return Event{d.Seq, d.Time.UTC(), d.ActorID, d.Role, d.Action, d.Subject, d.RequestID, d.Details, d.PrevHash, d.Hash}
}

// chunkSize is how many sequence numbers one subject index document holds:
// FerretDB's cost grows with a document's fields, so a subject read a
// thousand times must not become one document of a thousand.
const chunkSize = 25

// index adds seq to subject's index: a counter document per subject
// ({_id: subject, count}) and chunks of sequence numbers
// ({_id: "subject#n", seqs}). The counter's atomic increment picks the
// chunk, so concurrent writers on MongoDB agree without a lock.
func (r *Recorder) index(ctx context.Context, subject string, seq int64) error {
	var head struct {
		Count int64 `bson:"count"`
	}
	opts := options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)
	err := r.subjects.FindOneAndUpdate(ctx, bson.M{"_id": subject}, bson.M{"$inc": bson.M{"count": 1}}, opts).Decode(&head)
	if mongo.IsDuplicateKeyError(err) { // a concurrent first writer created it
		err = r.subjects.FindOneAndUpdate(ctx, bson.M{"_id": subject}, bson.M{"$inc": bson.M{"count": 1}}, opts).Decode(&head)
	}
	if err != nil {
		return fmt.Errorf("audit subject index: %w", err)
	}
	chunk := fmt.Sprintf("%s#%d", subject, (head.Count-1)/chunkSize)
	if err := store.Upsert(ctx, r.subjects, bson.M{"_id": chunk}, bson.M{"$push": bson.M{"seqs": seq}}); err != nil {
		return fmt.Errorf("audit subject index: %w", err)
	}
	return nil
}

// subjectSeqs returns the sequence numbers indexed for subject in chunk n.
func (r *Recorder) subjectSeqs(ctx context.Context, subject string, n int64) ([]int64, error) {
	var c struct {
		Seqs []int64 `bson:"seqs"`
	}
	err := r.subjects.FindOne(ctx, bson.M{"_id": fmt.Sprintf("%s#%d", subject, n)}).Decode(&c)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, fmt.Errorf("audit subject: %w", err)
	}
	return c.Seqs, nil
}

// BySubject returns up to limit events about subject, newest first, with a
// sequence number below before (0: from the newest).
func (r *Recorder) BySubject(ctx context.Context, subject string, before int64, limit int) ([]Event, error) {
	var head struct {
		Count int64 `bson:"count"`
	}
	err := r.subjects.FindOne(ctx, bson.M{"_id": subject}).Decode(&head)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return []Event{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit subject: %w", err)
	}
	out := []Event{}
	seen := map[int64]bool{}
	for n := (head.Count - 1) / chunkSize; n >= 0 && len(out) < limit; n-- {
		seqs, err := r.subjectSeqs(ctx, subject, n)
		if err != nil {
			return nil, err
		}
		slices.Sort(seqs)
		for i := len(seqs) - 1; i >= 0 && len(out) < limit; i-- {
			seq := seqs[i]
			if seen[seq] || (before > 0 && seq >= before) {
				continue
			}
			seen[seq] = true
			var d eventDoc
			err := r.events.FindOne(ctx, bson.M{"_id": DocID(seq)}).Decode(&d)
			if errors.Is(err, mongo.ErrNoDocuments) {
				continue // indexed, then the insert failed or went to another event
			}
			if err != nil {
				return nil, fmt.Errorf("audit event %d: %w", seq, err)
			}
			if d.Subject != subject {
				continue
			}
			out = append(out, d.toEvent())
		}
	}
	return out, nil
}

// Report is the outcome of Verify.
type Report struct {
	Events      int64  // events checked
	FirstBroken int64  // sequence number of the first broken event; 0 when intact
	Problem     string // what is wrong with it
}

// OK reports whether the chain is intact.
func (rep Report) OK() bool { return rep.FirstBroken == 0 }

// Verify walks the whole chain in order and reports the first event whose
// hash, link or sequence number does not hold.
func (r *Recorder) Verify(ctx context.Context) (Report, error) {
	cur, err := r.events.Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(1000))
	if err != nil {
		return Report{}, fmt.Errorf("audit verify: %w", err)
	}
	defer cur.Close(ctx)
	var rep Report
	prev, want := genesis, int64(1)
	for cur.Next(ctx) {
		var d eventDoc
		if err := cur.Decode(&d); err != nil {
			return rep, fmt.Errorf("audit verify decode: %w", err)
		}
		e := d.toEvent()
		rep.Events++
		switch {
		case e.Seq != want:
			return broken(rep, want, fmt.Sprintf("event %d is missing (next stored is %d)", want, e.Seq)), nil
		case e.PrevHash != prev:
			return broken(rep, e.Seq, "its previous-hash does not match the event before it"), nil
		case Hash(e) != e.Hash:
			return broken(rep, e.Seq, "its content does not match its hash (edited)"), nil
		}
		prev, want = e.Hash, want+1
	}
	if err := cur.Err(); err != nil {
		return rep, fmt.Errorf("audit verify: %w", err)
	}
	var h headDoc
	err = r.head.FindOne(ctx, bson.M{"_id": "head"}).Decode(&h)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return rep, fmt.Errorf("audit verify head: %w", err)
	}
	if h.Seq >= want {
		return broken(rep, want, fmt.Sprintf("the log ends at %d but event %d was written", want-1, h.Seq)), nil
	}
	return rep, nil
}

func broken(rep Report, seq int64, problem string) Report {
	rep.FirstBroken, rep.Problem = seq, problem
	return rep
}

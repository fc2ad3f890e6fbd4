// Package audit keeps the append-only, hash-chained audit log: every event
// carries the SHA-256 of the one before it, so editing or deleting any stored
// event breaks the chain, and Verify finds the first broken link.
package audit

import (
	"context"
	"crypto/ed25519"
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
	// ActionIntroductionStep is an introduction's step (subject: the
	// candidate), written by placements and read by the disclosure log.
	ActionIntroductionStep = "introduction.step"
)

// Entry is what a caller records; the Recorder adds sequence, time and hashes.
type Entry struct {
	ActorID string
	Role    string
	Action  string
	Subject string            // "candidate:c_…", "user:u_…"
	Details map[string]string // no personal data: ids, field names, levels
	// RequestID, when set, is recorded instead of the context's: an event
	// carried by an outbox task keeps the request that caused it.
	RequestID string `json:",omitempty"`
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
	// checkpoints holds the signed checkpoints (checkpoint.go).
	checkpoints *mongo.Collection
	now         func() time.Time
	signer      *signer // nil: no checkpoints are signed

	mu      sync.Mutex // the writer's turn
	cached  *headDoc
	qmu     sync.Mutex       // guards queue
	queue   []*pendingEvent  // events waiting for the next group commit
	slots   map[string]int64 // the last slot this process gave each subject (under mu)
	streams []*stream        // the events indexed a second time (Stream; under mu and smu)
	smu     sync.RWMutex     // guards streams for readers, who do not take the writer's turn

	headMu   sync.Mutex
	headWant *headDoc      // the newest head not yet saved
	headDone chan struct{} // closed when the running head saver stops; nil when none runs
}

// NewRecorder returns a Recorder over db. now may be nil (time.Now).
func NewRecorder(db *mongo.Database, now func() time.Time) *Recorder {
	if now == nil {
		now = time.Now
	}
	return &Recorder{
		events:      db.Collection("audit_events"),
		head:        db.Collection("audit_head"),
		subjects:    db.Collection("audit_subjects"),
		checkpoints: db.Collection("audit_checkpoints"),
		now:         now,
		slots:       map[string]int64{},
	}
}

// Collections names the collections the Recorder uses.
func (r *Recorder) Collections() []string {
	return []string{r.events.Name(), r.head.Name(), r.subjects.Name(), r.checkpoints.Name()}
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

// DropQueryIndexes removes the indexes EnsureIndexes makes, where they
// serve no query (platform.Options.Backend).
func (r *Recorder) DropQueryIndexes(ctx context.Context) error {
	// Not store.DropIndexes: store imports audit.
	_, err := r.events.Indexes().DropOne(ctx, "subject_1_seq_-1")
	var ce mongo.CommandError
	if err != nil && !(errors.As(err, &ce) && (ce.Code == 27 || ce.Code == 26)) { // IndexNotFound, NamespaceNotFound
		return fmt.Errorf("drop audit index: %w", err)
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
	_, err := r.append(ctx, entry)
	return err
}

// append writes entry as the next event and returns its sequence number,
// by group commit: the caller queues its event and then either finds it
// written by the caller before it, or takes the writer's turn (r.mu) and
// writes every event queued so far in one go — their subject slots in one
// insert, the events in one ordered insert; the head is saved after, off
// the path (saveHeadLater). Each caller
// returns only once its own event is stored, so an answered request's
// event is durable; under load many requests share one round trip instead
// of queueing for three each. The chain stays one chain across instances:
// a clash on a sequence number (another instance appended) re-chains the
// events not yet stored after the newer head.
func (r *Recorder) append(ctx context.Context, entry Entry) (int64, error) {
	if entry.Action == "" {
		return 0, errors.New("audit: empty action")
	}
	p := &pendingEvent{entry: entry, requestID: cmpOr(entry.RequestID, RequestID(ctx)), done: make(chan appendResult, 1)}
	r.qmu.Lock()
	r.queue = append(r.queue, p)
	r.qmu.Unlock()
	r.mu.Lock()
	select {
	case res := <-p.done: // written by the writer before us
		r.mu.Unlock()
		return res.seq, res.err
	default:
	}
	r.qmu.Lock()
	batch := r.queue
	r.queue = nil
	r.qmu.Unlock()
	// The batch holds other requests' events: one caller giving up must not
	// fail them, so the writes outlive this caller's context (bounded).
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
	r.writeBatch(wctx, batch)
	cancel()
	r.mu.Unlock()
	res := <-p.done
	return res.seq, res.err
}

// writeTimeout bounds one group commit.
const writeTimeout = 30 * time.Second

// maxBatch bounds the events of one group commit (FerretDB and MongoDB
// take up to 100,000 documents per insert; this keeps each write small).
const maxBatch = 500

type pendingEvent struct {
	entry     Entry
	requestID string
	done      chan appendResult
}

type appendResult struct {
	seq int64
	err error
}

// writeBatch appends the events of batch in order and answers each. Under
// r.mu.
func (r *Recorder) writeBatch(ctx context.Context, batch []*pendingEvent) {
	for len(batch) > maxBatch {
		r.writeBatch(ctx, batch[:maxBatch])
		batch = batch[maxBatch:]
	}
	fail := func(ps []*pendingEvent, err error) {
		for _, p := range ps {
			p.done <- appendResult{err: err}
		}
	}
	h, err := r.currentHead(ctx)
	if err != nil {
		fail(batch, err)
		return
	}
	for attempt := 0; attempt < 100; attempt++ {
		events := make([]Event, len(batch))
		docs := make([]any, len(batch))
		prev := h
		for i, p := range batch {
			e := Event{
				Seq: prev.Seq + 1,
				// BSON keeps milliseconds: hash what is stored.
				Time:      r.now().UTC().Truncate(time.Millisecond),
				ActorID:   p.entry.ActorID,
				Role:      p.entry.Role,
				Action:    p.entry.Action,
				Subject:   p.entry.Subject,
				RequestID: p.requestID,
				Details:   p.entry.Details,
				PrevHash:  prev.Hash,
			}
			e.Hash = Hash(e)
			events[i], docs[i] = e, toDoc(e)
			prev = &headDoc{ID: "head", Seq: e.Seq, Hash: e.Hash}
		}
		// Indexed before the insert: a crash in between leaves index entries
		// the reader skips, never an event the index misses.
		if err := r.indexAll(ctx, events); err != nil {
			fail(batch, err)
			return
		}
		stored, err := r.insertEvents(ctx, docs)
		if stored > 0 {
			last := events[stored-1]
			nh := &headDoc{ID: "head", Seq: last.Seq, Hash: last.Hash}
			r.cached, h = nh, nh
			r.saveHeadLater(nh)
			for i, p := range batch[:stored] {
				// The event is written: a checkpoint that fails now is made
				// good by the next one (or the one at shutdown).
				_ = r.maybeCheckpoint(ctx, events[i].Seq, events[i].Hash)
				p.done <- appendResult{seq: events[i].Seq}
			}
			batch = batch[stored:]
		}
		if err == nil {
			return
		}
		if !mongo.IsDuplicateKeyError(err) {
			r.cached = nil
			fail(batch, fmt.Errorf("audit insert: %w", err))
			return
		}
		// Another process appended first: move past every event it (and
		// any other) appended since — cheap _id reads — and chain the rest
		// after them, so a stale head costs one clash, not one per event
		// behind.
		if h, err = r.catchUp(ctx, h); err != nil {
			fail(batch, err)
			return
		}
	}
	fail(batch, errors.New("audit: could not append after 100 attempts"))
}

// insertEvents inserts docs in order and returns how many were stored
// before the first failure.
func (r *Recorder) insertEvents(ctx context.Context, docs []any) (int, error) {
	if len(docs) == 1 {
		if _, err := r.events.InsertOne(ctx, docs[0]); err != nil {
			return 0, err
		}
		return 1, nil
	}
	_, err := r.events.InsertMany(ctx, docs, options.InsertMany().SetOrdered(true))
	if err == nil {
		return len(docs), nil
	}
	var bw mongo.BulkWriteException
	if errors.As(err, &bw) && len(bw.WriteErrors) > 0 && bw.WriteConcernError == nil {
		first := bw.WriteErrors[0].Index
		for _, we := range bw.WriteErrors {
			first = min(first, we.Index)
		}
		return first, err // ordered: those before the first error are stored
	}
	return 0, err
}

// catchUp moves h to the last event stored after it.
func (r *Recorder) catchUp(ctx context.Context, h *headDoc) (*headDoc, error) {
	for {
		var d eventDoc
		err := r.events.FindOne(ctx, bson.M{"_id": DocID(h.Seq + 1)}).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return h, nil
		}
		if err != nil {
			return nil, fmt.Errorf("audit: read event %d: %w", h.Seq+1, err)
		}
		h = &headDoc{ID: "head", Seq: d.Seq, Hash: d.Hash}
	}
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

// saveHeadLater saves h as the head off the request path: an event is
// durable once it is inserted, and the head is only a hint where to append
// (a start or another instance that finds it behind reads forward from it,
// by _id) and a witness that the log reached it (Verify). One saver runs
// at a time and saves the newest head it was given, at most every
// headEvery, so many group commits share one write, and a request waits
// for two round trips instead of three. A crash loses at most the last
// headEvery of the head's moves, not an event.
func (r *Recorder) saveHeadLater(h *headDoc) {
	r.headMu.Lock()
	defer r.headMu.Unlock()
	if r.headWant == nil || h.Seq > r.headWant.Seq {
		r.headWant = h
	}
	if r.headDone == nil {
		r.headDone = make(chan struct{})
		go r.saveHeads(r.headDone)
	}
}

// saveHeads saves the newest head wanted until none is left. A save that
// fails is made good by the next, or by the next start's reading forward.
func (r *Recorder) saveHeads(done chan struct{}) {
	for {
		r.headMu.Lock()
		h := r.headWant
		r.headWant = nil
		if h == nil {
			r.headDone = nil
			r.headMu.Unlock()
			close(done)
			return
		}
		r.headMu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
		_ = r.saveHead(ctx, h)
		cancel()
		time.Sleep(headEvery) // the heads given meanwhile make one write
	}
}

// headEvery spaces the head's saves: SQLite takes one write at a time, so
// a save after every group commit would still hold up the next one.
const headEvery = 100 * time.Millisecond

// FlushHead waits until the heads given so far are saved (at shutdown,
// and before the log is verified).
func (r *Recorder) FlushHead(ctx context.Context) {
	r.headMu.Lock()
	done := r.headDone
	r.headMu.Unlock()
	if done == nil {
		return
	}
	select {
	case <-done:
	case <-ctx.Done():
	}
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

// taskPayload is an audited write's event as its outbox task carries it:
// the entry, and the log's head when the task was recorded (the event
// comes after it).
type taskPayload struct {
	After int64 `json:"after"`
	Entry Entry `json:"entry"`
}

// Intent is the payload an outbox task carries for the write it follows
// up: entry (with the request id from ctx), and where in the log to look
// for it on a re-run.
func (r *Recorder) Intent(ctx context.Context, entry Entry) ([]byte, error) {
	r.mu.Lock()
	h, err := r.currentHead(ctx)
	r.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if entry.RequestID == "" {
		entry.RequestID = RequestID(ctx)
	}
	return json.Marshal(taskPayload{After: h.Seq, Entry: entry})
}

// RecordTask appends the event of an outbox task's payload (Intent) once
// per task: the event names the task (details "once"); on the task's first
// run (retry false) it is appended directly; on a re-run — the drain's,
// after a crash or a failure — the events appended since the task was
// recorded are read first, and the event is appended only when none names
// the task. The drain of one database runs under a lease, and only tasks
// older than its cutoff, so a first run and a re-run never overlap.
func (r *Recorder) RecordTask(ctx context.Context, taskID string, payload []byte, retry bool) error {
	var p taskPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return fmt.Errorf("audit payload of task %s: %w", taskID, err)
	}
	if retry {
		seq, err := r.find(ctx, p.After, taskID)
		if err != nil || seq > 0 {
			return err
		}
	}
	details := map[string]string{}
	for k, v := range p.Entry.Details {
		details[k] = v
	}
	details["once"] = taskID
	p.Entry.Details = details
	return r.Record(ctx, p.Entry)
}

// find returns the sequence of the event after from whose once-key is key,
// or 0: it reads the events appended since, by _id.
func (r *Recorder) find(ctx context.Context, from int64, key string) (int64, error) {
	for seq := from + 1; ; seq++ {
		var d eventDoc
		err := r.events.FindOne(ctx, bson.M{"_id": DocID(seq)}).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return 0, nil
		}
		if err != nil {
			return 0, fmt.Errorf("audit: read event %d: %w", seq, err)
		}
		if d.Details["once"] == key {
			return seq, nil
		}
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// DocID is the stored _id of event seq: zero-padded, so ids sort as numbers.
func DocID(seq int64) string { return fmt.Sprintf("%016d", seq) }

func toDoc(e Event) eventDoc {
	return eventDoc{DocID(e.Seq), e.Seq, e.Time, e.ActorID, e.Role, e.Action, e.Subject, e.RequestID, e.Details, e.PrevHash, e.Hash}
}

func (d eventDoc) toEvent() Event {
	return Event{d.Seq, d.Time.UTC(), d.ActorID, d.Role, d.Action, d.Subject, d.RequestID, d.Details, d.PrevHash, d.Hash}
}

// The subject index: the n-th event about a subject is the document
// {_id: "subject@n", seq}, its slot claimed by a unique insert (the one
// write FerretDB and MongoDB apply atomically: concurrent appenders, other
// instances included, never share a slot and never drop one, with one
// insert per event). {_id: subject, slots} is a hint of the highest slot,
// written every hintEvery events; readers probe forward from it.
// Subjects indexed before this layout keep their chunks ({_id: subject,
// count} and {_id: "subject#k", seqs}), read after the new slots.
const hintEvery = 16

// maxCached bounds the writer's memory of each subject's last slot.
const maxCached = 50_000

func slotID(subject string, n int64) string { return fmt.Sprintf("%s@%d", subject, n) }

type subjectHead struct {
	Slots int64 `bson:"slots"`
	Count int64 `bson:"count"` // the chunked layout's count
}

func (r *Recorder) subjectHead(ctx context.Context, subject string) (subjectHead, error) {
	var h subjectHead
	err := r.subjects.FindOne(ctx, bson.M{"_id": subject}).Decode(&h)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return h, fmt.Errorf("audit subject: %w", err)
	}
	return h, nil
}

// indexAll gives each event with a subject the next free slot of its
// subject's index: the slots of a whole group commit in one unordered
// insert; a slot another instance took first is claimed again one by one.
// Called before the events' insert: a crash in between (or a clash on a
// sequence number) leaves slots the reader skips, never an event the index
// misses.
func (r *Recorder) indexAll(ctx context.Context, events []Event) error {
	type claim struct {
		subject string
		n, seq  int64
		hash    string
	}
	var claims []claim
	next := map[string]int64{}
	for _, e := range events {
		if e.Subject == "" {
			continue
		}
		keys := []string{e.Subject}
		for _, st := range r.streams {
			if st.actions[e.Action] {
				keys = append(keys, streamKey(e.Subject, st.name))
			}
		}
		for _, key := range keys {
			n, ok := next[key]
			if !ok {
				if n, ok = r.slots[key]; !ok {
					h, err := r.subjectHead(ctx, key)
					if err != nil {
						return err
					}
					n = h.Slots
				}
			}
			n++
			next[key] = n
			claims = append(claims, claim{key, n, e.Seq, e.Hash})
		}
	}
	if len(claims) == 0 {
		return nil
	}
	docs := make([]any, len(claims))
	for i, c := range claims {
		docs[i] = bson.M{"_id": slotID(c.subject, c.n), "seq": c.seq, "hash": c.hash}
	}
	_, err := r.subjects.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var taken []int
	if err != nil {
		var bw mongo.BulkWriteException
		if !errors.As(err, &bw) || bw.WriteConcernError != nil {
			return fmt.Errorf("audit subject index: %w", err)
		}
		for _, we := range bw.WriteErrors {
			if we.Code != 11000 {
				return fmt.Errorf("audit subject index: %w", err)
			}
			taken = append(taken, we.Index)
		}
	}
	hints := map[string]int64{}
	hint := func(subject string, n int64) {
		if n == 1 || n%hintEvery == 0 {
			hints[subject] = max(hints[subject], n)
		}
	}
	for _, c := range claims {
		hint(c.subject, c.n)
	}
	for _, i := range taken { // another instance took these slots: the next free ones
		c := claims[i]
		n := max(next[c.subject], c.n)
		for {
			n++
			_, err := r.subjects.InsertOne(ctx, bson.M{"_id": slotID(c.subject, n), "seq": c.seq, "hash": c.hash})
			if err == nil {
				break
			}
			if !mongo.IsDuplicateKeyError(err) {
				return fmt.Errorf("audit subject index: %w", err)
			}
		}
		next[c.subject] = n
		hint(c.subject, n)
	}
	if len(r.slots)+len(next) >= maxCached {
		clear(r.slots)
	}
	for subject, n := range next {
		r.slots[subject] = n
	}
	for subject, n := range hints {
		_, err := r.subjects.UpdateOne(ctx, bson.M{"_id": subject}, bson.M{"$set": bson.M{"slots": n}}, options.Update().SetUpsert(true))
		if err != nil && !mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("audit subject hint: %w", err)
		}
	}
	return nil
}

// BySubject returns up to limit events about subject, newest first, with a
// sequence number below before (0: from the newest).
func (r *Recorder) BySubject(ctx context.Context, subject string, before int64, limit int) ([]Event, error) {
	return r.bySubject(ctx, subject, subject, before, limit, nil, 0)
}

// bySubject reads the index at key (the subject's own, or one of its
// streams) newest first: up to limit events about subject that keep
// accepts (nil: all), looking at no more than scan events (0: no bound).
func (r *Recorder) bySubject(ctx context.Context, key, subject string, before int64, limit int, keep func(action string) bool, scan int) ([]Event, error) {
	h, err := r.subjectHead(ctx, key)
	if err != nil {
		return nil, err
	}
	last := h.Slots
	for { // the hint lags by up to hintEvery slots
		err := r.subjects.FindOne(ctx, bson.M{"_id": slotID(key, last+1)}).Err()
		if errors.Is(err, mongo.ErrNoDocuments) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("audit subject: %w", err)
		}
		last++
	}
	out := []Event{}
	seen := map[int64]bool{}
	looked := 0 // events looked at, for scan
	// take adds event seq when it is about subject and, for a slot that
	// names the event's hash, when it is that event: a slot claimed for a
	// sequence number that another event took (the head was behind) points
	// at that other event, which may be about the same subject.
	take := func(seq int64, hash string) error {
		if seen[seq] || (before > 0 && seq >= before) {
			return nil
		}
		looked++
		var d eventDoc
		err := r.events.FindOne(ctx, bson.M{"_id": DocID(seq)}).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil // indexed, then the insert failed or went to another event
		}
		if err != nil {
			return fmt.Errorf("audit event %d: %w", seq, err)
		}
		if d.Subject == subject && (hash == "" || hash == d.Hash) {
			seen[seq] = true
			if keep == nil || keep(d.Action) {
				out = append(out, d.toEvent())
			}
		}
		return nil
	}
	more := func() bool { return len(out) < limit && (scan == 0 || looked < scan) }
	for n := last; n >= 1 && more(); n-- {
		var slot struct {
			Seq  int64  `bson:"seq"`
			Hash string `bson:"hash"` // empty in slots written before it was kept
		}
		err := r.subjects.FindOne(ctx, bson.M{"_id": slotID(key, n)}).Decode(&slot)
		if errors.Is(err, mongo.ErrNoDocuments) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("audit subject: %w", err)
		}
		if err := take(slot.Seq, slot.Hash); err != nil {
			return nil, err
		}
	}
	// The chunked layout of older events.
	const chunkSize = 25
	for k := (h.Count - 1) / chunkSize; h.Count > 0 && k >= 0 && more(); k-- {
		var c struct {
			Seqs []int64 `bson:"seqs"`
		}
		err := r.subjects.FindOne(ctx, bson.M{"_id": fmt.Sprintf("%s#%d", key, k)}).Decode(&c)
		if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
			return nil, fmt.Errorf("audit subject: %w", err)
		}
		slices.Sort(c.Seqs)
		for i := len(c.Seqs) - 1; i >= 0 && more(); i-- {
			if err := take(c.Seqs[i], ""); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// Report is the outcome of Verify.
type Report struct {
	Events      int64  // events checked
	FirstBroken int64  // sequence number of the first broken event; 0 when intact
	Problem     string // what is wrong with it
	Checkpoints int    // signed checkpoints checked (VerifySigned)
}

// OK reports whether the chain is intact.
func (rep Report) OK() bool { return rep.FirstBroken == 0 }

// Verify walks the whole chain in order and reports the first event whose
// hash, link or sequence number does not hold.
func (r *Recorder) Verify(ctx context.Context) (Report, error) {
	return r.VerifySigned(ctx, nil, "")
}

// VerifySigned is Verify with the signed checkpoints (checkpoint.go) of
// the database and of file (may be ""), when pub is not nil: each must be
// signed by pub, the chain must hold each one's hash at its sequence
// number (a rewritten event is caught even with its hashes recomputed),
// and reach the newest one (a cut tail is caught).
func (r *Recorder) VerifySigned(ctx context.Context, pub ed25519.PublicKey, file string) (Report, error) {
	r.FlushHead(ctx) // this process's own appends count as written
	var rep Report
	signed := map[int64]string{}
	var newest int64
	if pub != nil {
		cps, err := r.checkpointsOf(ctx, file)
		if err != nil {
			return rep, err
		}
		for _, c := range cps {
			if !c.Valid(pub) {
				return broken(rep, c.Seq, "its signed checkpoint does not carry a valid signature (forged or edited)"), nil
			}
			if h, ok := signed[c.Seq]; ok && h != c.Hash {
				return broken(rep, c.Seq, "two signed checkpoints disagree about it"), nil
			}
			signed[c.Seq] = c.Hash
			newest = max(newest, c.Seq)
		}
		rep.Checkpoints = len(signed)
	}
	cur, err := r.events.Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(1000))
	if err != nil {
		return Report{}, fmt.Errorf("audit verify: %w", err)
	}
	defer cur.Close(ctx)
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
		if h, ok := signed[e.Seq]; ok && h != e.Hash {
			return broken(rep, e.Seq, "it differs from the signed checkpoint (the log was rewritten from here or before)"), nil
		}
		prev, want = e.Hash, want+1
	}
	if err := cur.Err(); err != nil {
		return rep, fmt.Errorf("audit verify: %w", err)
	}
	if newest >= want {
		return broken(rep, want, fmt.Sprintf("the log ends at %d but a signed checkpoint covers %d (the tail was cut)", want-1, newest)), nil
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

package audit

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
)

// A stream is the events of some actions about each subject, indexed a
// second time under "subject|name" beside the subject's own index, so that
// a reader who wants only those (a candidate's disclosure log: employers'
// reads, consents, introduction steps) reads only those. A subject's own
// index holds every event about it, and most are others (each read of the
// record by its worker, each look at the candidate's own page): walking it
// for the few cost two reads by _id per event, ~1 s for a candidate read
// a few thousand times (docs/decisions.md §63).
type stream struct {
	name    string
	actions map[string]bool
	from    int64 // the first sequence number every event of the stream from on is indexed in it
}

func streamKey(subject, name string) string { return subject + "|" + name }

// Stream indexes the events of actions a second time per subject, under
// name (BySubjectStream reads them), from the next event on. The first
// instance to ask for the stream on a database writes where it began
// ({_id: "|name", from}: a unique insert); events before it are read from
// the subjects' own indexes. Call it at start, before events are recorded;
// every instance that records must ask for the same streams (an instance
// that does not, still running beside a new one, appends events the
// stream lacks).
func (r *Recorder) Stream(ctx context.Context, name string, actions ...string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	h, err := r.currentHead(ctx)
	if err != nil {
		return err
	}
	if h, err = r.catchUp(ctx, h); err != nil {
		return err
	}
	st := &stream{name: name, actions: map[string]bool{}, from: h.Seq + 1}
	for _, a := range actions {
		st.actions[a] = true
	}
	_, err = r.subjects.InsertOne(ctx, bson.M{"_id": "|" + name, "from": st.from})
	if mongo.IsDuplicateKeyError(err) {
		var m struct {
			From int64 `bson:"from"`
		}
		if err = r.subjects.FindOne(ctx, bson.M{"_id": "|" + name}).Decode(&m); err == nil {
			st.from = m.From
		}
	}
	if err != nil {
		return fmt.Errorf("audit stream %s: %w", name, err)
	}
	r.smu.Lock()
	r.streams = append(r.streams, st)
	r.smu.Unlock()
	return nil
}

// BySubjectStream returns up to limit events of stream name about subject,
// newest first, with a sequence number below before (0: from the newest):
// those the stream indexed, then those before it began, read from the
// subject's own index (looking at no more than 3 × limit of its events).
// A stream the Recorder was not asked for reads the subject's own index
// (3 × limit events, all actions: the caller picks).
func (r *Recorder) BySubjectStream(ctx context.Context, subject, name string, before int64, limit int) ([]Event, error) {
	var st *stream
	r.smu.RLock()
	for _, s := range r.streams {
		if s.name == name {
			st = s
		}
	}
	r.smu.RUnlock()
	if st == nil {
		return r.bySubject(ctx, subject, subject, before, 3*limit, nil, 0)
	}
	out, err := r.bySubject(ctx, streamKey(subject, name), subject, before, limit, nil, 0)
	if err != nil || len(out) >= limit || st.from <= 1 {
		return out, err
	}
	b := st.from
	if before > 0 && before < b {
		b = before
	}
	older, err := r.bySubject(ctx, subject, subject, b, limit-len(out), func(a string) bool { return st.actions[a] }, 3*limit)
	return append(out, older...), err
}

package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
)

// Writer is the one audited write path of the platform. Every write of a
// domain document goes through Do, in the same steps:
//
//  1. the follow-up task is recorded first, carrying the write's audit
//     event and a typed payload (what the follow-up needs beside the
//     document);
//  2. Save stores the document, naming the task among its last writes
//     (Writes), conditional on the version it read (Versions);
//  3. the follow-up brings what derives from the document in line (lists,
//     inboxes, the search index, other documents) and the event is
//     appended, once, only if the document names the task;
//  4. the task is deleted.
//
// A crash anywhere leaves the task, and the outbox's drain runs the
// follow-up again: it finds out from the document whether the write took
// effect. The task is dropped without its event only when the write
// certainly did not land: Save reported ErrStale or a coded apperr error
// (both mean "nothing written"); the follow-up still runs then, so that
// what the write claimed before it (a unique key, say) is undone. Any other
// error (a timeout after the write may have landed) leaves the task to the
// drain. Retry is the one rule for clashes. See docs/decisions.md (36).
type Writer struct {
	outbox *Outbox
	events *audit.Recorder
	log    *slog.Logger
	locks  Locks
	fault  func(step string) error // tests: fail a write at a step, as a crash there would
}

// SetFault makes writes fail at the named step, as a crash there would:
// "recorded" (the task is recorded, nothing written), "written" (the
// document is written, its follow-up not run), "event" (the follow-up ran
// up to the event), "recorded-event" (the event is appended, the task not
// yet deleted). For tests; nil turns it off.
func (w *Writer) SetFault(f func(step string) error) { w.fault = f }

func (w *Writer) step(name string) error {
	if w.fault == nil {
		return nil
	}
	return w.fault(name)
}

// NewWriter returns the write path over the outbox and the audit log.
func NewWriter(ob *Outbox, rec *audit.Recorder, log *slog.Logger) *Writer {
	if log == nil {
		log = slog.Default()
	}
	return &Writer{outbox: ob, events: rec, log: log}
}

// Outbox is the outbox the writer records its tasks in.
func (w *Writer) Outbox() *Outbox { return w.outbox }

// Events is the audit log the writer appends to.
func (w *Writer) Events() *audit.Recorder { return w.events }

// SetLogger sets the logger of follow-ups deferred to the drain.
func (w *Writer) SetLogger(l *slog.Logger) { w.log = l }

// Writes lists the tasks of a document's last writes (keepWrites of
// them): a follow-up learns from it whether its write took effect.
type Writes []string

// keepWrites is how many task ids a document keeps. A follow-up the drain
// re-runs is at most a few minutes old; eight writes of one document in
// that time are rare, and a follow-up that no longer finds its task (the
// document moved on eight times) skips only its event.
const keepWrites = 8

// With returns the list with task added (the oldest dropped).
func (ws Writes) With(task string) Writes {
	out := append(slices.Clip(ws), task)
	if len(out) > keepWrites {
		out = out[len(out)-keepWrites:]
	}
	return out
}

// Has reports whether the document's write by task took effect.
func (ws Writes) Has(task string) bool { return slices.Contains(ws, task) }

// Landed is how a follow-up learns whether its write took effect, from
// its document's read: err is the read's error (NotFound: the document is
// not there, so the write did not land), ws the document's writes.
// Errors: the read's, but NotFound.
func Landed(err error, ws Writes, task string) (bool, error) {
	switch {
	case apperr.Is(err, apperr.NotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return ws.Has(task), nil
}

// Write is one audited write of one document.
type Write[P any] struct {
	Kind  string      // the task kind; its follow-up is registered with Handle
	Key   string      // the document written (its id), for the drain's logs
	Event audit.Entry // the write's event; none when Action is empty
	Data  P           // what the follow-up needs beside the document
	// Save stores the document naming task among its Writes. It returns
	// ErrStale, or an *apperr.Error, only when nothing was written.
	Save func(ctx context.Context, task string) error
	// InHand, when set, is the follow-up with the document in hand, run on
	// the writer's own first run instead of the registered handler (which
	// re-reads the document); it must do what the handler does when the
	// write took effect.
	InHand func(ctx context.Context) error
}

// taskBody is a write's task payload: the event as audit.Intent made it,
// and the typed data.
type taskBody struct {
	Event json.RawMessage `json:"event,omitempty"`
	Data  json.RawMessage `json:"data,omitempty"`
}

// FollowUp is a write's task as its follow-up receives it.
type FollowUp[P any] struct {
	Task
	Data P
}

// Handle registers the follow-up of kind. h brings what derives from the
// document in line and reports whether the write took effect (the
// document names the task); then the write's event is appended, once.
// When the write did not take effect h must undo what the write claimed
// before Save, and report false. h must be idempotent: after a crash it
// runs again for the same task.
func Handle[P any](w *Writer, kind string, h func(ctx context.Context, f FollowUp[P]) (written bool, err error)) {
	w.outbox.Register(kind, func(ctx context.Context, t Task) error {
		event, data, err := decodeBody(t.Payload())
		if err != nil {
			return fmt.Errorf("task %s %s: %w", kind, t.ID(), err)
		}
		f := FollowUp[P]{Task: t}
		if len(data) > 0 {
			if err := json.Unmarshal(data, &f.Data); err != nil {
				return fmt.Errorf("task %s %s: %w", kind, t.ID(), err)
			}
		}
		written, err := h(ctx, f)
		if err != nil || !written {
			return err
		}
		return w.record(ctx, t.ID(), event, t.Retry())
	})
}

// record appends a write's event (none when it has none), once.
func (w *Writer) record(ctx context.Context, task string, event []byte, retry bool) error {
	if len(event) == 0 {
		return nil
	}
	if err := w.step("event"); err != nil {
		return err
	}
	if err := w.events.RecordTask(ctx, task, event, retry); err != nil {
		return err
	}
	return w.step("recorded-event")
}

// decodeBody reads a task payload; a payload of the version before the
// typed payloads (the bare event) is read as the event.
func decodeBody(b []byte) (event, data []byte, err error) {
	if len(b) == 0 {
		return nil, nil, nil
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(b, &body); err != nil {
		return nil, nil, fmt.Errorf("payload: %w", err)
	}
	if _, legacy := body["entry"]; legacy {
		return b, nil, nil
	}
	return body["event"], body["data"], nil
}

// notWritten reports whether err from Save means that nothing was written.
func notWritten(err error) bool {
	var coded *apperr.Error
	return errors.Is(err, ErrStale) || errors.As(err, &coded)
}

// deferredKey marks a context whose follow-ups Retry runs after it
// released its lock.
type deferredKey struct{}

type deferred struct{ fns []func() }

// detached is ctx for a follow-up: not cancelled with the request (a
// write that landed is followed up even when its caller went away), and
// outside any Retry, so that the writes the follow-up makes run their own
// follow-ups.
func detached(ctx context.Context) context.Context {
	return context.WithValue(context.WithoutCancel(ctx), deferredKey{}, (*deferred)(nil))
}

// Do carries out one audited write (see Writer). The follow-up's failure
// does not fail the write: it is logged and left to the drain.
// Errors: Save's (ErrStale after a clash), the outbox's and the audit
// log's before anything was written.
func Do[P any](ctx context.Context, w *Writer, wr Write[P]) error {
	var body taskBody
	if wr.Event.Action != "" {
		ev, err := w.events.Intent(ctx, wr.Event)
		if err != nil {
			return err
		}
		body.Event = ev
	}
	data, err := json.Marshal(wr.Data)
	if err != nil {
		return fmt.Errorf("task %s: %w", wr.Kind, err)
	}
	body.Data = data
	payload, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("task %s: %w", wr.Kind, err)
	}
	task, err := w.outbox.EnqueueWith(ctx, wr.Kind, wr.Key, payload)
	if err != nil {
		return err
	}
	if err := w.step("recorded"); err != nil {
		return err
	}
	if err := wr.Save(ctx, task.ID()); err != nil {
		if notWritten(err) {
			// Nothing was written: the follow-up undoes what the write
			// claimed and records no event; then the task goes.
			if cerr := w.outbox.Complete(detached(ctx), task); cerr != nil {
				w.log.WarnContext(ctx, "undo of a write that did not land deferred to the outbox", "kind", wr.Kind, "err", cerr)
			}
			return err
		}
		w.log.WarnContext(ctx, "write of unknown outcome: its follow-up waits for the drain", "kind", wr.Kind, "key", wr.Key, "err", err)
		return err
	}
	if err := w.step("written"); err != nil {
		return err
	}
	follow := func() {
		fctx := detached(ctx)
		var err error
		if wr.InHand != nil {
			err = wr.InHand(fctx)
			if err == nil {
				err = w.record(fctx, task.ID(), body.Event, false)
			}
			if err == nil {
				err = w.outbox.Done(fctx, task)
			}
		} else {
			err = w.outbox.Complete(fctx, task)
		}
		if err != nil {
			w.log.WarnContext(ctx, "follow-up deferred to the outbox", "kind", wr.Kind, "key", wr.Key, "err", err)
		}
	}
	if d, ok := ctx.Value(deferredKey{}).(*deferred); ok && d != nil {
		d.fns = append(d.fns, follow)
		return nil
	}
	follow()
	return nil
}

// Retry runs attempt (read, change, Do) until it returns anything but
// ErrStale: MaxAttempts times (more while RetryFor has not passed), with
// Backoff between, each attempt
// under this process's lock of key (clashes within one process become
// waits; between processes the version decides). The follow-ups of the
// writes an attempt made run after the lock is released, so a follow-up
// that writes another document never waits for a lock while holding one.
// Errors: attempt's; clash when the clashes go on.
func (w *Writer) Retry(ctx context.Context, key string, clash error, attempt func(ctx context.Context) error) error {
	start := time.Now()
	for n := 0; retrying(n, start); n++ {
		if n > 0 {
			if err := Backoff(ctx, n); err != nil {
				return err
			}
		}
		d := &deferred{}
		unlock := w.locks.Lock(key)
		err := attempt(context.WithValue(ctx, deferredKey{}, d))
		unlock()
		for _, f := range d.fns {
			f()
		}
		if !errors.Is(err, ErrStale) {
			return err
		}
	}
	return clash
}

// RetryValue is Retry for an attempt that returns what it wrote.
func RetryValue[T any](ctx context.Context, w *Writer, key string, clash error, attempt func(ctx context.Context) (T, error)) (T, error) {
	var out T
	err := w.Retry(ctx, key, clash, func(ctx context.Context) error {
		v, err := attempt(ctx)
		out = v
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// Package inbox keeps each user's notifications: one bounded document per
// user (the newest maxMessages), so that a page load or the unread count
// is one _id read. The domain services notify (an introduction's next
// step, an escalation, a registration tried with someone's address); the
// user reads and marks them read. Texts are written in English like every
// other message and shown in the reader's language by the web layer.
package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// maxMessages bounds one user's inbox: older messages fall off.
const maxMessages = 200

// Message is one notification.
type Message struct {
	ID      string     `json:"id" bson:"id"`
	Kind    string     `json:"kind" bson:"kind"`                           // what happened, e.g. "registration_email_taken"
	Text    string     `json:"text" bson:"text"`                           // a sentence for the reader (no personal data beyond what they may see)
	Subject string     `json:"subject,omitempty" bson:"subject,omitempty"` // what it is about, e.g. "introduction:i_…"
	At      time.Time  `json:"at" bson:"at"`
	ReadAt  *time.Time `json:"read_at,omitempty" bson:"read_at,omitempty"`
}

// Page is a user's inbox: newest first, and how many are unread.
type Page struct {
	Items  []Message `json:"items"`
	Unread int       `json:"unread"`
}

type boxDoc struct {
	ID       string    `bson:"_id"`
	Messages []Message `bson:"messages"`
	Version  int64     `bson:"version"`
}

// Service keeps the inboxes.
type Service struct {
	coll     *mongo.Collection
	versions *store.Versions
	now      func() time.Time

	// Mailed tells the mail of a new message (its kind, never its text),
	// for the next digest; key names the message (told once).
	Mailed func(ctx context.Context, user, key, kind, path string) error
}

// NewService returns the inboxes of db. now may be nil.
func NewService(db *mongo.Database, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{coll: db.Collection("inboxes"), versions: store.NewVersions(db), now: now}
}

// Notify adds a message to user's inbox. For the domain services, not for
// a request's own input: kind and text are the platform's.
func (s *Service) Notify(ctx context.Context, user users.ID, kind, text, subject string) error {
	return s.NotifyOnce(ctx, user, "", kind, text, subject)
}

// NotifyOnce is Notify for a follow-up that may run again after a crash:
// key (lowercase letters and digits, e.g. an outbox task's id) names the
// message, and a message of that key is added only once.
func (s *Service) NotifyOnce(ctx context.Context, user users.ID, key, kind, text, subject string) error {
	if user == "" || kind == "" || strings.TrimSpace(text) == "" || strings.ContainsFunc(text, unicode.IsControl) {
		return errors.New("inbox: a message needs a user, a kind and a text")
	}
	id := ids.New("m_")
	if key != "" {
		id = "m_" + key
	}
	m := Message{ID: id, Kind: kind, Text: text, Subject: subject, At: s.now().UTC().Truncate(time.Millisecond)}
	_, err := store.UpdateAs(ctx, s.versions, s.coll, string(user), func(d *boxDoc, _ bool) error {
		d.ID = string(user)
		for _, x := range d.Messages {
			if x.ID == id {
				return nil
			}
		}
		d.Messages = append(d.Messages, m)
		if len(d.Messages) > maxMessages {
			d.Messages = d.Messages[len(d.Messages)-maxMessages:]
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("notify %s: %w", user, err)
	}
	if s.Mailed != nil {
		return s.Mailed(ctx, string(user), id, kind, "/inbox")
	}
	return nil
}

// List returns the acting user's inbox, newest first.
// Errors: Unauthenticated.
func (s *Service) List(ctx context.Context) (Page, error) {
	a, err := users.ActorFrom(ctx)
	if err != nil {
		return Page{}, err
	}
	var d boxDoc
	err = s.coll.FindOne(ctx, bson.M{"_id": string(a.UserID)}).Decode(&d)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return Page{}, fmt.Errorf("inbox %s: %w", a.UserID, err)
	}
	p := Page{Items: make([]Message, 0, len(d.Messages))}
	for i := len(d.Messages) - 1; i >= 0; i-- {
		m := d.Messages[i]
		m.At = m.At.UTC()
		if m.ReadAt == nil {
			p.Unread++
		} else {
			t := m.ReadAt.UTC()
			m.ReadAt = &t
		}
		p.Items = append(p.Items, m)
	}
	return p, nil
}

var errNotFound = apperr.Errorf(apperr.NotFound, "Message not found.")

// MarkRead marks one message of the acting user's inbox read (all of them
// with id ""). Marking a read message again changes nothing.
// Errors: Unauthenticated, NotFound (not in the actor's inbox).
func (s *Service) MarkRead(ctx context.Context, id string) error {
	a, err := users.ActorFrom(ctx)
	if err != nil {
		return err
	}
	if id != "" && !ids.Valid(id, "m_") {
		return errNotFound
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	_, err = store.UpdateAs(ctx, s.versions, s.coll, string(a.UserID), func(d *boxDoc, exists bool) error {
		found := id == ""
		for i := range d.Messages {
			if id != "" && d.Messages[i].ID != id {
				continue
			}
			found = true
			if d.Messages[i].ReadAt == nil {
				d.Messages[i].ReadAt = &now
			}
		}
		if !found || (!exists && id != "") {
			return errNotFound
		}
		d.ID = string(a.UserID)
		return nil
	})
	return err
}

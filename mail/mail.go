// Package mail sends the platform's mail: invitations, password resets,
// and digests of what waits for a person. Every mail is a document in the
// database first (the outbox of mail), sent by a periodic job that claims
// it, builds it at that moment and hands it to the Transport (SMTP, in
// mail/smtp). So a crash loses none: a claimed mail whose claim lapsed is
// sent again, with the same Message-ID. Without a Transport the mails wait,
// and coordinators see them in the outbox view.
//
// A mail never carries data about a candidate: a digest names kinds of
// things and links to the page, which asks for a sign-in.
package mail

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/store"
)

// Kinds of mail the package itself knows; the users service registers
// invitations and resets.
const (
	KindDigest = "digest"
)

// State is where a mail stands.
type State string

// The states of a mail.
const (
	Waiting State = "waiting" // to be sent (now, or at Due after a failure)
	Sending State = "sending" // claimed by an instance until Until
	Sent    State = "sent"
	Failed  State = "failed" // given up after maxTries
)

// Message is a mail as it goes over the wire.
type Message struct {
	ID      string // the Message-ID's local part: the same on every try
	To      string
	Subject string
	Text    string
}

// Transport delivers a message. An error means it was not accepted (the
// mail is tried again later).
type Transport interface {
	Send(ctx context.Context, m Message) error
}

// Recipient is whom a user id names, as a mail needs it.
type Recipient struct {
	Address string
	Name    string
	Lang    string // "nl", "en" or "" (Dutch)
	Active  bool
}

// Content is a mail's subject and text, built when it is sent.
type Content struct {
	To      string // the address; empty: the recipient's own
	Subject string
	Text    string
}

// Prepare builds a mail of its kind when it is sent; ok false drops it
// (the invitation was accepted meanwhile, the address has no account).
type Prepare func(ctx context.Context, m Mail) (c Content, ok bool, err error)

// Mail is one mail in the outbox.
type Mail struct {
	ID        string     `bson:"_id" json:"id"`
	Kind      string     `bson:"kind" json:"kind"`
	User      string     `bson:"user,omitempty" json:"user,omitempty"`
	Address   string     `bson:"address,omitempty" json:"-"` // a reset asked by address, until it is sent
	Notices   []string   `bson:"notices,omitempty" json:"-"`
	Count     int        `bson:"count,omitempty" json:"count,omitempty"` // notices in a digest
	State     State      `bson:"state" json:"state"`
	Created   time.Time  `bson:"created" json:"created_at"`
	Due       time.Time  `bson:"due" json:"due_at"`
	Tries     int        `bson:"tries" json:"tries"`
	LastError string     `bson:"last_error,omitempty" json:"last_error,omitempty"`
	Holder    string     `bson:"holder,omitempty" json:"-"`
	Until     time.Time  `bson:"until,omitempty" json:"-"`
	SentAt    *time.Time `bson:"sent_at,omitempty" json:"sent_at,omitempty"`
	Subject   string     `bson:"subject,omitempty" json:"subject,omitempty"` // kept once sent
	Version   int64      `bson:"version" json:"-"`
}

// Notice is one thing waiting for a person, told in the next digest.
type Notice struct {
	ID      string    `bson:"_id"`
	User    string    `bson:"user"`
	Kind    string    `bson:"kind"`
	Path    string    `bson:"path"` // the page that shows it, e.g. "/inbox"
	Created time.Time `bson:"created"`
	Mail    string    `bson:"mail"` // the digest it went out in ("" until then)
}

const (
	// claimFor is how long a sending instance holds a mail; a crash
	// mid-send leaves it to be sent again after that.
	claimFor = 2 * time.Minute
	// maxTries before a mail counts as failed.
	maxTries = 8
	// DefaultDigestEvery is the least time between two digests to one
	// person.
	DefaultDigestEvery = time.Hour
	// keepSent is how long mails stay in the outbox view, and notices wait.
	keepSent = 30 * 24 * time.Hour
	// maxNotices in one digest (the rest waits for the next).
	maxNotices = 100
)

// Service keeps and sends the mail.
type Service struct {
	mails    *mongo.Collection
	notices  *mongo.Collection
	digests  *mongo.Collection // per user: when the last digest was made
	versions *store.Versions
	now      func() time.Time
	holder   string
	log      *slog.Logger
	kick     chan struct{}

	// Recipient says whom a user id names (the users service's Load).
	Recipient func(ctx context.Context, user string) (Recipient, error)
	// Coordinator says whether the request's actor is a coordinator
	// (Unauthenticated, Forbidden otherwise): mail does not import users.
	Coordinator func(ctx context.Context) error

	fault func(step string) error // tests: stop a send at a step, as a crash there would

	mu          sync.RWMutex
	transport   Transport
	prepare     map[string]Prepare
	baseURL     string
	digestEvery time.Duration
}

// NewService returns the mail of db; holder names this instance, now may
// be nil.
func NewService(db *mongo.Database, holder string, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{mails: db.Collection("mails"), notices: db.Collection("mail_notices"), digests: db.Collection("mail_digests"),
		versions: store.NewVersions(db), now: now, holder: holder, log: slog.Default(), kick: make(chan struct{}, 1),
		prepare: map[string]Prepare{}, baseURL: "http://localhost:8080", digestEvery: DefaultDigestEvery}
	s.prepare[KindDigest] = s.digest
	return s
}

// Collections names the collections the service uses.
func (s *Service) Collections() []string {
	return []string{s.mails.Name(), s.notices.Name(), s.digests.Name()}
}

// Configure sets the transport (nil: mail waits), the platform's address
// for links and the least time between digests (0: an hour).
func (s *Service) Configure(t Transport, baseURL string, digestEvery time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.transport = t
	if baseURL != "" {
		s.baseURL = strings.TrimRight(baseURL, "/")
	}
	if digestEvery > 0 {
		s.digestEvery = digestEvery
	}
}

// Configured reports whether mail goes out (a transport is set).
func (s *Service) Configured() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.transport != nil
}

// Link is the platform's address of path, for a mail.
func (s *Service) Link(path string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.baseURL + path
}

// SetLogger sets the logger of failed sends.
func (s *Service) SetLogger(l *slog.Logger) { s.log = l }

// SetClock sets the service's clock (tests move time).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// SetFault makes a send stop at the named step without a trace, as a crash
// there would: "claimed" (before the transport), "handed" (after the
// transport answered, before the outcome is written). For tests.
func (s *Service) SetFault(f func(step string) error) { s.fault = f }

func (s *Service) crash(step string) error {
	if s.fault == nil {
		return nil
	}
	return s.fault(step)
}

// Register sets how mails of kind are built when sent.
func (s *Service) Register(kind string, p Prepare) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.prepare[kind] = p
}

// Kicks is signalled when a mail is queued, so the sending job need not
// wait for its next tick.
func (s *Service) Kicks() <-chan struct{} { return s.kick }

func (s *Service) poke() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Queue records a mail of kind to user. key names it: a mail of the same
// kind and key is recorded once (a follow-up that runs twice queues one
// mail); empty, every call queues one.
func (s *Service) Queue(ctx context.Context, kind, user, key string) error {
	return s.queue(ctx, Mail{Kind: kind, User: user}, key)
}

// QueueTo records a mail of kind to an address that may have no account
// (a reset asked for by address): its Prepare decides whether it goes.
func (s *Service) QueueTo(ctx context.Context, kind, address string) error {
	return s.queue(ctx, Mail{Kind: kind, Address: address}, "")
}

func (s *Service) queue(ctx context.Context, m Mail, key string) error {
	m.ID = ids.New("ml_")
	if key != "" {
		m.ID = ids.Derived("ml_", m.Kind+"\x00"+m.User+"\x00"+m.Address+"\x00"+key)
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	m.State, m.Created, m.Due, m.Version = Waiting, now, now, 1
	if _, err := s.mails.InsertOne(ctx, m); err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("queue mail %s: %w", m.Kind, err)
	}
	s.poke()
	return nil
}

// Notify records that something of kind waits for user on the page at
// path; key names it (recorded once). The next digest tells of it.
func (s *Service) Notify(ctx context.Context, user, key, kind, path string) error {
	if user == "" || user == "system" {
		return nil
	}
	n := Notice{ID: ids.Derived("nt_", user+"\x00"+key), User: user, Kind: kind, Path: path, Created: s.now().UTC().Truncate(time.Millisecond)}
	if _, err := s.notices.InsertOne(ctx, n); err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("mail notice: %w", err)
	}
	s.poke()
	return nil
}

// Result is what one pass of Send did.
type Result struct {
	Digests int // digests made
	Sent    int
	Dropped int
	Failed  int // tries that failed (the mail waits for another)
}

// Send makes the digests that are due and sends every mail that waits.
// Several instances may run it at once: each mail is claimed by one.
func (s *Service) Send(ctx context.Context) (Result, error) {
	var res Result
	s.mu.RLock()
	t := s.transport
	s.mu.RUnlock()
	if t == nil {
		// No digests either: the notices wait (the inbox tells the same),
		// and a month later Prune drops them.
		return res, nil
	}
	n, err := s.compose(ctx)
	res.Digests = n
	if err != nil {
		return res, err
	}
	now := s.now()
	cur, err := s.mails.Find(ctx, bson.M{"state": bson.M{"$in": bson.A{Waiting, Sending}}}, options.Find().SetLimit(1000))
	if err != nil {
		return res, fmt.Errorf("mails due: %w", err)
	}
	var due []Mail
	if err := cur.All(ctx, &due); err != nil {
		return res, fmt.Errorf("mails due: %w", err)
	}
	sort.Slice(due, func(i, j int) bool { return due[i].Created.Before(due[j].Created) })
	var errs []error
	for _, m := range due {
		if m.State == Waiting && m.Due.After(now) || m.State == Sending && m.Until.After(now) {
			continue
		}
		sent, dropped, err := s.sendOne(ctx, t, m.ID)
		switch {
		case err != nil:
			res.Failed++
			errs = append(errs, err)
		case sent:
			res.Sent++
		case dropped:
			res.Dropped++
		}
	}
	return res, errors.Join(errs...)
}

var errTaken = errors.New("mail taken")

// sendOne claims the mail, builds it, hands it over and marks it sent.
func (s *Service) sendOne(ctx context.Context, t Transport, id string) (sent, dropped bool, err error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	m, err := store.UpdateAs(ctx, s.versions, s.mails, id, func(m *Mail, exists bool) error {
		if !exists || !(m.State == Waiting && !m.Due.After(now) || m.State == Sending && !m.Until.After(now)) {
			return errTaken
		}
		m.State, m.Holder, m.Until = Sending, s.holder, now.Add(claimFor)
		m.Tries++
		return nil
	})
	if errors.Is(err, errTaken) || errors.Is(err, store.ErrStale) {
		return false, false, nil // another instance has it
	}
	if err != nil {
		return false, false, err
	}
	if err := s.crash("claimed"); err != nil {
		return false, false, err
	}
	c, ok, err := s.build(ctx, m)
	if err == nil && !ok {
		return false, true, s.drop(ctx, m)
	}
	if err == nil {
		err = t.Send(ctx, Message{ID: m.ID, To: c.To, Subject: c.Subject, Text: c.Text})
	}
	if ferr := s.crash("handed"); ferr != nil {
		return false, false, ferr
	}
	if err != nil {
		s.log.Warn("mail not sent", "mail", m.ID, "kind", m.Kind, "tries", m.Tries, "err", err)
		return false, false, s.settle(ctx, m, func(d *Mail) {
			d.LastError = err.Error()
			d.State, d.Due = Waiting, s.now().UTC().Add(backoff(d.Tries))
			if d.Tries >= maxTries {
				d.State = Failed
			}
		})
	}
	sentAt := s.now().UTC().Truncate(time.Millisecond)
	return true, false, s.settle(ctx, m, func(d *Mail) {
		d.State, d.SentAt, d.Subject, d.Address, d.LastError = Sent, &sentAt, c.Subject, "", ""
	})
}

// backoff is the wait before try n+1: 1, 2, 4 … minutes, at most an hour.
func backoff(tries int) time.Duration {
	d := time.Minute << min(tries-1, 6)
	return min(d, time.Hour)
}

// settle writes the outcome of a send, if this instance still holds it.
func (s *Service) settle(ctx context.Context, m Mail, fn func(d *Mail)) error {
	_, err := store.UpdateAs(ctx, s.versions, s.mails, m.ID, func(d *Mail, exists bool) error {
		if !exists || d.State != Sending || d.Holder != s.holder {
			return errTaken
		}
		fn(d)
		d.Holder, d.Until = "", time.Time{}
		return nil
	})
	if errors.Is(err, errTaken) {
		return nil
	}
	return err
}

// drop deletes a mail that is no longer to be sent (a reset asked for an
// address without an account leaves no trace of the address).
func (s *Service) drop(ctx context.Context, m Mail) error {
	if _, err := s.mails.DeleteOne(ctx, bson.M{"_id": m.ID}); err != nil {
		return fmt.Errorf("drop mail %s: %w", m.ID, err)
	}
	return nil
}

// build makes the mail's content and finds its address.
func (s *Service) build(ctx context.Context, m Mail) (Content, bool, error) {
	s.mu.RLock()
	p := s.prepare[m.Kind]
	s.mu.RUnlock()
	if p == nil {
		return Content{}, false, fmt.Errorf("mail: no way to build a %q", m.Kind)
	}
	c, ok, err := p(ctx, m)
	if err != nil || !ok {
		return c, ok, err
	}
	if c.To == "" {
		r, err := s.Recipient(ctx, m.User)
		if apperr.Is(err, apperr.NotFound) {
			return Content{}, false, nil
		}
		if err != nil {
			return Content{}, false, err
		}
		if !r.Active {
			return Content{}, false, nil
		}
		c.To = r.Address
	}
	return c, true, nil
}

// View is a mail as the outbox view shows it to coordinators: whom it is
// for and what it is, never its text (it may hold a link that signs in).
type View struct {
	Mail
	To string `json:"to"`
}

// List returns the newest mails (at most limit), for coordinators.
// Errors: Unauthenticated, Forbidden.
func (s *Service) List(ctx context.Context, limit int) ([]View, error) {
	if err := s.Coordinator(ctx); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	cur, err := s.mails.Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "created", Value: -1}}).SetLimit(int64(limit)))
	if err != nil {
		return nil, fmt.Errorf("list mails: %w", err)
	}
	var ms []Mail
	if err := cur.All(ctx, &ms); err != nil {
		return nil, fmt.Errorf("list mails: %w", err)
	}
	out := make([]View, 0, len(ms))
	names := map[string]string{} // one read per person, however many mails
	for _, m := range ms {
		v := View{Mail: m, To: m.Address}
		if m.User != "" {
			n, ok := names[m.User]
			if !ok {
				if r, err := s.Recipient(ctx, m.User); err == nil {
					n = cmp.Or(r.Name, r.Address)
				}
				names[m.User] = n
			}
			v.To = n
		}
		out = append(out, v)
	}
	return out, nil
}

// Prune deletes the mails and notices older than a month, whatever their
// state (a mail that waited a month, with no mail server configured, is
// stale: an invitation is made again from the accounts page); a
// periodic job.
func (s *Service) Prune(ctx context.Context) (int64, error) {
	cutoff := s.now().Add(-keepSent)
	r, err := s.mails.DeleteMany(ctx, bson.M{"state": bson.M{"$in": bson.A{Sent, Failed, Waiting}}, "created": bson.M{"$lt": cutoff}})
	if err != nil {
		return 0, fmt.Errorf("prune mails: %w", err)
	}
	r2, err := s.notices.DeleteMany(ctx, bson.M{"created": bson.M{"$lt": cutoff}})
	if err != nil {
		return r.DeletedCount, fmt.Errorf("prune notices: %w", err)
	}
	return r.DeletedCount + r2.DeletedCount, nil
}

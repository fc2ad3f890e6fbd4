// Package platform wires the domain services over one database and one
// search index: the one wiring that serve, the other commands and the tests
// share (STYLE.md 6½). It imports no edge (api, frontend) and no engine: the
// caller opens the database and the index and hands them in.
//
// The services still take a few hooks as function fields where a
// constructor argument would make a cycle (candidates needs the
// introductions' level, and the introductions need candidates). New sets
// every one of them and fails when one is left unset (Check), so a
// forgotten hook cannot silently switch a rule off.
package platform

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"time"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/circles"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/exits"
	"github.com/herstart/herstart/idempotency"
	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/inbox"
	"github.com/herstart/herstart/jobs"
	"github.com/herstart/herstart/mail"
	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/payments"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/taxonomy"
	"github.com/herstart/herstart/users"
)

// Options are what differs between serve, the commands and the tests.
type Options struct {
	Logger *slog.Logger
	// Holder names this instance among others on the database (leases,
	// page jobs); empty: a fresh id.
	Holder string
	// Now is the clock of the placements and payments (the demo writes a
	// year of history, tests move time); nil is time.Now.
	Now func() time.Time
	// Backend is the database's kind (store.DB.Backend). On the embedded
	// FerretDB over SQLite, which answers every filter but _id by a scan,
	// the indexes that serve only filters are not made (and are removed
	// where an older version made them): they cost every insert and update
	// and speed up nothing. Unique indexes are made everywhere.
	Backend string
	// TokenKey is the key of the index's hidden-candidate tokens; nil reads
	// (or makes) the database's own (store.Secret "index_tokens").
	TokenKey []byte
	// SecondApproval is the claim amount (cents) above which a second
	// coordinator approves; 0 keeps placements.DefaultSecondApprovalAbove.
	SecondApproval int64
	// PayoutApproval likewise for payouts; 0 keeps the payments default.
	PayoutApproval int64
	Debtor         payments.Party
	ReturnURL      string
	// Gateway pays through Stripe; nil: payouts wait for a SEPA export.
	Gateway payments.Gateway
	// ParseEvent verifies Stripe webhooks; nil: the webhook route is 404.
	ParseEvent func(payload []byte, signature string) (payments.Event, error)
}

// Services is the wired platform.
type Services struct {
	DB         *mongo.Database
	Audit      *audit.Recorder
	Outbox     *store.Outbox
	Leases     *store.Leases
	Throttle   *store.Throttle
	Users      *users.Service
	Candidates *candidates.Service
	Employers  *employers.Service
	Index      matching.Index
	Matching   *matching.Service
	Inbox      *inbox.Service
	Placements *placements.Service
	Payments   *payments.Service
	Places     *places.Table
	Taxonomy   *taxonomy.Taxonomy
	Jobs       *jobs.Service
	Once       *idempotency.Service // repeats of a creating request answered with the first answer
	Mail       *mail.Service
	Circles    *circles.Service // partners in care, housing, municipalities and justice around a candidate
	Exits      *exits.Service   // exit trajectories out of a criminal family network
	Holder     string

	collections []string
}

// New wires the services over db and index.
// Errors: the database's (indexes, the token key), the taxonomy's, a hook
// left unset.
func New(ctx context.Context, db *mongo.Database, index matching.Index, o Options) (*Services, error) {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &Services{DB: db, Index: index, Holder: o.Holder}
	if s.Holder == "" {
		s.Holder = ids.New("i_")
	}
	s.Audit = audit.NewRecorder(db, nil)
	s.Outbox = store.NewOutbox(db, log)
	s.Leases = store.NewLeases(db)
	s.Throttle = store.NewThrottle(db, "throttle")
	userStore, candStore, empStore := users.NewStore(db), candidates.NewStore(db), employers.NewStore(db)
	placeStore, payStore := placements.NewStore(db), payments.NewStore(db)
	ensures := []func(context.Context) error{userStore.EnsureIndexes, empStore.EnsureIndexes}
	if o.Backend == "ferretdb-sqlite" {
		ensures = append(ensures, s.Audit.DropQueryIndexes, candStore.DropQueryIndexes)
	} else {
		ensures = append(ensures, s.Audit.EnsureIndexes, candStore.EnsureIndexes)
	}
	for _, ensure := range ensures {
		if err := ensure(ctx); err != nil {
			return nil, err
		}
	}
	if err := s.Audit.Stream(ctx, candidates.DisclosureStream, candidates.DisclosureActions...); err != nil {
		return nil, err
	}
	for _, cs := range [][]string{s.Audit.Collections(), userStore.Collections(), candStore.Collections(), empStore.Collections(), placeStore.Collections(), payStore.Collections(),
		{s.Outbox.Name(), s.Leases.Name(), s.Throttle.Name(), "secrets", store.NewVersions(db).Name(), "inboxes", "jobs", "idempotency"}} {
		s.collections = append(s.collections, cs...)
	}

	s.Places = places.New()
	tx, err := taxonomy.Load()
	if err != nil {
		return nil, err
	}
	s.Taxonomy = tx
	key := o.TokenKey
	if key == nil {
		if key, err = store.Secret(ctx, db, "index_tokens"); err != nil {
			return nil, err
		}
	}

	s.Mail = mail.NewService(db, s.Holder, o.Now)
	s.collections = append(s.collections, s.Mail.Collections()...)
	s.Jobs = jobs.NewService(db, s.Holder, log)
	s.Once = idempotency.NewService(db)
	s.Users = users.NewService(userStore, s.Audit, s.Outbox, nil)
	s.Inbox = inbox.NewService(db, nil)
	s.Candidates = candidates.NewService(candStore, s.Audit, s.Places, s.Outbox, nil)
	s.Employers = employers.NewService(empStore, s.Users, s.Audit, s.Places, s.Throttle, s.Outbox, nil)
	s.Matching = matching.NewService(index, tx, s.Places, s.Candidates, s.Employers, s.Audit, s.Throttle, matching.NewTokens(key), nil)
	s.Placements = placements.NewService(placeStore, s.Candidates, s.Employers, s.Users, s.Audit, s.Outbox, o.Now)
	s.Payments = payments.NewService(payStore, s.Placements, s.Audit, s.Outbox, o.Now)
	s.Circles = circles.NewService(db, s.Audit, s.Outbox, s.Users, s.Candidates, s.Placements, s.Places, o.Now)
	s.collections = append(s.collections, s.Circles.Collections()...)
	s.Exits = exits.NewService(db, s.Audit, s.Outbox, s.Users, s.Candidates, s.Employers, s.Circles, s.Placements, s.Places, o.Now)
	s.collections = append(s.collections, s.Exits.Collections()...)

	// The hooks: each lower package learns of a higher one through them.
	s.Users.SetMailer(s.Mail)
	s.Mail.Register(users.MailInvitation, func(ctx context.Context, m mail.Mail) (mail.Content, bool, error) {
		c, ok, err := s.Users.PrepareInvitation(ctx, m.User)
		return mail.Content(c), ok, err
	})
	s.Mail.Register(users.MailReset, func(ctx context.Context, m mail.Mail) (mail.Content, bool, error) {
		c, ok, err := s.Users.PrepareReset(ctx, m.Address)
		return mail.Content(c), ok, err
	})
	s.Mail.Recipient = Recipient(s.Users)
	s.Mail.Coordinator = func(ctx context.Context) error {
		_, err := users.RequireRole(ctx, users.Coordinator)
		return err
	}
	s.Inbox.Mailed = s.Mail.Notify
	s.Employers.Notify = s.Inbox.Notify
	s.Employers.OnVacancyChange = s.Matching.IndexVacancy
	s.Candidates.EmployerExists = s.Employers.Exists
	s.Candidates.EmployerActive = s.Employers.IsActive
	s.Candidates.EmployerOf = EmployerStanding(s.Employers)
	s.Candidates.IntroductionLevel = s.Placements.IntroductionLevel
	s.Candidates.WorkerContact = func(ctx context.Context, id users.ID) (candidates.ProbationContact, error) {
		u, err := s.Users.Load(ctx, id)
		return candidates.ProbationContact{Name: u.Name, Email: u.Email}, err
	}
	s.Candidates.Indexer = s.Matching.IndexCandidate
	s.Candidates.IndexBatch = s.Matching.IndexCandidates
	s.Placements.Notify = s.Inbox.NotifyOnce
	s.Circles.Notify = s.Inbox.NotifyOnce
	s.Circles.SafetyPlanOf = s.Exits.SafetyPlanOf
	s.Exits.Notify = s.Inbox.NotifyOnce
	s.Placements.CaseManagerOf = s.Exits.CaseManagerOf
	s.Payments.EmployerExists = s.Employers.Exists
	s.Candidates.ErasureExceptions = ErasureExceptions(s.Placements, s.Payments)
	s.Candidates.OnErase = func(ctx context.Context, id candidates.ID) error {
		if err := s.Placements.EraseCandidate(ctx, id); err != nil {
			return err
		}
		if err := s.Circles.EraseCandidate(ctx, string(id)); err != nil {
			return err
		}
		if err := s.Exits.EraseCandidate(ctx, string(id)); err != nil {
			return err
		}
		return s.Users.EraseCandidateAccount(ctx, string(id)) // their own page's account goes too
	}
	s.Candidates.PurgeIndex = s.Matching.Purge
	s.Candidates.InviteAccount = func(ctx context.Context, candidate, name, email string, ev audit.Entry) (candidates.AccountInvite, error) {
		in, err := s.Users.InviteCandidate(ctx, candidate, name, email, ev)
		return candidates.AccountInvite{Login: in.Login, ByMail: in.ByMail, Link: in.Link, Code: in.Code, Until: in.Until}, err
	}

	if o.SecondApproval > 0 {
		s.Placements.SecondApprovalAbove = o.SecondApproval
	}
	if o.PayoutApproval > 0 {
		s.Payments.SecondApprovalAbove = o.PayoutApproval
	}
	s.Payments.Debtor = o.Debtor
	s.Payments.ReturnURL = o.ReturnURL
	s.Payments.Gateway = o.Gateway
	s.Payments.ParseEvent = o.ParseEvent
	for _, svc := range []interface{ SetLogger(*slog.Logger) }{s.Users, s.Candidates, s.Employers, s.Matching, s.Placements, s.Payments, s.Mail, s.Circles, s.Exits} {
		svc.SetLogger(log)
	}
	if err := s.Check(); err != nil {
		return nil, err
	}
	return s, nil
}

// Collections names every collection the services use (for the SQLite
// backend's _id indexes, store.DB.IndexIDs, and for tests that create them
// before a second instance starts).
func (s *Services) Collections() []string { return append([]string(nil), s.collections...) }

// optional are the hooks that configuration may leave unset.
var optional = map[string]bool{"payments.Service.Gateway": true, "payments.Service.ParseEvent": true}

// Check reports every hook (an exported function or interface field of a
// service) left unset, but for the optional ones.
func (s *Services) Check() error {
	var missing []string
	for _, svc := range []any{s.Users, s.Candidates, s.Employers, s.Matching, s.Inbox, s.Placements, s.Payments, s.Mail, s.Circles, s.Exits} {
		v := reflect.ValueOf(svc).Elem()
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() || (f.Type.Kind() != reflect.Func && f.Type.Kind() != reflect.Interface) {
				continue
			}
			name := t.String() + "." + f.Name
			if v.Field(i).IsNil() && !optional[name] {
				missing = append(missing, name)
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("platform: hooks left unset: %v", missing)
	}
	return nil
}

// Recipient tells the mail whom a user id names.
func Recipient(us *users.Service) func(ctx context.Context, id string) (mail.Recipient, error) {
	return func(ctx context.Context, id string) (mail.Recipient, error) {
		u, err := us.Load(ctx, users.ID(id))
		if err != nil {
			return mail.Recipient{}, err
		}
		return mail.Recipient{Address: u.Email, Name: u.Name, Lang: u.Lang, Active: !u.Disabled && !u.Invited && u.Mailable()}, nil
	}
}

// EmployerStanding tells the candidate service who an employer is
// (candidates does not import employers).
func EmployerStanding(es *employers.Service) func(ctx context.Context, id string) (candidates.EmployerStanding, error) {
	return func(ctx context.Context, id string) (candidates.EmployerStanding, error) {
		e, err := es.Load(ctx, employers.ID(id))
		if err != nil {
			return candidates.EmployerStanding{}, err
		}
		return candidates.EmployerStanding{ID: string(e.ID), KvK: e.KvK, Sectors: e.Sectors, Active: e.Active(time.Now())}, nil
	}
}

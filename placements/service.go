package placements

import (
	"context"
	"log/slog"
	"time"

	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// Audit actions of this package (subject: the candidate).
const (
	ActionIntroduction = audit.ActionIntroductionStep
	ActionPlacement    = "placement.write"
	ActionTemplate     = "checkin_template.write"
)

// Outbox tasks: the follow-up of an introduction's write (lists, inbox,
// the candidate's status, and for placed: the placement and the other
// introductions withdrawn) and of a placement's write.
const (
	taskIntro     = "placements.introduction"
	taskPlacement = "placements.placement"
)

// Service applies the introduction and placement rules.
type Service struct {
	store      *Store
	candidates *candidates.Service
	employers  *employers.Service
	users      *users.Service
	audit      *audit.Recorder
	outbox     *store.Outbox
	writer     *store.Writer
	now        func() time.Time
	log        *slog.Logger

	// Notify, when set, tells a user of a step they own next (wired by cmd
	// to the inbox); key makes a re-run notify once.
	Notify func(ctx context.Context, user users.ID, key, kind, text, subject string) error
	// CaseManagerOf names the case manager of the candidate's open exit
	// trajectory ("" when none): a flag "contact with the old network"
	// reaches them at once (wired to the exits service).
	CaseManagerOf func(ctx context.Context, candidate string) (users.ID, error)

	// SecondApprovalAbove is the claim amount (euro cents) above which a
	// second coordinator must approve (HERSTART_CLAIM_SECOND_APPROVAL_CENTS).
	SecondApprovalAbove int64
}

// DefaultSecondApprovalAbove is €2,500.
const DefaultSecondApprovalAbove = 250_000

// NewService returns a Service and registers its outbox tasks. now may be nil.
func NewService(st *Store, cs *candidates.Service, es *employers.Service, us *users.Service, rec *audit.Recorder, ob *store.Outbox, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{store: st, candidates: cs, employers: es, users: us, audit: rec, outbox: ob, writer: store.NewWriter(ob, rec, nil),
		now: now, log: slog.Default(), SecondApprovalAbove: DefaultSecondApprovalAbove}
	store.Handle(s.writer, taskIntro, s.followIntro)
	store.Handle(s.writer, taskPlacement, s.followPlacement)
	return s
}

// SetLogger sets the logger of warnings the service handles itself.
func (s *Service) SetLogger(l *slog.Logger) { s.log = l; s.writer.SetLogger(l) }

// SetClock replaces the service's clock: the demo writes a year of
// history through it. Not for serving.
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

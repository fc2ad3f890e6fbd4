// Package users holds accounts, roles, password hashing (argon2id), API
// tokens and web sessions, TOTP second factors and login throttling. It also
// carries the Actor — who is asking — through a request's context, for the
// domain services to decide what that actor may do.
package users

import (
	"context"
	"net/mail"
	"strings"
	"time"

	"github.com/herstart/herstart/apperr"
)

// Role is what a user does on the platform.
type Role string

// The roles of DESIGN.md.
const (
	Coordinator     Role = "coordinator"
	ProbationWorker Role = "probation_worker"
	Employer        Role = "employer"
	Mentor          Role = "mentor"
	// Candidate is the person leaving crime, invited by their probation
	// worker to a page of their own; the account names its candidate.
	Candidate Role = "candidate"
	// Partner acts for a partner organisation in care, housing, a
	// municipality or justice, within the circles it was accepted into.
	Partner Role = "partner"
)

// Roles lists every role.
var Roles = []Role{Coordinator, ProbationWorker, Employer, Mentor, Candidate, Partner}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// ID identifies a user.
type ID string

// User is an account.
type User struct {
	ID          ID
	Email       string
	Name        string
	Role        Role
	EmployerID  string // set for role employer: the organisation the user acts for
	CandidateID string // set for role candidate: the candidate the account is
	PartnerID   string // set for role partner: the partner organisation the user acts for
	Admin       bool   // for role employer: may add colleagues
	TOTPEnabled bool
	CreatedAt   time.Time
	Disabled    bool
	Lang        string // the pages' language the user chose: "nl", "en", or "" (the browser decides)
	Invited     bool   // invited, and has not chosen a password yet
}

// Actor is the authenticated user a request acts for.
type Actor struct {
	UserID     ID
	Role       Role
	EmployerID string
	Admin      bool   // an employer's administrator
	Candidate  string // role candidate: the candidate's own id
	PartnerID  string // role partner: the partner organisation
}

// Is reports whether the actor has one of roles.
func (a Actor) Is(roles ...Role) bool {
	for _, r := range roles {
		if a.Role == r {
			return true
		}
	}
	return false
}

type actorKey struct{}

// WithActor returns ctx carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx, or Unauthenticated when there is none.
func ActorFrom(ctx context.Context) (Actor, error) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	if !ok || a.UserID == "" {
		return Actor{}, apperr.Errorf(apperr.Unauthenticated, "Sign in first.")
	}
	return a, nil
}

// RequireRole returns the actor in ctx if it has one of roles; otherwise
// Unauthenticated or Forbidden.
func RequireRole(ctx context.Context, roles ...Role) (Actor, error) {
	a, err := ActorFrom(ctx)
	if err != nil {
		return Actor{}, err
	}
	if !a.Is(roles...) {
		return Actor{}, apperr.Errorf(apperr.Forbidden, "Your role may not do this.")
	}
	return a, nil
}

// NewUser is the input for creating an account.
type NewUser struct {
	Email      string
	Name       string
	Password   string // empty: the account is invited by mail to choose one
	Role       Role
	EmployerID string
	Admin      bool   // employer administrator (the applicant who registered the organisation)
	Candidate  string // role candidate: the candidate's id (the candidates service makes these accounts)
	PartnerID  string // role partner: the partner organisation (the circles service makes these accounts)

	hashed string // Password's hash made already (CreateUncheckedSharing)
}

// Password length bounds; the upper one caps the cost of hashing.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

// Validate checks every field and reports all problems at once.
func (n NewUser) Validate() error {
	var f apperr.Fields
	if msg := checkEmail(n.Email); msg != "" {
		f.Add("email", msg)
	}
	f.Text("name", n.Name, 100, false) // length, and no NUL or other control characters
	switch l := len([]rune(n.Password)); {
	case n.Password == "":
		// an invitation
	case l < MinPasswordLen:
		f.Addf("password", "must be at least %d characters", MinPasswordLen)
	case l > MaxPasswordLen:
		f.Addf("password", "must be at most %d characters", MaxPasswordLen)
	}
	switch {
	case n.Role == "":
		f.Add("role", "is required")
	case !n.Role.Valid():
		f.Add("role", "must be one of coordinator, probation_worker, employer, mentor, candidate, partner")
	}
	if n.Role == Employer && n.EmployerID == "" {
		f.Add("employer_id", "is required for role employer")
	}
	if n.Role != Employer && n.EmployerID != "" {
		f.Add("employer_id", "is only allowed for role employer")
	}
	if n.Role != Employer && n.Admin {
		f.Add("admin", "is only allowed for role employer")
	}
	if n.Role == Candidate && n.Candidate == "" {
		f.Add("candidate_id", "is required for role candidate (the probation worker invites the candidate)")
	}
	if n.Role != Candidate && n.Candidate != "" {
		f.Add("candidate_id", "is only allowed for role candidate")
	}
	if n.Role == Partner && n.PartnerID == "" {
		f.Add("partner_id", "is required for role partner")
	}
	if n.Role != Partner && n.PartnerID != "" {
		f.Add("partner_id", "is only allowed for role partner")
	}
	if len(n.EmployerID) > 64 {
		f.Add("employer_id", "must be at most 64 characters")
	}
	return f.Err()
}

func checkEmail(s string) string {
	switch {
	case s == "":
		return "is required"
	case len(s) > 254:
		return "must be at most 254 characters"
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return "must be an e-mail address such as naam@voorbeeld.nl"
	}
	return ""
}

// normalizeEmail is the form e-mail addresses are compared in.
func normalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

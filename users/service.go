package users

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/store"
)

// Lifetimes and login limits.
const (
	TokenTTL   = 12 * time.Hour
	SessionTTL = 12 * time.Hour

	// An IP address may try 20 logins in 5 minutes, whatever the outcome.
	ipWindow   = 5 * time.Minute
	ipAttempts = 20
	// An account locks for 15 minutes after 5 failed logins.
	accountWindow   = 15 * time.Minute
	accountFailures = 5
)

// badLogin is the one message every failed login gets, so that nobody learns
// whether an e-mail address has an account.
const badLogin = "E-mail address, password or code is incorrect."

// Service applies the account rules.
type Service struct {
	store  *Store
	audit  *audit.Recorder
	outbox *store.Outbox
	writer *store.Writer
	mail   Mailer // SetMailer
	now    func() time.Time
	log    *slog.Logger
	// tokens keeps presented tokens for ten minutes, forgotten everywhere
	// when the access epoch moves (a revocation answers after its bump).
	tokens *store.Cached[tokenDoc]

	sharedMu sync.Mutex
	shared   map[string]string // password → its one hash (CreateUncheckedSharing)
}

// tokenCacheTTL bounds how long a token read stays in memory; a revoked
// token stops on the next request regardless (the access epoch), and an
// expired one by its expiry kept with it.
const tokenCacheTTL = 10 * time.Minute

// taskWrite follows up a write of an account: its audit event (payload),
// appended once if the write took effect (the user names the task among
// its last writes). Key: the user id.
const taskWrite = "users.write"

// NewService returns a Service and registers its outbox task. now may be
// nil (time.Now).
func NewService(st *Store, rec *audit.Recorder, ob *store.Outbox, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{store: st, audit: rec, outbox: ob, now: now, log: slog.Default(), tokens: store.NewCached[tokenDoc](st.access, tokenCacheTTL, 100_000)}
	s.writer = store.NewWriter(ob, rec, nil)
	store.Handle(s.writer, taskWrite, s.followUp)
	return s
}

// userTask names the account a write is about.
type userTask struct {
	User ID `json:"user"`
}

func (s *Service) followUp(ctx context.Context, t store.FollowUp[userTask]) (bool, error) {
	d, err := s.store.byID(ctx, cmp.Or(t.Data.User, ID(t.Key())))
	return store.Landed(err, d.Writes, t.ID())
}

// write runs save (which stores the user with the task among its writes)
// through the one write path (store.Do), with ev as its event; with an
// empty ev.Action there is no event and no task.
func (s *Service) write(ctx context.Context, id string, ev audit.Entry, save func(task string) error) error {
	if ev.Action == "" {
		return save("")
	}
	ev.Subject = "user:" + id
	return store.Do(ctx, s.writer, store.Write[userTask]{Kind: taskWrite, Key: id, Data: userTask{User: ID(id)}, Event: ev,
		Save: func(_ context.Context, task string) error { return save(task) }})
}

// Create makes an account. Only coordinators create accounts.
// Errors: Unauthenticated, Forbidden, Invalid, Conflict (e-mail in use).
func (s *Service) Create(ctx context.Context, n NewUser) (User, error) {
	actor, err := RequireRole(ctx, Coordinator)
	if err != nil {
		return User{}, err
	}
	return s.create(ctx, n, audit.Entry{ActorID: string(actor.UserID), Role: string(actor.Role), Action: audit.ActionUserCreate,
		Details: map[string]string{"role": string(n.Role)}})
}

// CreateRecorded makes an account without checking the actor (the caller
// has), recording ev for it; for the employers service's colleagues.
func (s *Service) CreateRecorded(ctx context.Context, n NewUser, ev audit.Entry) (User, error) {
	return s.create(ctx, n, ev)
}

func (s *Service) create(ctx context.Context, n NewUser, ev audit.Entry) (User, error) {
	n.Email = normalizeEmail(n.Email)
	n.Name = strings.TrimSpace(n.Name)
	if err := n.Validate(); err != nil {
		return User{}, err
	}
	owner, err := s.store.emails.Owner(ctx, n.Email)
	if err != nil {
		return User{}, err
	}
	if owner != "" {
		if _, err := s.store.byID(ctx, ID(owner)); err == nil {
			return User{}, &apperr.Error{Code: apperr.Conflict, Message: "A user with this e-mail address exists already.",
				Fields: map[string]string{"email": "is in use"}}
		}
	}
	d := userDoc{ID: store.NewID("u_"), Email: n.Email, Name: n.Name, Role: string(n.Role), EmployerID: n.EmployerID, CandidateID: n.Candidate, PartnerID: n.PartnerID, Admin: n.Admin,
		CreatedAt: s.now().UTC().Truncate(time.Millisecond), Version: 1}
	if n.Password != "" {
		d.PasswordHash = n.hashed
		if d.PasswordHash == "" {
			d.PasswordHash = hashPassword(n.Password)
		}
	} else {
		d.InvitedAt = d.CreatedAt
		if ev.Details != nil {
			ev.Details["by"] = "invitation"
		}
	}
	err = s.write(ctx, d.ID, ev, func(task string) error {
		if task != "" {
			d.Writes = []string{task}
		}
		return s.store.insert(ctx, d)
	})
	if err != nil {
		return User{}, err
	}
	if n.Password == "" && mailable(n.Email) {
		// After the account: a crash between leaves an account that a
		// coordinator invites again (Invite).
		if s.mail == nil {
			return User{}, errors.New("users: invitations need the mail (SetMailer)")
		}
		if err := s.mail.Queue(ctx, MailInvitation, d.ID, "created"); err != nil {
			return User{}, err
		}
	}
	return d.toDomain(), nil
}

// Bootstrap creates the first coordinator of a new installation. It does
// nothing when a coordinator exists already.
func (s *Service) Bootstrap(ctx context.Context, email, password string) (bool, error) {
	return s.firstCoordinator(ctx, "Beheerder", email, password, "bootstrap")
}

// FirstCoordinator creates the first coordinator from the first run's
// setup page, with the name, e-mail address and password given there. It
// does nothing (false) when a coordinator exists already.
// Errors: Invalid (the e-mail address, name or password).
func (s *Service) FirstCoordinator(ctx context.Context, name, email, password string) (bool, error) {
	return s.firstCoordinator(ctx, name, email, password, "setup")
}

// firstCoordinator creates the installation's first coordinator, recorded
// as made by the system via the named way in; nothing when one exists.
func (s *Service) firstCoordinator(ctx context.Context, name, email, password, via string) (bool, error) {
	n, err := s.store.count(ctx, Coordinator)
	if err != nil || n > 0 {
		return false, err
	}
	if password == "" {
		return false, apperr.InvalidField("password", "is required")
	}
	_, err = s.create(ctx, NewUser{Email: email, Password: password, Role: Coordinator, Name: name},
		audit.Entry{ActorID: "system", Role: "system", Action: audit.ActionUserCreate, Details: map[string]string{"role": string(Coordinator), "via": via}})
	return err == nil, err
}

// NoCoordinator reports whether the installation has no coordinator yet
// (nobody can create accounts): serve then says how to get in.
func (s *Service) NoCoordinator(ctx context.Context) (bool, error) {
	n, err := s.store.count(ctx, Coordinator)
	return n == 0, err
}

// EmailInUse reports whether an account has the e-mail address.
func (s *Service) EmailInUse(ctx context.Context, email string) (bool, error) {
	_, err := s.store.byEmail(ctx, normalizeEmail(email))
	switch {
	case apperr.Is(err, apperr.NotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// ByEmail returns the account with the e-mail address, for the employers
// service's registration (healing a half-done one, refusing a taken
// address); never for a request's own reads.
// Errors: NotFound.
func (s *Service) ByEmail(ctx context.Context, email string) (User, error) {
	d, err := s.store.byEmail(ctx, normalizeEmail(email))
	if err != nil {
		return User{}, err
	}
	return d.toDomain(), nil
}

// SpendHashTime takes as long as hashing a new password, so that a refusal
// answers as late as an account creation would.
func SpendHashTime(password string) { _ = hashPassword(password) }

// Delete removes an account and its e-mail key; for undoing a registration
// whose later steps failed, never for a request.
func (s *Service) Delete(ctx context.Context, id ID) error {
	d, err := s.store.byID(ctx, id)
	if err != nil {
		return err
	}
	return s.store.delete(ctx, d)
}

// CreateUnchecked makes an account without an actor; for the demo loader
// and tests, never for a request.
func (s *Service) CreateUnchecked(ctx context.Context, n NewUser) (User, error) {
	return s.create(ctx, n, audit.Entry{})
}

// CreateUncheckedSharing is CreateUnchecked for many generated accounts
// that share one public password (the demo's generated probation
// workers): the password is hashed once, with one salt, instead of once per
// account (~80 ms each). Never for a real account: the shared salt shows
// which accounts share a password.
func (s *Service) CreateUncheckedSharing(ctx context.Context, n NewUser) (User, error) {
	s.sharedMu.Lock()
	if s.shared == nil {
		s.shared = map[string]string{}
	}
	h, ok := s.shared[n.Password]
	if !ok && n.Password != "" {
		h = hashPassword(n.Password)
		s.shared[n.Password] = h
	}
	s.sharedMu.Unlock()
	n.hashed = h
	return s.create(ctx, n, audit.Entry{})
}

// Credentials is a login attempt.
type Credentials struct {
	Email    string
	Password string
	TOTP     string
	IP       string
}

// Session is an issued credential: a bearer token for the API, or a session
// cookie (with its CSRF token) for the pages.
type Session struct {
	Token     string
	CSRF      string
	ExpiresAt time.Time
	UserID    ID
	Role      Role
}

// Login checks credentials and issues an API token (session=false) or a web
// session (session=true).
// Errors: Invalid (fields missing), Unauthenticated (any wrong part, one
// message), TooManyRequests (throttled by IP or account).
func (s *Service) Login(ctx context.Context, c Credentials, session bool) (Session, error) {
	email := normalizeEmail(c.Email)
	var f apperr.Fields
	if email == "" {
		f.Add("email", "is required")
	} else if len(email) > 254 {
		f.Add("email", "must be at most 254 characters")
	}
	if c.Password == "" {
		f.Add("password", "is required")
	} else if len(c.Password) > MaxPasswordLen*4 {
		f.Addf("password", "must be at most %d characters", MaxPasswordLen)
	}
	if len(c.TOTP) > 10 {
		f.Add("totp", "must be a 6-digit code")
	}
	if err := f.Err(); err != nil {
		return Session{}, err
	}
	now := s.now()
	ip := c.IP
	if ip == "" {
		ip = "unknown" // counted together, never unlimited
	}
	if n, err := s.store.throttle.Hit(ctx, "ip:"+ip, now, ipWindow); err != nil {
		return Session{}, err
	} else if n > ipAttempts {
		return Session{}, apperr.Errorf(apperr.TooManyRequests, "Too many login attempts. Try again in a few minutes.")
	}
	// Every attempt on an account takes one of its slots of the window
	// before the password is checked, so that the limit holds however many
	// attempts run at once (a count read before the ~30 ms hash and written
	// after let twelve parallel guesses through); a success frees them.
	acctKey := fmt.Sprintf("acct:%s:%d", sha256Hex(email), now.Unix()/int64(accountWindow/time.Second))
	if free, err := s.store.slots.Take(ctx, acctKey, accountFailures, now); err != nil {
		return Session{}, err
	} else if !free {
		return Session{}, apperr.Errorf(apperr.TooManyRequests, "Too many login attempts. Try again in a few minutes.")
	}
	d, err := s.store.byEmail(ctx, email)
	if apperr.Is(err, apperr.NotFound) {
		_, _ = checkPassword(dummyHash, c.Password)
		return Session{}, apperr.Errorf(apperr.Unauthenticated, badLogin)
	}
	if err != nil {
		return Session{}, err
	}
	if d.PasswordHash == "" { // invited, no password chosen yet
		d.PasswordHash = dummyHash
		d.Disabled = true // refused below, after the same work as a wrong password
	}
	ok, err := checkPassword(d.PasswordHash, c.Password)
	if err != nil {
		return Session{}, fmt.Errorf("login %s: %w", d.ID, err)
	}
	if ok && d.TOTPEnabled {
		ok, err = s.checkTOTP(ctx, d, c.TOTP, now)
		if err != nil {
			return Session{}, err
		}
	}
	if !ok || d.Disabled {
		// A security event: recorded before the answer, or the request
		// fails (decisions.md, "One audit rule").
		if err := s.audit.Record(ctx, audit.Entry{ActorID: d.ID, Role: d.Role, Action: audit.ActionLoginFailed, Subject: "user:" + d.ID}); err != nil {
			return Session{}, err
		}
		return Session{}, apperr.Errorf(apperr.Unauthenticated, badLogin)
	}
	if err := s.store.slots.Free(ctx, acctKey, accountFailures); err != nil {
		return Session{}, err
	}
	out, err := s.issue(ctx, d, session, now)
	if err != nil {
		return Session{}, err
	}
	kind := kindAPI
	if session {
		kind = kindSession
	}
	err = s.audit.Record(ctx, audit.Entry{ActorID: d.ID, Role: d.Role, Action: audit.ActionLogin, Subject: "user:" + d.ID,
		Details: map[string]string{"kind": kind}})
	return out, err
}

func (s *Service) issue(ctx context.Context, d userDoc, session bool, now time.Time) (Session, error) {
	tok := "hst_" + randomToken()
	t := tokenDoc{Hash: sha256Hex(tok), UserID: d.ID, Role: d.Role, Employer: d.EmployerID, Candidate: d.CandidateID, Partner: d.PartnerID, Admin: d.Admin, Kind: kindAPI, CreatedAt: now.UTC(), ExpiresAt: now.Add(TokenTTL).UTC().Truncate(time.Millisecond)}
	if session {
		t.Kind, t.CSRF, t.ExpiresAt = kindSession, randomToken(), now.Add(SessionTTL).UTC().Truncate(time.Millisecond)
	}
	if err := s.store.insertToken(ctx, t); err != nil {
		return Session{}, err
	}
	return Session{Token: tok, CSRF: t.CSRF, ExpiresAt: t.ExpiresAt, UserID: ID(d.ID), Role: Role(d.Role)}, nil
}

// Authenticated is what a presented token resolves to.
type Authenticated struct {
	Actor   Actor
	Session bool   // a web session (cookie), not an API token
	CSRF    string // the session's CSRF token
}

// Authenticate resolves a bearer token or session cookie value. It reads the
// token only: the token carries the user's role and employer from when it was
// issued, so anything that changes a user's role or disables them must also
// revoke their tokens (RevokeAll).
// Errors: Unauthenticated (unknown or expired).
func (s *Service) Authenticate(ctx context.Context, token string) (Authenticated, error) {
	if token == "" || len(token) > 200 {
		return Authenticated{}, apperr.Errorf(apperr.Unauthenticated, "Sign in first.")
	}
	hash := sha256Hex(token)
	t, err := s.tokens.Get(ctx, hash, s.now(), func(ctx context.Context) (tokenDoc, error) { return s.store.token(ctx, hash) })
	if err != nil {
		return Authenticated{}, err
	}
	if !s.now().Before(t.ExpiresAt) {
		return Authenticated{}, apperr.Errorf(apperr.Unauthenticated, "Your sign-in has expired. Sign in again.")
	}
	if t.Role == "" { // issued before tokens carried the role
		return Authenticated{}, apperr.Errorf(apperr.Unauthenticated, "Sign in again.")
	}
	return Authenticated{
		Actor:   Actor{UserID: ID(t.UserID), Role: Role(t.Role), EmployerID: t.Employer, Admin: t.Admin, Candidate: t.Candidate, PartnerID: t.Partner},
		Session: t.Kind == kindSession,
		CSRF:    t.CSRF,
	}, nil
}

// RevokeAll ends every token and session of user; it scans the token
// collection, which is fine for a rare administrative step.
func (s *Service) RevokeAll(ctx context.Context, user ID) (int64, error) {
	n, err := s.store.deleteTokensOf(ctx, user)
	if err != nil {
		return n, err
	}
	return n, s.store.access.Bump(ctx) // every instance forgets them before the answer
}

// Logout revokes token.
func (s *Service) Logout(ctx context.Context, token string) error {
	hash := sha256Hex(token)
	if err := s.store.deleteToken(ctx, hash); err != nil {
		return err
	}
	s.tokens.Forget(hash)
	return s.store.access.Bump(ctx) // every instance forgets it before the answer
}

// Load returns an account without an actor, for services that check whom
// an id names (is this user a mentor?); never for a request's own reads.
// Errors: NotFound.
func (s *Service) Load(ctx context.Context, id ID) (User, error) {
	if !store.ValidID(string(id), "u_") {
		return User{}, apperr.Errorf(apperr.NotFound, "User not found.")
	}
	d, err := s.store.byID(ctx, id)
	if err != nil {
		return User{}, err
	}
	return d.toDomain(), nil
}

// Me returns the actor's own account.
func (s *Service) Me(ctx context.Context) (User, error) {
	a, err := ActorFrom(ctx)
	if err != nil {
		return User{}, err
	}
	d, err := s.store.byID(ctx, a.UserID)
	if err != nil {
		return User{}, err
	}
	return d.toDomain(), nil
}

// SetLanguage remembers the pages' language the actor chose ("nl" or
// "en"). It is a preference, not a change of what the account may do: no
// audit event.
// Errors: Unauthenticated, Invalid.
func (s *Service) SetLanguage(ctx context.Context, lang string) error {
	a, err := ActorFrom(ctx)
	if err != nil {
		return err
	}
	if lang != "nl" && lang != "en" {
		return apperr.InvalidField("lang", "must be nl or en")
	}
	return s.set(ctx, a.UserID, map[string]any{"lang": lang}, audit.Entry{})
}

// TOTPEnrolment is a new second-factor secret waiting for confirmation.
type TOTPEnrolment struct {
	Secret string
	URL    string // otpauth:// URL for an authenticator app's QR code
}

// BeginTOTP creates a pending TOTP secret for the actor. It takes effect
// only after ConfirmTOTP with a valid code.
// Errors: Unauthenticated, Conflict (already enrolled).
func (s *Service) BeginTOTP(ctx context.Context) (TOTPEnrolment, error) {
	a, err := ActorFrom(ctx)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	d, err := s.store.byID(ctx, a.UserID)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	if d.TOTPEnabled {
		return TOTPEnrolment{}, apperr.Errorf(apperr.Conflict, "A second factor is set up already.")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Herstart", AccountName: d.Email})
	if err != nil {
		return TOTPEnrolment{}, fmt.Errorf("totp generate: %w", err)
	}
	if err := s.set(ctx, a.UserID, map[string]any{"totp_pending": key.Secret()}, audit.Entry{}); err != nil {
		return TOTPEnrolment{}, err
	}
	return TOTPEnrolment{Secret: key.Secret(), URL: key.URL()}, nil
}

// ConfirmTOTP enables the pending secret if code is valid for it. From then
// on every login needs a code.
// Errors: Unauthenticated, Invalid (wrong code or nothing pending).
func (s *Service) ConfirmTOTP(ctx context.Context, code string) error {
	a, err := ActorFrom(ctx)
	if err != nil {
		return err
	}
	d, err := s.store.byID(ctx, a.UserID)
	if err != nil {
		return err
	}
	if d.TOTPPending == "" {
		return apperr.InvalidField("code", "start the set-up first")
	}
	step, ok := matchTOTP(d.TOTPPending, code, s.now())
	if !ok {
		return apperr.InvalidField("code", "is not the current code of your authenticator app")
	}
	return s.set(ctx, a.UserID, map[string]any{"totp_secret": d.TOTPPending, "totp_pending": "", "totp_enabled": true, "totp_last_step": step},
		audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: audit.ActionTOTPEnrol})
}

// checkTOTP accepts a code once: a code's time step must be newer than the
// last one used, so an overheard code cannot be replayed.
func (s *Service) checkTOTP(ctx context.Context, d userDoc, code string, now time.Time) (bool, error) {
	step, ok := matchTOTP(d.TOTPSecret, code, now)
	if !ok || step <= d.TOTPLastStep {
		return false, nil
	}
	// A code works once: its time step is claimed by a unique insert, which
	// of concurrent logins only one wins (reading totp_last_step first and
	// writing it after let three of four parallel logins through).
	first, err := s.store.slots.Once(ctx, fmt.Sprintf("totp:%s:%d", d.ID, step), now)
	if err != nil || !first {
		return false, err
	}
	// Kept too, so that a code of an earlier step than one used is refused
	// without a claim.
	unlock := s.store.locks.Lock("totp:" + d.ID)
	defer unlock()
	return true, s.set(ctx, ID(d.ID), map[string]any{"totp_last_step": step}, audit.Entry{})
}

// matchTOTP checks code against the 30-second steps around now (one each
// side, for clock drift) and returns the matching step.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0, false
	}
	opts := totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	for _, off := range []int64{0, -1, 1} {
		t := now.Add(time.Duration(off*30) * time.Second)
		want, err := totp.GenerateCodeCustom(secret, t, opts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return t.Unix() / 30, true
		}
	}
	return 0, false
}

// set changes fields of an account conditionally on the version read
// (store.Versions.Update), recording ev for it when ev names an action.
func (s *Service) set(ctx context.Context, id ID, fields map[string]any, ev audit.Entry) error {
	return s.write(ctx, string(id), ev, func(task string) error { return s.store.set(ctx, id, fields, task) })
}

// PruneTokens deletes expired tokens; a periodic job.
func (s *Service) PruneTokens(ctx context.Context) (int64, error) {
	n, err := s.store.pruneTokens(ctx, s.now())
	if err != nil {
		return n, err
	}
	// Login slots outlive their window by far after an hour; TOTP step
	// claims after a few minutes (the step check refuses old codes anyway).
	m, err := s.store.slots.Prune(ctx, s.now().Add(-time.Hour))
	return n + m, err
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SetLogger sets the logger of warnings the service handles itself (cmd
// passes the platform's).
func (s *Service) SetLogger(l *slog.Logger) { s.log = l }

package users

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/store"
)

// One-time links: an invitation (a new account chooses its password) and
// a password reset. The link's token is stored hashed (SHA-256, like the
// sessions'), in a collection of its own (a link is never a bearer token),
// and works once: its use is a unique claim (store.Slots.Once), so of two
// parallel uses one wins. The token is made when the mail is built, so no
// usable token waits in the database, and a mail sent again after a crash
// carries a fresh one. See docs/decisions.md (49).

// Kinds of mail the users service builds.
const (
	MailInvitation = "invitation"
	MailReset      = "password_reset"
)

// Lifetimes of the links.
const (
	InvitationTTL = 72 * time.Hour
	ResetTTL      = time.Hour
)

// Audit actions of the links (subject: the user).
const (
	ActionUserInvite         = "user.invite"
	ActionInvitationLink     = "user.invitation_link" // a link handed over in person, shown to the coordinator
	ActionInvitationAccepted = "user.invitation_accepted"
	ActionPasswordResetLink  = "user.password_reset_link"
	ActionTOTPReset          = "user.totp_reset"
)

// Reset requests: an address may ask 3 times an hour (more asks are
// answered the same, and send nothing); an IP address 10 times in 15
// minutes.
const (
	resetPerAddress = 3
	resetIPWindow   = 15 * time.Minute
	resetPerIP      = 10
)

const (
	linkInvitation = "invitation"
	linkReset      = "reset"
)

type linkDoc struct {
	Hash      string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	Kind      string    `bson:"kind"`
	CreatedAt time.Time `bson:"created_at"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// Mailer is what the users service needs of the mail (package mail, which
// builds the service's kinds of mail with PrepareInvitation and
// PrepareReset, as the platform wires them).
type Mailer interface {
	Queue(ctx context.Context, kind, user, key string) error
	QueueTo(ctx context.Context, kind, address string) error
	Link(path string) string
}

// SetMailer connects the service to the mail.
func (s *Service) SetMailer(m Mailer) { s.mail = m }

// MailContent is a mail the users service built: to whom, what.
type MailContent struct {
	To, Subject, Text string
}

// newLink stores a fresh link of kind for user and returns its token.
func (s *Service) newLink(ctx context.Context, user ID, kind string, ttl time.Duration) (string, time.Time, error) {
	if kind == linkInvitation { // one invitation at a time: a new one ends the older
		if _, err := s.store.links.DeleteMany(ctx, bson.M{"user_id": string(user), "kind": kind}); err != nil {
			return "", time.Time{}, fmt.Errorf("end older invitations: %w", err)
		}
	}
	tok := randomToken()
	now := s.now().UTC().Truncate(time.Millisecond)
	d := linkDoc{Hash: sha256Hex(tok), UserID: string(user), Kind: kind, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if _, err := s.store.links.InsertOne(ctx, d); err != nil {
		return "", time.Time{}, fmt.Errorf("store link: %w", err)
	}
	return tok, d.ExpiresAt, nil
}

// PrepareInvitation builds an invitation mail to user, with a fresh link;
// none (false) for an account that is deactivated or has chosen its
// password. For the mail job, never for a request.
func (s *Service) PrepareInvitation(ctx context.Context, user string) (MailContent, bool, error) {
	d, err := s.store.byID(ctx, ID(user))
	if apperr.Is(err, apperr.NotFound) {
		return MailContent{}, false, nil
	}
	if err != nil || d.Disabled || d.PasswordHash != "" || !mailable(d.Email) {
		return MailContent{}, false, err
	}
	tok, until, err := s.newLink(ctx, ID(d.ID), linkInvitation, InvitationTTL)
	if err != nil {
		return MailContent{}, false, err
	}
	link := s.mail.Link("/uitnodiging?code=" + tok)
	if d.Lang == "en" {
		return MailContent{To: d.Email, Subject: "Your Herstart account",
			Text: fmt.Sprintf("Dear %s,\n\nAn account on Herstart was made for you, as %s.\nChoose your password with this link (it works once, until %s UTC):\n\n%s\n\nDid you not expect this mail? Then you need not do anything.\n",
				d.Name, roleNames[Role(d.Role)][1], until.Format("2 January 2006 15:04"), link)}, true, nil
	}
	return MailContent{To: d.Email, Subject: "Uw account op Herstart",
		Text: fmt.Sprintf("Beste %s,\n\nEr is voor u een account op Herstart gemaakt, als %s.\nKies uw wachtwoord met deze link (die één keer werkt, tot %s UTC):\n\n%s\n\nVerwachtte u deze mail niet? Dan hoeft u niets te doen.\n",
			d.Name, roleNames[Role(d.Role)][0], until.Format("02-01-2006 15:04"), link)}, true, nil
}

// PrepareReset builds a reset mail for the address asked, with a fresh
// link; none when no active account has it (the asker was told the same).
// For the mail job, never for a request.
func (s *Service) PrepareReset(ctx context.Context, address string) (MailContent, bool, error) {
	d, err := s.store.byEmail(ctx, normalizeEmail(address))
	if apperr.Is(err, apperr.NotFound) {
		return MailContent{}, false, nil
	}
	if err != nil || d.Disabled {
		return MailContent{}, false, err
	}
	tok, _, err := s.newLink(ctx, ID(d.ID), linkReset, ResetTTL)
	if err != nil {
		return MailContent{}, false, err
	}
	link := s.mail.Link("/wachtwoord-herstellen?code=" + tok)
	if d.Lang == "en" {
		return MailContent{To: d.Email, Subject: "Choose a new Herstart password",
			Text: fmt.Sprintf("Dear %s,\n\nSomeone asked to choose a new password for your Herstart account.\nThis link works once, for one hour:\n\n%s\n\nDid you not ask? Then ignore this mail: your password stays as it is.\n", d.Name, link)}, true, nil
	}
	return MailContent{To: d.Email, Subject: "Nieuw wachtwoord voor Herstart",
		Text: fmt.Sprintf("Beste %s,\n\nEr is gevraagd om een nieuw wachtwoord voor uw account op Herstart.\nDeze link werkt één keer, een uur lang:\n\n%s\n\nHeeft u dit niet gevraagd? Dan kunt u deze mail negeren: uw wachtwoord blijft zoals het is.\n", d.Name, link)}, true, nil
}

// roleNames in Dutch and English, for mails.
var roleNames = map[Role][2]string{
	Coordinator:     {"coördinator", "coordinator"},
	ProbationWorker: {"reclasseringswerker", "probation worker"},
	Employer:        {"werkgever", "employer"},
	Mentor:          {"mentor", "mentor"},
	Candidate:       {"kandidaat", "candidate"},
}

// Invite sends an account that has not chosen its password yet a new
// invitation by mail (the older link stops working when it is built).
// Errors: Unauthenticated, Forbidden, NotFound, Conflict (the account has
// a password: it uses a reset).
func (s *Service) Invite(ctx context.Context, id ID) error {
	a, u, err := s.pending(ctx, id)
	if err != nil {
		return err
	}
	ev := audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: ActionUserInvite, Details: map[string]string{"role": string(u.Role), "by": "mail"}}
	if err := s.set(ctx, id, map[string]any{"invited_at": s.now().UTC().Truncate(time.Millisecond)}, ev); err != nil {
		return err
	}
	return s.mail.Queue(ctx, MailInvitation, string(id), "")
}

// InvitationLink makes an invitation link now and returns its path (and
// query) once, for a coordinator to hand over in person (where no mail
// goes out); the caller puts the platform's address before it.
// Errors: as Invite.
func (s *Service) InvitationLink(ctx context.Context, id ID) (string, time.Time, error) {
	a, u, err := s.pending(ctx, id)
	if err != nil {
		return "", time.Time{}, err
	}
	ev := audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: ActionInvitationLink, Details: map[string]string{"role": string(u.Role), "by": "link"}}
	if err := s.set(ctx, id, map[string]any{"invited_at": s.now().UTC().Truncate(time.Millisecond)}, ev); err != nil {
		return "", time.Time{}, err
	}
	tok, until, err := s.newLink(ctx, id, linkInvitation, InvitationTTL)
	if err != nil {
		return "", time.Time{}, err
	}
	return "/uitnodiging?code=" + tok, until, nil
}

// pending returns the coordinator asking and the account to invite.
func (s *Service) pending(ctx context.Context, id ID) (Actor, userDoc, error) {
	a, err := RequireRole(ctx, Coordinator)
	if err != nil {
		return Actor{}, userDoc{}, err
	}
	if !validUserID(id) {
		return Actor{}, userDoc{}, apperr.Errorf(apperr.NotFound, "User not found.")
	}
	d, err := s.store.byID(ctx, id)
	if err != nil {
		return Actor{}, userDoc{}, err
	}
	switch {
	case d.Disabled:
		return Actor{}, userDoc{}, apperr.Errorf(apperr.Conflict, "The account is deactivated: activate it first.")
	case d.PasswordHash != "":
		return Actor{}, userDoc{}, apperr.Errorf(apperr.Conflict, "The account has chosen its password already: a new one goes by a password reset.")
	}
	return a, d, nil
}

// LinkInfo is what a link's page may show before it is used.
type LinkInfo struct {
	Name  string
	Email string
}

// CheckInvitation tells whether an invitation token works, and for whom
// (the page greets them); it does not use it.
// Errors: Invalid (field code) when it does not work.
func (s *Service) CheckInvitation(ctx context.Context, token string) (LinkInfo, error) {
	l, err := s.link(ctx, token, linkInvitation)
	if err != nil {
		return LinkInfo{}, err
	}
	d, err := s.store.byID(ctx, ID(l.UserID))
	if err != nil {
		return LinkInfo{}, errLinkGone
	}
	return LinkInfo{Name: d.Name, Email: d.Email}, nil
}

var errLinkGone = apperr.InvalidField("code", "this link no longer works: it was used, has expired or was replaced by a newer one")

func (s *Service) link(ctx context.Context, token, kind string) (linkDoc, error) {
	if token == "" || len(token) > 100 {
		return linkDoc{}, errLinkGone
	}
	var l linkDoc
	err := s.store.links.FindOne(ctx, bson.M{"_id": sha256Hex(token)}).Decode(&l)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return linkDoc{}, errLinkGone
	case err != nil:
		return linkDoc{}, fmt.Errorf("find link: %w", err)
	}
	if l.Kind != kind || !s.now().Before(l.ExpiresAt) {
		return linkDoc{}, errLinkGone
	}
	return l, nil
}

// AcceptInvitation sets the invited account's password with the link's
// token; the link then stops working.
// Errors: Invalid (password; code when the link does not work).
func (s *Service) AcceptInvitation(ctx context.Context, token, password string) (User, error) {
	return s.useLink(ctx, token, password, linkInvitation, ActionInvitationAccepted)
}

// ResetWithLink sets a new password with a reset link's token, and ends
// every session, token and other link of the account.
// Errors: Invalid (password; code when the link does not work).
func (s *Service) ResetWithLink(ctx context.Context, token, password string) (User, error) {
	return s.useLink(ctx, token, password, linkReset, ActionPasswordResetLink)
}

func (s *Service) useLink(ctx context.Context, token, password, kind, action string) (User, error) {
	if msg := checkPasswordLen(password); msg != "" {
		return User{}, apperr.InvalidField("password", msg)
	}
	l, err := s.link(ctx, token, kind)
	if err != nil {
		return User{}, err
	}
	// The one use: a unique claim, so that of parallel uses one wins.
	first, err := s.store.slots.Once(ctx, "link:"+l.Hash, s.now())
	if err != nil {
		return User{}, err
	}
	if !first {
		return User{}, errLinkGone
	}
	if _, err := s.store.links.DeleteOne(ctx, bson.M{"_id": l.Hash}); err != nil {
		return User{}, fmt.Errorf("delete link: %w", err)
	}
	d, err := s.store.byID(ctx, ID(l.UserID))
	if err != nil {
		return User{}, errLinkGone
	}
	if d.Disabled {
		return User{}, errLinkGone
	}
	ev := audit.Entry{ActorID: d.ID, Role: d.Role, Action: action}
	if err := s.set(ctx, ID(d.ID), map[string]any{"password_hash": hashPassword(password)}, ev); err != nil {
		return User{}, err
	}
	if _, err := s.RevokeAll(ctx, ID(d.ID)); err != nil {
		return User{}, err
	}
	return d.toDomain(), nil
}

func checkPasswordLen(pw string) string {
	switch l := len([]rune(pw)); {
	case pw == "":
		return "is required"
	case l < MinPasswordLen:
		return fmt.Sprintf("must be at least %d characters", MinPasswordLen)
	case l > MaxPasswordLen:
		return fmt.Sprintf("must be at most %d characters", MaxPasswordLen)
	}
	return ""
}

// RequestReset asks for a reset link for an address. It answers the same,
// and takes the same steps, whether or not an account has the address:
// the mail job decides later, away from the request, whether a mail goes.
// Errors: Invalid (email), TooManyRequests (the IP address asked too often).
func (s *Service) RequestReset(ctx context.Context, email, ip string) error {
	email = normalizeEmail(email)
	if msg := checkEmail(email); msg != "" {
		return apperr.InvalidField("email", msg)
	}
	now := s.now()
	if ip == "" {
		ip = "unknown"
	}
	if n, err := s.store.throttle.Hit(ctx, "reset-ip:"+ip, now, resetIPWindow); err != nil {
		return err
	} else if n > resetPerIP {
		return apperr.Errorf(apperr.TooManyRequests, "Too many requests. Try again in a few minutes.")
	}
	key := fmt.Sprintf("reset:%s:%d", sha256Hex(email), now.Unix()/3600)
	free, err := s.store.slots.Take(ctx, key, resetPerAddress, now)
	if err != nil || !free {
		return err // over the address's limit: the same answer, nothing sent
	}
	return s.mail.QueueTo(ctx, MailReset, email)
}

// ResetTOTP removes an account's second factor (the person lost their
// phone), ending its sessions; they set it up again after signing in.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid (one's own).
func (s *Service) ResetTOTP(ctx context.Context, id ID) (User, error) {
	u, err := s.administer(ctx, id, ActionTOTPReset, "another coordinator resets your own second factor",
		map[string]any{"totp_enabled": false, "totp_secret": "", "totp_pending": "", "totp_last_step": int64(0)}, true)
	u.TOTPEnabled = false
	return u, err
}

// validUserID reports whether id has the shape of an account's id.
func validUserID(id ID) bool { return store.ValidID(string(id), "u_") }

// invalidDomain is where the logins of candidates without an e-mail
// address live: a reserved top-level domain (RFC 2606), never mailed.
const invalidDomain = "@kandidaat.invalid"

// mailable reports whether mail can go to an account's address.
func mailable(email string) bool { return !strings.HasSuffix(email, ".invalid") }

// Mailable reports whether mail can go to the account (a candidate's
// generated login cannot receive any).
func (u User) Mailable() bool { return mailable(u.Email) }

// CandidateInvite is how a candidate's account was invited.
type CandidateInvite struct {
	Login  string
	ByMail bool
	Link   string // path and query, to print (without mail)
	Code   string
	Until  time.Time
}

// InviteCandidate makes the candidate's own account (one per candidate: a
// unique key) or finds it, and invites them: by mail when email is given,
// else with a login (generated, under kandidaat.invalid) and a one-time
// link to print. The caller (the candidates service) has checked that the
// actor is the candidate's worker, and records ev with the account.
// Errors: Invalid (email), Conflict (e-mail in use by another account; the
// candidate has chosen a password already).
func (s *Service) InviteCandidate(ctx context.Context, candidate, name, email string, ev audit.Entry) (CandidateInvite, error) {
	email = normalizeEmail(email)
	if email != "" {
		if msg := checkEmail(email); msg != "" {
			return CandidateInvite{}, apperr.InvalidField("email", msg)
		}
	}
	var d userDoc
	owner, err := s.store.candidates.Owner(ctx, candidate)
	if err != nil {
		return CandidateInvite{}, err
	}
	if owner != "" {
		d, err = s.store.byID(ctx, ID(owner))
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return CandidateInvite{}, err
		}
	}
	if d.ID == "" { // no account yet
		login := email
		if login == "" {
			login = "k-" + ids.New("")[:8] + invalidDomain
		}
		u, err := s.create(ctx, NewUser{Email: login, Name: name, Role: Candidate, Candidate: candidate}, ev)
		if err != nil {
			return CandidateInvite{}, err
		}
		if err := s.store.candidates.Claim(ctx, candidate, string(u.ID)); err != nil {
			// Another invitation made the account at the same moment.
			_ = s.Delete(ctx, u.ID)
			return CandidateInvite{}, apperr.Errorf(apperr.Conflict, "This candidate was invited at the same moment; reload the page.")
		}
		d, err = s.store.byID(ctx, u.ID)
		if err != nil {
			return CandidateInvite{}, err
		}
	} else {
		if d.PasswordHash != "" {
			return CandidateInvite{}, apperr.Errorf(apperr.Conflict, "The candidate has chosen a password already: a new one goes by a password reset.")
		}
		if err := s.set(ctx, ID(d.ID), map[string]any{"invited_at": s.now().UTC().Truncate(time.Millisecond)}, ev); err != nil {
			return CandidateInvite{}, err
		}
		if email != "" && mailable(email) {
			if err := s.mail.Queue(ctx, MailInvitation, d.ID, ""); err != nil {
				return CandidateInvite{}, err
			}
		}
	}
	out := CandidateInvite{Login: d.Email, ByMail: mailable(d.Email) && email != ""}
	if !out.ByMail {
		tok, until, err := s.newLink(ctx, ID(d.ID), linkInvitation, InvitationTTL)
		if err != nil {
			return CandidateInvite{}, err
		}
		out.Link, out.Code, out.Until = "/uitnodiging?code="+tok, tok, until
	}
	return out, nil
}

// CandidateAccount returns the candidate's own account, if they have one
// that signs in (chosen a password, active); for telling them of a
// request. No actor: the caller's rule decides.
func (s *Service) CandidateAccount(ctx context.Context, candidate string) (ID, bool, error) {
	owner, err := s.store.candidates.Owner(ctx, candidate)
	if err != nil || owner == "" {
		return "", false, err
	}
	d, err := s.store.byID(ctx, ID(owner))
	if apperr.Is(err, apperr.NotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return ID(d.ID), !d.Disabled && d.PasswordHash != "", nil
}

// EraseCandidateAccount deletes the candidate's own account (its address,
// sessions, tokens and links) when the candidate is erased: the erasure's
// follow-up calls it, again after a crash. Idempotent.
func (s *Service) EraseCandidateAccount(ctx context.Context, candidate string) error {
	owner, err := s.store.candidates.Owner(ctx, candidate)
	if err != nil || owner == "" {
		return err
	}
	if _, err := s.RevokeAll(ctx, ID(owner)); err != nil {
		return err
	}
	d, err := s.store.byID(ctx, ID(owner))
	switch {
	case apperr.Is(err, apperr.NotFound):
	case err != nil:
		return err
	default:
		if err := s.store.delete(ctx, d); err != nil {
			return err
		}
	}
	return s.store.candidates.Release(ctx, candidate, owner)
}

package candidates

import (
	"context"
	"strings"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/users"
)

// A candidate's own page: the probation worker invites the candidate (by
// mail, or by a code printed and handed over in person); the candidate
// signs in and reads their own card as employers see it, what each level
// adds, who saw what of them, and confirms that they are still available.
// A candidate reaches their own record only (the account names it), and
// everything they do is audited as any actor's.

// ActionAccountInvite is recorded when a worker invites a candidate to
// their own page.
const ActionAccountInvite = "candidate.account_invite"

// AccountInvite is how a candidate was invited: by mail, or a link and
// login to print.
type AccountInvite struct {
	Login  string    `json:"login"`          // what the candidate signs in with
	ByMail bool      `json:"by_mail"`        // the invitation went by mail
	Link   string    `json:"link,omitempty"` // the link's path and code, to print (without mail)
	Code   string    `json:"code,omitempty"`
	Until  time.Time `json:"expires_at,omitempty"`
}

// InviteInput is the worker's invitation of a candidate.
type InviteInput struct {
	Email string `json:"email"` // empty: a code to print (many have no stable address)
}

// Invite invites a candidate of the actor's caseload to a page of their
// own. With an e-mail address the invitation goes by mail; without one
// the worker gets a login and a one-time link to print and hand over.
// Invited again, the candidate gets a new link (the older stops working).
// Errors: Unauthenticated, Forbidden, NotFound, Invalid (email), Conflict
// (the candidate has chosen a password already).
func (s *Service) Invite(ctx context.Context, id ID, in InviteInput) (AccountInvite, error) {
	a, c, err := s.own(ctx, id)
	if err != nil {
		return AccountInvite{}, err
	}
	if c.Status == Exited {
		return AccountInvite{}, apperr.Errorf(apperr.Conflict, "This candidate has left the platform.")
	}
	email := strings.TrimSpace(in.Email)
	ev := audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: ActionAccountInvite, Subject: subject(c.ID),
		Details: map[string]string{"by": map[bool]string{true: "mail", false: "code"}[email != ""]}}
	return s.InviteAccount(ctx, string(c.ID), c.Identity.FirstName, email, ev)
}

// SelfView is what a candidate sees of themself.
type SelfView struct {
	Card        Card              `json:"card"`   // as employers see it (level 0)
	Levels      map[int][]string  `json:"levels"` // what each level adds, after their consent
	Status      Status            `json:"status"`
	ConfirmedAt *time.Time        `json:"confirmed_at,omitempty"`
	StaleOn     *time.Time        `json:"stale_on,omitempty"` // when the card leaves search unless confirmed
	Disclosures []DisclosureEntry `json:"disclosures"`
	Consents    []ConsentView     `json:"consents"` // in force: the candidate may withdraw each
}

// levelAdds names what each level adds beyond the one below (the table of
// docs/disclosure.md).
var levelAdds = map[int][]string{1: {"first_name", "work_history", "curfew"}, 2: {"last_name", "email", "phone", "probation_contact"}}

// self returns the acting candidate and their record.
func (s *Service) self(ctx context.Context) (users.Actor, Candidate, error) {
	a, err := users.RequireRole(ctx, users.Candidate)
	if err != nil {
		return users.Actor{}, Candidate{}, err
	}
	c, err := s.store.profile(ctx, ID(a.Candidate))
	if err != nil {
		return users.Actor{}, Candidate{}, err
	}
	if c.Status == Erased {
		return users.Actor{}, Candidate{}, errNotFound
	}
	// In hand for a write (the caseload entry names the candidate), never
	// shown: Self returns the card.
	if err := s.store.withIdentity(ctx, &c); err != nil {
		return users.Actor{}, Candidate{}, err
	}
	return a, c, nil
}

// Self returns the acting candidate's own view; the read is audited.
// Errors: Unauthenticated, Forbidden (another role), NotFound (erased).
func (s *Service) Self(ctx context.Context) (SelfView, error) {
	a, c, err := s.self(ctx)
	if err != nil {
		return SelfView{}, err
	}
	now := s.clock()
	v := SelfView{Card: CardOf(c, now), Levels: levelAdds, Status: c.Status}
	if !c.ConfirmedAt.IsZero() {
		at, stale := c.ConfirmedAt.UTC(), c.ConfirmedAt.Add(ConfirmEvery).UTC()
		v.ConfirmedAt, v.StaleOn = &at, &stale
	}
	v.Consents = []ConsentView{}
	for _, k := range c.Consents {
		if k.Active(now) {
			v.Consents = append(v.Consents, ConsentOf(k, now))
		}
	}
	if v.Disclosures, err = s.disclosureLog(ctx, c); err != nil {
		return SelfView{}, err
	}
	err = s.audit.Record(ctx, audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: audit.ActionIdentityRead,
		Subject: subject(c.ID), Details: map[string]string{"op": "self"}})
	return v, err
}

// ConfirmSelf is the candidate's own "I am still available": it confirms
// their availability as the worker's confirmation does.
// Errors: Unauthenticated, Forbidden, NotFound, Conflict (not available).
func (s *Service) ConfirmSelf(ctx context.Context) (Record, error) {
	a, err := users.RequireRole(ctx, users.Candidate)
	if err != nil {
		return Record{}, err
	}
	c, err := s.changeWith(ctx, ID(a.Candidate), 0, s.self, confirm)
	if err != nil {
		return Record{}, err
	}
	return RecordOf(c, c.UpdatedAt), nil
}

// GrantOwn records a consent the acting candidate gives themself (their
// placement's employer may see their contact details: ShareContact in
// placements checks that the employer is theirs). As GrantConsent, at most
// one of a level for an employer is in force.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (too
// many, or one of this level for this employer in force).
func (s *Service) GrantOwn(ctx context.Context, in ConsentInput) (ConsentView, error) {
	a, err := users.RequireRole(ctx, users.Candidate)
	if err != nil {
		return ConsentView{}, err
	}
	terms, err := s.NewConsent(ctx, in)
	if err != nil {
		return ConsentView{}, err
	}
	var k Consent
	if _, err = s.changeWith(ctx, ID(a.Candidate), 0, s.self, grant(terms, true, &k)); err != nil {
		return ConsentView{}, err
	}
	return ConsentOf(k, s.clock()), nil
}

// WithdrawOwn withdraws one of the acting candidate's consents: the
// employer's level drops on its next request, as when the worker records
// the withdrawal.
// Errors: Unauthenticated, Forbidden, NotFound, Conflict (withdrawn).
func (s *Service) WithdrawOwn(ctx context.Context, consentID string) (ConsentView, error) {
	a, err := users.RequireRole(ctx, users.Candidate)
	if err != nil {
		return ConsentView{}, err
	}
	var k Consent
	_, err = s.changeWith(ctx, ID(a.Candidate), 0, s.self, withdraw(consentID, &k))
	if err != nil {
		return ConsentView{}, err
	}
	return ConsentOf(k, s.clock()), nil
}

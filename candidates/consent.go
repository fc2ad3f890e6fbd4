package candidates

import (
	"context"
	"strings"
	"time"
	"unicode"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// ConsentInput records a candidate's consent to disclose to one employer.
type ConsentInput struct {
	EmployerID string `json:"employer_id"`
	Level      int    `json:"level"`
	Purpose    string `json:"purpose"`
	ExpiresAt  string `json:"expires_at"` // YYYY-MM-DD; at most a year ahead
}

// maxConsents bounds the consents embedded in one candidate document.
const maxConsents = 100

// GrantConsent records consent given by the candidate (to their worker).
// At most one consent per employer and level is in force at a time: the
// candidate document holds its consents, and the check and the append are
// one conditional write of it (docs/invariants.md).
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (too
// many, or one of this level for this employer in force).
func (s *Service) GrantConsent(ctx context.Context, id ID, in ConsentInput) (ConsentView, error) {
	if _, err := users.RequireRole(ctx, users.ProbationWorker); err != nil {
		return ConsentView{}, err
	}
	terms, invalid := s.NewConsent(ctx, in)
	if _, coded := apperr.As(invalid); invalid != nil && !coded {
		return ConsentView{}, invalid
	}
	var k Consent
	add := grant(terms, false, &k)
	_, err := s.change(ctx, id, 0, func(a users.Actor, c *Candidate, now time.Time) (audit.Entry, bool, error) {
		if invalid != nil { // told once the candidate is the caller's: another worker gets "not found"
			return audit.Entry{}, false, invalid
		}
		return add(a, c, now)
	})
	if err != nil {
		return ConsentView{}, err
	}
	return ConsentOf(k, s.clock()), nil
}

// grant is the change that adds the consent terms to a candidate, recorded
// by the actor, into k: at most maxConsents records, and one in force per
// employer and level. own: the candidate gives it themself (GrantOwn), and
// the refusals speak to them.
func grant(terms Consent, own bool, k *Consent) func(a users.Actor, c *Candidate, now time.Time) (audit.Entry, bool, error) {
	return func(a users.Actor, c *Candidate, now time.Time) (audit.Entry, bool, error) {
		if len(c.Consents) >= maxConsents {
			if own {
				return audit.Entry{}, false, apperr.Errorf(apperr.Conflict, "You have the maximum number of consent records.")
			}
			return audit.Entry{}, false, apperr.Errorf(apperr.Conflict, "This candidate has the maximum number of consent records.")
		}
		if c.liveConsent(terms.EmployerID, terms.Level, now) != "" {
			if own {
				return audit.Entry{}, false, apperr.Errorf(apperr.Conflict, "You gave this consent already.")
			}
			return audit.Entry{}, false, &apperr.Error{Code: apperr.Conflict, Message: "A consent of this level for this employer is in force already; withdraw it first to record a new one.",
				Fields: map[string]string{"level": "a consent of this level for this employer is in force already"}}
		}
		*k = terms
		k.ID, k.GrantedAt, k.RecordedBy, k.ByCandidate = store.NewID("k_"), now, a.UserID, own
		c.Consents = append(c.Consents, *k)
		details := map[string]string{"consent": k.ID, "employer": k.EmployerID, "level": itoa(k.Level)}
		if own {
			details["by"] = "candidate"
		}
		return audit.Entry{Action: audit.ActionConsentGrant, Details: details}, false, nil
	}
}

// NewConsent checks the terms of a consent (the employer approved and
// current, the level, the purpose, the expiry date) and returns it without
// an id: the terms GrantConsent records, and the ones an introduction's
// consent step takes (TakeConsent).
// Errors: Invalid naming each bad field.
func (s *Service) NewConsent(ctx context.Context, in ConsentInput) (Consent, error) {
	now := s.clock()
	var f apperr.Fields
	emp := strings.TrimSpace(in.EmployerID)
	switch {
	case emp == "":
		f.Add("employer_id", "is required")
	case len(emp) > 64 || strings.ContainsFunc(emp, unicode.IsControl):
		f.Add("employer_id", "is not a valid employer id")
	}
	if in.Level != 1 && in.Level != 2 {
		f.Add("level", "must be 1 (introduction) or 2 (placement)")
	}
	purpose := f.Text("purpose", in.Purpose, 300, true)
	exp, ok := date(&f, "expires_at", in.ExpiresAt, true)
	if ok {
		switch {
		case !exp.After(dateOf(now)):
			f.Add("expires_at", "must be after today")
		case exp.After(dateOf(now).AddDate(1, 0, 0)):
			f.Add("expires_at", "must be at most one year ahead")
		}
	}
	if _, bad := f["employer_id"]; !bad && s.EmployerActive != nil {
		active, err := s.EmployerActive(ctx, emp)
		if err != nil {
			return Consent{}, err
		}
		if !active {
			f.Add("employer_id", "is not an approved employer")
		}
	}
	if err := f.Err(); err != nil {
		return Consent{}, err
	}
	return Consent{EmployerID: emp, Level: in.Level, Purpose: purpose, ExpiresAt: exp.Add(24*time.Hour - time.Millisecond)}, nil
}

// WithdrawConsent withdraws a consent at once: the disclosure level it
// backed drops on the next read.
// Errors: Unauthenticated, Forbidden, NotFound, Conflict (already withdrawn).
func (s *Service) WithdrawConsent(ctx context.Context, id ID, consentID string) (ConsentView, error) {
	var k Consent
	_, err := s.change(ctx, id, 0, withdraw(consentID, &k))
	if err != nil {
		return ConsentView{}, err
	}
	return ConsentOf(k, s.clock()), nil
}

// withdraw withdraws consent consentID of a candidate, into k.
func withdraw(consentID string, k *Consent) func(_ users.Actor, c *Candidate, now time.Time) (audit.Entry, bool, error) {
	return func(_ users.Actor, c *Candidate, now time.Time) (audit.Entry, bool, error) {
		for i := range c.Consents {
			if c.Consents[i].ID != consentID {
				continue
			}
			if c.Consents[i].WithdrawnAt != nil {
				return audit.Entry{}, false, apperr.Errorf(apperr.Conflict, "This consent was withdrawn already.")
			}
			c.Consents[i].WithdrawnAt = &now
			*k = c.Consents[i]
			return audit.Entry{Action: audit.ActionConsentRevoke, Details: map[string]string{"consent": k.ID, "employer": k.EmployerID}}, false, nil
		}
		return audit.Entry{}, false, apperr.Errorf(apperr.NotFound, "Consent not found.")
	}
}

// liveConsent returns the id of a consent in force for employer at level,
// or "".
func (c Candidate) liveConsent(employer string, level int, now time.Time) string {
	for _, k := range c.Consents {
		if k.EmployerID == employer && k.Level == level && k.Active(now) {
			return k.ID
		}
	}
	return ""
}

// TakeConsent records a consent that a step of another flow took (the
// consent step of an introduction): that flow's follow-up calls it once
// the step landed, so the consent exists only if the step does. k.ID is
// the step's own (derived from it), which makes a re-run add nothing; a
// consent once withdrawn is never added again. When a consent of the same
// level for the same employer is in force already, none is added. The
// write is audited as k.RecordedBy's. No actor is checked: the caller's
// step was.
// Errors: NotFound, Conflict (the candidate kept changing).
func (s *Service) TakeConsent(ctx context.Context, id ID, k Consent) error {
	return s.writer.Retry(ctx, "candidate:"+string(id), errChanged, func(ctx context.Context) error {
		c, err := s.store.profile(ctx, id)
		if err != nil {
			return err
		}
		now := s.clock()
		for _, x := range c.Consents {
			if x.ID == k.ID {
				return nil
			}
		}
		if c.liveConsent(k.EmployerID, k.Level, now) != "" || len(c.Consents) >= maxConsents {
			return nil
		}
		if err := s.store.withIdentity(ctx, &c); err != nil {
			return err
		}
		k.GrantedAt = now
		c.Consents = append(c.Consents, k)
		c.UpdatedAt, c.Version = now, c.Version+1
		ev := audit.Entry{ActorID: string(k.RecordedBy), Role: string(users.ProbationWorker), Action: audit.ActionConsentGrant,
			Details: map[string]string{"consent": k.ID, "employer": k.EmployerID, "level": itoa(k.Level), "op": "introduction"}}
		return s.write(ctx, c, false, false, ev)
	})
}

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
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (too many).
func (s *Service) GrantConsent(ctx context.Context, id ID, in ConsentInput) (ConsentView, error) {
	if _, err := users.RequireRole(ctx, users.ProbationWorker); err != nil {
		return ConsentView{}, err
	}
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
			return ConsentView{}, err
		}
		if !active {
			f.Add("employer_id", "is not an approved employer")
		}
	}
	if err := f.Err(); err != nil {
		return ConsentView{}, err
	}
	var k Consent
	_, err := s.change(ctx, id, 0, func(a users.Actor, c *Candidate, now time.Time) (audit.Entry, bool, error) {
		if len(c.Consents) >= maxConsents {
			return audit.Entry{}, false, apperr.Errorf(apperr.Conflict, "This candidate has the maximum number of consent records.")
		}
		k = Consent{ID: store.NewID("k_"), EmployerID: emp, Level: in.Level, Purpose: purpose,
			GrantedAt: now, ExpiresAt: exp.Add(24*time.Hour - time.Millisecond), RecordedBy: a.UserID}
		c.Consents = append(c.Consents, k)
		return audit.Entry{Action: audit.ActionConsentGrant, Details: map[string]string{"consent": k.ID, "employer": k.EmployerID, "level": itoa(k.Level)}}, false, nil
	})
	if err != nil {
		return ConsentView{}, err
	}
	return ConsentOf(k, s.clock()), nil
}

// WithdrawConsent withdraws a consent at once: the disclosure level it
// backed drops on the next read.
// Errors: Unauthenticated, Forbidden, NotFound, Conflict (already withdrawn).
func (s *Service) WithdrawConsent(ctx context.Context, id ID, consentID string) (ConsentView, error) {
	var k Consent
	_, err := s.change(ctx, id, 0, func(_ users.Actor, c *Candidate, now time.Time) (audit.Entry, bool, error) {
		for i := range c.Consents {
			if c.Consents[i].ID != consentID {
				continue
			}
			if c.Consents[i].WithdrawnAt != nil {
				return audit.Entry{}, false, apperr.Errorf(apperr.Conflict, "This consent was withdrawn already.")
			}
			c.Consents[i].WithdrawnAt = &now
			k = c.Consents[i]
			return audit.Entry{Action: audit.ActionConsentRevoke, Details: map[string]string{"consent": k.ID, "employer": k.EmployerID}}, false, nil
		}
		return audit.Entry{}, false, apperr.Errorf(apperr.NotFound, "Consent not found.")
	})
	if err != nil {
		return ConsentView{}, err
	}
	return ConsentOf(k, s.clock()), nil
}

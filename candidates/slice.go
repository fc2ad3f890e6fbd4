package candidates

import (
	"context"
	"strings"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/users"
)

// Sections of a candidate that this service holds and a partner in their
// circle may be given (the circles service decides which, from the
// purposes of the partner's memberships: docs/disclosure.md).
const (
	SectionIdentity     = "identity"     // first and last name
	SectionContact      = "contact"      // phone and e-mail
	SectionAvailability = "availability" // status, available from, hours a week
)

// Slice is what a partner organisation may know of a candidate: only the
// sections asked for are filled.
type Slice struct {
	FirstName     string `json:"first_name,omitempty"`
	LastName      string `json:"last_name,omitempty"`
	Phone         string `json:"phone,omitempty"`
	Email         string `json:"email,omitempty"`
	Status        Status `json:"status,omitempty"`
	AvailableFrom string `json:"available_from,omitempty"`
	HoursPerWeek  int    `json:"hours_per_week,omitempty"`
}

// SliceRead is one partner's read of a candidate in a circle.
type SliceRead struct {
	Partner  string   // the partner organisation
	Purposes []string // of its memberships, for the log
	Sections []string // of this service's sections, those to fill
	Fields   []string // the fields the caller discloses beside this read (those with a value), for the log
}

// SliceFor returns the sections of the candidate a partner may see, and
// records the read in the candidate's disclosure log (candidate.disclosed,
// with the partner, the purposes and the fields that held a value — this
// service's and the caller's) before the answer. The
// caller (circles) has established that the acting partner is in the
// candidate's circle for those purposes; this service cannot see circles.
// Errors: Unauthenticated, Forbidden (not a partner), NotFound (unknown or erased).
func (s *Service) SliceFor(ctx context.Context, id ID, r SliceRead) (Slice, error) {
	a, err := users.RequireRole(ctx, users.Partner)
	if err != nil {
		return Slice{}, err
	}
	if !ids.Valid(string(id), "c_") || r.Partner == "" || r.Partner != a.PartnerID {
		return Slice{}, errNotFound
	}
	c, err := s.store.profile(ctx, id)
	if err != nil {
		return Slice{}, err
	}
	if c.Status == Erased {
		return Slice{}, errNotFound
	}
	var out Slice
	for _, sec := range r.Sections {
		switch sec {
		case SectionIdentity, SectionContact:
			if c.Identity.FirstName == "" {
				if err := s.store.withIdentity(ctx, &c); err != nil {
					return Slice{}, err
				}
			}
			if sec == SectionIdentity {
				out.FirstName, out.LastName = c.Identity.FirstName, c.Identity.LastName
			} else {
				out.Phone, out.Email = c.Identity.Phone, c.Identity.Email
			}
		case SectionAvailability:
			out.Status, out.HoursPerWeek = c.Status, c.Profile.HoursPerWeek
			if !c.Profile.AvailableFrom.IsZero() {
				out.AvailableFrom = c.Profile.AvailableFrom.Format(time.DateOnly)
			}
		default:
			return Slice{}, apperr.Errorf(apperr.Invalid, "Unknown section.")
		}
	}
	var fields []string
	for _, f := range []struct {
		name string
		set  bool
	}{{"first_name", out.FirstName != ""}, {"last_name", out.LastName != ""}, {"phone", out.Phone != ""}, {"email", out.Email != ""},
		{"status", out.Status != ""}, {"available_from", out.AvailableFrom != ""}, {"hours_per_week", out.HoursPerWeek != 0}} {
		if f.set {
			fields = append(fields, f.name)
		}
	}
	fields = append(fields, r.Fields...)
	if len(fields) == 0 {
		return out, nil // nothing shown, nothing to log
	}
	err = s.audit.Record(ctx, audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: ActionDisclosed, Subject: subject(c.ID),
		Details: map[string]string{"partner": r.Partner, "purpose": "circle:" + strings.Join(r.Purposes, "+"), "fields": strings.Join(fields, ",")}})
	if err != nil {
		return Slice{}, err
	}
	return out, nil
}

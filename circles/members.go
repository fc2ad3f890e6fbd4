package circles

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/users"
)

// asWorker loads a circle for the candidate's own probation worker; with
// create, a circle not there yet is a new one (level 1, open).
func (s *Service) asWorker(id string, create bool) loader {
	return func(ctx context.Context) (users.Actor, Circle, error) {
		a, err := users.RequireRole(ctx, users.ProbationWorker)
		if err != nil {
			return users.Actor{}, Circle{}, err
		}
		if _, err := s.candidates.LoadOwn(ctx, candidates.ID(id)); err != nil {
			if apperr.Is(err, apperr.NotFound) {
				return users.Actor{}, Circle{}, errCircleNotFound
			}
			return users.Actor{}, Circle{}, err
		}
		c, err := s.circle(ctx, id)
		if apperr.Is(err, apperr.NotFound) && create {
			return a, Circle{ID: id, WorkerID: string(a.UserID), State: Open, Level: LevelRegular, Levels: []LevelChange{}, Needs: map[Purpose]string{},
				Members: []Member{}, Actions: []Action{}, Conferences: []Conference{}, Notices: []Notice{}}, nil
		}
		if err != nil {
			return users.Actor{}, Circle{}, err
		}
		c.WorkerID = string(a.UserID) // the candidate's worker now, after a transfer too
		return a, c, nil
	}
}

// asPartner loads a circle for a user of an approved partner organisation
// that has a membership in it (any state); otherwise NotFound.
// An organisation put on the candidate's conflict list after it joined is
// shut out from then on, as one on it is never invited.
func (s *Service) asPartner(id string) loader {
	return func(ctx context.Context) (users.Actor, Circle, error) {
		a, p, err := s.actingPartner(ctx)
		if err != nil {
			return users.Actor{}, Circle{}, err
		}
		c, err := s.circle(ctx, id)
		if err != nil {
			return users.Actor{}, Circle{}, err
		}
		if partnerEntry(c, a.PartnerID) == "" {
			return users.Actor{}, Circle{}, errCircleNotFound
		}
		if withheld, err := s.withheld(ctx, id, p); err != nil || withheld {
			return users.Actor{}, Circle{}, cmpErr(err, errCircleNotFound)
		}
		return a, c, nil
	}
}

// withheld reports whether the candidate's conflict list names the
// partner organisation (by id or KvK number).
func (s *Service) withheld(ctx context.Context, id string, p Partner) (bool, error) {
	cand, err := s.candidates.Load(ctx, candidates.ID(id))
	if apperr.Is(err, apperr.NotFound) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return cand.OnConflictList(p.ID, p.KvK), nil
}

// cmpErr is err, or fallback when err is nil.
func cmpErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}

// asCandidate loads the acting candidate's own circle.
func (s *Service) asCandidate() loader {
	return func(ctx context.Context) (users.Actor, Circle, error) {
		a, err := users.RequireRole(ctx, users.Candidate)
		if err != nil {
			return users.Actor{}, Circle{}, err
		}
		c, err := s.circle(ctx, a.Candidate)
		return a, c, err
	}
}

// MemberInput is a worker's invitation of a partner into a circle.
type MemberInput struct {
	PartnerID      string `json:"partner_id"`
	Purpose        string `json:"purpose"`
	Basis          string `json:"basis"`
	StatutoryTask  string `json:"statutory_task"`
	Consent        bool   `json:"consent"`         // the worker records the candidate's consent for this partner and purpose
	CheckinConsent bool   `json:"checkin_consent"` // and to the check-in sections (care, safety)
	Need           string `json:"need"`            // what the purpose is for, shown to its partners
}

// AddMember invites a partner organisation into the candidate's circle for
// a purpose, on a legal basis (consent, or a statutory task the worker
// names). On consent the partner is invited once the candidate's consent is
// recorded (here by the worker, or later by the candidate on their own
// page); until then it sees nothing. An organisation on the candidate's
// conflict list is never invited. One live membership per partner and
// purpose (the circle's version decides between concurrent invitations).
// Errors: Unauthenticated, Forbidden, Invalid, NotFound (not the worker's
// candidate), Conflict (listed, a member already, closed, full, withheld).
func (s *Service) AddMember(ctx context.Context, id string, in MemberInput) (Member, error) {
	if _, err := users.RequireRole(ctx, users.ProbationWorker); err != nil {
		return Member{}, err
	}
	var f apperr.Fields
	purpose, basis := Purpose(in.Purpose), Basis(in.Basis)
	if !slices.Contains(Purposes, purpose) {
		f.Add("purpose", "must be one of work, housing, care, debt, safety")
	}
	switch basis {
	case ByConsent:
		if strings.TrimSpace(in.StatutoryTask) != "" {
			f.Add("statutory_task", "is only given with basis statutory")
		}
	case ByStatutory:
		f.Text("statutory_task", in.StatutoryTask, 300, true)
	default:
		f.Add("basis", "must be consent or statutory")
	}
	if in.CheckinConsent && purpose != "" && len(Sensitive[purpose]) == 0 {
		f.Add("checkin_consent", "applies to the purposes care and safety only")
	}
	if in.CheckinConsent && !in.Consent && basis == ByConsent {
		f.Add("checkin_consent", "needs the consent for the partner and purpose too")
	}
	task := strings.TrimSpace(in.StatutoryTask)
	need := f.Text("need", in.Need, 1000, false)
	var p Partner
	if strings.TrimSpace(in.PartnerID) == "" {
		f.Add("partner_id", "is required")
	} else if got, err := s.partner(ctx, strings.TrimSpace(in.PartnerID)); apperr.Is(err, apperr.NotFound) || (err == nil && !got.Active()) {
		f.Add("partner_id", "is not an approved partner organisation")
	} else if err != nil {
		return Member{}, err
	} else {
		p = got
	}
	invalid := f.Err()
	var out Member
	_, err := s.write(ctx, id, s.asWorker(id, true), "member_invite", func(a users.Actor, c *Circle, now time.Time) (string, map[string]string, error) {
		if invalid != nil {
			return "", nil, invalid
		}
		if c.State != Open {
			return "", nil, errClosed
		}
		cand, err := s.candidates.Load(ctx, candidates.ID(id))
		if err != nil {
			return "", nil, err
		}
		if cand.OnConflictList(p.ID, p.KvK) {
			return "", nil, &apperr.Error{Code: apperr.Conflict, Message: "This organisation is on the candidate's conflict list: it is never invited.", Fields: map[string]string{"partner_id": "is withheld from this candidate"}}
		}
		for _, m := range c.Members {
			if m.Partner == p.ID && m.Purpose == purpose && m.State.live() {
				return "", nil, &apperr.Error{Code: apperr.Conflict, Message: "This organisation is in the circle for this purpose already.", Fields: map[string]string{"partner_id": "is a member for this purpose already"}}
			}
		}
		if len(c.Members) >= maxMembers {
			return "", nil, apperr.Errorf(apperr.Conflict, "This circle has as many memberships as it may have.")
		}
		m := Member{N: len(c.Members) + 1, Partner: p.ID, Name: p.Name, Kind: p.Kind, Purpose: purpose, Basis: basis, Task: task, State: Invited,
			InvitedBy: string(a.UserID), InvitedAt: now}
		action := ActionCircle
		if in.Consent {
			m.Consent = &Mark{At: now, By: string(a.UserID)}
			action = audit.ActionConsentGrant
		}
		if in.CheckinConsent {
			m.CheckIns = &Mark{At: now, By: string(a.UserID)}
		}
		if basis == ByConsent && m.Consent == nil {
			m.State = AwaitingConsent
		}
		if need != "" {
			c.Needs[purpose] = need
		}
		c.Members = append(c.Members, m)
		if m.State == Invited {
			c.notify("partner:"+p.ID, "circle.invitation", textInvitation)
		}
		out = m
		return action, memberDetails(m), nil
	})
	return out, err
}

func memberDetails(m Member) map[string]string {
	d := map[string]string{"member": strconv.Itoa(m.N), "partner": m.Partner, "purpose": string(m.Purpose), "basis": string(m.Basis), "member_state": string(m.State)}
	if m.CheckIns != nil {
		d["checkin_consent"] = "yes"
	}
	return d
}

// Inbox texts (web/messages.go has their Dutch).
const (
	textInvitation = "Your organisation was invited into a candidate's circle."
	textAccepted   = "A partner organisation accepted your invitation into a circle."
	textDeclined   = "A partner organisation declined your invitation into a circle."
	textWithdrawn  = "Consent was withdrawn: your organisation no longer sees this circle."
	textEnded      = "Your organisation's part in a circle has ended."
	textActionDue  = "An action of a joint plan is overdue."
	textActionLate = "An action of a joint plan is overdue for a week or more."
	textActionLead = "An action of a joint plan is overdue for two weeks or more."
	textConference = "A case conference was recorded; see the circle."
)

// StepInput is the body of a membership step.
type StepInput struct {
	Reason       string `json:"reason"`        // decline, end
	Checkins     bool   `json:"checkins"`      // consent: to the check-in sections too
	CheckinsOnly bool   `json:"checkins_only"` // withdraw: the check-in consent only
}

// MemberStep takes a step on membership n of a circle: accept or decline
// (the partner invited), consent (the candidate's consent, recorded by the
// worker), withdraw (the worker records a withdrawal; the candidate uses
// SelfStep), end (the worker). A withdrawal takes effect on the partner's
// next request.
// Errors: Unauthenticated, Forbidden (the step is another role's), NotFound,
// Invalid, Conflict (the state does not allow it).
func (s *Service) MemberStep(ctx context.Context, id string, n int, action string, in StepInput) (Member, error) {
	a, err := users.ActorFrom(ctx)
	if err != nil {
		return Member{}, err
	}
	var load loader
	switch action {
	case "accept", "decline":
		if !a.Is(users.Partner) {
			return Member{}, apperr.Errorf(apperr.Forbidden, "Your role may not do this.")
		}
		load = s.asPartner(id)
	case "consent", "withdraw", "end":
		if !a.Is(users.ProbationWorker) {
			return Member{}, apperr.Errorf(apperr.Forbidden, "Your role may not do this.")
		}
		load = s.asWorker(id, false)
	default:
		return Member{}, errMemberNotFound
	}
	return s.memberStep(ctx, id, n, action, in, load)
}

// SelfStep is the candidate's own consent or withdrawal for membership n
// of their circle, on their page.
// Errors: Unauthenticated, Forbidden, NotFound, Conflict.
func (s *Service) SelfStep(ctx context.Context, n int, action string, in StepInput) (Member, error) {
	a, err := users.RequireRole(ctx, users.Candidate)
	if err != nil {
		return Member{}, err
	}
	if action != "consent" && action != "withdraw" {
		return Member{}, errMemberNotFound
	}
	return s.memberStep(ctx, a.Candidate, n, action, in, s.asCandidate())
}

func (s *Service) memberStep(ctx context.Context, id string, n int, action string, in StepInput, load loader) (Member, error) {
	var f apperr.Fields
	reason := f.Text("reason", in.Reason, 500, action == "decline" || action == "end")
	invalid := f.Err()
	var out Member
	_, err := s.write(ctx, id, load, "member_"+action, func(a users.Actor, c *Circle, now time.Time) (string, map[string]string, error) {
		m := c.member(n)
		if m == nil || (a.Is(users.Partner) && m.Partner != a.PartnerID) {
			return "", nil, errMemberNotFound
		}
		if invalid != nil {
			return "", nil, invalid
		}
		if c.State != Open {
			return "", nil, errClosed
		}
		mark := &Mark{At: now, By: string(a.UserID), ByCandidate: a.Is(users.Candidate)}
		ev := ActionCircle
		switch action {
		case "accept", "decline":
			if m.State != Invited {
				return "", nil, apperr.Errorf(apperr.Conflict, "This invitation is no longer open.")
			}
			m.State, m.DecidedBy, m.DecidedAt = Accepted, string(a.UserID), &now
			text := textAccepted
			if action == "decline" {
				m.State, m.Reason, text = Declined, reason, textDeclined
			}
			c.notify(c.WorkerID, "circle.member", text)
		case "consent":
			if !m.State.live() {
				return "", nil, apperr.Errorf(apperr.Conflict, "This membership has ended.")
			}
			if in.Checkins && len(Sensitive[m.Purpose]) == 0 {
				return "", nil, apperr.InvalidField("checkins", "applies to the purposes care and safety only")
			}
			if m.Consent != nil && (!in.Checkins || m.CheckIns != nil) {
				return "", nil, apperr.Errorf(apperr.Conflict, "This consent is recorded already.")
			}
			if m.Consent == nil {
				m.Consent = mark
			}
			if in.Checkins {
				m.CheckIns = mark
			}
			if m.State == AwaitingConsent {
				m.State = Invited
				c.notify("partner:"+m.Partner, "circle.invitation", textInvitation)
			}
			ev = audit.ActionConsentGrant
		case "withdraw":
			if !m.State.live() {
				return "", nil, apperr.Errorf(apperr.Conflict, "This membership has ended.")
			}
			switch {
			case in.CheckinsOnly || m.Basis == ByStatutory:
				// A statutory task does not rest on consent: only the
				// check-in consent can be withdrawn.
				if m.CheckIns == nil {
					return "", nil, apperr.Errorf(apperr.Conflict, "There is no consent to withdraw here: this membership rests on a statutory task.")
				}
				m.CheckIns = nil
			default:
				was := m.State
				m.State, m.Reason, m.CheckIns = Withdrawn, "consent withdrawn", nil
				if was != AwaitingConsent {
					c.notify("partner:"+m.Partner, "circle.withdrawn", textWithdrawn)
				}
			}
			if a.Is(users.Candidate) {
				c.notify(c.WorkerID, "circle.member", textWithdrawn)
			}
			ev = audit.ActionConsentRevoke
		case "end":
			if !m.State.live() {
				return "", nil, apperr.Errorf(apperr.Conflict, "This membership has ended.")
			}
			if m.State != AwaitingConsent {
				c.notify("partner:"+m.Partner, "circle.ended", textEnded)
			}
			m.State, m.Reason, m.DecidedBy, m.DecidedAt = Ended, reason, string(a.UserID), &now
		}
		out = *m
		d := memberDetails(*m)
		if action == "withdraw" && m.State != Withdrawn {
			d["withdrawn"] = "checkins"
		}
		return ev, d, nil
	})
	return out, err
}

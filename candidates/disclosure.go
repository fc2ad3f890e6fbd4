package candidates

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/csvcell"
	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/users"
)

// ActionDisclosed is recorded for every read of a candidate by an
// employer (the card included); with the disclosure log's consent events
// it shows the candidate who saw what of them, and when.
const ActionDisclosed = "candidate.disclosed"

// EmployerStanding is what the candidate service needs to know of the
// employer an actor acts for (wired by cmd to the employers service, which
// candidates does not import).
type EmployerStanding struct {
	ID      string
	KvK     string
	Sectors []string
	Active  bool // approved and within its approval
}

// Disclosed is a candidate as one employer may see them: the level, and
// the view at that level (Card, Level1 or Level2).
type Disclosed struct {
	Level int `json:"level"`
	View  any `json:"candidate"`
	// Searchable: the candidate is in search now (available, confirmed
	// within 30 days), so an employer may ask to meet them; a placed one
	// is shown by consent but not introduced again.
	Searchable bool `json:"-"`
}

// fieldsAt names what each level shows beyond the card, for the log.
var fieldsAt = map[int]string{0: "card", 1: "card,first_name,work_history,curfew", 2: "card,first_name,work_history,curfew,last_name,email,phone,probation_contact"}

// ViewFor returns the candidate as the acting employer may see them, at
// the level their consents and introduction allow: 1 needs a live consent
// of level 1 for this employer and an introduction that reached
// candidate_consented; 2 a live consent of level 2 and a placement (the
// view then names the candidate's probation worker: WorkerContact).
// IntroductionLevel gives the introduction's part; without it no employer
// gets beyond the card. Withdrawing the consent drops the level on the
// next call. Every read is recorded (candidate.disclosed, with the level
// and the fields shown) before the answer: the disclosure log.
// A candidate hidden from the employer (its conflict list, every sector
// excluded) is NotFound, as is one that only shows a card and is not
// searchable (unavailable, or unconfirmed for 30 days).
// Errors: Unauthenticated, Forbidden (not an active employer), NotFound.
func (s *Service) ViewFor(ctx context.Context, id ID) (Disclosed, error) {
	a, err := users.RequireRole(ctx, users.Employer)
	if err != nil {
		return Disclosed{}, err
	}
	if s.EmployerOf == nil {
		return Disclosed{}, apperr.Errorf(apperr.Forbidden, "Your role may not do this.")
	}
	e, err := s.EmployerOf(ctx, a.EmployerID)
	if err != nil {
		return Disclosed{}, err
	}
	if !e.Active {
		return Disclosed{}, apperr.Errorf(apperr.Forbidden, "Your organisation is not approved (yet): this is available once two coordinators have approved it.")
	}
	if !ids.Valid(string(id), "c_") {
		return Disclosed{}, errNotFound
	}
	c, err := s.store.profile(ctx, id)
	if err != nil {
		return Disclosed{}, err
	}
	now := s.clock()
	if c.Status == Erased || c.HiddenFrom(e.ID, e.KvK, e.Sectors) {
		return Disclosed{}, errNotFound
	}
	level := c.ConsentLevel(e.ID, now)
	intro := 0
	if s.IntroductionLevel != nil && level > 0 {
		if intro, err = s.IntroductionLevel(ctx, id, e.ID); err != nil {
			return Disclosed{}, err
		}
	}
	level = min(level, intro)
	if level == 0 && !c.Searchable(now) {
		return Disclosed{}, errNotFound
	}
	if level > 0 {
		if err := s.store.withIdentity(ctx, &c); err != nil {
			return Disclosed{}, err
		}
	}
	view := Disclose(c, level, now)
	if l2, ok := view.(Level2); ok && s.WorkerContact != nil && c.WorkerID != "" {
		k, err := s.WorkerContact(ctx, c.WorkerID)
		switch {
		case err == nil:
			l2.Probation = &k
			view = l2
		case !apperr.Is(err, apperr.NotFound): // a worker whose account is gone: no contact shown
			return Disclosed{}, err
		}
	}
	err = s.audit.Record(ctx, audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: ActionDisclosed, Subject: subject(c.ID),
		Details: map[string]string{"employer": e.ID, "level": itoa(level), "fields": fieldsAt[level]}})
	if err != nil {
		return Disclosed{}, err
	}
	return Disclosed{Level: level, View: view, Searchable: c.Searchable(now)}, nil
}

// DisclosureEntry is one line of a candidate's disclosure log.
type DisclosureEntry struct {
	At       time.Time `json:"at"`
	What     string    `json:"what"` // disclosed, consent_granted, consent_withdrawn, introduction_<state>
	Employer string    `json:"employer_id"`
	Partner  string    `json:"partner_id,omitempty"` // a partner organisation in the candidate's circle
	Level    string    `json:"level,omitempty"`
	Fields   string    `json:"fields,omitempty"`
	Purpose  string    `json:"purpose,omitempty"` // why a party other than an employer read (mentoring)
	By       string    `json:"by"`                // the user who read, or recorded the consent
	Role     string    `json:"role"`
}

// maxLog bounds one disclosure-log answer.
const maxLog = 1000

// DisclosureStream is the audit stream of the events a disclosure log
// shows (audit.Recorder.Stream), of DisclosureActions: the platform asks
// for it at start, so that the log reads those events only, not every
// read of the candidate by their own worker or themself.
const DisclosureStream = "disclosures"

// DisclosureActions are the actions of DisclosureStream.
var DisclosureActions = []string{ActionDisclosed, audit.ActionConsentGrant, audit.ActionConsentRevoke, audit.ActionIntroductionStep}

// DisclosureLog lists, newest first, every read of the candidate by an
// employer, every consent change and every introduction step (each can
// change the level an employer sees) — what the candidate may ask to see
// (GDPR art. 15). It is read from the audit log (the events about the
// candidate), so it cannot disagree with it; the listing is itself an
// audited read.
// Errors: Unauthenticated, Forbidden, NotFound (not the actor's candidate).
func (s *Service) DisclosureLog(ctx context.Context, id ID) ([]DisclosureEntry, error) {
	actor, c, err := s.own(ctx, id)
	if err != nil {
		return nil, err
	}
	out, err := s.disclosureLog(ctx, c)
	if err != nil {
		return nil, err
	}
	err = s.audit.Record(ctx, audit.Entry{ActorID: string(actor.UserID), Role: string(actor.Role), Action: audit.ActionIdentityRead,
		Subject: subject(c.ID), Details: map[string]string{"op": "disclosure_log", "count": itoa(len(out))}})
	return out, err
}

// disclosureLog reads c's disclosure log from the audit chain.
func (s *Service) disclosureLog(ctx context.Context, c Candidate) ([]DisclosureEntry, error) {
	events, err := s.audit.BySubjectStream(ctx, subject(c.ID), DisclosureStream, 0, maxLog)
	if err != nil {
		return nil, err
	}
	out := []DisclosureEntry{}
	for _, ev := range events {
		d := DisclosureEntry{At: ev.Time, Employer: ev.Details["employer"], Partner: ev.Details["partner"], Level: ev.Details["level"], By: ev.ActorID, Role: ev.Role}
		switch ev.Action {
		case ActionDisclosed:
			d.What, d.Fields, d.Purpose = "disclosed", ev.Details["fields"], ev.Details["purpose"]
		case audit.ActionConsentGrant:
			d.What = "consent_granted"
		case audit.ActionConsentRevoke:
			d.What = "consent_withdrawn"
		case audit.ActionIntroductionStep:
			// A step changes what the employer may see (level 1 from
			// candidate_consented, 2 once placed, back to 0 when closed).
			d.What = "introduction_" + ev.Details["state"]
		default:
			continue
		}
		out = append(out, d)
		if len(out) == maxLog {
			break
		}
	}
	return out, nil
}

// DisclosureCSV writes a disclosure log as CSV (UTF-8, a header line), to
// hand to the candidate.
func DisclosureCSV(entries []DisclosureEntry) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"time", "what", "employer_id", "partner_id", "level", "fields", "purpose", "by", "role"})
	for _, e := range entries {
		_ = w.Write(csvcell.Row([]string{e.At.UTC().Format(time.RFC3339), e.What, e.Employer, e.Partner, e.Level, strings.ReplaceAll(e.Fields, ",", " "), e.Purpose, e.By, e.Role}))
	}
	w.Flush()
	return b.Bytes()
}

// Contact is what someone around a placement other than its employer may
// know of the candidate (docs/disclosure.md): the first name, and the
// phone where the purpose needs it.
type Contact struct {
	FirstName string `json:"first_name"`
	Phone     string `json:"phone,omitempty"`
}

// Purpose says why a party other than an employer reads a candidate's
// contact: the log names it, so the candidate sees who saw what and why.
type Purpose struct {
	Name  string // "mentoring"
	Ref   string // what the read is for, e.g. the placement
	Phone bool   // the phone too (an active placement's mentor)
}

// ContactFor returns the candidate's contact for the acting mentor, and
// records the read in the disclosure log with its purpose and fields. The
// caller has established that the purpose holds (placements: the actor
// mentors the placement named); candidates cannot see placements.
// Errors: Unauthenticated, Forbidden (not a mentor), NotFound.
func (s *Service) ContactFor(ctx context.Context, id ID, p Purpose) (Contact, error) {
	a, err := users.RequireRole(ctx, users.Mentor)
	if err != nil {
		return Contact{}, err
	}
	if !ids.Valid(string(id), "c_") || p.Name == "" {
		return Contact{}, errNotFound
	}
	c, err := s.store.profile(ctx, id)
	if err != nil {
		return Contact{}, err
	}
	if c.Status == Erased {
		return Contact{}, nil // nothing left to disclose
	}
	if err := s.store.withIdentity(ctx, &c); err != nil {
		return Contact{}, err
	}
	out, fields := Contact{FirstName: c.Identity.FirstName}, "first_name"
	if p.Phone {
		out.Phone, fields = c.Identity.Phone, "first_name,phone"
	}
	err = s.audit.Record(ctx, audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: ActionDisclosed, Subject: subject(c.ID),
		Details: map[string]string{"purpose": p.Name, "ref": p.Ref, "fields": fields}})
	if err != nil {
		return Contact{}, err
	}
	return out, nil
}

package placements

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// CreateInput names the candidate and the vacancy of a new introduction.
type CreateInput struct {
	CandidateID string `json:"candidate_id"`
	VacancyID   string `json:"vacancy_id"`
}

var errIntroChanged = apperr.Errorf(apperr.Conflict, "The introduction was changed at the same moment. Reload and try again.")

// consentID is the id of the consent an introduction's consent step takes:
// derived from the introduction's, so that a re-run of its follow-up
// records it once.
func consentID(intro string) string { return "k_" + strings.TrimPrefix(intro, "i_") }

var errCannotMatch = apperr.Errorf(apperr.Conflict, "This candidate cannot be introduced for this vacancy.")

// Create starts an introduction. A probation worker proposes a candidate
// of their caseload for a vacancy (proposed); every hard rule must pass,
// else Conflict naming the rules. An employer asks to meet a candidate it
// found in search, for one of its own open vacancies (employer_interested):
// the candidate's worker gets the request. The employer is never told why a
// candidate cannot be introduced (the rules would describe restrictions).
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict.
func (s *Service) Create(ctx context.Context, in CreateInput) (IntroductionView, error) {
	a, err := users.RequireRole(ctx, users.ProbationWorker, users.Employer)
	if err != nil {
		return IntroductionView{}, err
	}
	// Who asks comes before what they sent: a suspended or pending
	// employer is refused whatever the body, and a worker proposing
	// another worker's candidate learns only "not found".
	if a.Is(users.Employer) {
		if _, _, err := s.employers.RequireActive(ctx); err != nil {
			return IntroductionView{}, err
		}
	}
	var f apperr.Fields
	var c candidates.Candidate
	if !ids.Valid(in.CandidateID, "c_") {
		f.Add("candidate_id", "is not a candidate id")
	} else if a.Is(users.ProbationWorker) {
		if c, err = s.candidates.LoadOwn(ctx, candidates.ID(in.CandidateID)); err != nil {
			return IntroductionView{}, err
		}
	}
	if !ids.Valid(in.VacancyID, "v_") {
		f.Add("vacancy_id", "is not a vacancy id")
	}
	if err := f.Err(); err != nil {
		return IntroductionView{}, err
	}
	now := s.clock()
	v, e, err := s.employers.LoadVacancy(ctx, employers.VacancyID(in.VacancyID))
	if err != nil {
		return IntroductionView{}, err
	}
	state := Proposed
	if a.Is(users.ProbationWorker) {
		if vs := matching.Check(c, v, e, now); len(vs) > 0 {
			fields := map[string]string{}
			for _, x := range vs {
				fields[string(x.Rule)] = x.EN
			}
			return IntroductionView{}, &apperr.Error{Code: apperr.Conflict, Message: "A hard rule rules this introduction out.", Fields: fields}
		}
	} else {
		if string(e.ID) != a.EmployerID {
			return IntroductionView{}, apperr.Errorf(apperr.NotFound, "Vacancy not found.")
		}
		if c, err = s.candidates.Load(ctx, candidates.ID(in.CandidateID)); err != nil {
			return IntroductionView{}, err
		}
		if len(matching.Check(c, v, e, now)) > 0 {
			// Hidden, unavailable or ruled out: the employer learns only
			// that it cannot be; a candidate it may not see is not found.
			if !c.Searchable(now) || c.HiddenFrom(string(e.ID), e.KvK, e.Sectors) {
				return IntroductionView{}, apperr.Errorf(apperr.NotFound, "Candidate not found.")
			}
			return IntroductionView{}, errCannotMatch
		}
		state = EmployerInterested
	}
	open, err := s.store.introList(ctx, "candidate:"+string(c.ID))
	if err != nil {
		return IntroductionView{}, err
	}
	for _, x := range open { // introductions from before the open key (claimOpen) have none
		if x.VacancyID == string(v.ID) && x.State.Open() {
			return IntroductionView{}, errOpenIntroduction
		}
	}
	intro := Introduction{ID: ids.New("i_"), CandidateID: c.ID, WorkerID: c.WorkerID, VacancyID: v.ID, EmployerID: e.ID, State: state,
		History: []Step{{State: state, By: a.UserID, Role: a.Role, At: now}}, CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := s.writeIntro(ctx, a, &intro, "create", introTask{Open: intro.ID}); err != nil {
		return IntroductionView{}, err
	}
	return viewOf(intro, a.Role), nil
}

// introTask is what an introduction write's follow-up needs beside the
// introduction: the open key its creation took and the active-placement
// claim its place step took (each released again when the write did not
// land), and the consent its consent step took (recorded only once the
// step landed).
type introTask struct {
	Introduction string              `json:"introduction"`
	Claim        string              `json:"claim,omitempty"`
	Open         string              `json:"open,omitempty"`      // a creation's open key (claimOpen), owned by the new introduction
	Candidate    candidates.ID       `json:"candidate,omitempty"` // the open key's candidate and vacancy
	Vacancy      employers.VacancyID `json:"vacancy,omitempty"`
	Consent      *candidates.Consent `json:"consent,omitempty"`
}

// writeIntro saves the introduction at its next version (inserted at 1)
// through the one write path; its follow-up does the rest (followIntro).
// claim, when set, is the active-placement claim to take first, owned by
// claim: a candidate whose key someone else holds is Conflict.
// Errors: store.ErrStale, Conflict.
func (s *Service) writeIntro(ctx context.Context, a users.Actor, in *Introduction, op string, data introTask) error {
	data.Introduction = in.ID
	if data.Open != "" {
		data.Candidate, data.Vacancy = in.CandidateID, in.VacancyID
	}
	return store.Do(ctx, s.writer, store.Write[introTask]{
		Kind: taskIntro, Key: in.ID, Data: data,
		Event: audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: ActionIntroduction,
			Subject: "candidate:" + string(in.CandidateID), Details: map[string]string{"introduction": in.ID, "employer": string(in.EmployerID), "state": string(in.State), "op": op}},
		Save: func(ctx context.Context, task string) error {
			if data.Open != "" {
				if err := s.store.claimOpen(ctx, in.CandidateID, in.VacancyID, data.Open); err != nil {
					return err
				}
			}
			if data.Claim != "" {
				if err := s.store.claimPlacement(ctx, in.CandidateID, data.Claim); err != nil {
					return err
				}
			}
			in.writes = in.writes.With(task)
			return s.store.saveIntro(ctx, *in)
		},
	})
}

// followIntro is the introduction task's handler: the lists, the next
// owner's inbox, the candidate's status; for candidate_consented the
// consent the step took; for placed also the placement and the
// candidate's other open introductions withdrawn. When the write did not
// land, the claim it took is released. Idempotent.
func (s *Service) followIntro(ctx context.Context, t store.FollowUp[introTask]) (bool, error) {
	id := cmp.Or(t.Data.Introduction, t.Key())
	in, err := s.store.intro(ctx, id)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return false, err
	}
	if err != nil || !in.writes.Has(t.ID()) {
		// The write this task followed up did not take effect.
		if t.Data.Open != "" && err != nil { // the creation: no introduction holds the key
			if err := s.store.releaseOpen(ctx, t.Data.Candidate, t.Data.Vacancy, t.Data.Open); err != nil {
				return false, err
			}
		}
		if t.Data.Claim != "" && (err != nil || in.PlaceClaim != t.Data.Claim) {
			return false, s.store.releasePlacement(ctx, in.CandidateID, t.Data.Claim)
		}
		return false, nil
	}
	if err := s.store.listIntro(ctx, in); err != nil {
		return false, err
	}
	if !in.State.Open() { // closed: another introduction for the vacancy may open
		if err := s.store.releaseOpen(ctx, in.CandidateID, in.VacancyID, in.ID); err != nil {
			return false, err
		}
	}
	switch in.State {
	case CandidateConsented:
		if k := t.Data.Consent; k != nil && k.ID == in.ConsentID {
			if err := s.candidates.TakeConsent(ctx, in.CandidateID, *k); err != nil {
				return false, err
			}
		}
		if err := s.candidates.Follow(ctx, in.CandidateID, candidates.Introduced, "introduction "+in.ID); err != nil {
			return false, err
		}
	case Placed:
		if err := s.place(ctx, in); err != nil {
			return false, err
		}
	case Declined, Withdrawn:
		if err := s.freeIfIdle(ctx, in.CandidateID); err != nil {
			return false, err
		}
	}
	return true, s.notifyNext(ctx, t.ID(), in)
}

// freeIfIdle makes an introduced candidate available again once no
// introduction of theirs is open.
func (s *Service) freeIfIdle(ctx context.Context, id candidates.ID) error {
	list, err := s.store.introList(ctx, "candidate:"+string(id))
	if err != nil {
		return err
	}
	for _, x := range list {
		if x.State.Open() && x.State.level() > 0 || x.State == Placed {
			return nil
		}
	}
	c, err := s.candidates.Load(ctx, id)
	if err != nil {
		return err
	}
	if c.Status != candidates.Introduced {
		return nil
	}
	return s.candidates.Follow(ctx, id, candidates.Available, "introductions closed")
}

// The messages of the inbox (English; the web layer translates).
const (
	msgInterest  = "An employer would like to meet a candidate of yours. Record the candidate's consent, or withdraw."
	msgProposed  = "A probation worker proposed a candidate for one of your vacancies."
	msgConsented = "The candidate consented to the introduction: you can see more of them now and plan an interview."
	msgInterview = "An interview is planned."
	msgPlaced    = "The candidate was placed. Assign a mentor before the start date, and record the candidate's consent if the employer may see their contact details (level 2)."
	msgDeclined  = "The employer declined after the interview."
	msgWithdrawn = "The introduction was withdrawn."
	// To the candidate themself, on their own page.
	msgAskCandidate = "An employer would like to meet you. Give your answer on your page."
	msgHired        = "You are hired. Say on your page whether your employer may see how to reach you."
)

// notifyNext tells the party whose step it is now (or who should know).
func (s *Service) notifyNext(ctx context.Context, key string, in Introduction) error {
	if s.Notify == nil {
		return nil
	}
	employer := func() (users.ID, error) {
		e, err := s.employers.Load(ctx, in.EmployerID)
		if err != nil {
			return "", err
		}
		u, err := s.users.ByEmail(ctx, e.Contact.Email)
		if apperr.Is(err, apperr.NotFound) {
			return "", nil
		}
		return u.ID, err
	}
	var to []users.ID
	var text string
	switch in.State {
	case Proposed:
		text = msgProposed
		u, err := employer()
		if err != nil {
			return err
		}
		to = append(to, u)
	case EmployerInterested:
		text, to = msgInterest, []users.ID{in.WorkerID}
	case CandidateConsented:
		text = msgConsented
		u, err := employer()
		if err != nil {
			return err
		}
		to = append(to, u)
	case Interview:
		text = msgInterview
		u, err := employer()
		if err != nil {
			return err
		}
		to = append(to, in.WorkerID, u)
	case Placed:
		text, to = msgPlaced, []users.ID{in.WorkerID}
	case Declined:
		text, to = msgDeclined, []users.ID{in.WorkerID}
	case Withdrawn:
		text = msgWithdrawn
		u, err := employer()
		if err != nil {
			return err
		}
		to = append(to, u)
	}
	for i, u := range to {
		if u == "" {
			continue
		}
		if err := s.Notify(ctx, u, key+string(rune('a'+i)), "introduction."+string(in.State), text, "introduction:"+in.ID); err != nil {
			return err
		}
	}
	// The candidate answers on their own page, if they have one: whether
	// to meet the employer, and once hired whether it may see level 2.
	ask, subject := msgAskCandidate, "self:introduction"
	switch in.State {
	case EmployerInterested:
	case Placed:
		ask, subject = msgHired, "self:contact"
	default:
		return nil
	}
	u, ok, err := s.users.CandidateAccount(ctx, string(in.CandidateID))
	if err != nil || !ok {
		return err
	}
	return s.Notify(ctx, u, key+"k", "introduction."+string(in.State), ask, subject)
}

// TransitionInput carries what a step needs.
type TransitionInput struct {
	Reason    string `json:"reason"`     // decline, withdraw
	At        string `json:"at"`         // interview: date and time, RFC 3339 (2026-12-10T14:00:00+01:00)
	Place     string `json:"place"`      // interview
	Purpose   string `json:"purpose"`    // consent (a default is written when empty)
	ExpiresAt string `json:"expires_at"` // consent: YYYY-MM-DD, at most a year ahead
	StartDate string `json:"start_date"` // place: YYYY-MM-DD
	EndDate   string `json:"end_date"`   // place: YYYY-MM-DD, for fixed_term
	Contract  string `json:"contract"`   // place: permanent, fixed_term, temporary, on_call
	Hours     int    `json:"hours_per_week"`
}

// Transition takes one step of an introduction, by the role that owns it.
// A step the state does not allow (a replay, say) is Conflict listing the
// allowed ones, and changes nothing. Introductions of an employer that is
// not active are paused: only withdrawing goes.
// Errors: Unauthenticated, Forbidden (the role does not own the step),
// NotFound (not the caller's introduction), Invalid, Conflict.
func (s *Service) Transition(ctx context.Context, id string, action Action, in TransitionInput) (IntroductionView, error) {
	a, err := users.RequireRole(ctx, users.ProbationWorker, users.Employer, users.Candidate)
	if err != nil {
		return IntroductionView{}, err
	}
	st, ok := steps[action]
	if !ok {
		return IntroductionView{}, apperr.InvalidField("action", "must be one of interested, consent, interview, place, decline, withdraw")
	}
	intro, err := s.own(ctx, a, id)
	if err != nil {
		return IntroductionView{}, err
	}
	if !hasRole(st.roles, a.Role) {
		return IntroductionView{}, apperr.Errorf(apperr.Forbidden, "Your role may not do this.")
	}
	if !hasState(st.from, intro.State) {
		return IntroductionView{}, s.notAllowed(intro, a.Role)
	}
	if action != ActWithdraw {
		active, err := s.employers.IsActive(ctx, string(intro.EmployerID))
		if err != nil {
			return IntroductionView{}, err
		}
		if !active {
			return IntroductionView{}, apperr.Errorf(apperr.Conflict, "The employer is not approved at the moment: the introduction is paused.")
		}
	}
	now := s.clock()
	var f apperr.Fields
	switch action {
	case ActDecline, ActWithdraw:
		if a.Is(users.Candidate) && strings.TrimSpace(in.Reason) == "" {
			in.Reason = "De kandidaat wil liever niet."
		}
		intro.Reason = f.Text("reason", in.Reason, 300, true)
	case ActInterview:
		place := f.Text("place", in.Place, 200, true)
		at, err := time.Parse(time.RFC3339, strings.TrimSpace(in.At))
		switch {
		case in.At == "":
			f.Add("at", "is required (a date and time such as 2026-12-10T14:00:00+01:00)")
		case err != nil:
			f.Add("at", "must be a date and time such as 2026-12-10T14:00:00+01:00")
		case at.Before(now):
			f.Add("at", "must not be in the past")
		case at.After(now.AddDate(2, 0, 0)):
			f.Add("at", "must be within the next 2 years")
		}
		intro.Interview = &InterviewPlan{At: at.UTC(), Place: place}
	case ActPlace:
		if err := s.checkPlace(ctx, &f, &intro, in, now); err != nil {
			return IntroductionView{}, err
		}
	case ActConsent:
		if in.ExpiresAt == "" {
			in.ExpiresAt = now.AddDate(0, 3, 0).Format(time.DateOnly)
		}
		if strings.TrimSpace(in.Purpose) == "" {
			// The candidate reads this (their consents, the export): the
			// vacancy by its title, never its record id.
			in.Purpose = "Kennismaking"
			if v, e, err := s.employers.LoadVacancy(ctx, intro.VacancyID); err == nil {
				in.Purpose = "Kennismaking voor de vacature " + v.Title + " bij " + e.Name
				if r := []rune(in.Purpose); len(r) > 300 {
					in.Purpose = string(r[:300])
				}
			}
		}
	}
	if err := f.Err(); err != nil {
		return IntroductionView{}, err
	}
	var data introTask
	switch action {
	case ActConsent:
		// The consent the candidate gave on their own page, or gave their
		// worker who records it (RecordedBy says which): level 1 for this
		// employer. Its id derives from the
		// introduction's; the follow-up records it once the step landed
		// (a step that loses records none).
		k, err := s.candidates.NewConsent(ctx, candidates.ConsentInput{EmployerID: string(intro.EmployerID), Level: 1, Purpose: in.Purpose, ExpiresAt: in.ExpiresAt})
		if err != nil {
			return IntroductionView{}, err
		}
		k.ID, k.RecordedBy, k.ByCandidate = consentID(intro.ID), a.UserID, a.Is(users.Candidate)
		intro.ConsentID, data.Consent = k.ID, &k
	case ActPlace:
		// The candidate's one active placement: the step claims it before
		// it is written (docs/invariants.md).
		data.Claim = intro.ID + "#" + ids.New("")
		intro.PlaceClaim = data.Claim
	}
	intro.State, intro.UpdatedAt, intro.Version = st.to, now, intro.Version+1
	intro.History = append(intro.History, Step{State: st.to, By: a.UserID, Role: a.Role, At: now})
	if len(intro.History) > maxHistory {
		intro.History = intro.History[len(intro.History)-maxHistory:]
	}
	err = s.writeIntro(ctx, a, &intro, string(action), data)
	if errors.Is(err, store.ErrStale) {
		return IntroductionView{}, errIntroChanged
	}
	if err != nil {
		return IntroductionView{}, err
	}
	return viewOf(intro, a.Role), nil
}

func (s *Service) notAllowed(in Introduction, role users.Role) error {
	var names []string
	for _, x := range allowed(in.State, role) {
		names = append(names, string(x))
	}
	msg := "This step is not possible now: the introduction is " + string(in.State) + "."
	fields := map[string]string{"action": "allowed now: " + strings.Join(names, ", ")}
	if len(names) == 0 {
		fields["action"] = "no step is open to you now"
	}
	return &apperr.Error{Code: apperr.Conflict, Message: msg, Fields: fields}
}

// own loads an introduction of the caller: the candidate's worker, or a
// user of the employer. Anyone else's is NotFound.
func (s *Service) own(ctx context.Context, a users.Actor, id string) (Introduction, error) {
	if !ids.Valid(id, "i_") {
		return Introduction{}, errIntroNotFound
	}
	in, err := s.store.intro(ctx, id)
	if err != nil {
		return Introduction{}, err
	}
	switch {
	case a.Is(users.ProbationWorker) && in.WorkerID == a.UserID:
	case a.Is(users.Employer) && string(in.EmployerID) == a.EmployerID:
	case a.Is(users.Candidate) && string(in.CandidateID) == a.Candidate:
		// Their own: the candidate gives or refuses their consent.
	default:
		return Introduction{}, errIntroNotFound
	}
	return in, nil
}

// Get returns an introduction of the caller's.
// Errors: Unauthenticated, Forbidden (role), NotFound.
func (s *Service) Get(ctx context.Context, id string) (IntroductionView, error) {
	a, err := users.RequireRole(ctx, users.ProbationWorker, users.Employer)
	if err != nil {
		return IntroductionView{}, err
	}
	in, err := s.own(ctx, a, id)
	if err != nil {
		return IntroductionView{}, err
	}
	return viewOf(in, a.Role), nil
}

// List returns the caller's introductions, most recently changed first: an
// employer's organisation's, or a probation worker's caseload's.
// Errors: Unauthenticated, Forbidden (role).
func (s *Service) List(ctx context.Context) ([]IntroductionSummary, error) {
	a, err := users.RequireRole(ctx, users.ProbationWorker, users.Employer)
	if err != nil {
		return nil, err
	}
	owner := "worker:" + string(a.UserID)
	if a.Is(users.Employer) {
		owner = "employer:" + a.EmployerID
	}
	return s.store.introList(ctx, owner)
}

// IntroductionLevel is the disclosure level the candidate's introductions
// to employer allow: 1 from candidate_consented, 2 once placed (while the
// placement is active). For candidates.Service.ViewFor, which takes the
// lower of this and the consents.
func (s *Service) IntroductionLevel(ctx context.Context, c candidates.ID, employer string) (int, error) {
	list, err := s.store.introList(ctx, "candidate:"+string(c))
	if err != nil {
		return 0, err
	}
	level := 0
	for _, x := range list {
		if x.EmployerID != employer {
			continue
		}
		l := x.State.level()
		if l == 2 {
			p, err := s.store.placement(ctx, placementID(x.ID))
			if err != nil || p.State != Active {
				l = 1
				if err != nil && !apperr.Is(err, apperr.NotFound) {
					return 0, err
				}
			}
		}
		level = max(level, l)
	}
	return level, nil
}

// checkPlace validates a place step's terms into intro.Terms: a start
// date from today to two years ahead, a known contract (an end date after
// the start for fixed_term), hours 1 to 60; and no other active placement
// of the candidate.
func (s *Service) checkPlace(ctx context.Context, f *apperr.Fields, intro *Introduction, in TransitionInput, now time.Time) error {
	today := now.Truncate(24 * time.Hour)
	date := func(field, v string, required bool) *time.Time {
		if strings.TrimSpace(v) == "" {
			if required {
				f.Add(field, "is required (YYYY-MM-DD)")
			}
			return nil
		}
		t, err := time.Parse(time.DateOnly, strings.TrimSpace(v))
		switch {
		case err != nil:
			f.Add(field, "must be a date written YYYY-MM-DD")
			return nil
		case t.Before(today):
			f.Add(field, "must not be in the past")
		case t.After(today.AddDate(2, 0, 0)):
			f.Add(field, "must be within the next 2 years")
		}
		return &t
	}
	start := date("start_date", in.StartDate, true)
	end := date("end_date", in.EndDate, in.Contract == "fixed_term")
	switch {
	case in.Contract == "":
		f.Add("contract", "is required")
	case !slices.Contains(contracts, in.Contract):
		f.Add("contract", "must be one of "+strings.Join(contracts, ", "))
	}
	if end != nil && in.Contract != "fixed_term" {
		f.Add("end_date", "is only for a fixed_term contract")
	}
	if start != nil && end != nil && !end.After(*start) {
		f.Add("end_date", "must be after the start date")
	}
	if in.Hours < 1 || in.Hours > 60 {
		f.Add("hours_per_week", "must be between 1 and 60")
	}
	if len(*f) > 0 {
		return nil
	}
	list, err := s.store.placementList(ctx, "candidate:"+string(intro.CandidateID))
	if err != nil {
		return err
	}
	for _, p := range list {
		if p.State == Active {
			return apperr.Errorf(apperr.Conflict, "This candidate has an active placement already.")
		}
	}
	intro.Terms = &Terms{StartDate: *start, EndDate: end, Contract: in.Contract, HoursPerWeek: in.Hours}
	return nil
}

// place is the follow-up of a placed introduction: the placement (created
// once), the candidate's other open introductions withdrawn, the
// candidate placed.
func (s *Service) place(ctx context.Context, in Introduction) error {
	if in.Terms == nil {
		return nil
	}
	now := s.clock()
	p := Placement{ID: placementID(in.ID), IntroductionID: in.ID, CandidateID: in.CandidateID, WorkerID: in.WorkerID, EmployerID: in.EmployerID,
		VacancyID: in.VacancyID, StartDate: in.Terms.StartDate, EndDate: in.Terms.EndDate, Contract: in.Terms.Contract,
		HoursPerWeek: in.Terms.HoursPerWeek, State: Active, CreatedAt: now, UpdatedAt: now, Version: 1, Claim: in.PlaceClaim}
	tmpl, err := s.store.template(ctx, "default")
	if err != nil {
		return err
	}
	p.Schedule = tmpl.schedule(day(p.StartDate))
	if existing, err := s.store.placement(ctx, p.ID); err == nil {
		p = existing
	} else if !apperr.Is(err, apperr.NotFound) {
		return err
	} else if err := s.store.savePlacement(ctx, p); err != nil {
		return err
	}
	if err := s.store.listPlacement(ctx, p); err != nil {
		return err
	}
	others, err := s.store.introList(ctx, "candidate:"+string(in.CandidateID))
	if err != nil {
		return err
	}
	system := users.Actor{UserID: "system", Role: "system"}
	for _, x := range others {
		if x.ID == in.ID || !x.State.Open() {
			continue
		}
		err := s.writer.Retry(ctx, "introduction:"+x.ID, errIntroChanged, func(ctx context.Context) error {
			o, err := s.store.intro(ctx, x.ID)
			if err != nil || !o.State.Open() {
				return err
			}
			o.State, o.Reason, o.UpdatedAt, o.Version = Withdrawn, "placed through another introduction", now, o.Version+1
			o.History = append(o.History, Step{State: Withdrawn, By: "system", Role: "system", At: now})
			return s.writeIntro(ctx, system, &o, "withdraw", introTask{})
		})
		if err != nil {
			return err // the task stays: the drain withdraws it later
		}
	}
	return s.candidates.Follow(ctx, in.CandidateID, candidates.Placed, "placement "+p.ID)
}

package employers

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// Audit actions of this package.
const (
	ActionRegister      = "employer.register"
	ActionChecklist     = "employer.checklist"
	ActionApprove       = "employer.approve"
	ActionReject        = "employer.reject"
	ActionSuspend       = "employer.suspend"
	ActionReinstate     = "employer.reinstate"
	ActionExpire        = "employer.expire"
	ActionConcern       = "employer.concern"
	ActionUserAdd       = "employer.user_add"
	ActionVacancyWrite  = "vacancy.write"
	ActionVacancyClosed = "vacancy.close"
)

// Registration limits: an IP address may try 20 registrations an hour,
// refused ones included (each costs validation and reveals whether a KvK
// number is registered).
const (
	registerWindow = time.Hour
	registerPerIP  = 20
)

// Service applies the employer rules: open registration, four-eyes vetting,
// the effects of suspension and expiry, organisation users and vacancies.
type Service struct {
	store    *Store
	users    *users.Service
	audit    *audit.Recorder
	places   *places.Table
	throttle *store.Throttle
	outbox   *store.Outbox
	writer   *store.Writer
	now      func() time.Time
	log      *slog.Logger
	stopAt   func(ctx context.Context, step string) error // tests: stop a registration half-way
	// standing keeps employers read for RequireActive up to 30 seconds,
	// forgotten everywhere when the access epoch moves: a suspension
	// answers only after its bump, so no request after it gets through.
	standing *store.Cached[Employer]

	// OnVacancyChange, when set, is told of every vacancy whose visibility
	// may have changed (created, updated, closed, or its employer's standing
	// moved): the search index's update path. Wired by cmd.
	OnVacancyChange func(ctx context.Context, id VacancyID) error
	// Notify, when set, puts a message in a user's inbox (wired by cmd).
	Notify func(ctx context.Context, user users.ID, kind, text, subject string) error
}

// NewService returns a Service and registers its outbox tasks. now may be
// nil (time.Now).
func NewService(st *Store, us *users.Service, rec *audit.Recorder, tbl *places.Table, th *store.Throttle, ob *store.Outbox, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	s := &Service{store: st, users: us, audit: rec, places: tbl, throttle: th, outbox: ob, now: now, log: slog.Default(),
		standing: store.NewCached[Employer](st.access, 30*time.Second, 10_000)}
	s.writer = store.NewWriter(ob, rec, nil)
	store.Handle(s.writer, taskRegister, s.healRegistration)
	store.Handle(s.writer, taskWrite, s.followUp)
	return s
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// Registered is the outcome of a registration, as the applicant sees it.
type Registered struct {
	Employer View
	User     users.User
}

// ActionRegisterEmailTaken is recorded (on the account's subject) when an
// organisation applies with the e-mail address of an existing account.
const ActionRegisterEmailTaken = "employer.register_email_taken"

// The message the owner of an address gets when an organisation applies
// with it: the answer to the applicant does not tell, the owner is told.
const (
	KindRegistrationEmailTaken    = "registration_email_taken"
	MessageRegistrationEmailTaken = "An organisation applied to Herstart with your e-mail address. If that was not you or your organisation, tell a coordinator."
)

// taskRegister heals a registration that stopped half-way (key: "id kvk").
const taskRegister = "employers.register"

// Register records an organisation's application: the employer (pending)
// and the applicant's account (role employer, administrator of the
// organisation), which can see the application's state and nothing else
// until two coordinators approve.
//
// An application with the e-mail address of an existing account gets the
// same answer, in the same time, as one that creates an account, so that
// registration cannot tell who has one (login hides it too): nothing is
// stored, and the address's owner is told through the audit trail on their
// account (the inbox, once it exists). A KvK number is public, so a taken
// one is said.
//
// The writes (KvK key, employer, account, registry) are preceded by an
// outbox task: a crash half-way is finished or undone by the next drain, so
// the KvK number is never left claimed by an employer that does not exist.
// Errors: Invalid, Conflict (KvK number registered), TooManyRequests.
func (s *Service) Register(ctx context.Context, r Registration, ip string) (Registered, error) {
	now := s.clock()
	if ip == "" {
		ip = "unknown" // counted together, never unlimited
	}
	if n, err := s.throttle.Hit(ctx, "register:"+ip, now, registerWindow); err != nil {
		return Registered{}, err
	} else if n > registerPerIP {
		return Registered{}, apperr.Errorf(apperr.TooManyRequests, "Too many registrations from this address. Try again later.")
	}
	res, err := r.resolve(s.places)
	var f apperr.Fields
	if err != nil {
		f.Merge("", apperr.FieldsOf(err))
	}
	// The password is checked by the account rules; show its problems too.
	probe := users.NewUser{Email: res.contact.Email, Name: res.contact.Name, Password: r.Password, Role: users.Employer, EmployerID: "e_probe", Admin: true}
	if err := probe.Validate(); err != nil {
		for k, v := range apperr.FieldsOf(err) {
			switch k {
			case "password":
				f.Add("password", v)
			case "email":
				f.Add("contact.email", v)
			case "name":
				f.Add("contact.name", v)
			}
		}
	}
	if err := f.Err(); err != nil {
		return Registered{}, err
	}
	e := Employer{
		ID: ID(store.NewID("e_")), Name: res.name, KvK: res.kvk, Sectors: res.sectors, Locations: res.locations,
		Contact: res.contact, Status: Pending, CodeOfConductAt: now, CreatedAt: now, UpdatedAt: now, Version: 1,
	}
	self := func(u users.User) Registered {
		a := users.Actor{UserID: u.ID, Role: users.Employer, EmployerID: string(e.ID), Admin: true}
		return Registered{Employer: viewFor(a, e, s.now()), User: u}
	}
	owner, err := s.users.ByEmail(ctx, res.contact.Email)
	switch {
	case err == nil:
		users.SpendHashTime(r.Password)
		if err := s.audit.Record(ctx, audit.Entry{ActorID: "anonymous", Role: "anonymous", Action: ActionRegisterEmailTaken,
			Subject: "user:" + string(owner.ID), Details: map[string]string{"kvk": e.KvK}}); err != nil {
			s.log.WarnContext(ctx, "audit a registration with a taken address", "err", err)
		}
		if s.Notify != nil {
			if err := s.Notify(ctx, owner.ID, KindRegistrationEmailTaken, MessageRegistrationEmailTaken, ""); err != nil {
				s.log.WarnContext(ctx, "tell the address's owner of a registration", "err", err)
			}
		}
		return self(users.User{ID: users.ID(store.NewID("u_")), Email: strings.ToLower(res.contact.Email), Name: res.contact.Name,
			Role: users.Employer, EmployerID: string(e.ID), Admin: true, CreatedAt: now}), nil
	case !apperr.Is(err, apperr.NotFound):
		return Registered{}, err
	}
	var u users.User
	err = store.Do(ctx, s.writer, store.Write[registerTask]{
		Kind: taskRegister, Key: string(e.ID), Data: registerTask{Employer: e.ID, KvK: e.KvK},
		Event: s.entry(users.Actor{}, ActionRegister, e.ID, map[string]string{"kvk": e.KvK}),
		Save: func(ctx context.Context, _ string) error {
			if err := s.store.kvk.Claim(ctx, e.KvK, string(e.ID)); err != nil {
				if errors.Is(err, store.ErrKeyTaken) {
					return &apperr.Error{Code: apperr.Conflict, Message: "An employer with this KvK number is registered already.", Fields: map[string]string{"kvk": "is registered already"}}
				}
				return err
			}
			if err := s.step(ctx, "kvk"); err != nil {
				return err
			}
			if err := s.store.insertEmployer(ctx, e); err != nil {
				return err
			}
			if err := s.step(ctx, "employer"); err != nil {
				return err
			}
			// The account is the write that decides: a coded refusal
			// (the address taken meanwhile) means the registration did not
			// land, and its follow-up undoes the employer and the claim.
			u, err = s.users.CreateUnchecked(ctx, users.NewUser{Email: res.contact.Email, Name: res.contact.Name, Password: r.Password,
				Role: users.Employer, EmployerID: string(e.ID), Admin: true})
			if err != nil {
				return err
			}
			return s.step(ctx, "account")
		},
	})
	if err != nil {
		return Registered{}, err
	}
	return self(u), nil
}

// registerTask names the employer and KvK number of a registration.
type registerTask struct {
	Employer ID     `json:"employer"`
	KvK      string `json:"kvk"`
}

// healRegistration is taskRegister's handler: with the applicant's account
// in place it finishes the registration (registry entry, audit event);
// without it, it undoes what was written (employer, KvK claim), so that the
// organisation can apply again. Idempotent.
func (s *Service) healRegistration(ctx context.Context, t store.FollowUp[registerTask]) (bool, error) {
	id, kvk := string(t.Data.Employer), t.Data.KvK
	if id == "" { // a task of the version before typed payloads: "id kvk"
		id, kvk, _ = strings.Cut(t.Key(), " ")
	}
	e, err := s.store.employer(ctx, ID(id))
	if apperr.Is(err, apperr.NotFound) {
		return false, s.store.kvk.Release(ctx, kvk, id)
	}
	if err != nil {
		return false, err
	}
	u, err := s.users.ByEmail(ctx, e.Contact.Email)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return false, err
	}
	if err != nil || u.EmployerID != id {
		if err := s.store.deleteEmployer(ctx, e.ID); err != nil {
			return false, err
		}
		return false, s.store.kvk.Release(ctx, kvk, id)
	}
	return true, s.store.register(ctx, e)
}

// step is a point where tests stop a registration half-way (as a crash
// would); nil in production.
func (s *Service) step(ctx context.Context, name string) error {
	if s.stopAt == nil {
		return nil
	}
	return s.stopAt(ctx, name)
}

// visible returns the employer if the actor may see it: coordinators any,
// an employer's own users their own, probation workers approved ones (to
// name them in a conflict list or a match). Anyone else: NotFound.
func (s *Service) visible(ctx context.Context, id ID) (users.Actor, Employer, error) {
	a, err := users.ActorFrom(ctx)
	if err != nil {
		return users.Actor{}, Employer{}, err
	}
	if a.Is(users.Mentor) {
		return users.Actor{}, Employer{}, apperr.Errorf(apperr.Forbidden, "Your role may not do this.")
	}
	if !store.ValidID(string(id), "e_") {
		return users.Actor{}, Employer{}, errEmployerNotFound
	}
	e, err := s.store.employer(ctx, id)
	if err != nil {
		return users.Actor{}, Employer{}, err
	}
	switch {
	case a.Is(users.Coordinator):
	case a.Is(users.Employer) && a.EmployerID == string(e.ID):
	case a.Is(users.ProbationWorker) && e.Active(s.now()):
	default:
		return users.Actor{}, Employer{}, errEmployerNotFound
	}
	return a, e, nil
}

// Get returns the employer as the actor may see it.
// Errors: Unauthenticated, Forbidden (mentor), NotFound.
func (s *Service) Get(ctx context.Context, id ID) (View, error) {
	a, e, err := s.visible(ctx, id)
	if err != nil {
		return View{}, err
	}
	return viewFor(a, e, s.now()), nil
}

// List returns every employer, optionally of one status (coordinators).
// Errors: Unauthenticated, Forbidden, Invalid (status).
func (s *Service) List(ctx context.Context, status Status) ([]Summary, error) {
	if _, err := users.RequireRole(ctx, users.Coordinator); err != nil {
		return nil, err
	}
	if status != "" && !validStatus(status) {
		return nil, apperr.InvalidField("status", "must be one of pending, approved, rejected, suspended, expired")
	}
	all, err := s.store.list(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Summary, 0, len(all))
	for _, e := range all {
		if status == "" || e.Status == status {
			out = append(out, e)
		}
	}
	return out, nil
}

// Pending lists the employers waiting for vetting, for the reminders
// job; never for a request.
func (s *Service) Pending(ctx context.Context) ([]Summary, error) {
	all, err := s.store.list(ctx)
	if err != nil {
		return nil, err
	}
	var out []Summary
	for _, e := range all {
		if e.Status == Pending {
			out = append(out, e)
		}
	}
	return out, nil
}

// Exists reports whether an employer with id is registered, whatever its
// standing; for conflict lists.
func (s *Service) Exists(ctx context.Context, id string) (bool, error) {
	if !store.ValidID(id, "e_") {
		return false, nil
	}
	_, err := s.store.employer(ctx, ID(id))
	switch {
	case apperr.Is(err, apperr.NotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// Load returns an employer without an actor, for the services that decide
// themselves what an employer may see (candidates' disclosure).
// Errors: NotFound.
func (s *Service) Load(ctx context.Context, id ID) (Employer, error) {
	if !store.ValidID(string(id), "e_") {
		return Employer{}, errEmployerNotFound
	}
	return s.store.employer(ctx, id)
}

// IsActive reports whether id names an employer that may use the platform
// now (approved, within its approval); false for an unknown id.
func (s *Service) IsActive(ctx context.Context, id string) (bool, error) {
	if !store.ValidID(id, "e_") {
		return false, nil
	}
	_, active, err := s.Standing(ctx, ID(id))
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	return active, err
}

// Standing returns whether the employer may use the platform now: approved
// and within its approval. Matching and introductions ask it before showing
// an employer any candidate data.
func (s *Service) Standing(ctx context.Context, id ID) (Status, bool, error) {
	e, err := s.store.employer(ctx, id)
	if err != nil {
		return "", false, err
	}
	return e.Status, e.Active(s.now()), nil
}

// RequireActive returns the acting employer user's organisation if it is
// approved and current; otherwise Forbidden — what every candidate-facing
// route of an employer calls first.
func (s *Service) RequireActive(ctx context.Context) (users.Actor, Employer, error) {
	a, err := users.RequireRole(ctx, users.Employer)
	if err != nil {
		return users.Actor{}, Employer{}, err
	}
	now := s.now()
	e, err := s.standing.Get(ctx, a.EmployerID, now, func(ctx context.Context) (Employer, error) { return s.store.employer(ctx, ID(a.EmployerID)) })
	if err != nil {
		return users.Actor{}, Employer{}, err
	}
	if !e.Active(now) {
		msg := "Your organisation is not approved (yet): this is available once two coordinators have approved it."
		switch e.Status {
		case Suspended:
			msg = "Your organisation is suspended: candidate data and vacancies are unavailable until a coordinator reinstates it."
		case Expired, Approved:
			msg = "Your organisation's approval has expired: ask a coordinator to renew it."
		case Rejected:
			msg = "Your organisation's application was rejected."
		}
		return users.Actor{}, Employer{}, apperr.Errorf(apperr.Forbidden, "%s", msg)
	}
	return a, e, nil
}

// taskWrite follows up a write of an employer or a vacancy: the registry
// line or the vacancy list entry, the search index, and the write's audit
// event. See write.
const taskWrite = "employers.write"

// writeTask names the document an employers write is about: an employer
// (Standing when its standing changed, so that its vacancies are checked
// again) or a vacancy.
type writeTask struct {
	Employer ID        `json:"employer,omitempty"`
	Standing bool      `json:"standing,omitempty"`
	Vacancy  VacancyID `json:"vacancy,omitempty"`
}

var errChanged = apperr.Errorf(apperr.Conflict, "The record was changed by someone else at the same moment. Try again.")

// write is the one write path (store.Do) for an employer or a vacancy:
// save stores the document naming the task among its writes.
func (s *Service) write(ctx context.Context, data writeTask, ev audit.Entry, save func(task string) error) error {
	return store.Do(ctx, s.writer, store.Write[writeTask]{
		Kind: taskWrite, Key: cmp.Or(string(data.Employer), string(data.Vacancy)), Data: data, Event: ev,
		Save: func(_ context.Context, task string) error { return save(task) },
	})
}

// followUp is taskWrite's handler. Idempotent.
func (s *Service) followUp(ctx context.Context, t store.FollowUp[writeTask]) (bool, error) {
	d := t.Data
	if d == (writeTask{}) { // a task of the version before typed payloads
		parts := strings.Fields(t.Key())
		if len(parts) < 2 {
			return false, nil
		}
		if parts[0] == "employer" {
			d.Employer, d.Standing = ID(parts[1]), len(parts) > 2 && parts[2] == "1"
		} else {
			d.Vacancy = VacancyID(parts[1])
		}
	}
	var writes store.Writes
	switch {
	case d.Employer != "":
		e, err := s.store.employer(ctx, d.Employer)
		if apperr.Is(err, apperr.NotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if err := s.store.register(ctx, e); err != nil {
			return false, err
		}
		if d.Standing {
			if err := s.vacanciesChanged(ctx, e.ID); err != nil {
				return false, err
			}
		}
		writes = e.writes
	case d.Vacancy != "":
		v, err := s.store.vacancy(ctx, d.Vacancy)
		if apperr.Is(err, apperr.NotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if err := s.store.listVacancy(ctx, v); err != nil {
			return false, err
		}
		if s.OnVacancyChange != nil {
			if err := s.OnVacancyChange(ctx, v.ID); err != nil {
				return false, err
			}
		}
		writes = v.writes
	}
	return writes.Has(t.ID()), nil
}

// change applies a coordinator's (or the system's) step to a fresh read of
// employer id and saves it conditionally on the version read, reading and
// applying step again after a clash with another writer.
func (s *Service) change(ctx context.Context, a users.Actor, id ID, step func(e *Employer) (action string, details map[string]string, standingChanged bool, err error)) (Employer, error) {
	if !store.ValidID(string(id), "e_") {
		return Employer{}, errEmployerNotFound
	}
	return store.RetryValue(ctx, s.writer, "employer:"+string(id), errChanged, func(ctx context.Context) (Employer, error) {
		e, err := s.store.employer(ctx, id)
		if err != nil {
			return Employer{}, err
		}
		action, details, standing, err := step(&e)
		if err != nil {
			return Employer{}, err
		}
		return e, s.save(ctx, a, &e, action, details, standing)
	})
}

// vetChange is change for a coordinator's vetting step.
func (s *Service) vetChange(ctx context.Context, id ID, step func(a users.Actor, e *Employer) (string, map[string]string, bool, error)) (users.Actor, Employer, error) {
	a, err := users.RequireRole(ctx, users.Coordinator)
	if err != nil {
		return users.Actor{}, Employer{}, err
	}
	e, err := s.change(ctx, a, id, func(e *Employer) (string, map[string]string, bool, error) { return step(a, e) })
	return a, e, err
}

// save writes a changed employer at its next version; the follow-up task
// brings its registry line in line, tells the index its vacancies may have
// changed visibility, and audits the step.
// Errors: store.ErrStale.
func (s *Service) save(ctx context.Context, a users.Actor, e *Employer, action string, details map[string]string, standingChanged bool) error {
	actor, role := string(a.UserID), string(a.Role)
	ev := audit.Entry{ActorID: actor, Role: role, Action: action, Subject: "employer:" + string(e.ID), Details: details}
	now := s.clock()
	err := s.write(ctx, writeTask{Employer: e.ID, Standing: standingChanged}, ev, func(task string) error {
		e.UpdatedAt, e.Version, e.writes = now, e.Version+1, e.writes.With(task)
		return s.store.saveEmployer(ctx, *e)
	})
	if err != nil {
		return err
	}
	s.standing.Forget(string(e.ID))
	if standingChanged {
		return s.store.access.Bump(ctx) // every instance forgets its standing before the answer
	}
	return nil
}

func (s *Service) vacanciesChanged(ctx context.Context, id ID) error {
	if s.OnVacancyChange == nil {
		return nil
	}
	vs, err := s.store.vacanciesOf(ctx, id)
	if err != nil {
		return err
	}
	for _, v := range vs {
		if err := s.OnVacancyChange(ctx, v.ID); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) decide(e *Employer, a users.Actor, action, reason string) {
	e.Decisions = append(e.Decisions, Decision{Action: action, By: a.UserID, At: s.clock(), Reason: reason})
	if len(e.Decisions) > maxDecisions {
		e.Decisions = e.Decisions[len(e.Decisions)-maxDecisions:]
	}
}

// ChecklistUpdate sets checklist items; nil leaves one alone.
type ChecklistUpdate struct {
	KvKChecked          *bool `json:"kvk_checked"`
	SiteVisitOrCall     *bool `json:"site_visit_or_call"`
	References          *bool `json:"references"`
	IntegrityQuestions  *bool `json:"integrity_questions"`
	CodeOfConductSigned *bool `json:"code_of_conduct_signed"`
}

// UpdateChecklist records what a coordinator verified.
// Errors: Unauthenticated, Forbidden, NotFound.
func (s *Service) UpdateChecklist(ctx context.Context, id ID, u ChecklistUpdate) (View, error) {
	a, e, err := s.vetChange(ctx, id, func(_ users.Actor, e *Employer) (string, map[string]string, bool, error) {
		for _, p := range []struct {
			dst *bool
			src *bool
		}{
			{&e.Checklist.KvKChecked, u.KvKChecked}, {&e.Checklist.SiteVisitOrCall, u.SiteVisitOrCall}, {&e.Checklist.References, u.References},
			{&e.Checklist.IntegrityQuestions, u.IntegrityQuestions}, {&e.Checklist.CodeOfConductSigned, u.CodeOfConductSigned},
		} {
			if p.src != nil {
				*p.dst = *p.src
			}
		}
		return ActionChecklist, map[string]string{"missing": strings.Join(e.Checklist.Missing(), ",")}, false, nil
	})
	if err != nil {
		return View{}, err
	}
	return viewFor(a, e, s.now()), nil
}

// Approve records a coordinator's approval. The first approval of a round
// waits for a second from a different coordinator; the second activates the
// employer for ApprovalValid. Works on pending (first vetting) and expired
// (renewal) employers, and needs a complete checklist.
// Errors: Unauthenticated, Forbidden, NotFound, Conflict (wrong state, same
// coordinator twice, checklist incomplete).
func (s *Service) Approve(ctx context.Context, id ID) (View, error) {
	return s.fourEyes(ctx, id, ActionApprove, []Status{Pending, Expired})
}

// Reinstate lifts a suspension; like approval it needs two different
// coordinators.
// Errors: as Approve.
func (s *Service) Reinstate(ctx context.Context, id ID) (View, error) {
	return s.fourEyes(ctx, id, ActionReinstate, []Status{Suspended})
}

func (s *Service) fourEyes(ctx context.Context, id ID, action string, from []Status) (View, error) {
	a, e, err := s.vetChange(ctx, id, func(a users.Actor, e *Employer) (string, map[string]string, bool, error) {
		if !inStatus(e.Status, from) {
			return "", nil, false, apperr.Errorf(apperr.Conflict, "An employer that is %s cannot be %s.", e.Status, pastTense(action))
		}
		if missing := e.Checklist.Missing(); len(missing) > 0 {
			f := map[string]string{}
			for _, m := range missing {
				f["checklist."+m] = "must be checked before approval"
			}
			return "", nil, false, &apperr.Error{Code: apperr.Conflict, Message: "The vetting checklist is not complete.", Fields: f}
		}
		for _, by := range e.Approvals {
			if by == a.UserID {
				return "", nil, false, apperr.Errorf(apperr.Conflict, "You approved already: a second, different coordinator must approve.")
			}
		}
		e.Approvals = append(e.Approvals, a.UserID)
		s.decide(e, a, action, "")
		activated := len(e.Approvals) >= 2
		if activated {
			e.Status, e.Approvals, e.RenewalNeeded = Approved, nil, false
			e.ValidUntil = s.clock().Add(ApprovalValid)
		}
		return action, map[string]string{"approvals": itoa(len(e.Approvals)), "activated": boolStr(activated)}, activated, nil
	})
	if err != nil {
		return View{}, err
	}
	return viewFor(a, e, s.now()), nil
}

// Reasoned is a decision that needs a reason.
type Reasoned struct {
	Reason string `json:"reason"`
}

func (r Reasoned) reason() (string, error) {
	var f apperr.Fields
	reason := f.Text("reason", r.Reason, 1000, true)
	return reason, f.Err()
}

// Reject turns an application (or a renewal) down, with a reason.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid (reason), Conflict.
func (s *Service) Reject(ctx context.Context, id ID, r Reasoned) (View, error) {
	return s.oneCoordinator(ctx, id, r, ActionReject, "rejected", []Status{Pending, Expired}, Rejected)
}

// Suspend takes effect at once, on one coordinator's word and a reason: the
// employer's users lose every candidate-facing route and its vacancies leave
// search.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid (reason), Conflict.
func (s *Service) Suspend(ctx context.Context, id ID, r Reasoned) (View, error) {
	return s.oneCoordinator(ctx, id, r, ActionSuspend, "suspended", []Status{Pending, Approved, Expired}, Suspended)
}

// oneCoordinator is a vetting step one coordinator takes with a reason:
// from one of the from statuses to the status to, dropping any approvals of
// a round in progress.
func (s *Service) oneCoordinator(ctx context.Context, id ID, r Reasoned, action, verb string, from []Status, to Status) (View, error) {
	if _, err := users.RequireRole(ctx, users.Coordinator); err != nil {
		return View{}, err // before the reason: nobody else learns what the step asks
	}
	reason, err := r.reason()
	if err != nil {
		return View{}, err
	}
	a, e, err := s.vetChange(ctx, id, func(a users.Actor, e *Employer) (string, map[string]string, bool, error) {
		if !inStatus(e.Status, from) {
			return "", nil, false, apperr.Errorf(apperr.Conflict, "An employer that is %s cannot be %s.", e.Status, verb)
		}
		e.Status, e.Approvals = to, nil
		s.decide(e, a, action, reason)
		return action, nil, true, nil
	})
	if err != nil {
		return View{}, err
	}
	return viewFor(a, e, s.now()), nil
}

// ConcernInput is a signal about an employer.
type ConcernInput struct {
	Text   string `json:"text"`
	Source string `json:"source"`
}

// AddConcern records a signal about an employer. It does not suspend by
// itself; it shows on the employer's vetting page.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (too many).
func (s *Service) AddConcern(ctx context.Context, id ID, in ConcernInput) (View, error) {
	if _, err := users.RequireRole(ctx, users.Coordinator); err != nil {
		return View{}, err
	}
	var f apperr.Fields
	txt := f.Text("text", in.Text, 2000, true)
	src := f.Text("source", in.Source, 200, false)
	if err := f.Err(); err != nil {
		return View{}, err
	}
	a, e, err := s.vetChange(ctx, id, func(a users.Actor, e *Employer) (string, map[string]string, bool, error) {
		if len(e.Concerns) >= maxConcerns {
			return "", nil, false, apperr.Errorf(apperr.Conflict, "This employer has the maximum number of recorded concerns.")
		}
		c := Concern{ID: store.NewID("s_"), Text: txt, Source: src, By: a.UserID, At: s.clock()}
		e.Concerns = append(e.Concerns, c)
		return ActionConcern, map[string]string{"concern": c.ID}, false, nil
	})
	if err != nil {
		return View{}, err
	}
	return viewFor(a, e, s.now()), nil
}

// ExpireDue marks approved employers whose approval has run out as expired,
// flags that their users must renew, and reports how many it expired. A
// periodic job (under a lease).
func (s *Service) ExpireDue(ctx context.Context) (int, error) {
	all, err := s.store.list(ctx)
	if err != nil {
		return 0, err
	}
	now := s.now()
	system := users.Actor{UserID: "system", Role: "system"}
	n := 0
	for _, sum := range all {
		if sum.Status != Approved || sum.ValidUntil == nil || now.Before(*sum.ValidUntil) {
			continue
		}
		expired := false
		_, err := s.change(ctx, system, sum.ID, func(e *Employer) (string, map[string]string, bool, error) {
			if e.Status != Approved || now.Before(e.ValidUntil) {
				return "", nil, false, errNothingToDo
			}
			e.Status, e.RenewalNeeded = Expired, true
			s.decide(e, system, ActionExpire, "approval older than 12 months")
			expired = true
			return ActionExpire, nil, true, nil
		})
		if errors.Is(err, errNothingToDo) {
			continue
		}
		if err != nil {
			return n, err
		}
		if expired {
			n++
		}
	}
	return n, nil
}

var errNothingToDo = errors.New("nothing to do")

// ColleagueInput is a new user of the actor's organisation.
type ColleagueInput struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Password string `json:"password"`
}

// AddUser lets an approved employer's administrator add a colleague (role
// employer, bound to the same organisation).
// Errors: Unauthenticated, Forbidden (not the admin, or not approved),
// NotFound (another organisation), Invalid, Conflict (e-mail in use).
func (s *Service) AddUser(ctx context.Context, id ID, in ColleagueInput) (users.User, error) {
	a, err := users.RequireRole(ctx, users.Employer)
	if err != nil {
		return users.User{}, err
	}
	if a.EmployerID != string(id) {
		return users.User{}, errEmployerNotFound
	}
	if !a.Admin {
		return users.User{}, apperr.Errorf(apperr.Forbidden, "Only your organisation's administrator may add colleagues.")
	}
	if _, _, err := s.RequireActive(ctx); err != nil {
		return users.User{}, err
	}
	// The event's subject is the new account (users records it with the
	// write); the organisation is in its details.
	return s.users.CreateRecorded(ctx, users.NewUser{Email: in.Email, Name: in.Name, Password: in.Password, Role: users.Employer, EmployerID: string(id)},
		audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: ActionUserAdd, Details: map[string]string{"employer": string(id)}})
}

func validStatus(s Status) bool {
	return inStatus(s, []Status{Pending, Approved, Rejected, Suspended, Expired})
}

func inStatus(s Status, set []Status) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

func pastTense(action string) string {
	if action == ActionReinstate {
		return "reinstated"
	}
	return "approved"
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// SetLogger sets the logger of warnings the service handles itself (cmd
// passes the platform's).
func (s *Service) SetLogger(l *slog.Logger) { s.log = l }

// All loads every registered employer, for the exit trajectories' sync of
// employers based near a network's places (a follow-up, never a request).
// Errors: the database's.
func (s *Service) All(ctx context.Context) ([]Employer, error) {
	sums, err := s.store.list(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Employer, 0, len(sums))
	for _, x := range sums {
		e, err := s.store.employer(ctx, x.ID)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

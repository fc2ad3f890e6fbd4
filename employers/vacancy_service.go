package employers

import (
	"context"
	"errors"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// maxVacancies bounds one employer's vacancy list document.
const maxVacancies = 1000

// CreateVacancy publishes a vacancy of the actor's own, approved
// organisation.
// Errors: Unauthenticated, Forbidden (role, or organisation not approved),
// NotFound (another organisation), Invalid (vog_required true among them),
// Conflict (too many vacancies).
func (s *Service) CreateVacancy(ctx context.Context, emp ID, in VacancyInput) (VacancyView, error) {
	a, err := users.RequireRole(ctx, users.Employer)
	if err != nil {
		return VacancyView{}, err
	}
	if a.EmployerID != string(emp) {
		return VacancyView{}, errEmployerNotFound
	}
	if _, _, err := s.RequireActive(ctx); err != nil {
		return VacancyView{}, err
	}
	now := s.clock()
	v, err := in.resolve(s.places, now, now)
	if err != nil {
		return VacancyView{}, err
	}
	list, err := s.store.vacanciesOf(ctx, emp)
	if err != nil {
		return VacancyView{}, err
	}
	if len(list) >= maxVacancies {
		return VacancyView{}, apperr.Errorf(apperr.Conflict, "Your organisation has the maximum number of vacancies; close old ones first.")
	}
	v.ID, v.EmployerID, v.Status, v.CreatedAt, v.UpdatedAt, v.Version = VacancyID(store.NewID("v_")), emp, Open, now, now, 1
	ev := s.entry(a, ActionVacancyWrite, emp, map[string]string{"vacancy": string(v.ID), "op": "create"})
	err = s.write(ctx, writeTask{Vacancy: v.ID}, ev, func(task string) error {
		v.writes = v.writes.With(task)
		return s.store.saveVacancy(ctx, v, true)
	})
	if err != nil {
		return VacancyView{}, err
	}
	return VacancyOf(v), nil
}

// entry is the audit entry of an employer-side step.
func (s *Service) entry(a users.Actor, action string, id ID, details map[string]string) audit.Entry {
	actor, role := string(a.UserID), string(a.Role)
	if actor == "" {
		actor, role = "anonymous", "anonymous"
	}
	return audit.Entry{ActorID: actor, Role: role, Action: action, Subject: "employer:" + string(id), Details: details}
}

// changeVacancy applies step to a fresh read of a vacancy the actor may
// change and saves it conditionally on the version read, again after a
// clash; the follow-up task lists it, tells the index and audits.
func (s *Service) changeVacancy(ctx context.Context, id VacancyID, step func(a users.Actor, v *Vacancy) (action string, details map[string]string, err error)) (Vacancy, error) {
	return store.RetryValue(ctx, s.writer, "vacancy:"+string(id), errChanged, func(ctx context.Context) (Vacancy, error) {
		a, v, err := s.ownVacancy(ctx, id)
		if err != nil {
			return Vacancy{}, err
		}
		action, details, err := step(a, &v)
		if err != nil {
			return Vacancy{}, err
		}
		now := s.clock()
		return v, s.write(ctx, writeTask{Vacancy: v.ID}, s.entry(a, action, v.EmployerID, details), func(task string) error {
			v.UpdatedAt, v.Version, v.writes = now, v.Version+1, v.writes.With(task)
			return s.store.saveVacancy(ctx, v, false)
		})
	})
}

// ownVacancy loads a vacancy the acting employer user may change.
func (s *Service) ownVacancy(ctx context.Context, id VacancyID) (users.Actor, Vacancy, error) {
	a, err := users.RequireRole(ctx, users.Employer)
	if err != nil {
		return users.Actor{}, Vacancy{}, err
	}
	if !store.ValidID(string(id), "v_") {
		return users.Actor{}, Vacancy{}, errVacancyNotFound
	}
	v, err := s.store.vacancy(ctx, id)
	if err != nil {
		return users.Actor{}, Vacancy{}, err
	}
	if string(v.EmployerID) != a.EmployerID {
		return users.Actor{}, Vacancy{}, errVacancyNotFound
	}
	return a, v, nil
}

// UpdateVacancy changes an open vacancy of the actor's approved organisation.
// Errors: Unauthenticated, Forbidden, NotFound, Invalid, Conflict (closed).
func (s *Service) UpdateVacancy(ctx context.Context, id VacancyID, u VacancyUpdate) (VacancyView, error) {
	v, err := s.changeVacancy(ctx, id, func(_ users.Actor, v *Vacancy) (string, map[string]string, error) {
		if _, _, err := s.RequireActive(ctx); err != nil {
			return "", nil, err
		}
		if v.Status == Closed {
			return "", nil, apperr.Errorf(apperr.Conflict, "This vacancy is closed.")
		}
		nv, err := u.apply(v.input()).resolve(s.places, s.clock(), v.StartDate)
		if err != nil {
			return "", nil, err
		}
		nv.ID, nv.EmployerID, nv.Status, nv.CreatedAt, nv.Version, nv.writes = v.ID, v.EmployerID, v.Status, v.CreatedAt, v.Version, v.writes
		*v = nv
		return ActionVacancyWrite, map[string]string{"vacancy": string(v.ID), "op": "update"}, nil
	})
	if err != nil {
		return VacancyView{}, err
	}
	return VacancyOf(v), nil
}

// CloseVacancy closes a vacancy: it leaves search at once. Closing works
// whatever the organisation's standing.
// Errors: Unauthenticated, Forbidden, NotFound, Conflict (closed already).
func (s *Service) CloseVacancy(ctx context.Context, id VacancyID) (VacancyView, error) {
	v, err := s.changeVacancy(ctx, id, func(_ users.Actor, v *Vacancy) (string, map[string]string, error) {
		if v.Status == Closed {
			return "", nil, apperr.Errorf(apperr.Conflict, "This vacancy is closed already.")
		}
		v.Status = Closed
		return ActionVacancyClosed, map[string]string{"vacancy": string(v.ID)}, nil
	})
	if err != nil {
		return VacancyView{}, err
	}
	return VacancyOf(v), nil
}

// Vacancy returns a vacancy: to its organisation's users and coordinators
// always; to probation workers only while it is open and its employer is
// approved and current (what leaves search leaves this view too).
// Errors: Unauthenticated, Forbidden (mentor), NotFound.
func (s *Service) Vacancy(ctx context.Context, id VacancyID) (VacancyView, error) {
	a, err := users.ActorFrom(ctx)
	if err != nil {
		return VacancyView{}, err
	}
	if a.Is(users.Mentor) {
		return VacancyView{}, apperr.Errorf(apperr.Forbidden, "Your role may not do this.")
	}
	if !store.ValidID(string(id), "v_") {
		return VacancyView{}, errVacancyNotFound
	}
	v, err := s.store.vacancy(ctx, id)
	if err != nil {
		return VacancyView{}, err
	}
	switch {
	case a.Is(users.Coordinator):
	case a.Is(users.Employer) && a.EmployerID == string(v.EmployerID):
	case a.Is(users.ProbationWorker):
		visible, err := s.Listed(ctx, v)
		if err != nil {
			return VacancyView{}, err
		}
		if !visible {
			return VacancyView{}, errVacancyNotFound
		}
	default:
		return VacancyView{}, errVacancyNotFound
	}
	return VacancyOf(v), nil
}

// Listed reports whether a vacancy may be shown to candidates' side (search,
// matches, probation workers): open, and its employer approved and current.
func (s *Service) Listed(ctx context.Context, v Vacancy) (bool, error) {
	if v.Status != Open {
		return false, nil
	}
	_, active, err := s.Standing(ctx, v.EmployerID)
	return active, err
}

// Vacancies lists an organisation's vacancies, to its users and coordinators.
// Errors: Unauthenticated, Forbidden (role), NotFound.
func (s *Service) Vacancies(ctx context.Context, emp ID) ([]VacancySummary, error) {
	a, err := users.RequireRole(ctx, users.Employer, users.Coordinator)
	if err != nil {
		return nil, err
	}
	if a.Is(users.Employer) && a.EmployerID != string(emp) {
		return nil, errEmployerNotFound
	}
	if a.Is(users.Coordinator) {
		if _, err := s.store.employer(ctx, emp); err != nil {
			return nil, err
		}
	}
	return s.store.vacanciesOf(ctx, emp)
}

// LoadVacancy returns a vacancy and its employer without an actor, for the
// matching service (which checks standing itself).
// Errors: NotFound.
func (s *Service) LoadVacancy(ctx context.Context, id VacancyID) (Vacancy, Employer, error) {
	if !store.ValidID(string(id), "v_") {
		return Vacancy{}, Employer{}, errVacancyNotFound
	}
	v, err := s.store.vacancy(ctx, id)
	if err != nil {
		return Vacancy{}, Employer{}, err
	}
	e, err := s.store.employer(ctx, v.EmployerID)
	return v, e, err
}

// LoadEmployer returns an employer without an actor, for the matching
// service.
// Errors: NotFound.
func (s *Service) LoadEmployer(ctx context.Context, id ID) (Employer, error) {
	if !store.ValidID(string(id), "e_") {
		return Employer{}, errEmployerNotFound
	}
	return s.store.employer(ctx, id)
}

// EachVacancy calls fn for every vacancy with its employer (index rebuilds;
// scans).
func (s *Service) EachVacancy(ctx context.Context, fn func(Vacancy, Employer) error) error {
	emps := map[ID]Employer{}
	return s.store.eachVacancy(ctx, func(v Vacancy) error {
		e, ok := emps[v.EmployerID]
		if !ok {
			var err error
			if e, err = s.store.employer(ctx, v.EmployerID); err != nil {
				return err
			}
			emps[v.EmployerID] = e
		}
		return fn(v, e)
	})
}

// Flag records a system concern about an employer (such as a search
// pattern that looks like scraping) for coordinators to see on the vetting
// page. It does not suspend.
func (s *Service) Flag(ctx context.Context, id ID, text string) error {
	system := users.Actor{UserID: "system", Role: "system"}
	_, err := s.change(ctx, system, id, func(e *Employer) (string, map[string]string, bool, error) {
		if len(e.Concerns) >= maxConcerns {
			return "", nil, false, errNothingToDo
		}
		c := Concern{ID: store.NewID("s_"), Text: text, Source: "system", By: "system", At: s.clock()}
		e.Concerns = append(e.Concerns, c)
		return ActionConcern, map[string]string{"concern": c.ID, "source": "system"}, false, nil
	})
	if errors.Is(err, errNothingToDo) {
		return nil
	}
	return err
}

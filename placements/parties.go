package placements

import (
	"context"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/users"
)

// Person is one party of a placement as far as the caller may know them.
type Person struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Workplace is where the candidate works: the employer, the vacancy, its
// address and the employer's contact person.
type Workplace struct {
	Employer string  `json:"employer"`
	Vacancy  string  `json:"vacancy,omitempty"`
	Address  string  `json:"address,omitempty"`
	Place    string  `json:"place,omitempty"`
	Contact  *Person `json:"contact,omitempty"`
}

// Parties names the people around a placement as the caller's role may
// know them (docs/disclosure.md, "Who knows whom around a placement"). A
// candidate's name or phone read for a mentor or an employer is a
// disclosure: it is recorded in the candidate's disclosure log.
type Parties struct {
	Candidate Person    `json:"candidate"`
	Workplace Workplace `json:"workplace"`
	Worker    *Person   `json:"worker,omitempty"`
	Mentor    *Person   `json:"mentor,omitempty"`
}

// Parties returns the parties of a placement of the caller's:
//   - its mentor: the candidate's first name, and their phone while the
//     placement is active; the workplace with its contact; the worker's
//     name and e-mail;
//   - the probation worker: the candidate as their caseload names them, the
//     workplace with its contact, the mentor's name and e-mail;
//   - the employer: the candidate as the card's level allows (first name
//     from level 1, the last name and phone at level 2), at level 2 the
//     probation worker's name and e-mail (the card's probation contact),
//     the mentor's name and e-mail;
//   - a coordinator: the workplace, the worker and the mentor; not the
//     candidate (the placement is named by its vacancy and employer).
//
// Errors: Unauthenticated, NotFound.
func (s *Service) Parties(ctx context.Context, id string) (Parties, error) {
	a, p, err := s.ownPlacement(ctx, id)
	if err != nil {
		return Parties{}, err
	}
	var out Parties
	v, e, err := s.employers.LoadVacancy(ctx, p.VacancyID)
	switch {
	case err == nil:
		out.Workplace = Workplace{Employer: e.Name, Vacancy: v.Title, Address: v.Address, Place: v.Place.Name}
	case apperr.Is(err, apperr.NotFound):
		if e, err := s.employers.Load(ctx, p.EmployerID); err == nil {
			out.Workplace.Employer = e.Name
		}
	default:
		return Parties{}, err
	}
	if !a.Is(users.Employer) && e.Contact.Name != "" {
		out.Workplace.Contact = &Person{Name: e.Contact.Name, Phone: e.Contact.Phone, Email: e.Contact.Email}
	}
	person := func(id users.ID) (*Person, error) {
		if id == "" {
			return nil, nil
		}
		u, err := s.users.Load(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return &Person{Name: u.Name, Email: u.Email}, nil
	}
	if !a.Is(users.ProbationWorker, users.Employer) {
		if out.Worker, err = person(p.WorkerID); err != nil {
			return Parties{}, err
		}
	}
	if !a.Is(users.Mentor) {
		if out.Mentor, err = person(p.MentorID); err != nil {
			return Parties{}, err
		}
	}
	switch {
	case a.Is(users.Mentor):
		k, err := s.candidates.ContactFor(ctx, p.CandidateID, candidates.Purpose{Name: "mentoring", Ref: p.ID, Phone: p.State == Active})
		if err != nil {
			return Parties{}, err
		}
		out.Candidate = Person{Name: k.FirstName, Phone: k.Phone}
	case a.Is(users.ProbationWorker):
		names, err := s.caseloadNames(ctx)
		if err != nil {
			return Parties{}, err
		}
		out.Candidate.Name = names[p.CandidateID]
	case a.Is(users.Employer):
		out.Candidate, out.Worker = s.employerSees(ctx, p.CandidateID)
	}
	return out, nil
}

// caseloadNames names the acting worker's candidates (one read).
func (s *Service) caseloadNames(ctx context.Context) (map[candidates.ID]string, error) {
	list, err := s.candidates.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[candidates.ID]string, len(list))
	for _, c := range list {
		out[c.ID] = c.DisplayName
	}
	return out, nil
}

// employerSees is the candidate as the acting employer's card shows them
// (the read is the card's, recorded as a disclosure); nothing when the
// card is not theirs to see; at level 2 also the probation worker.
func (s *Service) employerSees(ctx context.Context, id candidates.ID) (Person, *Person) {
	d, err := s.candidates.ViewFor(ctx, id)
	if err != nil {
		return Person{}, nil
	}
	switch v := d.View.(type) {
	case candidates.Level2:
		var worker *Person
		if k := v.Probation; k != nil {
			worker = &Person{Name: k.Name, Email: k.Email}
		}
		return Person{Name: v.FirstName + " " + v.LastName, Phone: v.Phone, Email: v.Email}, worker
	case candidates.Level1:
		return Person{Name: v.FirstName}, nil
	}
	return Person{}, nil
}

// nameList fills the names of a list of placements as the caller may know
// them: the workplace (employer and vacancy) for everyone, the candidate
// for their worker (the caseload's names), their mentor (the first name,
// a recorded disclosure) and their employer (as the card's level allows).
func (s *Service) nameList(ctx context.Context, a users.Actor, list []PlacementSummary) error {
	vacancies := map[employers.VacancyID]employers.Vacancy{}
	emps := map[employers.ID]string{}
	var caseload map[candidates.ID]string
	if a.Is(users.ProbationWorker) {
		var err error
		if caseload, err = s.caseloadNames(ctx); err != nil {
			return err
		}
	}
	seen := map[candidates.ID]string{}
	for i := range list {
		it := &list[i]
		if vid := employers.VacancyID(it.VacancyID); vid != "" {
			v, ok := vacancies[vid]
			if !ok {
				if got, e, err := s.employers.LoadVacancy(ctx, vid); err == nil {
					v, emps[e.ID] = got, e.Name
				}
				vacancies[vid] = v
			}
			it.Vacancy = v.Title
		}
		eid := employers.ID(it.EmployerID)
		if _, ok := emps[eid]; !ok {
			emps[eid] = ""
			if e, err := s.employers.Load(ctx, eid); err == nil {
				emps[eid] = e.Name
			}
		}
		it.Employer = emps[eid]
		cid := candidates.ID(it.CandidateID)
		switch {
		case a.Is(users.ProbationWorker):
			it.Candidate = caseload[cid]
		case a.Is(users.Mentor), a.Is(users.Employer):
			n, ok := seen[cid]
			if !ok {
				if a.Is(users.Mentor) {
					k, err := s.candidates.ContactFor(ctx, cid, candidates.Purpose{Name: "mentoring", Ref: it.ID})
					if err != nil && !apperr.Is(err, apperr.NotFound) {
						return err
					}
					n = k.FirstName
				} else {
					who, _ := s.employerSees(ctx, cid)
					n = who.Name
				}
				seen[cid] = n
			}
			it.Candidate = n
		}
	}
	return nil
}

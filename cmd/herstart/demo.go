package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/candidates/candidatetest"
	"github.com/herstart/herstart/circles"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/users"
)

// DemoPassword is the password of every demo account.
const DemoPassword = "herstart-demo-2026"

type demoAccount struct {
	email, name string
	role        users.Role
	employerID  string
}

var demoAccounts = []demoAccount{
	{"coordinator@demo.herstart.nl", "Cora Coördinator", users.Coordinator, ""},
	{"coordinator2@demo.herstart.nl", "Kees Tweede", users.Coordinator, ""},
	{"reclassering.jansen@demo.herstart.nl", "Pieter Jansen", users.ProbationWorker, ""},
	{"reclassering.bakker@demo.herstart.nl", "Fatima Bakker", users.ProbationWorker, ""},
	{"mentor@demo.herstart.nl", "Mo Mentor", users.Mentor, ""},
}

func demo(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stdout)
	n := fs.Int("candidates", 0, "also generate N synthetic candidates (spread over generated probation workers, 50 each)")
	seed := fs.Uint64("seed", 1, "random seed for generated candidates")
	history := fs.Bool("history", true, "also write the placements with a year of history (about half a minute)")
	force := fs.Bool("force", false, "add the demo accounts (public password) even on a platform with coordinators of its own")
	if err := fs.Parse(args); err != nil {
		return exitError(2)
	}
	if *n < 0 || *n > 1_000_000 {
		return fmt.Errorf("--candidates must be between 0 and 1000000")
	}
	p, err := openPlatform(ctx, cfg, log, "demo")
	if err != nil {
		return err
	}
	defer p.close()
	// A platform in real use gets no accounts with a public password by
	// accident: only when asked.
	none, err := p.users.NoCoordinator(ctx)
	if err != nil {
		return err
	}
	demoThere, err := p.users.EmailInUse(ctx, demoAccounts[0].email)
	if err != nil {
		return err
	}
	if !none && !demoThere && !*force {
		return fmt.Errorf("this platform has coordinators of its own: the demo would add %d accounts with a public password; run `herstart demo --force` to add them anyway", len(demoAccounts))
	}
	ids := map[string]users.ID{}
	fresh := true
	for _, a := range demoAccounts {
		if a.role == users.Employer {
			continue // registered with its organisation below
		}
		u, err := p.users.CreateUnchecked(ctx, users.NewUser{Email: a.email, Name: a.name, Password: DemoPassword, Role: a.role, EmployerID: a.employerID})
		if apperr.Is(err, apperr.Conflict) {
			fresh = false
			continue
		}
		if err != nil {
			return err
		}
		ids[a.email] = u.ID
	}
	if fresh {
		worker := users.Actor{UserID: ids["reclassering.jansen@demo.herstart.nl"], Role: users.ProbationWorker}
		other := users.Actor{UserID: ids["reclassering.bakker@demo.herstart.nl"], Role: users.ProbationWorker}
		r := rand.New(rand.NewPCG(7, 7))
		for i := 0; i < 18; i++ {
			a := worker
			if i%3 == 2 {
				a = other
			}
			if err := demoCandidate(ctx, p, a, r, i, true); err != nil {
				return err
			}
		}
		// Two who fit the demo vacancies, so that an introduction can be
		// walked through (README): the generated ones rarely do.
		for _, in := range append(fittingDemoCandidates(time.Now()), ownWordsDemoCandidate(time.Now())) {
			if err := demoCandidateFrom(ctx, p, worker, in); err != nil {
				return err
			}
		}
		org, err := demoEmployer(ctx, p, ids["coordinator@demo.herstart.nl"], ids["coordinator2@demo.herstart.nl"])
		if err != nil {
			return err
		}
		if err := demoPartners(ctx, p, ids["coordinator@demo.herstart.nl"], ids["coordinator2@demo.herstart.nl"]); err != nil {
			return err
		}
		if *history {
			if err := demoHistory(ctx, p, ids, org, stdout); err != nil {
				return err
			}
		}
		fmt.Fprintln(stdout, "Demo data loaded.")
	} else {
		fmt.Fprintln(stdout, "Demo accounts exist already; nothing changed.")
	}
	fmt.Fprintf(stdout, "\nDemo accounts (password for all: %s):\n", DemoPassword)
	for _, a := range demoAccounts {
		fmt.Fprintf(stdout, "  %-18s %s\n", a.role, a.email)
	}
	fmt.Fprintf(stdout, "  %-18s %s (Bouwbedrijf De Nieuwe Start, approved)\n", users.Employer, demoEmployerEmail)
	for _, d := range demoPartnerOrgs {
		fmt.Fprintf(stdout, "  %-18s %s (%s, approved)\n", users.Partner, d.email, d.name)
	}
	if *n > 0 {
		if err := generate(ctx, p, *n, *seed, stdout); err != nil {
			return err
		}
	}
	return nil
}

// generate creates n synthetic candidates spread over generated probation
// workers (50 each, a realistic caseload; sharing the demo's public
// password, hashed once), through the import's bulk path (loadItems), with
// its progress bars.
func generate(ctx context.Context, p *platform, n int, seed uint64, stdout io.Writer) error {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	items := make([]candidates.ImportItem, 0, n)
	var worker users.ID
	for i := 0; i < n; i++ {
		if i%50 == 0 {
			u, err := p.users.CreateUncheckedSharing(ctx, users.NewUser{
				Email: fmt.Sprintf("gen-worker-%d-%d@demo.herstart.nl", seed, i/50), Password: DemoPassword, Role: users.ProbationWorker,
			})
			if err != nil {
				return fmt.Errorf("generate worker: %w", err)
			}
			worker = u.ID
		}
		items = append(items, candidates.ImportItem{WorkerID: worker, Input: candidatetest.Input(r, time.Now()), Available: r.IntN(10) < 8})
	}
	start := time.Now()
	made, problems, err := loadItems(ctx, p, items, func(i int) int { return i + 1 }, stdout)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("generate: %s", problems[0])
	}
	fmt.Fprintf(stdout, "  %s candidates generated in %.1f s\n", thousands(made), time.Since(start).Seconds())
	return nil
}

// fittingDemoCandidates fit the demo employer's vacancies in Utrecht.
func fittingDemoCandidates(now time.Time) []candidates.Input {
	return []candidates.Input{{
		Identity: candidates.IdentityInput{FirstName: "Daan", LastName: "Visser", BirthDate: now.AddDate(-31, -2, 0).Format(time.DateOnly), Phone: "+31 6 11223344", Email: "daan.visser@example.nl"},
		Skills:   []string{"orderpicken", "heftruck rijden"}, DesiredOccupations: []string{"magazijnmedewerker"},
		Certificates: []string{"forklift", "vca_basis"}, Languages: []string{"nl"}, HoursPerWeek: 32,
		AvailableFrom: now.Format(time.DateOnly), HomePlace: "Utrecht", TravelRadiusKm: 25,
		Motivation:   "Heeft twee jaar in een distributiecentrum gewerkt en wil weer aan de slag.",
		WorkHistory:  []string{"Orderpicker, distributiecentrum, 2 jaar"},
		Restrictions: candidates.RestrictionsInput{Curfew: &candidates.CurfewInput{From: "23:00", To: "05:00"}},
	}, {
		Identity: candidates.IdentityInput{FirstName: "Noor", LastName: "Bakker", BirthDate: now.AddDate(-24, -5, 0).Format(time.DateOnly), Phone: "+31 6 55667788"},
		Skills:   []string{"groenonderhoud", "maaien"}, Languages: []string{"nl", "en"}, HoursPerWeek: 24,
		AvailableFrom: now.AddDate(0, 0, 7).Format(time.DateOnly), HomePlace: "Zeist", TravelRadiusKm: 15,
		Motivation:  "Werkt graag buiten, in een vast team.",
		WorkHistory: []string{"Werkervaringsplaats groenvoorziening, 6 maanden"},
	}}
}

// ownWordsDemoCandidate describes his trade in his own words, as workers
// type it ("asbest verwijderen"): a search for the trade's title
// (asbestsaneerder) finds him by those words, and his card says which of
// the trade's core words he has.
func ownWordsDemoCandidate(now time.Time) candidates.Input {
	return candidates.Input{
		Identity: candidates.IdentityInput{FirstName: "Milan", LastName: "de Graaf", BirthDate: now.AddDate(-38, -1, 0).Format(time.DateOnly), Phone: "+31 6 99887766"},
		Skills:   []string{"asbest verwijderen", "werken in een beschermend pak"}, Languages: []string{"nl"}, HoursPerWeek: 36,
		AvailableFrom: now.AddDate(0, 0, 3).Format(time.DateOnly), HomePlace: "Nieuwegein", TravelRadiusKm: 30,
		Motivation:  "Wil zijn certificaat weer gebruiken, liefst in een vaste ploeg.",
		WorkHistory: []string{"Saneringsmedewerker, 4 jaar"},
	}
}

func demoCandidateFrom(ctx context.Context, p *platform, worker users.Actor, in candidates.Input) error {
	ctx = users.WithActor(ctx, worker)
	rec, err := p.candidates.Create(ctx, in)
	if err != nil {
		return fmt.Errorf("demo candidate: %w", err)
	}
	st := candidates.Available
	if _, err := p.candidates.Update(ctx, rec.ID, candidates.Update{Status: &st}, 0); err != nil {
		return fmt.Errorf("demo candidate: %w", err)
	}
	return nil
}

func demoCandidate(ctx context.Context, p *platform, worker users.Actor, r *rand.Rand, i int, available bool) error {
	ctx = users.WithActor(ctx, worker)
	rec, err := p.candidates.Create(ctx, candidatetest.Input(r, time.Now()))
	if err != nil {
		return fmt.Errorf("demo candidate %d: %w", i, err)
	}
	if available {
		st := candidates.Available
		if _, err := p.candidates.Update(ctx, rec.ID, candidates.Update{Status: &st}, 0); err != nil {
			return fmt.Errorf("demo candidate %d: %w", i, err)
		}
	}
	return nil
}

const demoEmployerEmail = "werkgever@demo.herstart.nl"

// demoOrg is the demo employer's user and its warehouse vacancy.
type demoOrg struct {
	user      users.Actor
	warehouse employers.VacancyID
}

// demoEmployer registers an organisation, has the two demo coordinators vet
// and approve it, and publishes three vacancies.
func demoEmployer(ctx context.Context, p *platform, c1, c2 users.ID) (demoOrg, error) {
	r, err := p.employers.Register(ctx, employers.Registration{
		Name: "Bouwbedrijf De Nieuwe Start", KvK: "90123456", Sectors: []string{"construction", "logistics", "green_maintenance"},
		Locations: []employers.LocationInput{{Address: "Industrieweg 4", Place: "Utrecht"}, {Address: "Havenstraat 12", Place: "Rotterdam"}},
		Contact:   employers.ContactInput{Name: "Willem de Werkgever", Email: demoEmployerEmail, Phone: "+31 30 1234567"},
		Password:  DemoPassword, CodeOfConductAccepted: true,
	}, "")
	if err != nil {
		return demoOrg{}, fmt.Errorf("demo employer: %w", err)
	}
	yes := true
	coord1 := users.WithActor(ctx, users.Actor{UserID: c1, Role: users.Coordinator})
	coord2 := users.WithActor(ctx, users.Actor{UserID: c2, Role: users.Coordinator})
	if _, err := p.employers.UpdateChecklist(coord1, r.Employer.ID, employers.ChecklistUpdate{KvKChecked: &yes, SiteVisitOrCall: &yes,
		References: &yes, IntegrityQuestions: &yes, CodeOfConductSigned: &yes}); err != nil {
		return demoOrg{}, err
	}
	for _, c := range []context.Context{coord1, coord2} {
		if _, err := p.employers.Approve(c, r.Employer.ID); err != nil {
			return demoOrg{}, fmt.Errorf("demo approval: %w", err)
		}
	}
	org := demoOrg{user: users.Actor{UserID: r.User.ID, Role: users.Employer, EmployerID: string(r.Employer.ID), Admin: true}}
	emp := users.WithActor(ctx, org.user)
	no := false
	start := time.Now().AddDate(0, 0, 21).Format(time.DateOnly)
	for _, v := range []employers.VacancyInput{
		{Title: "Magazijnmedewerker", RequiredSkills: []string{"orderpicken"}, NiceSkills: []string{"heftruck rijden"}, Place: "Utrecht",
			HoursPerWeek: 32, Sector: "logistics", Shifts: []employers.Shift{{From: "06:00", To: "14:30"}}, StartDate: start, RiskAreas: []string{"goods"}},
		{Title: "Hulpmetselaar", RequiredSkills: []string{"metselen"}, Place: "Rotterdam", HoursPerWeek: 38, Sector: "construction",
			Shifts: []employers.Shift{{From: "07:00", To: "16:00"}}, StartDate: start},
		{Title: "Medewerker groenonderhoud", RequiredSkills: []string{"groenonderhoud"}, NiceSkills: []string{"maaien"}, Place: "Utrecht",
			HoursPerWeek: 24, Sector: "green_maintenance", Shifts: []employers.Shift{{From: "08:00", To: "13:00"}}, StartDate: start},
	} {
		v.VOGRequired = &no
		vv, err := p.employers.CreateVacancy(emp, r.Employer.ID, v)
		if err != nil {
			return demoOrg{}, fmt.Errorf("demo vacancy: %w", err)
		}
		if org.warehouse == "" {
			org.warehouse = vv.ID
		}
	}
	return org, nil
}

// demoPartnerOrgs are the demo's partner organisations, approved, with a
// user each.
var demoPartnerOrgs = []struct{ name, kind, kvk, place, email, user string }{
	{"Woonstichting De Linde", "housing", "41234567", "Utrecht", "wonen@demo.herstart.nl", "Wim Wonen"},
	{"GGZ Midden", "care", "41234568", "Utrecht", "zorg@demo.herstart.nl", "Zoë Zorg"},
}

func demoPartners(ctx context.Context, p *platform, c1, c2 users.ID) error {
	coord1 := users.WithActor(ctx, users.Actor{UserID: c1, Role: users.Coordinator})
	coord2 := users.WithActor(ctx, users.Actor{UserID: c2, Role: users.Coordinator})
	for _, d := range demoPartnerOrgs {
		in := circles.PartnerInput{Name: d.name, Kind: d.kind, KvK: d.kvk, Place: d.place}
		in.Contact.Name, in.Contact.Email = d.user, d.email
		org, err := p.services.Circles.RegisterPartner(coord1, in)
		if err != nil {
			return fmt.Errorf("demo partner: %w", err)
		}
		for _, c := range []context.Context{coord1, coord2} {
			if _, err := p.services.Circles.Vet(c, org.ID, "approve", circles.Reasoned{}); err != nil {
				return fmt.Errorf("demo partner approval: %w", err)
			}
		}
		if _, err := p.users.CreateUnchecked(ctx, users.NewUser{Email: d.email, Name: d.user, Password: DemoPassword, Role: users.Partner, PartnerID: org.ID}); err != nil {
			return err
		}
	}
	return nil
}

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
	"github.com/herstart/herstart/matching/taxonomy"
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
	{"reclassering.jansen@demo.herstart.nl", "Pieter Jansen", users.ProbationWorker, ""},
	{"reclassering.bakker@demo.herstart.nl", "Fatima Bakker", users.ProbationWorker, ""},
	{"werkgever@demo.herstart.nl", "Willem de Werkgever", users.Employer, "e_demo"},
	{"mentor@demo.herstart.nl", "Mo Mentor", users.Mentor, ""},
}

func demo(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stdout)
	n := fs.Int("candidates", 0, "also generate N synthetic candidates (spread over generated probation workers, 50 each)")
	seed := fs.Uint64("seed", 1, "random seed for generated candidates")
	if err := fs.Parse(args); err != nil {
		return exitError(2)
	}
	if *n < 0 || *n > 1_000_000 {
		return fmt.Errorf("--candidates must be between 0 and 1000000")
	}
	p, err := openPlatform(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer p.close()
	ids := map[string]users.ID{}
	fresh := true
	for _, a := range demoAccounts {
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
		fmt.Fprintln(stdout, "Demo data loaded.")
	} else {
		fmt.Fprintln(stdout, "Demo accounts exist already; nothing changed.")
	}
	fmt.Fprintf(stdout, "\nDemo accounts (password for all: %s):\n", DemoPassword)
	for _, a := range demoAccounts {
		fmt.Fprintf(stdout, "  %-18s %s\n", a.role, a.email)
	}
	if *n > 0 {
		if err := generate(ctx, p, *n, *seed, stdout); err != nil {
			return err
		}
	}
	return nil
}

// generate creates n synthetic candidates spread over generated probation
// workers (50 each, a realistic caseload), printing progress.
func generate(ctx context.Context, p *platform, n int, seed uint64, stdout io.Writer) error {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	start := time.Now()
	var worker users.Actor
	for i := 0; i < n; i++ {
		if i%50 == 0 {
			u, err := p.users.CreateUnchecked(ctx, users.NewUser{
				Email: fmt.Sprintf("gen-worker-%d-%d@demo.herstart.nl", seed, i/50), Password: DemoPassword, Role: users.ProbationWorker,
			})
			if err != nil {
				return fmt.Errorf("generate worker: %w", err)
			}
			worker = users.Actor{UserID: u.ID, Role: users.ProbationWorker}
		}
		if err := demoCandidate(ctx, p, worker, r, i, r.IntN(10) < 8); err != nil {
			return err
		}
		if (i+1)%500 == 0 || i+1 == n {
			el := time.Since(start)
			fmt.Fprintf(stdout, "\r  candidates %d/%d (%.0f/s)   ", i+1, n, float64(i+1)/el.Seconds())
		}
	}
	fmt.Fprintln(stdout)
	return nil
}

var (
	demoFirst  = []string{"Sem", "Noah", "Mila", "Daan", "Yara", "Levi", "Sara", "Mohammed", "Anouk", "Jayden", "Fenna", "Kevin", "Priya", "Bram", "Ilse", "Youssef", "Dewi", "Tim"}
	demoLast   = []string{"de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "El Amrani", "Mulder", "de Boer", "Yılmaz", "Bos", "Vos", "Peters", "Hendriks", "Kramer", "Dekker"}
	demoPlaces = []string{"Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Tilburg", "Groningen", "Almere", "Breda", "Nijmegen", "Apeldoorn", "Arnhem", "Zwolle", "Leeuwarden", "Maastricht", "Dordrecht", "Zoetermeer", "Enschede", "Amersfoort", "Lelystad"}
	demoSkills = [][]string{
		{"heftruck rijden", "orderpicken", "magazijnbeheer"},
		{"metselen", "tegelzetten", "steigerbouw"},
		{"elektrische installaties", "loodgieterswerk"},
		{"koken", "bediening", "afwassen"},
		{"schoonmaken", "glazenwassen"},
		{"lassen", "CNC-bediening", "assemblage"},
		{"oogsten", "kassenteelt", "snoeien"},
		{"vrachtwagen rijden", "koerierswerk"},
		{"kassa", "vakkenvullen", "klantenservice"},
		{"groenonderhoud", "maaien", "bestrating"},
	}
	demoMotivation = []string{
		"Wil graag een vaste baan en een nieuwe start.",
		"Werkt graag met de handen en is altijd op tijd.",
		"Heeft ervaring opgedaan tijdens een werktraject en wil verder groeien.",
		"Zoekt structuur en collega's om van te leren.",
	}
)

func demoCandidate(ctx context.Context, p *platform, worker users.Actor, r *rand.Rand, i int, available bool) error {
	ctx = users.WithActor(ctx, worker)
	now := time.Now().UTC()
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	sk := demoSkills[r.IntN(len(demoSkills))]
	in := candidates.Input{
		Identity: candidates.IdentityInput{
			FirstName: pick(demoFirst), LastName: pick(demoLast),
			BirthDate: now.AddDate(-(19 + r.IntN(40)), -r.IntN(12), -r.IntN(28)).Format(time.DateOnly),
			Phone:     fmt.Sprintf("+31 6 %08d", r.IntN(100000000)),
		},
		Skills:         sk[:1+r.IntN(len(sk))],
		Certificates:   []string{taxonomy.Certificates[r.IntN(len(taxonomy.Certificates))].Code},
		Languages:      []string{"nl"},
		HoursPerWeek:   []int{16, 24, 32, 36, 38, 40}[r.IntN(6)],
		AvailableFrom:  now.AddDate(0, 0, r.IntN(60)-10).Format(time.DateOnly),
		HomePlace:      pick(demoPlaces),
		TravelRadiusKm: []int{5, 10, 15, 25, 40}[r.IntN(5)],
		Motivation:     pick(demoMotivation),
		WorkHistory:    []string{"Werkervaringsplaats " + sk[0]},
	}
	if r.IntN(3) == 0 {
		in.Restrictions.ExcludedSectors = []string{"childcare"}
		in.Restrictions.RiskAreaConflicts = []string{"money", "persons"}[:1+r.IntN(2)]
	}
	if r.IntN(5) == 0 {
		in.Restrictions.Curfew = &candidates.CurfewInput{From: "23:00", To: "06:00"}
	}
	rec, err := p.candidates.Create(ctx, in)
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

package matching_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/matching/bleve"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/store/storetest"
	"github.com/herstart/herstart/taxonomy"
	"github.com/herstart/herstart/users"
)

// TestMatches_NeverBreakAHardRule builds random employers, vacancies and
// candidates with random restrictions through the real services, then asks
// for every candidate's and every vacancy's matches: no returned pair may
// break a rule by the naive reference of rules_test.go.
func TestMatches_NeverBreakAHardRule(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	rec := audit.NewRecorder(db, nil)
	ob := store.NewOutbox(db, nil)
	us := users.NewService(users.NewStore(db), rec, ob, nil)
	tbl := places.New()
	th := store.NewThrottle(db, "throttle")
	cs := candidates.NewService(candidates.NewStore(db), rec, tbl, ob, nil)
	es := employers.NewService(employers.NewStore(db), us, rec, tbl, th, ob, nil)
	ix, err := bleve.Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	tx, _ := taxonomy.Load()
	ms := matching.NewService(ix, tx, tbl, cs, es, rec, th, matching.NewTokens([]byte("test key for index tokens 123456")), nil)
	cs.Indexer, cs.IndexBatch, es.OnVacancyChange = ms.IndexCandidate, ms.IndexCandidates, ms.IndexVacancy

	r := rand.New(rand.NewPCG(11, 13))
	towns := []string{"Utrecht", "Zeist", "Nieuwegein", "Amersfoort", "Houten", "Woerden", "Veenendaal", "Hilversum", "Gouda", "Culemborg"}
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	clock := func() string { return fmt.Sprintf("%02d:%02d", r.IntN(24), r.IntN(4)*15) }
	skills := []string{"orderpicken", "heftruck rijden", "schoonmaken", "lassen", "metselen", "koken", "groenonderhoud"}
	sectors := []string{"logistics", "cleaning", "manufacturing", "construction", "hospitality", "green_maintenance"}
	risk := []string{"goods", "money", "persons", "information"}
	c1 := users.WithActor(ctx, users.Actor{UserID: "u_c1", Role: users.Coordinator})
	c2 := users.WithActor(ctx, users.Actor{UserID: "u_c2", Role: users.Coordinator})
	yes, no := true, false

	type emp struct {
		ctx context.Context
		id  employers.ID
		kvk string
	}
	var emps []emp
	for i := 0; i < 4; i++ {
		kvk := fmt.Sprintf("5000000%d", i)
		reg, err := es.Register(ctx, employers.Registration{Name: fmt.Sprintf("Werkgever %d", i), KvK: kvk, Sectors: []string{pick(sectors)},
			Locations: []employers.LocationInput{{Address: "Weg 1", Place: pick(towns)}},
			Contact:   employers.ContactInput{Name: "X", Email: fmt.Sprintf("e%d@example.nl", i)}, Password: "a long enough password", CodeOfConductAccepted: true}, "")
		if err != nil {
			t.Fatal(err)
		}
		id := reg.Employer.ID
		es.UpdateChecklist(c1, id, employers.ChecklistUpdate{KvKChecked: &yes, SiteVisitOrCall: &yes, References: &yes, IntegrityQuestions: &yes, CodeOfConductSigned: &yes})
		es.Approve(c1, id)
		es.Approve(c2, id)
		emps = append(emps, emp{ctx: users.WithActor(ctx, users.Actor{UserID: reg.User.ID, Role: users.Employer, EmployerID: string(id), Admin: true}), id: id, kvk: kvk})
	}
	var vacs []employers.VacancyID
	for i := 0; i < 24; i++ {
		e := emps[r.IntN(len(emps))]
		in := employers.VacancyInput{Title: "Medewerker", RequiredSkills: []string{pick(skills)}, Place: pick(towns), HoursPerWeek: 8 + r.IntN(32),
			Sector: pick(sectors), StartDate: time.Now().AddDate(0, 0, 7).Format(time.DateOnly), VOGRequired: &no}
		if r.IntN(2) == 0 {
			in.RiskAreas = []string{pick(risk)}
		}
		for n := r.IntN(3); n > 0; n-- {
			if f, to := clock(), clock(); f != to {
				in.Shifts = append(in.Shifts, employers.Shift{From: f, To: to})
			}
		}
		v, err := es.CreateVacancy(e.ctx, e.id, in)
		if err != nil {
			t.Fatalf("vacancy: %v", err)
		}
		vacs = append(vacs, v.ID)
	}
	es.Suspend(c1, emps[3].id, employers.Reasoned{Reason: "test"}) // its vacancies must never match

	worker := users.WithActor(ctx, users.Actor{UserID: "u_w", Role: users.ProbationWorker})
	var cands []candidates.ID
	for i := 0; i < 60; i++ {
		in := candidates.Input{
			Identity: candidates.IdentityInput{FirstName: "K", LastName: fmt.Sprint(i), BirthDate: "1990-05-05"},
			Skills:   []string{pick(skills)}, HoursPerWeek: 8 + r.IntN(32), AvailableFrom: time.Now().Format(time.DateOnly),
			HomePlace: pick(towns), TravelRadiusKm: []int{5, 10, 20, 40}[r.IntN(4)],
		}
		if r.IntN(3) == 0 {
			in.Restrictions.ExcludedSectors = []string{pick(sectors)}
		}
		if r.IntN(3) == 0 {
			in.Restrictions.RiskAreaConflicts = []string{pick(risk)}
		}
		if r.IntN(4) == 0 {
			in.Restrictions.Curfew = &candidates.CurfewInput{From: "21:00", To: "06:00"}
		}
		if r.IntN(4) == 0 {
			in.Restrictions.AreaBans = []candidates.AreaBanInput{{Place: pick(towns), RadiusKm: float64(2 + r.IntN(8))}}
		}
		rec, err := cs.Create(worker, in)
		if err != nil {
			t.Fatalf("candidate: %v", err)
		}
		st := candidates.Available
		if r.IntN(6) == 0 {
			st = candidates.Registered
		}
		if _, err := cs.Update(worker, rec.ID, candidates.Update{Status: &st}, 0); err != nil {
			t.Fatal(err)
		}
		if r.IntN(5) == 0 {
			e := emps[r.IntN(len(emps))]
			if r.IntN(2) == 0 {
				cs.AddConflict(worker, rec.ID, candidates.ConflictInput{EmployerID: string(e.id), Reason: "netwerk"})
			} else {
				cs.AddConflict(worker, rec.ID, candidates.ConflictInput{KvK: e.kvk, Reason: "netwerk"})
			}
		}
		cands = append(cands, rec.ID)
	}

	pairs := 0
	verify := func(cid candidates.ID, vid employers.VacancyID) {
		t.Helper()
		c, err := cs.Load(ctx, cid)
		if err != nil {
			t.Fatal(err)
		}
		v, e, err := es.LoadVacancy(ctx, vid)
		if err != nil {
			t.Fatal(err)
		}
		for rule, broken := range reference(c, v, e) {
			if broken {
				t.Fatalf("match %s × %s breaks %s", cid, vid, rule)
			}
		}
		pairs++
	}
	for _, cid := range cands {
		page, err := ms.MatchesForCandidate(worker, cid, 1, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			verify(cid, it.Vacancy.ID)
		}
	}
	for i, vid := range vacs {
		v, _, _ := es.LoadVacancy(ctx, vid)
		var ectx context.Context
		for _, e := range emps {
			if e.id == v.EmployerID {
				ectx = e.ctx
			}
		}
		page, err := ms.MatchesForVacancy(ectx, vid, 1, 50)
		if err != nil {
			if v.EmployerID == emps[3].id {
				continue // suspended: Forbidden, as it should
			}
			t.Fatalf("vacancy %d: %v", i, err)
		}
		for _, it := range page.Items {
			verify(it.Card.ID, vid)
		}
	}
	if pairs < 20 {
		t.Fatalf("only %d matches returned: the data tests too little", pairs)
	}
	t.Logf("%d returned matches checked against every hard rule", pairs)
}

package employers_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/store/storetest"
	"github.com/herstart/herstart/users"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	svc      *employers.Service
	clock    *clock
	emp      employers.Registered
	c1, c2   context.Context
	empCtx   context.Context
	vacancy  employers.VacancyID
	notified map[employers.VacancyID]int
	outbox   *store.Outbox
	users    *users.Service
}

func setup(t *testing.T) *fixture {
	db := storetest.Open(t)
	c := &clock{t: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}
	rec := audit.NewRecorder(db, c.now)
	us := users.NewService(users.NewStore(db), rec, store.NewOutbox(db, nil), c.now)
	ob := store.NewOutbox(db, nil)
	svc := employers.NewService(employers.NewStore(db), us, rec, places.New(), store.NewThrottle(db, "throttle"), ob, c.now)
	f := &fixture{svc: svc, clock: c, outbox: ob, users: us, notified: map[employers.VacancyID]int{}}
	svc.OnVacancyChange = func(ctx context.Context, id employers.VacancyID) error {
		f.notified[id]++
		return nil
	}
	ctx := context.Background()
	r, err := svc.Register(ctx, employers.Registration{
		Name: "Kwekerij Groen", KvK: "1234 5678", Sectors: []string{"agriculture"},
		Locations: []employers.LocationInput{{Address: "Tuinweg 1", Place: "Naaldwijk"}},
		Contact:   employers.ContactInput{Name: "Joke", Email: "joke@kwekerij.example.nl"},
		Password:  "a long employer password", CodeOfConductAccepted: true,
	}, "")
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	if r.Employer.KvK != "12345678" {
		t.Fatalf("KvK %q not normalised", r.Employer.KvK)
	}
	f.emp = r
	f.c1 = users.WithActor(ctx, users.Actor{UserID: "u_c1", Role: users.Coordinator})
	f.c2 = users.WithActor(ctx, users.Actor{UserID: "u_c2", Role: users.Coordinator})
	f.empCtx = users.WithActor(ctx, users.Actor{UserID: r.User.ID, Role: users.Employer, EmployerID: string(r.Employer.ID), Admin: true})
	yes := true
	if _, err := svc.UpdateChecklist(f.c1, r.Employer.ID, employers.ChecklistUpdate{KvKChecked: &yes, SiteVisitOrCall: &yes, References: &yes, IntegrityQuestions: &yes, CodeOfConductSigned: &yes}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []context.Context{f.c1, f.c2} {
		if _, err := svc.Approve(c, r.Employer.ID); err != nil {
			t.Fatal(err)
		}
	}
	no := false
	v, err := svc.CreateVacancy(f.empCtx, r.Employer.ID, employers.VacancyInput{Title: "Oogstmedewerker", Place: "Naaldwijk", HoursPerWeek: 30,
		Sector: "agriculture", StartDate: "2026-02-01", VOGRequired: &no})
	if err != nil {
		t.Fatalf("vacancy: %v", err)
	}
	f.vacancy = v.ID
	return f
}

func TestExpiry_ByThePeriodicJob(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	if n, err := f.svc.ExpireDue(ctx); err != nil || n != 0 {
		t.Fatalf("ExpireDue on a fresh approval = %d, %v; want 0", n, err)
	}
	f.clock.add(364 * 24 * time.Hour)
	if n, _ := f.svc.ExpireDue(ctx); n != 0 {
		t.Fatalf("expired after 364 days")
	}
	f.clock.add(2 * 24 * time.Hour)
	// Past the date but before the job runs, the employer is already not active.
	if _, _, err := f.svc.RequireActive(f.empCtx); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("RequireActive past validity = %v; want Forbidden", err)
	}
	before := f.notified[f.vacancy]
	n, err := f.svc.ExpireDue(ctx)
	if err != nil || n != 1 {
		t.Fatalf("ExpireDue after 366 days = %d, %v; want 1", n, err)
	}
	v, _ := f.svc.Get(f.empCtx, f.emp.Employer.ID)
	if v.Status != employers.Expired || !v.RenewalNeeded {
		t.Fatalf("after expiry: status %s renewal_needed %v; want expired, true", v.Status, v.RenewalNeeded)
	}
	if f.notified[f.vacancy] <= before {
		t.Fatal("the search index was not told the vacancy's standing changed")
	}
	if _, err := f.svc.Vacancy(f.c1, f.vacancy); err != nil {
		t.Fatalf("coordinator reading the vacancy: %v", err)
	}
	worker := users.WithActor(ctx, users.Actor{UserID: "u_w", Role: users.ProbationWorker})
	if _, err := f.svc.Vacancy(worker, f.vacancy); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("worker reading an expired employer's vacancy: %v; want NotFound", err)
	}
	// Renewal: the same four-eyes approval.
	for _, c := range []context.Context{f.c1, f.c2} {
		if _, err := f.svc.Approve(c, f.emp.Employer.ID); err != nil {
			t.Fatalf("renewal: %v", err)
		}
	}
	if _, _, err := f.svc.RequireActive(f.empCtx); err != nil {
		t.Fatalf("after renewal: %v", err)
	}
	if n, _ := f.svc.ExpireDue(ctx); n != 0 {
		t.Fatal("a renewed approval expired at once")
	}
}

func TestSuspend_TellsTheIndex(t *testing.T) {
	f := setup(t)
	before := f.notified[f.vacancy]
	if _, err := f.svc.Suspend(f.c1, f.emp.Employer.ID, employers.Reasoned{Reason: "Signaal"}); err != nil {
		t.Fatal(err)
	}
	if f.notified[f.vacancy] != before+1 {
		t.Fatalf("index told %d times on suspension; want once more", f.notified[f.vacancy]-before)
	}
	if _, _, err := f.svc.RequireActive(f.empCtx); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("suspended RequireActive = %v; want Forbidden", err)
	}
	if _, err := f.svc.Suspend(f.c1, f.emp.Employer.ID, employers.Reasoned{Reason: "again"}); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("suspend twice = %v; want Conflict", err)
	}
}

func TestKvK(t *testing.T) {
	for in, want := range map[string]bool{"12345678": true, "1234567": false, "123456789": false, "1234567a": false, "": false} {
		if got := employers.ValidKvK(employers.NormalizeKvK(in)); got != want {
			t.Errorf("ValidKvK(%q) = %v; want %v", in, got, want)
		}
	}
	if got := employers.NormalizeKvK(" 12.34 56.78 "); got != "12345678" {
		t.Errorf("NormalizeKvK = %q", got)
	}
}

package matching_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/taxonomy"
)

var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func place(name string) candidates.Place {
	p, err := places.New().Lookup(name, "")
	if err != nil {
		panic(err)
	}
	return candidates.Place{ID: p.ID, Name: p.Name, Province: p.ProvinceName(), Lat: p.Lat, Lon: p.Lon}
}

func okPair() (candidates.Candidate, employers.Vacancy, employers.Employer) {
	c := candidates.Candidate{ID: "c_1", Status: candidates.Available, ConfirmedAt: now.Add(-time.Hour),
		Profile: candidates.Profile{HomePlace: place("Utrecht"), TravelRadiusKm: 25}}
	e := employers.Employer{ID: "e_1", KvK: "12345678", Status: employers.Approved, ValidUntil: now.Add(24 * time.Hour)}
	v := employers.Vacancy{ID: "v_1", EmployerID: "e_1", Status: employers.Open, Sector: "logistics",
		Place: employers.Place(place("Nieuwegein")), Shifts: []employers.Shift{{From: "08:00", To: "16:30"}}, RiskAreas: []string{"goods"}}
	return c, v, e
}

func rules(vs []matching.Violation) []matching.Rule {
	var out []matching.Rule
	for _, v := range vs {
		out = append(out, v.Rule)
	}
	return out
}

func TestCheck_EachRule(t *testing.T) {
	tests := []struct {
		name string
		mut  func(c *candidates.Candidate, v *employers.Vacancy, e *employers.Employer)
		want matching.Rule
	}{
		{"Stale", func(c *candidates.Candidate, v *employers.Vacancy, e *employers.Employer) {
			c.ConfirmedAt = now.Add(-31 * 24 * time.Hour)
		}, matching.RuleCandidateAvailable},
		{"Placed", func(c *candidates.Candidate, v *employers.Vacancy, e *employers.Employer) {
			c.Status = candidates.Placed
		}, matching.RuleCandidateAvailable},
		{"Suspended", func(c *candidates.Candidate, v *employers.Vacancy, e *employers.Employer) {
			e.Status = employers.Suspended
		}, matching.RuleEmployerActive},
		{"ApprovalRanOut", func(c *candidates.Candidate, v *employers.Vacancy, e *employers.Employer) { e.ValidUntil = now }, matching.RuleEmployerActive},
		{"Closed", func(c *candidates.Candidate, v *employers.Vacancy, e *employers.Employer) {
			v.Status = employers.Closed
		}, matching.RuleVacancyOpen},
		{"AreaBan", func(c *candidates.Candidate, v *employers.Vacancy, e *employers.Employer) {
			p := place("Nieuwegein")
			c.Restrictions.AreaBans = []candidates.AreaBan{{PlaceName: "Nieuwegein", Lat: p.Lat, Lon: p.Lon, RadiusKm: 2}}
		}, matching.RuleAreaBan},
		{"Sector", func(c *candidates.Candidate, v *employers.Vacancy, e *employers.Employer) {
			c.Restrictions.ExcludedSectors = []string{"logistics"}
		}, matching.RuleExcludedSector},
		{"RiskArea", func(c *candidates.Candidate, v *employers.Vacancy, e *employers.Employer) {
			c.Restrictions.RiskAreaConflicts = []string{"goods", "money"}
		}, matching.RuleRiskArea},
		{"ConflictByID", func(c *candidates.Candidate, v *employers.Vacancy, e *employers.Employer) {
			c.Restrictions.Conflicts = []candidates.Conflict{{EmployerID: "e_1"}}
		}, matching.RuleConflictList},
		{"ConflictByKvK", func(c *candidates.Candidate, v *employers.Vacancy, e *employers.Employer) {
			c.Restrictions.Conflicts = []candidates.Conflict{{KvK: "12345678"}}
		}, matching.RuleConflictList},
		{"CurfewNightShift", func(c *candidates.Candidate, v *employers.Vacancy, e *employers.Employer) {
			c.Restrictions.Curfew = &candidates.Curfew{From: "22:00", To: "06:00"}
			v.Shifts = []employers.Shift{{From: "05:30", To: "14:00"}}
		}, matching.RuleCurfew},
		{"TravelRadius", func(c *candidates.Candidate, v *employers.Vacancy, e *employers.Employer) {
			v.Place = employers.Place(place("Amsterdam"))
			c.Profile.TravelRadiusKm = 15
		}, matching.RuleTravelRadius},
	}
	c, v, e := okPair()
	if got := matching.Check(c, v, e, now); len(got) != 0 {
		t.Fatalf("the base pair breaks %v", rules(got))
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, v, e := okPair()
			tc.mut(&c, &v, &e)
			got := rules(matching.Check(c, v, e, now))
			if len(got) != 1 || got[0] != tc.want {
				t.Fatalf("Check = %v; want exactly [%s]", got, tc.want)
			}
		})
	}
}

func TestOverlaps(t *testing.T) {
	for _, tc := range []struct {
		a, b [2]string
		want bool
	}{
		{[2]string{"22:00", "06:00"}, [2]string{"08:00", "16:30"}, false},
		{[2]string{"22:00", "06:00"}, [2]string{"05:59", "14:00"}, true},
		{[2]string{"22:00", "06:00"}, [2]string{"06:00", "14:00"}, false}, // ends exclusive
		{[2]string{"22:00", "06:00"}, [2]string{"14:00", "22:00"}, false},
		{[2]string{"22:00", "06:00"}, [2]string{"14:00", "22:01"}, true},
		{[2]string{"23:00", "05:00"}, [2]string{"21:00", "07:00"}, true}, // both cross midnight
		{[2]string{"00:00", "06:00"}, [2]string{"23:00", "00:30"}, true},
	} {
		if got := matching.Overlaps(tc.a[0], tc.a[1], tc.b[0], tc.b[1]); got != tc.want {
			t.Errorf("Overlaps(%v, %v) = %v; want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestCheck_Property generates random candidates, vacancies and employers
// and compares Check with a naive reference of every rule (the curfew by
// walking the day minute by minute): a pair Check lets through must break
// no rule, and every rule the reference finds broken Check must name.
func TestCheck_Property(t *testing.T) {
	r := rand.New(rand.NewPCG(42, 7))
	tbl := places.New()
	names := []string{"Amsterdam", "Utrecht", "Rotterdam", "Den Haag", "Amersfoort", "Zeist", "Nieuwegein", "Gouda", "Hilversum", "Almere"}
	pick := func(xs []string) string { return xs[r.IntN(len(xs))] }
	pl := func() candidates.Place {
		p, _ := tbl.Lookup(pick(names), "")
		return candidates.Place{ID: p.ID, Name: p.Name, Lat: p.Lat, Lon: p.Lon}
	}
	clock := func() string { return fmt.Sprintf("%02d:%02d", r.IntN(24), r.IntN(4)*15) }
	sub := func(terms []taxonomy.Term, n int) []string {
		var out []string
		for i := 0; i < n; i++ {
			out = append(out, terms[r.IntN(len(terms))].Code)
		}
		return out
	}
	accepted := 0
	for i := 0; i < 5000; i++ {
		c := candidates.Candidate{Status: []candidates.Status{candidates.Available, candidates.Registered, candidates.Placed}[r.IntN(3)],
			ConfirmedAt: now.Add(-time.Duration(r.IntN(40*24)) * time.Hour),
			Profile:     candidates.Profile{HomePlace: pl(), TravelRadiusKm: r.IntN(60)}}
		if r.IntN(3) == 0 {
			b := pl()
			c.Restrictions.AreaBans = []candidates.AreaBan{{Lat: b.Lat, Lon: b.Lon, RadiusKm: float64(r.IntN(15))}}
		}
		c.Restrictions.ExcludedSectors = sub(taxonomy.Sectors, r.IntN(2))
		c.Restrictions.RiskAreaConflicts = sub(taxonomy.RiskAreas, r.IntN(3))
		if r.IntN(3) == 0 {
			c.Restrictions.Curfew = &candidates.Curfew{From: clock(), To: clock()}
		}
		e := employers.Employer{ID: employers.ID(fmt.Sprintf("e_%d", r.IntN(5))), KvK: fmt.Sprintf("1000000%d", r.IntN(5)),
			Status:     []employers.Status{employers.Approved, employers.Approved, employers.Suspended, employers.Expired}[r.IntN(4)],
			ValidUntil: now.Add(time.Duration(r.IntN(100)-10) * 24 * time.Hour)}
		if r.IntN(4) == 0 {
			c.Restrictions.Conflicts = []candidates.Conflict{{EmployerID: fmt.Sprintf("e_%d", r.IntN(5))}, {KvK: fmt.Sprintf("1000000%d", r.IntN(5))}}
		}
		vp := pl()
		v := employers.Vacancy{EmployerID: e.ID, Status: []employers.VacancyStatus{employers.Open, employers.Open, employers.Closed}[r.IntN(3)],
			Sector: taxonomy.Sectors[r.IntN(len(taxonomy.Sectors))].Code, RiskAreas: sub(taxonomy.RiskAreas, r.IntN(3)),
			Place: employers.Place{Lat: vp.Lat, Lon: vp.Lon}}
		for n := r.IntN(3); n > 0; n-- {
			v.Shifts = append(v.Shifts, employers.Shift{From: clock(), To: clock()})
		}
		got := map[matching.Rule]bool{}
		for _, x := range matching.Check(c, v, e, now) {
			got[x.Rule] = true
		}
		for rule, broken := range reference(c, v, e) {
			if broken != got[rule] {
				t.Fatalf("case %d: rule %s: reference says broken=%v, Check says %v\n%+v\n%+v\n%+v", i, rule, broken, got[rule], c, v, e)
			}
		}
		if len(got) == 0 {
			accepted++
		}
	}
	if accepted < 50 {
		t.Fatalf("only %d of 5000 random pairs were compatible: the generator tests too little", accepted)
	}
}

// reference is a naive re-statement of every hard rule.
func reference(c candidates.Candidate, v employers.Vacancy, e employers.Employer) map[matching.Rule]bool {
	in := func(x string, xs []string) bool {
		for _, y := range xs {
			if x == y {
				return true
			}
		}
		return false
	}
	out := map[matching.Rule]bool{}
	out[matching.RuleCandidateAvailable] = c.Status != candidates.Available || now.Sub(c.ConfirmedAt) > 30*24*time.Hour
	out[matching.RuleEmployerActive] = e.Status != employers.Approved || !now.Before(e.ValidUntil)
	out[matching.RuleVacancyOpen] = v.Status != employers.Open
	for _, b := range c.Restrictions.AreaBans {
		out[matching.RuleAreaBan] = out[matching.RuleAreaBan] || places.DistanceKm(b.Lat, b.Lon, v.Place.Lat, v.Place.Lon) <= b.RadiusKm
	}
	out[matching.RuleExcludedSector] = in(v.Sector, c.Restrictions.ExcludedSectors)
	for _, a := range v.RiskAreas {
		out[matching.RuleRiskArea] = out[matching.RuleRiskArea] || in(a, c.Restrictions.RiskAreaConflicts)
	}
	for _, k := range c.Restrictions.Conflicts {
		out[matching.RuleConflictList] = out[matching.RuleConflictList] || k.EmployerID == string(e.ID) || k.KvK == e.KvK
	}
	if cf := c.Restrictions.Curfew; cf != nil {
		curfew := minuteSet(cf.From, cf.To)
		for _, s := range v.Shifts {
			for m := range minuteSet(s.From, s.To) {
				out[matching.RuleCurfew] = out[matching.RuleCurfew] || curfew[m]
			}
		}
	}
	h := c.Profile.HomePlace
	out[matching.RuleTravelRadius] = places.DistanceKm(h.Lat, h.Lon, v.Place.Lat, v.Place.Lon) > float64(c.Profile.TravelRadiusKm)
	return out
}

// minuteSet lists the minutes of a daily window by walking it.
func minuteSet(from, to string) map[int]bool {
	var fh, fm, th, tm int
	fmt.Sscanf(from, "%d:%d", &fh, &fm)
	fmt.Sscanf(to, "%d:%d", &th, &tm)
	out := map[int]bool{}
	for m := fh*60 + fm; m != th*60+tm; m = (m + 1) % 1440 {
		out[m] = true
	}
	return out
}

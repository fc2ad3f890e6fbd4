// Package indextest is the conformance suite every matching.Index engine
// must pass: the same cases against Bleve and Meilisearch.
package indextest

import (
	"context"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/places"
)

// Now is the time the suite's documents are dated against.
var Now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func at(name string) (float64, float64) {
	p, err := places.New().Lookup(name, "")
	if err != nil {
		panic(err)
	}
	return p.Lat, p.Lon
}

func cand(id, place, province string, travel int, skills []string, text string, certs []string, hours int, availInDays int) matching.CandidateDoc {
	lat, lon := at(place)
	return matching.CandidateDoc{ID: id, Skills: skills, SkillText: text, Certificates: certs, HoursPerWeek: hours,
		AvailableFrom: Now.AddDate(0, 0, availInDays), Place: place, Province: province, Lat: lat, Lon: lon,
		TravelRadiusKm: travel, ConfirmedAt: Now.Add(-24 * time.Hour), Shown: `{"card":{"id":"` + id + `"}}`}
}

// Candidates is the suite's fixed data set.
func Candidates() []matching.CandidateDoc {
	return []matching.CandidateDoc{
		cand("c_utrecht_fork", "Utrecht", "Utrecht", 25, []string{"forklift_driving", "order_picking"}, "heftruck rijden, orderpicken", []string{"forklift", "vca_basis"}, 32, 3),
		cand("c_zeist_fork", "Zeist", "Utrecht", 10, []string{"forklift_driving"}, "heftruck", []string{"forklift"}, 40, 30),
		cand("c_amsterdam_fork", "Amsterdam", "Noord-Holland", 40, []string{"forklift_driving"}, "vorkheftruck", nil, 24, -5),
		cand("c_utrecht_weld", "Utrecht", "Utrecht", 15, []string{"welding"}, "lassen MIG TIG", []string{"welding"}, 38, 0),
		cand("c_rotterdam_clean", "Rotterdam", "Zuid-Holland", 20, []string{"office_cleaning"}, "schoonmaken kantoren", nil, 16, 10),
		cand("c_amersfoort_paint", "Amersfoort", "Utrecht", 5, []string{"painting"}, "schilderen binnen", nil, 20, 1),
		cand("c_houten_fork", "Houten", "Utrecht", 30, []string{"forklift_driving", "warehouse_management"}, "reachtruck magazijn", []string{"forklift", "reach_truck"}, 36, 60),
	}
}

func ids(r matching.Result) []string {
	out := make([]string, 0, len(r.Hits))
	for _, h := range r.Hits {
		out = append(out, h.ID)
	}
	sort.Strings(out)
	return out
}

func want(t *testing.T, name string, r matching.Result, err error, expect ...string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	sort.Strings(expect)
	if got := ids(r); !slices.Equal(got, expect) {
		t.Fatalf("%s = %v; want %v", name, got, expect)
	}
	if r.Total != len(expect) {
		t.Fatalf("%s: total %d; want %d", name, r.Total, len(expect))
	}
}

// Run runs the suite against the engine fresh returns (an empty index each
// call).
func Run(t *testing.T, fresh func(t *testing.T) matching.Index) {
	ctx := context.Background()
	loaded := func(t *testing.T) matching.Index {
		ix := fresh(t)
		if err := ix.UpsertCandidates(ctx, Candidates()); err != nil {
			t.Fatal(err)
		}
		return ix
	}
	utrechtLat, utrechtLon := at("Utrecht")

	t.Run("SkillCode", func(t *testing.T) {
		r, err := loaded(t).SearchCandidates(ctx, matching.CandidateQuery{Skills: []string{"forklift_driving"}, Limit: 20})
		want(t, "forklift", r, err, "c_utrecht_fork", "c_zeist_fork", "c_amsterdam_fork", "c_houten_fork")
		// Each hit carries the card the index keeps for it (the service
		// answers employers from it, without reading the database).
		for _, h := range r.Hits {
			if want := `{"card":{"id":"` + h.ID + `"}}`; h.Shown != want {
				t.Fatalf("hit %s carries %q; want its stored card %q", h.ID, h.Shown, want)
			}
		}
	})
	t.Run("WordsWithTypos", func(t *testing.T) {
		ix := loaded(t)
		r, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Words: []string{"reachtruk"}, Limit: 20})
		want(t, "reachtruk (one typo, 9 letters)", r, err, "c_houten_fork")
		r, err = ix.SearchCandidates(ctx, matching.CandidateQuery{Words: []string{"lasen"}, Limit: 20})
		want(t, "lasen (one typo, 5 letters)", r, err, "c_utrecht_weld")
		r, err = ix.SearchCandidates(ctx, matching.CandidateQuery{Words: []string{"mog"}, Limit: 20})
		want(t, "mog (3 letters: no typo allowed)", r, err)
	})
	t.Run("WordsBesideSkills", func(t *testing.T) {
		// A profile whose words no skill code names is found by them
		// beside the codes, ranked after; a small word finds nobody.
		ix := loaded(t)
		plaster := cand("c_utrecht_plaster", "Utrecht", "Utrecht", 20, nil, "stukadoor pleisterwerk", nil, 32, 0)
		if err := ix.UpsertCandidates(ctx, []matching.CandidateDoc{plaster}); err != nil {
			t.Fatal(err)
		}
		r, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Skills: []string{"forklift_driving"}, Words: []string{"stukador", "en"}, Limit: 20})
		want(t, "forklift or stukador", r, err, "c_utrecht_fork", "c_zeist_fork", "c_amsterdam_fork", "c_houten_fork", "c_utrecht_plaster")
		if last := r.Hits[len(r.Hits)-1].ID; last != "c_utrecht_plaster" {
			t.Fatalf("the profile found by its words ranks %v; want it after the code matches", ids(r))
		}
		r, err = ix.SearchCandidates(ctx, matching.CandidateQuery{Skills: []string{"forklift_driving"}, Words: []string{"en"}, Limit: 20})
		want(t, "forklift and a small word", r, err, "c_utrecht_fork", "c_zeist_fork", "c_amsterdam_fork", "c_houten_fork")
		r, err = ix.SearchCandidates(ctx, matching.CandidateQuery{Skills: []string{"forklift_driving"}, Words: []string{"stukador"}, Limit: 2, Offset: 4})
		if err != nil || r.Total != 5 || len(r.Hits) != 1 || r.Hits[0].ID != "c_utrecht_plaster" {
			t.Fatalf("the third page (offset 4): %+v %v; want the word match alone, of 5", r, err)
		}
	})
	t.Run("TradesInOwnWords", func(t *testing.T) {
		// Profiles that claim a trade in their own words are found by the
		// trade, after those that carry its code, the better covered
		// first, then those that claim a trade of its ISCO group; the
		// words beside it come last, and no profile twice.
		ix := loaded(t)
		coded := cand("c_utrecht_baker_code", "Utrecht", "Utrecht", 20, []string{"esco_7512_1"}, "bakker", nil, 32, 5)
		strong := cand("c_zeist_baker_strong", "Zeist", "Utrecht", 20, nil, "brood bakken, deeg kneden", nil, 32, 1)
		strong.Trades = []string{"esco_7512_1", "esco_7512_1+", "esco_7512_1++"}
		weak := cand("c_houten_baker_weak", "Houten", "Utrecht", 20, nil, "broodjes smeren", nil, 32, 0)
		weak.Trades = []string{"esco_7512_1"}
		pastry := cand("c_amersfoort_pastry", "Amersfoort", "Utrecht", 20, nil, "taarten maken", nil, 32, 0)
		pastry.Trades = []string{"esco_7512_3", "esco_7512_3+"}
		other := cand("c_utrecht_butcher", "Utrecht", "Utrecht", 20, nil, "vlees snijden", nil, 32, 0)
		other.Trades = []string{"esco_7511_4", "esco_7511_4+"}
		if err := ix.UpsertCandidates(ctx, []matching.CandidateDoc{coded, strong, weak, pastry, other}); err != nil {
			t.Fatal(err)
		}
		q := matching.CandidateQuery{Skills: []string{"esco_7512_1"}, Words: []string{"stukador"}, Limit: 20, Trades: []matching.TradeTerm{
			{Token: "esco_7512_1", Boost: 1}, {Token: "esco_7512_1+", Boost: 1}, {Token: "esco_7512_1++", Boost: 1}, {Token: "esco_7512_3", Boost: 0.5}}}
		r, err := ix.SearchCandidates(ctx, q)
		want(t, "baker", r, err, "c_utrecht_baker_code", "c_zeist_baker_strong", "c_houten_baker_weak", "c_amersfoort_pastry")
		order := make([]string, len(r.Hits))
		for i, h := range r.Hits {
			order[i] = h.ID
		}
		if !slices.Equal(order, []string{"c_utrecht_baker_code", "c_zeist_baker_strong", "c_houten_baker_weak", "c_amersfoort_pastry"}) {
			t.Fatalf("order %v; want the code, then the trade by coverage, then its group", order)
		}
		q.Offset, q.Limit = 1, 2
		r, err = ix.SearchCandidates(ctx, q)
		if err != nil || r.Total != 4 || len(r.Hits) != 2 || r.Hits[0].ID != "c_zeist_baker_strong" || r.Hits[1].ID != "c_houten_baker_weak" {
			t.Fatalf("the second page: %+v %v", r, err)
		}
	})
	t.Run("ExplicitBeforeClaimed", func(t *testing.T) {
		// Someone who names the skill ranks above those who claim it
		// through an occupation word (the fixture's candidates).
		ix := loaded(t)
		named := cand("c_zeist_named", "Zeist", "Utrecht", 20, []string{"forklift_driving"}, "heftruck rijden", nil, 32, 5)
		named.ExplicitSkills = []string{"forklift_driving"}
		if err := ix.UpsertCandidates(ctx, []matching.CandidateDoc{named}); err != nil {
			t.Fatal(err)
		}
		r, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Skills: []string{"forklift_driving"}, Limit: 20})
		want(t, "forklift", r, err, "c_utrecht_fork", "c_zeist_fork", "c_amsterdam_fork", "c_houten_fork", "c_zeist_named")
		if r.Hits[0].ID != "c_zeist_named" {
			t.Fatalf("order %v; want the one who named the skill first", r.Hits)
		}
		r, err = ix.SearchCandidates(ctx, matching.CandidateQuery{Skills: []string{"forklift_driving"}, Limit: 2, Offset: 1})
		if err != nil || r.Total != 5 || len(r.Hits) != 2 || r.Hits[0].ID == "c_zeist_named" || r.Hits[1].ID == "c_zeist_named" {
			t.Fatalf("the second page: %+v %v", r, err)
		}
	})
	t.Run("PlaceRadiusAndTravelRadius", func(t *testing.T) {
		ix := loaded(t)
		// Zeist is ~9 km from Utrecht and travels 10: in. Amersfoort is
		// ~20 km away and travels 5: out, though within the 25 km asked.
		// Houten (~9 km, travels 30): in. Amsterdam (~35 km): out.
		r, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Geo: &matching.Geo{Lat: utrechtLat, Lon: utrechtLon, Km: 25}, Limit: 20})
		want(t, "Utrecht +25 km", r, err, "c_utrecht_fork", "c_utrecht_weld", "c_zeist_fork", "c_houten_fork")
		r, err = ix.SearchCandidates(ctx, matching.CandidateQuery{Geo: &matching.Geo{Lat: utrechtLat, Lon: utrechtLon, Km: 3}, Limit: 20})
		want(t, "Utrecht +3 km", r, err, "c_utrecht_fork", "c_utrecht_weld")
	})
	t.Run("ProvinceCertificatesHours", func(t *testing.T) {
		ix := loaded(t)
		r, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Province: "Utrecht", Certificates: []string{"forklift"}, Limit: 20})
		want(t, "Utrecht + forklift certificate", r, err, "c_utrecht_fork", "c_zeist_fork", "c_houten_fork")
		r, err = ix.SearchCandidates(ctx, matching.CandidateQuery{Certificates: []string{"forklift", "reach_truck"}, Limit: 20})
		want(t, "both certificates", r, err, "c_houten_fork")
		r, err = ix.SearchCandidates(ctx, matching.CandidateQuery{Skills: []string{"forklift_driving"}, HoursMin: 36, Limit: 20})
		want(t, "forklift, 36+ hours", r, err, "c_zeist_fork", "c_houten_fork")
	})
	t.Run("AvailabilityAndConfirmation", func(t *testing.T) {
		ix := loaded(t)
		r, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Skills: []string{"forklift_driving"}, AvailableBefore: Now.AddDate(0, 0, 7), Limit: 20})
		want(t, "forklift, available within a week", r, err, "c_utrecht_fork", "c_amsterdam_fork")
		stale := cand("c_stale", "Utrecht", "Utrecht", 25, []string{"forklift_driving"}, "", nil, 32, 0)
		stale.ConfirmedAt = Now.AddDate(0, 0, -45)
		if err := ix.UpsertCandidates(ctx, []matching.CandidateDoc{stale}); err != nil {
			t.Fatal(err)
		}
		r, err = ix.SearchCandidates(ctx, matching.CandidateQuery{Province: "Utrecht", Skills: []string{"forklift_driving"}, ConfirmedAfter: Now.AddDate(0, 0, -30), Limit: 20})
		want(t, "confirmed within 30 days", r, err, "c_utrecht_fork", "c_zeist_fork", "c_houten_fork")
	})
	t.Run("PagesAndFacets", func(t *testing.T) {
		ix := loaded(t)
		var all []string
		for off := 0; off < 10; off += 3 {
			r, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Offset: off, Limit: 3})
			if err != nil || r.Total != 7 {
				t.Fatalf("page at %d: total %d, %v; want 7", off, r.Total, err)
			}
			all = append(all, ids(r)...)
		}
		slices.Sort(all)
		if len(slices.Compact(all)) != 7 {
			t.Fatalf("pages gave %v; want each of the 7 once", all)
		}
		r, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Province: "Utrecht", Facets: true, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		count := func(facet, value string) int {
			for _, f := range r.Facets[facet] {
				if f.Value == value {
					return f.Count
				}
			}
			return 0
		}
		if count("skills", "forklift_driving") != 3 || count("province", "Utrecht") != 5 || count("certificates", "forklift") != 3 || count("hours", "33-40") != 3 {
			t.Fatalf("facets = %+v", r.Facets)
		}
	})
	t.Run("UpdateAndDelete", func(t *testing.T) {
		ix := loaded(t)
		d := Candidates()[3] // the welder learns forklift driving
		d.Skills = append(d.Skills, "forklift_driving")
		if err := ix.UpsertCandidates(ctx, []matching.CandidateDoc{d}); err != nil {
			t.Fatal(err)
		}
		if err := ix.DeleteCandidates(ctx, "c_amsterdam_fork"); err != nil {
			t.Fatal(err)
		}
		if err := ix.DeleteCandidates(ctx, "c_never_there"); err != nil {
			t.Fatalf("deleting an absent candidate: %v", err)
		}
		r, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Skills: []string{"forklift_driving"}, Limit: 20})
		want(t, "after update and delete", r, err, "c_utrecht_fork", "c_zeist_fork", "c_houten_fork", "c_utrecht_weld")
	})
	t.Run("HiddenFromViewer", func(t *testing.T) {
		// A candidate on whose conflict list the asking employer stands, or
		// who excludes every sector of it, is left out of the hits, the
		// total and every facet count, not only of the page.
		ix := loaded(t)
		tk := matching.NewTokens([]byte("conformance suite token key 0001"))
		docs := Candidates()
		conflicted, excluding := docs[0], docs[1] // c_utrecht_fork, c_zeist_fork
		conflicted.ConflictTokens = []string{tk.Of("kvk", "12345678")}
		excluding.ExcludedTokens = []string{tk.Of("sector", "logistics"), tk.Of("sector", "retail")}
		if err := ix.UpsertCandidates(ctx, []matching.CandidateDoc{conflicted, excluding}); err != nil {
			t.Fatal(err)
		}
		q := matching.CandidateQuery{Province: "Utrecht", Facets: true, Limit: 20}
		count := func(r matching.Result, facet, value string) int {
			for _, f := range r.Facets[facet] {
				if f.Value == value {
					return f.Count
				}
			}
			return 0
		}
		q.Viewer = &matching.Viewer{Tokens: []string{tk.Of("employer", "e_x"), tk.Of("kvk", "12345678")}, Sectors: []string{tk.Of("sector", "logistics")}}
		r, err := ix.SearchCandidates(ctx, q)
		want(t, "Utrecht, seen by the conflicted logistics employer", r, err, "c_utrecht_weld", "c_houten_fork", "c_amersfoort_paint")
		if n := count(r, "province", "Utrecht"); n != 3 {
			t.Fatalf("province facet counts %d; want 3 (hidden candidates counted)", n)
		}
		if n := count(r, "skills", "forklift_driving"); n != 1 {
			t.Fatalf("forklift facet counts %d; want 1 (hidden candidates counted)", n)
		}
		// An employer in logistics and construction: the candidate excludes
		// only one of them, so sees them; the conflict list does not name it.
		q.Viewer = &matching.Viewer{Tokens: []string{tk.Of("employer", "e_y")}, Sectors: []string{tk.Of("sector", "logistics"), tk.Of("sector", "construction")}}
		r, err = ix.SearchCandidates(ctx, q)
		want(t, "Utrecht, seen by another employer", r, err, "c_utrecht_fork", "c_zeist_fork", "c_utrecht_weld", "c_houten_fork", "c_amersfoort_paint")
	})
	t.Run("FilterSyntaxIsJustWords", func(t *testing.T) {
		r, err := loaded(t).SearchCandidates(ctx, matching.CandidateQuery{Words: []string{`" OR status = "placed`, "province", "=", "Utrecht"}, Limit: 20})
		if err != nil {
			t.Fatalf("filter syntax in words: %v", err)
		}
		if len(r.Hits) != 0 {
			t.Fatalf("filter syntax in words matched %v", ids(r))
		}
	})
	t.Run("Vacancies", func(t *testing.T) {
		ix := fresh(t)
		vac := func(id, emp, place, sector string, risk, skills []string, hours int) matching.VacancyDoc {
			lat, lon := at(place)
			return matching.VacancyDoc{ID: id, EmployerID: emp, Title: "Vacature " + id, Skills: skills, Sector: sector, RiskAreas: risk,
				HoursPerWeek: hours, StartDate: Now.AddDate(0, 0, 14), Place: place, Lat: lat, Lon: lon}
		}
		err := ix.UpsertVacancies(ctx, []matching.VacancyDoc{
			vac("v_warehouse", "e_a", "Nieuwegein", "logistics", []string{"goods"}, []string{"forklift_driving", "order_picking"}, 32),
			vac("v_cash", "e_b", "Utrecht", "retail", []string{"money"}, []string{"cash_register"}, 24),
			vac("v_far", "e_a", "Groningen", "logistics", nil, []string{"forklift_driving"}, 40),
			vac("v_school", "e_c", "Utrecht", "education", []string{"persons"}, []string{"office_cleaning"}, 20),
		})
		if err != nil {
			t.Fatal(err)
		}
		geo := &matching.Geo{Lat: utrechtLat, Lon: utrechtLon, Km: 25}
		r, err := ix.SearchVacancies(ctx, matching.VacancyQuery{Geo: geo, Limit: 20})
		want(t, "near Utrecht", r, err, "v_warehouse", "v_cash", "v_school")
		r, err = ix.SearchVacancies(ctx, matching.VacancyQuery{Geo: geo, ExcludeRisk: []string{"money", "persons"}, Limit: 20})
		want(t, "risk areas excluded", r, err, "v_warehouse")
		r, err = ix.SearchVacancies(ctx, matching.VacancyQuery{Geo: geo, ExcludeSectors: []string{"education"}, ExcludeEmployer: []string{"e_a"}, Limit: 20})
		want(t, "sector and employer excluded", r, err, "v_cash")
		r, err = ix.SearchVacancies(ctx, matching.VacancyQuery{Skills: []string{"forklift_driving"}, Limit: 20})
		want(t, "forklift anywhere", r, err, "v_warehouse", "v_far")
		if err := ix.DeleteVacancy(ctx, "v_far"); err != nil {
			t.Fatal(err)
		}
		r, err = ix.SearchVacancies(ctx, matching.VacancyQuery{Skills: []string{"forklift_driving"}, Limit: 20})
		want(t, "after closing v_far", r, err, "v_warehouse")
	})
	runEngineRules(t, fresh)
	t.Run("Clear", func(t *testing.T) {
		ix := loaded(t)
		if err := ix.Clear(ctx); err != nil {
			t.Fatal(err)
		}
		r, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Limit: 20})
		want(t, "after clear", r, err)
	})
}

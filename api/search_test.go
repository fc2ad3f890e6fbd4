package api_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/users"
)

// searchEnv: an approved employer, a worker with available candidates.
type searchEnv struct {
	*env
	emp, empTok, worker, c1, c2 string
}

func newSearchEnv(t *testing.T) *searchEnv {
	e := newEnv(t)
	_, c1 := e.user(users.Coordinator, "c1@example.nl")
	_, c2 := e.user(users.Coordinator, "c2@example.nl")
	emp, empTok := e.employer("zoeker")
	e.approve(emp, c1, c2)
	_, worker := e.user(users.ProbationWorker, "w@example.nl")
	return &searchEnv{env: e, emp: emp, empTok: empTok, worker: worker, c1: c1, c2: c2}
}

// candidate registers an available candidate and returns its id.
func (s *searchEnv) candidate(place string, travel int, skills []string, mut func(m map[string]any)) string {
	s.t.Helper()
	m := validCandidate()
	m["home_place"], m["travel_radius_km"], m["skills"] = place, travel, skills
	m["restrictions"] = map[string]any{}
	if mut != nil {
		mut(m)
	}
	st, b := s.do("POST", "/api/v1/candidates", s.worker, m)
	if st != 201 {
		s.t.Fatalf("candidate: %d %v", st, b)
	}
	id := b["id"].(string)
	if st, b := s.do("PATCH", "/api/v1/candidates/"+id, s.worker, map[string]any{"status": "available"}); st != 200 {
		s.t.Fatalf("available: %d %v", st, b)
	}
	return id
}

func itemIDs(b map[string]any) []string {
	var out []string
	items, _ := b["items"].([]any)
	for _, it := range items {
		m := it.(map[string]any)
		if card, ok := m["card"].(map[string]any); ok {
			out = append(out, card["id"].(string))
		} else if v, ok := m["vacancy"].(map[string]any); ok {
			out = append(out, v["id"].(string))
		}
	}
	return out
}

func has(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func TestSearchCandidates(t *testing.T) {
	s := newSearchEnv(t)
	fork := s.candidate("Utrecht", 25, []string{"heftruck rijden"}, nil)
	farAway := s.candidate("Groningen", 25, []string{"heftruck rijden"}, nil)
	cook := s.candidate("Utrecht", 25, []string{"koken"}, nil)
	conflicted := s.candidate("Utrecht", 25, []string{"vorkheftruck"}, nil)
	if st, b := s.do("POST", "/api/v1/candidates/"+conflicted+"/conflicts", s.worker, map[string]any{"employer_id": s.emp, "reason": "familiebedrijf"}); st != 201 {
		t.Fatalf("conflict: %d %v", st, b)
	}
	notAvailable := func() string {
		_, b := s.do("POST", "/api/v1/candidates", s.worker, validCandidate())
		return b["id"].(string)
	}()

	st, b := s.do("GET", "/api/v1/search/candidates?q=heftruk&place=Utrecht&within_km=25", s.empTok, nil)
	if st != 200 {
		t.Fatalf("search: %d %v", st, b)
	}
	ids := itemIDs(b)
	if !has(ids, fork) || has(ids, farAway) || has(ids, cook) || has(ids, conflicted) || has(ids, notAvailable) {
		t.Fatalf("heftruk near Utrecht = %v; want %s only of %v", ids, fork, []string{fork, farAway, cook, conflicted, notAvailable})
	}
	raw, _ := json.Marshal(b)
	for _, leak := range []string{"Sem", "de Vries", "sem@example.nl", "+31 6 12345678", "Dorpsstraat", "1995-04-12", "risk", "conflict", "curfew", "childcare"} {
		if strings.Contains(string(raw), leak) {
			t.Fatalf("an employer's search result carries %q: %s", leak, raw)
		}
	}
	item := b["items"].([]any)[0].(map[string]any)
	ex := item["explanation"].(map[string]any)
	if !strings.Contains(ex["nl"].(string), "vaardigheden") || !strings.Contains(ex["en"].(string), "km") {
		t.Fatalf("explanation = %v", ex)
	}
	facets, ok := b["facets"].(map[string]any)
	if !ok || facets["skills"] == nil {
		t.Fatalf("facets missing: %v", b["facets"])
	}
	if prov, _ := facets["province"].([]any); len(prov) == 0 || prov[0].(map[string]any)["value"] != "Utrecht" || prov[0].(map[string]any)["count"] == nil {
		t.Fatalf("province facet = %v; want [{value: Utrecht, count: …}]", facets["province"])
	}

	t.Run("NoPlaceNoDistance", func(t *testing.T) {
		_, b := s.do("GET", "/api/v1/search/candidates?q=heftruck", s.empTok, nil)
		ex := b["items"].([]any)[0].(map[string]any)["explanation"].(map[string]any)
		if strings.Contains(ex["nl"].(string), "km") || strings.Contains(ex["en"].(string), "km") || ex["distance_km"] != nil {
			t.Fatalf("a search without a place explains a distance: %v", ex)
		}
	})
	t.Run("EveryWordingFindsTheSame", func(t *testing.T) {
		for _, q := range []string{"heftruck", "vorkheftruck", "forklift", "heftruk"} {
			_, b := s.do("GET", "/api/v1/search/candidates?q="+q, s.empTok, nil)
			if ids := itemIDs(b); !has(ids, fork) || !has(ids, farAway) {
				t.Fatalf("%s = %v", q, ids)
			}
		}
	})
	t.Run("WhoMaySearch", func(t *testing.T) {
		pending, pendingTok := s.employer("nog")
		_ = pending
		for name, tok := range map[string]string{"pending employer": pendingTok, "worker": s.worker, "coordinator": s.c1, "anonymous": ""} {
			st, _ := s.do("GET", "/api/v1/search/candidates?q=heftruck", tok, nil)
			want := 403
			if tok == "" {
				want = 401
			}
			if st != want {
				t.Fatalf("%s searching candidates = %d; want %d", name, st, want)
			}
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		tests := []struct {
			query  string
			status int
			field  string
		}{
			{"q=" + strings.Repeat("a", 1000), 422, "q"},
			{"place=Atlantis", 422, "place"},
			{"province=Beieren", 422, "province"},
			{"place=Utrecht&within_km=-5", 400, "within_km"},
			{"place=Utrecht&within_km=100000", 400, "within_km"},
			{"per_page=500", 400, "per_page"},
			{"page=0", 400, "page"},
			{"available_before=morgen", 422, "available_before"},
			{"certificates=vog", 422, "certificates[0]"},
			{"hours_min=99", 400, "hours_min"},
		}
		for _, tc := range tests {
			st, b := s.do("GET", "/api/v1/search/candidates?"+tc.query, s.empTok, nil)
			if st != tc.status || fieldsOf(b)[tc.field] == nil {
				t.Fatalf("%s = %d %v; want %d naming %s", tc.query, st, b, tc.status, tc.field)
			}
		}
		for _, q := range []string{`" OR status = "placed`, `province = "Utrecht"`, `*`, `(((`, `\`, ""} {
			st, b := s.do("GET", "/api/v1/search/candidates?q="+url.QueryEscape(q), s.empTok, nil)
			if st != 200 {
				t.Fatalf("q=%q = %d %v; want a safe literal search", q, st, b)
			}
			if has(itemIDs(b), conflicted) || has(itemIDs(b), notAvailable) {
				t.Fatalf("q=%q showed a card that breaks a hard rule", q)
			}
		}
	})
	t.Run("Recorded", func(t *testing.T) {
		_, b := s.do("GET", "/api/v1/audit?subject=employer:"+s.emp+"&limit=200", s.c1, nil)
		n := 0
		for _, it := range b["items"].([]any) {
			if it.(map[string]any)["action"] == "search.candidates" {
				n++
			}
		}
		if n == 0 {
			t.Fatal("employer searches were not recorded")
		}
	})
	t.Run("SuspensionHidesAtOnce", func(t *testing.T) {
		s.do("POST", "/api/v1/employers/"+s.emp+"/vetting/suspend", s.c1, map[string]any{"reason": "onderzoek"})
		if st, _ := s.do("GET", "/api/v1/search/candidates?q=heftruck", s.empTok, nil); st != 403 {
			t.Fatalf("suspended employer searching = %d; want 403", st)
		}
	})
}

func TestSearch_RateLimitAndScrapingFlag(t *testing.T) {
	s := newSearchEnv(t)
	items := make([]candidates.ImportItem, 1050)
	for i := range items {
		in := candidates.Input{
			Identity: candidates.IdentityInput{FirstName: "Gen", LastName: fmt.Sprint(i), BirthDate: "1990-01-01"},
			Skills:   []string{"schoonmaken"}, HoursPerWeek: 24, AvailableFrom: time.Now().Format(time.DateOnly),
			HomePlace: "Utrecht", TravelRadiusKm: 20,
		}
		items[i] = candidates.ImportItem{WorkerID: "u_gen", Input: in, Available: true}
	}
	if _, err := s.candidates.Import(t.Context(), items); err != nil {
		t.Fatal(err)
	}
	concerns := func() []any {
		_, b := s.do("GET", "/api/v1/employers/"+s.emp, s.c1, nil)
		return b["vetting"].(map[string]any)["concerns"].([]any)
	}
	searches := 0
	search := func(page int) int {
		searches++
		st, b := s.do("GET", fmt.Sprintf("/api/v1/search/candidates?q=schoonmaken&per_page=50&page=%d", page), s.empTok, nil)
		if st == 200 && len(b["items"].([]any)) != 50 {
			t.Fatalf("page %d has %d cards; want 50", page, len(b["items"].([]any)))
		}
		return st
	}
	// The same first page thirty times: 1,500 cards, but 50 candidates.
	for i := 0; i < 30; i++ {
		if st := search(1); st != 200 {
			t.Fatalf("search %d = %d", searches, st)
		}
	}
	if c := concerns(); len(c) != 0 {
		t.Fatalf("concerns after the same 50 cards thirty times = %v; want none", c)
	}
	// Paging through 21 pages: 1,050 different candidates.
	for page := 2; page <= 21; page++ {
		if st := search(page); st != 200 {
			t.Fatalf("page %d = %d", page, st)
		}
	}
	c := concerns()
	if len(c) != 1 || !strings.Contains(c[0].(map[string]any)["text"].(string), "scraping") {
		t.Fatalf("concerns after paging through 1,050 profiles = %v; want one scraping flag", c)
	}
	last := 0
	for searches < 61 {
		last = search(1)
	}
	if last != 429 {
		t.Fatalf("61st search in a minute = %d; want 429", last)
	}
	if c := concerns(); len(c) != 1 {
		t.Fatalf("%d concerns; want the one flag, once", len(c))
	}
}

func TestMatches(t *testing.T) {
	s := newSearchEnv(t)
	_, v := s.do("POST", "/api/v1/employers/"+s.emp+"/vacancies", s.empTok, vacancy()) // Nieuwegein, 06:00–14:30, goods, logistics
	vid := v["id"].(string)
	ok := s.candidate("Utrecht", 25, []string{"orderpicken", "heftruck"}, nil)
	curfew := s.candidate("Utrecht", 25, []string{"orderpicken"}, func(m map[string]any) {
		m["restrictions"] = map[string]any{"curfew": map[string]any{"from": "22:00", "to": "07:00"}}
	})
	risk := s.candidate("Utrecht", 25, []string{"orderpicken"}, func(m map[string]any) {
		m["restrictions"] = map[string]any{"risk_area_conflicts": []string{"goods"}}
	})
	tooFar := s.candidate("Amsterdam", 10, []string{"orderpicken"}, nil)

	st, b := s.do("GET", "/api/v1/vacancies/"+vid+"/matches", s.empTok, nil)
	if st != 200 {
		t.Fatalf("vacancy matches: %d %v", st, b)
	}
	ids := itemIDs(b)
	if !has(ids, ok) || has(ids, curfew) || has(ids, risk) || has(ids, tooFar) {
		t.Fatalf("matches for the vacancy = %v; want %s and none of the others", ids, ok)
	}
	ex := b["items"].([]any)[0].(map[string]any)["explanation"].(map[string]any)
	if ex["required_skills_met"].(float64) < 1 || !strings.Contains(ex["en"].(string), "required skills") {
		t.Fatalf("explanation = %v", ex)
	}

	st, b = s.do("GET", "/api/v1/candidates/"+ok+"/matches", s.worker, nil)
	if st != 200 || !has(itemIDs(b), vid) {
		t.Fatalf("matches for the candidate = %d %v; want %s", st, itemIDs(b), vid)
	}
	for _, c := range []string{curfew, risk, tooFar} {
		if _, b := s.do("GET", "/api/v1/candidates/"+c+"/matches", s.worker, nil); has(itemIDs(b), vid) {
			t.Fatalf("candidate %s matched a vacancy that breaks a hard rule", c)
		}
	}
	t.Run("Isolation", func(t *testing.T) {
		_, other := s.user(users.ProbationWorker, "other@example.nl")
		if st, _ := s.do("GET", "/api/v1/candidates/"+ok+"/matches", other, nil); st != 404 {
			t.Fatalf("another worker's candidate matches = %d; want 404", st)
		}
		_, otherEmp := s.employer("ander")
		if st, _ := s.do("GET", "/api/v1/vacancies/"+vid+"/matches", otherEmp, nil); st != 403 {
			t.Fatalf("a pending employer on another's vacancy = %d; want 403", st)
		}
	})
	t.Run("WorkerSearch", func(t *testing.T) {
		st, b := s.do("GET", "/api/v1/search/vacancies?q=magazijn&place=Utrecht&within_km=20", s.worker, nil)
		if st != 200 || !has(itemIDs(b), vid) {
			t.Fatalf("worker vacancy search = %d %v", st, b)
		}
		_, b = s.do("GET", "/api/v1/search/vacancies?q=orderpicken&candidate_id="+risk, s.worker, nil)
		if has(itemIDs(b), vid) {
			t.Fatal("vacancy search for a candidate ignored the candidate's risk areas")
		}
	})
	t.Run("ClosedVacancyLeavesSearch", func(t *testing.T) {
		s.do("POST", "/api/v1/vacancies/"+vid+"/close", s.empTok, nil)
		_, b := s.do("GET", "/api/v1/search/vacancies?q=orderpicken", s.worker, nil)
		if has(itemIDs(b), vid) {
			t.Fatal("a closed vacancy is still found")
		}
	})
}

// TestSearch_Places: a postcode and a municipality are places to search
// from; a name that means two places is 422 listing them; within_km
// without a place is 422, not silently ignored.
func TestSearch_Places(t *testing.T) {
	s := newSearchEnv(t)
	near := s.candidate("Utrecht", 20, []string{"orderpicken"}, nil)
	far := s.candidate("Groningen", 20, []string{"orderpicken"}, nil)
	for _, q := range []string{"place=3511&within_km=15", "place=Utrecht%20(Utrecht)&within_km=15", "place=Stichtse%20Vecht&within_km=20"} {
		st, b := s.do("GET", "/api/v1/search/candidates?q=orderpicken&"+q, s.empTok, nil)
		ids := itemIDs(b)
		if st != 200 || !contains(ids, near) || contains(ids, far) {
			t.Fatalf("%s: %d %v", q, st, b)
		}
	}
	st, b := s.do("GET", "/api/v1/search/candidates?q=orderpicken&place=Doesburg", s.empTok, nil)
	if st != 422 || !strings.Contains(fmt.Sprint(fieldsOf(b)["place"]), "Doesburg (Doesburg, Gelderland)") {
		t.Fatalf("an ambiguous place: %d %v", st, b)
	}
	if st, b := s.do("GET", "/api/v1/search/candidates?q=orderpicken&within_km=10", s.empTok, nil); st != 422 || fieldsOf(b)["within_km"] == nil {
		t.Fatalf("within_km without a place: %d %v", st, b)
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// TestSearch_TiesMeanSomething: candidates an employer's query scores the
// same come available-sooner first (everyone available today alike), then
// by id; and the first page is the same after the index is rebuilt.
func TestSearch_TiesMeanSomething(t *testing.T) {
	s := newSearchEnv(t)
	byAvail := map[string]int{}
	for i, days := range []int{10, 0, 3, -30, 10, 0} {
		id := s.candidate("Utrecht", 25, []string{"orderpicken"}, func(m map[string]any) {
			m["available_from"] = time.Now().AddDate(0, 0, days).Format(time.DateOnly)
		})
		byAvail[id] = max(days, 0)
		_ = i
	}
	page := func() []string {
		st, b := s.do("GET", "/api/v1/search/candidates?q=orderpicken&place=Utrecht&within_km=10", s.empTok, nil)
		if st != 200 {
			t.Fatalf("search: %d %v", st, b)
		}
		return itemIDs(b)
	}
	first := page()
	if len(first) != 6 {
		t.Fatalf("page %v", first)
	}
	for k := 1; k < len(first); k++ {
		a, b := first[k-1], first[k]
		if byAvail[a] > byAvail[b] || (byAvail[a] == byAvail[b] && a > b) {
			t.Fatalf("order %v: %s (in %d days) before %s (in %d days)", first, a, byAvail[a], b, byAvail[b])
		}
	}
	if err := s.matching.Reindex(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if again := page(); fmt.Sprint(again) != fmt.Sprint(first) {
			t.Fatalf("after a rebuild the page is %v; before %v", again, first)
		}
	}
}

// TestSearch_ESCOTrades: trades the project's own file never listed are
// found through ESCO's labels, in either language and with a typo, and
// only by their own trade.
func TestSearch_ESCOTrades(t *testing.T) {
	s := newSearchEnv(t)
	hair := s.candidate("Utrecht", 25, []string{"kapper"}, nil)
	tiler := s.candidate("Utrecht", 25, []string{"tegelzetster"}, nil)
	for q, want := range map[string]string{"hairdresser": hair, "kapster": hair, "kaper": hair, "tegelzetter": tiler, "tile fitter": tiler} {
		st, b := s.do("GET", "/api/v1/search/candidates?q="+url.QueryEscape(q)+"&place=Utrecht&within_km=10", s.empTok, nil)
		ids := itemIDs(b)
		if st != 200 || len(ids) != 1 || ids[0] != want {
			t.Fatalf("%q: %d %v; want only %s", q, st, ids, want)
		}
	}
}

// TestSearch_EveryWordFindable: a profile whose words no taxonomy entry
// knows is found by them also when the query's other words name skills,
// after the profiles the skills find.
func TestSearch_EveryWordFindable(t *testing.T) {
	s := newSearchEnv(t)
	fork := s.candidate("Utrecht", 25, []string{"heftruck rijden"}, nil)
	odd := s.candidate("Utrecht", 25, []string{"grafzerkpoetser"}, nil)
	for q, want := range map[string][]string{
		"heftruck grafzerkpoetser": {fork, odd},
		"heftruck grafzerkpoeter":  {fork, odd}, // a typo in the unknown word
		"heftruck en":              {fork},      // a small word finds nobody
		"grafzerkpoetser":          {odd},
	} {
		st, b := s.do("GET", "/api/v1/search/candidates?q="+url.QueryEscape(q)+"&place=Utrecht&within_km=10", s.empTok, nil)
		if got := itemIDs(b); st != 200 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("%q: %d %v; want %v in that order", q, st, got, want)
		}
	}
}

// TestSearch_NamedSkillsOutrankATradeWord: someone who named the skills an
// employer asks for ranks above someone who wrote one trade word that
// claims them, even when the latter would win the tie (available sooner).
func TestSearch_NamedSkillsOutrankATradeWord(t *testing.T) {
	s := newSearchEnv(t)
	named := s.candidate("Utrecht", 25, []string{"metselen", "betonwerk"}, func(m map[string]any) {
		m["available_from"] = time.Now().AddDate(0, 0, 20).Format(time.DateOnly)
	})
	trade := s.candidate("Utrecht", 25, []string{"metselaar"}, nil)
	st, b := s.do("GET", "/api/v1/search/candidates?q="+url.QueryEscape("metselen betonwerk")+"&place=Utrecht&within_km=10", s.empTok, nil)
	if got := itemIDs(b); st != 200 || fmt.Sprint(got) != fmt.Sprint([]string{named, trade}) {
		t.Fatalf("%d %v; want %s (named the skills) before %s (a trade word)", st, got, named, trade)
	}
}

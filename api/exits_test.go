package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/herstart/herstart/users"
)

// exitEnv: a candidate of worker w (home Utrecht, orderpicking), employers
// with vacancies in the destination (Zwolle), at a network firm there and
// in a network place (Kampen), and in the origin; a second worker (the
// destination region's); partner organisations in both regions.
type exitEnv struct {
	*searchEnv
	cand, w2, w2ID                       string
	netEmp, netTok, netKvK               string
	vZwolle, vNetFirm, vKampen, vUtrecht string
	vKampenFirm                          string // in Zwolle, by an employer based in Kampen (a network place)
	kampenTok                            string
}

func (e *exitEnv) vacancyIn(emp, tok, place, title string) string {
	e.t.Helper()
	v := vacancy()
	v["place"], v["title"] = place, title
	st, b := e.do("POST", "/api/v1/employers/"+emp+"/vacancies", tok, v)
	if st != 201 {
		e.t.Fatalf("vacancy in %s: %d %v", place, st, b)
	}
	return b["id"].(string)
}

func newExitEnv(t *testing.T) *exitEnv {
	s := newSearchEnv(t)
	e := &exitEnv{searchEnv: s}
	e.cand = s.candidate("Utrecht", 25, []string{"orderpicken", "heftruck rijden"}, nil)
	u2, w2 := s.user(users.ProbationWorker, "w2-zwolle@example.nl")
	e.w2, e.w2ID = w2, string(u2.ID)
	e.netEmp, e.netTok = s.employer("netwerkfirma")
	s.approve(e.netEmp, s.c1, s.c2)
	_, emp := s.do("GET", "/api/v1/employers/"+e.netEmp, s.c1, nil)
	e.netKvK = emp["kvk"].(string)
	e.vZwolle = e.vacancyIn(s.emp, s.empTok, "Zwolle", "Orderpicker Zwolle")
	e.vNetFirm = e.vacancyIn(e.netEmp, e.netTok, "Zwolle", "Orderpicker bij de netwerkfirma")
	e.vKampen = e.vacancyIn(s.emp, s.empTok, "Kampen", "Orderpicker Kampen")
	e.vUtrecht = e.vacancyIn(s.emp, s.empTok, "Utrecht", "Orderpicker Utrecht")
	kvkSeq++
	reg := registration(fmt.Sprint(kvkSeq), "kampen@werkgever.example.nl")
	reg["locations"] = []any{map[string]any{"address": "Oudestraat 1", "place": "Kampen"}}
	st, b := s.do("POST", "/api/v1/employers", "", reg)
	if st != 201 {
		t.Fatalf("register: %d %v", st, b)
	}
	kampen := b["employer"].(map[string]any)["id"].(string)
	s.approve(kampen, s.c1, s.c2)
	_, login := s.do("POST", "/api/v1/auth/token", "", map[string]any{"email": "kampen@werkgever.example.nl", "password": "a long employer password"})
	e.kampenTok = login["token"].(string)
	e.vKampenFirm = e.vacancyIn(kampen, e.kampenTok, "Zwolle", "Orderpicker bij een Kamper bedrijf")
	return e
}

func (e *exitEnv) traj(tok, method, sub string, body any, want int) map[string]any {
	e.t.Helper()
	st, b := e.do(method, "/api/v1/candidates/"+e.cand+"/trajectory"+sub, tok, body)
	if st != want {
		e.t.Fatalf("%s trajectory%s: %d %v; want %d", method, sub, st, b, want)
	}
	return b
}

// employerCard is what the employer's search shows of the candidate from
// the destination (nil: not found).
func (e *exitEnv) employerCard(tok string) map[string]any {
	e.t.Helper()
	_, b := e.do("GET", "/api/v1/search/candidates?q=orderpicken", tok, nil)
	items, _ := b["items"].([]any)
	for _, it := range items {
		card := it.(map[string]any)["card"].(map[string]any)
		if card["id"] == e.cand {
			return card
		}
	}
	return nil
}

// TestExit_Walk is the walk: a trajectory opens, the network's
// firm and place are recorded, the destination is set; the candidate's
// matches from the destination find the vacancies there and none at the
// network firm or place (nor at the origin); the employer's card never
// shows the origin; the case moves to the destination's worker, a housing
// partner there joins, the old region's partner leaves, the old worker
// loses access.
func TestExit_Walk(t *testing.T) {
	e := newExitEnv(t)
	logCard := func(step string) {
		c := e.employerCard(e.empTok)
		t.Logf("the employer's card %s: place %v, province %v (card fields: %v)", step, c["place"], c["province"], keysOf(c))
		if step != "before the trajectory" && (c["place"] == "Utrecht" || strings.Contains(mustJSON(c), "Utrecht")) {
			t.Fatalf("the card %s ties the candidate to the origin: %v", step, c)
		}
	}
	logCard("before the trajectory")
	// A housing partner of the origin region is in the circle already.
	origin := &circleEnv{placedEnv: &placedEnv{introEnv: &introEnv{searchEnv: e.searchEnv, cand: e.cand}}}
	oldHousing, oldTok := origin.partner("Woonstichting Utrecht", "housing")
	origin.invite(oldHousing, "housing", nil)
	origin.member(oldTok, 1, "accept", map[string]any{}, 200)

	e.traj(e.worker, "POST", "", map[string]any{"conditions": "Besluit om te vertrekken; geen contact met de familiebedrijven."}, 201)
	e.traj(e.worker, "POST", "/network", map[string]any{"kind": "person", "name": "Oom Kees Zwaneveld", "relation": "oom, leidt het netwerk", "source": "Politie-informatie 2026-11"}, 201)
	e.traj(e.worker, "POST", "/network", map[string]any{"kind": "firm", "name": "Transport Zwaneveld BV", "kvk": e.netKvK, "source": "KvK-uittreksel"}, 201)
	e.traj(e.worker, "POST", "/network", map[string]any{"kind": "place", "place": "Kampen", "radius_km": 5, "source": "Woonplaats van de familie"}, 201)
	if st, b := e.do("PUT", "/api/v1/candidates/"+e.cand+"/trajectory/destination", e.worker, map[string]any{"place": "Kampen", "radius_km": 40}); st != 422 || fieldsOf(b)["place"] == nil {
		t.Fatalf("a destination inside a network place: %d %v", st, b)
	}
	e.traj(e.worker, "PUT", "/destination", map[string]any{"place": "Zwolle", "radius_km": 40}, 200)
	logCard("after the destination")

	_, m := e.do("GET", "/api/v1/candidates/"+e.cand+"/matches", e.worker, nil)
	got := itemIDs(m)
	t.Logf("matches from the destination: %v", got)
	if !has(got, e.vZwolle) {
		t.Errorf("the destination's vacancy is not among the matches: %v", got)
	}
	for name, v := range map[string]string{"the network firm's": e.vNetFirm, "the network place's": e.vKampen, "the origin's": e.vUtrecht,
		"an employer's based in the network place": e.vKampenFirm} {
		if has(got, v) {
			t.Errorf("%s vacancy is among the matches", name)
		}
	}
	if c := e.employerCard(e.netTok); c != nil {
		t.Fatalf("the network firm finds the candidate: %v", c)
	}
	if c := e.employerCard(e.kampenTok); c != nil {
		t.Fatalf("an employer based in the network place finds the candidate: %v", c)
	}

	// The case moves: the destination's worker sees what is handed over,
	// accepts; the old worker loses access; the old region's partner leaves.
	e.traj(e.worker, "POST", "/transfer", map[string]any{"to_worker_id": e.w2ID, "handover": []string{"identity", "profile", "network", "safety_plan"}, "note": "Woning in Zwolle gezocht."}, 200)
	if st, _ := e.do("GET", "/api/v1/candidates/"+e.cand, e.w2, nil); st != 404 {
		t.Fatalf("the receiving worker reads the candidate before accepting: %d", st)
	}
	_, in := e.do("GET", "/api/v1/trajectories", e.w2, nil)
	inc := in["incoming"].([]any)
	if len(inc) != 1 || !strings.Contains(mustJSON(inc[0]), "Zwolle") {
		t.Fatalf("the receiving worker's incoming: %v", in)
	}
	t.Logf("handed over: %v", inc[0])
	if st, b := e.do("POST", "/api/v1/candidates/"+e.cand+"/trajectory/transfer/accept", e.w2, map[string]any{}); st != 200 {
		t.Fatalf("accept: %d %v", st, b)
	}
	if st, _ := e.do("GET", "/api/v1/candidates/"+e.cand, e.worker, nil); st != 404 {
		t.Fatalf("the old worker still reads the candidate: %d", st)
	}
	if st, _ := e.do("GET", "/api/v1/candidates/"+e.cand+"/trajectory", e.worker, nil); st != 404 {
		t.Fatalf("the old worker still reads the trajectory: %d", st)
	}
	if st, _ := e.do("GET", "/api/v1/candidates/"+e.cand, e.w2, nil); st != 200 {
		t.Fatalf("the new worker cannot read the candidate: %d", st)
	}
	if st, _ := e.do("GET", "/api/v1/circles/"+e.cand, oldTok, nil); st != 404 {
		t.Fatalf("the old region's partner still reads the circle: %d", st)
	}
	// A housing partner of the destination joins, housing first.
	newHousing, newTok := origin.partnerIn("Woonstichting IJsselland", "housing", "Zwolle")
	if st, b := e.do("POST", "/api/v1/circles/"+e.cand+"/members", e.w2, map[string]any{"partner_id": newHousing, "purpose": "housing", "basis": "consent", "consent": true, "need": "Kamer in Zwolle"}); st != 201 {
		t.Fatalf("invite the destination's housing partner: %d %v", st, b)
	}
	if st, b := e.do("POST", "/api/v1/circles/"+e.cand+"/members/2/accept", newTok, map[string]any{}); st != 200 {
		t.Fatalf("accept: %d %v", st, b)
	}
	_, hv := e.do("GET", "/api/v1/circles/"+e.cand, newTok, nil)
	for _, never := range []string{"Zwaneveld", "Kampen", "Politie-informatie", e.netKvK, "Utrecht"} {
		if strings.Contains(mustJSON(hv), never) {
			t.Errorf("the destination's housing partner sees %q", never)
		}
	}
	logCard("after the transfer")
}

// TestExit_NetworkNeverLeavesTheWorker: no body to an employer or a partner
// — search, cards, matches, introductions, circles, lists, counts, facets,
// exports — holds a network entry (a name, a relation, a source, a firm's
// KvK number), the origin or the safety plan (but for the safety purpose's
// partner); a flag "contact with the old network" reaches the case manager
// at once.
func TestExit_NetworkNeverLeavesTheWorker(t *testing.T) {
	e := newCircleEnv(t)
	_, s := e.do("GET", "/api/v1/employers/"+e.emp, e.c1, nil)
	kvkOther := "87654321"
	if s["kvk"] == kvkOther {
		kvkOther = "87654322"
	}
	tr := func(method, sub string, body any, want int) {
		t.Helper()
		if st, b := e.do(method, "/api/v1/candidates/"+e.cand+"/trajectory"+sub, e.worker, body); st != want {
			t.Fatalf("%s trajectory%s: %d %v", method, sub, st, b)
		}
	}
	tr("POST", "", map[string]any{"conditions": "Geen contact met de familie."}, 201)
	tr("POST", "/network", map[string]any{"kind": "person", "name": "Tante Greetje Zwaneveld", "relation": "tante, beheert het geld", "source": "Eigen verklaring kandidaat"}, 201)
	tr("POST", "/network", map[string]any{"kind": "firm", "name": "Zwaneveld Vastgoed", "kvk": kvkOther, "source": "Melding wijkagent"}, 201)
	tr("PUT", "/safety", map[string]any{"risks": []string{"Bedreiging door neef Zwaneveld"}, "measures": []string{"Geen vaste route naar het werk"}, "contacts": []any{map[string]any{"name": "Wijkagent Jansen", "role": "politie", "phone": "+31 6 11112222"}}}, 200)
	// A safety partner (justice) and a housing partner, both accepted.
	justice, justiceTok := e.partner("Reclassering Oost", "justice")
	n := e.invite(justice, "safety", nil)
	e.member(justiceTok, n, "accept", map[string]any{}, 200)
	h := e.invite(e.housing, "housing", nil)
	e.member(e.housingTok, h, "accept", map[string]any{}, 200)
	_, jv := e.do("GET", "/api/v1/circles/"+e.cand, justiceTok, nil)
	if !strings.Contains(mustJSON(jv), "Geen vaste route naar het werk") {
		t.Fatalf("the safety partner does not see the safety plan: %v", jv["candidate"])
	}
	// Check-in with contact with the old network: the case manager (the
	// worker) hears at once.
	d := e.start.AddDate(0, 0, 5)
	e.on(d)
	if st, b := e.do("POST", "/api/v1/placements/"+e.pid+"/checkins", e.mentorTok, checkin(d, 3, "contact_old_network")); st != 201 {
		t.Fatalf("check-in: %d %v", st, b)
	}
	_, in := e.do("GET", "/api/v1/inbox", e.worker, nil)
	if !strings.Contains(mustJSON(in), "trajectory.network_contact") {
		t.Fatalf("the case manager was not told of the contact with the old network: %v", in)
	}

	never := []string{"Zwaneveld", "Greetje", "beheert het geld", "Eigen verklaring", "Melding wijkagent", kvkOther}
	bodies := map[string][]string{
		e.empTok: {"/api/v1/search/candidates?q=orderpicken", "/api/v1/search/candidates?q=Zwaneveld", "/api/v1/cards/" + e.cand, "/api/v1/introductions",
			"/api/v1/placements", "/api/v1/placements/" + e.pid, "/api/v1/placements/" + e.pid + "/parties", "/api/v1/vacancies/" + e.vacancy + "/matches", "/api/v1/inbox"},
		e.housingTok: {"/api/v1/circles/" + e.cand, "/api/v1/circles", "/api/v1/inbox", "/api/v1/partners/" + e.housing},
		justiceTok:   {"/api/v1/circles", "/api/v1/inbox"},
		e.mentorTok:  {"/api/v1/placements/" + e.pid, "/api/v1/placements/" + e.pid + "/parties", "/api/v1/agenda"},
	}
	checked := 0
	for tok, paths := range bodies {
		for _, p := range paths {
			st, b := e.do("GET", p, tok, nil)
			body := mustJSON(b)
			for _, w := range never {
				if strings.Contains(body, w) {
					t.Errorf("GET %s (%d) holds the network entry %q", p, st, w)
				}
			}
			if tok == e.housingTok && strings.Contains(body, "Geen vaste route") {
				t.Errorf("GET %s: the housing partner sees the safety plan", p)
			}
			checked++
		}
	}
	// The justice partner's circle holds the safety plan but no network entry.
	for _, w := range []string{"Greetje", "beheert het geld", "Eigen verklaring", "Melding wijkagent", kvkOther} {
		if strings.Contains(mustJSON(jv), w) {
			t.Errorf("the safety partner's circle holds the network entry %q", w)
		}
	}
	t.Logf("%d bodies to employers, partners and the mentor checked for %d network strings", checked, len(never))
	// The worker sees it all, on their side.
	_, w := e.do("GET", "/api/v1/candidates/"+e.cand+"/trajectory", e.worker, nil)
	if !strings.Contains(mustJSON(w), "Tante Greetje Zwaneveld") {
		t.Fatal("the worker does not see the network (the check above could not fail)")
	}
}

// TestExit_TwentyAtOnce: one trajectory per candidate, one pending
// transfer, a transfer taken on once, under 20 parallel requests each.
func TestExit_TwentyAtOnce(t *testing.T) {
	e := newExitEnv(t)
	got := parallel(20, func(i int) int {
		st, _ := e.do("POST", "/api/v1/candidates/"+e.cand+"/trajectory", e.worker, map[string]any{})
		return st
	})
	if got[201] != 1 || got[409] != 19 {
		t.Fatalf("20 openings: %v; want one 201 and 19 409", got)
	}
	e.traj(e.worker, "PUT", "/destination", map[string]any{"place": "Zwolle", "radius_km": 30}, 200)
	got = parallel(20, func(i int) int {
		st, _ := e.do("POST", "/api/v1/candidates/"+e.cand+"/trajectory/transfer", e.worker, map[string]any{"to_worker_id": e.w2ID, "handover": []string{"identity"}})
		return st
	})
	if got[200] != 1 || got[409] != 19 {
		t.Fatalf("20 transfers: %v; want one 200 and 19 409", got)
	}
	got = parallel(20, func(i int) int {
		st, _ := e.do("POST", "/api/v1/candidates/"+e.cand+"/trajectory/transfer/accept", e.w2, map[string]any{})
		return st
	})
	if got[200] != 1 || got[404] != 19 {
		t.Fatalf("20 acceptances: %v; want one 200 and 19 404", got)
	}
	_, v := e.do("GET", "/api/v1/candidates/"+e.cand+"/trajectory", e.w2, nil)
	if tr := v["transfers"].([]any); len(tr) != 1 {
		t.Fatalf("transfers recorded: %d; want 1", len(tr))
	}
	_, l := e.do("GET", "/api/v1/candidates", e.w2, nil)
	if !strings.Contains(mustJSON(l), e.cand) {
		t.Fatalf("the candidate is not in the receiving worker's caseload: %v", l)
	}
	_, l = e.do("GET", "/api/v1/candidates", e.worker, nil)
	if strings.Contains(mustJSON(l), e.cand) {
		t.Fatalf("the candidate is still in the old worker's caseload")
	}
}

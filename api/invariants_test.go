package api_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/herstart/herstart/store/storetest"
)

// The race tests of docs/invariants.md that go through the API: N parallel
// requests, then the invariant checked from the database.

const racers = 20

// parallel sends n requests at once (request i from send(i)) and counts
// the answers by status.
func parallel(n int, send func(i int) int) map[int]int {
	var mu sync.Mutex
	got := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			st := send(i)
			mu.Lock()
			got[st]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return got
}

// mongoDB is the test's database as the driver sees it.
func (e *env) mongoDB() *mongo.Database { return e.db.(*mongo.Database) }

// count counts the documents of coll that match filter, from the database.
func (e *env) count(coll string, filter bson.M) int {
	e.t.Helper()
	n, err := e.mongoDB().Collection(coll).CountDocuments(context.Background(), filter)
	if err != nil {
		e.t.Fatal(err)
	}
	return int(n)
}

// interview takes a new introduction of the candidate, asked by the
// employer (tok) for its vacancy, to the interview step.
func (e *introEnv) interview(tok, vacancy string) string {
	e.t.Helper()
	st, in := e.do("POST", "/api/v1/introductions", tok, map[string]any{"candidate_id": e.cand, "vacancy_id": vacancy})
	if st != 201 {
		e.t.Fatalf("introduction: %d %v", st, in)
	}
	id := in["id"].(string)
	e.step(e.worker, id, "consent", map[string]any{"purpose": "Kennismaking"}, 200)
	e.step(tok, id, "interview", map[string]any{"at": time.Now().Add(72 * time.Hour).Format(time.RFC3339), "place": "Utrecht"}, 200)
	return id
}

// secondEmployer approves another employer with a vacancy of its own.
func (e *introEnv) secondEmployer(name string) (id, tok, vac string) {
	e.t.Helper()
	id, tok = e.employer(name)
	e.approve(id, e.c1, e.c2)
	st, v := e.do("POST", "/api/v1/employers/"+id+"/vacancies", tok, vacancy())
	if st != 201 {
		e.t.Fatalf("vacancy: %d %v", st, v)
	}
	return id, tok, v["id"].(string)
}

func placeBody() map[string]any {
	return map[string]any{"start_date": time.Now().AddDate(0, 0, 14).Format(time.DateOnly), "contract": "permanent", "hours_per_week": 32}
}

// TestInvariant_OneActivePlacement: a candidate at the interview step with
// two employers; 20 parallel place steps, alternating the two
// introductions, each by its own employer. One succeeds; the database holds
// one active placement of the candidate, and the other introduction is
// withdrawn. Before the claim, both answered 200 (4 runs of 4).
func TestInvariant_OneActivePlacement(t *testing.T) {
	e := newIntroEnv(t)
	_, tokB, vacB := e.secondEmployer("tweede")
	ids := []string{e.interview(e.empTok, e.vacancy), e.interview(tokB, vacB)}
	toks := []string{e.empTok, tokB}
	got := parallel(racers, func(i int) int {
		st, _ := e.do("POST", "/api/v1/introductions/"+ids[i%2]+"/place", toks[i%2], placeBody())
		return st
	})
	t.Logf("20 parallel place steps on two introductions: %v", got)
	if got[200] != 1 || got[409] != racers-1 {
		t.Fatalf("answers %v; want one 200 and 19 409", got)
	}
	if n := e.count("placements", bson.M{"candidate_id": e.cand, "state": "active"}); n != 1 {
		t.Fatalf("%d active placements of the candidate in the database; want 1", n)
	}
	if n := e.count("introductions", bson.M{"candidate_id": e.cand, "state": "placed"}); n != 1 {
		t.Fatalf("%d placed introductions of the candidate; want 1", n)
	}
	if n := e.count("placement_claims", bson.M{}); n != 1 {
		t.Fatalf("%d active-placement claims; want 1 (the losers released theirs)", n)
	}
}

// TestInvariant_OneActivePlacement_TwoInstances: the same race, the
// requests split over two instances of the platform on one database.
func TestInvariant_OneActivePlacement_TwoInstances(t *testing.T) {
	e := newIntroEnv(t)
	_, tokB, vacB := e.secondEmployer("tweede")
	ids := []string{e.interview(e.empTok, e.vacancy), e.interview(tokB, vacB)}
	toks := []string{e.empTok, tokB}
	other := newEnvOn(t, storetest.SecondInstance(t, e.mongoDB()))
	apps := []*env{e.env, other}
	got := parallel(racers, func(i int) int {
		st, _ := apps[(i/2)%2].do("POST", "/api/v1/introductions/"+ids[i%2]+"/place", toks[i%2], placeBody())
		return st
	})
	t.Logf("20 parallel place steps over two instances: %v", got)
	if got[200] != 1 {
		t.Fatalf("answers %v; want one 200", got)
	}
	if n := e.count("placements", bson.M{"candidate_id": e.cand, "state": "active"}); n != 1 {
		t.Fatalf("%d active placements of the candidate; want 1", n)
	}
}

// TestInvariant_OneOpenIntroduction: 20 parallel requests of an employer
// to meet the same candidate for the same vacancy (a double click, twenty
// times), split over two instances. One introduction is made; once it is
// withdrawn, a new one may open. Before the open key, all 20 answered 201
// and the worker's inbox held 20 introductions of one candidate.
func TestInvariant_OneOpenIntroduction(t *testing.T) {
	e := newIntroEnv(t)
	other := newEnvOn(t, storetest.SecondInstance(t, e.mongoDB()))
	apps := []*env{e.env, other}
	body := map[string]any{"candidate_id": e.cand, "vacancy_id": e.vacancy}
	var mu sync.Mutex
	var made string
	got := parallel(racers, func(i int) int {
		st, b := apps[i%2].do("POST", "/api/v1/introductions", e.empTok, body)
		if st == 201 {
			mu.Lock()
			made, _ = b["id"].(string)
			mu.Unlock()
		}
		return st
	})
	t.Logf("20 parallel introductions of one candidate for one vacancy: %v", got)
	if got[201] != 1 || got[409] != racers-1 {
		t.Fatalf("answers %v; want one 201 and 19 409", got)
	}
	if n := e.count("introductions", bson.M{"candidate_id": e.cand, "vacancy_id": e.vacancy}); n != 1 {
		t.Fatalf("%d introductions of the candidate for the vacancy in the database; want 1", n)
	}
	e.step(e.worker, made, "withdraw", map[string]any{"reason": "Past nu niet"}, 200)
	if st, b := e.do("POST", "/api/v1/introductions", e.empTok, body); st != 201 {
		t.Fatalf("a new introduction after the withdrawal: %d %v; want 201 (the key released)", st, b)
	}
}

// liveConsents counts the candidate's consents in force for employer at
// level, as the worker reads the record.
func (e *introEnv) liveConsents(employer string, level int) (n int, id string) {
	e.t.Helper()
	st, rec := e.do("GET", "/api/v1/candidates/"+e.cand, e.worker, nil)
	if st != 200 {
		e.t.Fatalf("candidate: %d %v", st, rec)
	}
	for _, k := range rec["consents"].([]any) {
		m := k.(map[string]any)
		if m["employer_id"] == employer && m["level"] == float64(level) && m["active"] == true {
			n, id = n+1, m["id"].(string)
		}
	}
	return n, id
}

// TestInvariant_ConsentOnlyWithItsStep: 20 parallel consent steps on one
// introduction at employer_interested (a double click, twenty times). One
// lands; the candidate holds one consent for the employer, and after the
// worker withdraws it the employer's card is back at level 0. Before, the
// 19 losers left 19 live consents behind and the card stayed at level 1.
func TestInvariant_ConsentOnlyWithItsStep(t *testing.T) {
	e := newIntroEnv(t)
	st, in := e.do("POST", "/api/v1/introductions", e.empTok, map[string]any{"candidate_id": e.cand, "vacancy_id": e.vacancy})
	if st != 201 {
		t.Fatalf("introduction: %d %v", st, in)
	}
	id := in["id"].(string)
	got := parallel(racers, func(int) int {
		st, _ := e.do("POST", "/api/v1/introductions/"+id+"/consent", e.worker, map[string]any{"purpose": "Kennismaking"})
		return st
	})
	t.Logf("20 parallel consent steps: %v", got)
	if got[200] != 1 || got[409] != racers-1 {
		t.Fatalf("answers %v; want one 200 and 19 409", got)
	}
	n, k := e.liveConsents(e.emp, 1)
	if n != 1 {
		t.Fatalf("%d consents in force for the employer; want 1", n)
	}
	if level, _ := e.cardLevel(); level != 1 {
		t.Fatalf("card level %d after the consent; want 1", level)
	}
	if st, b := e.do("DELETE", "/api/v1/candidates/"+e.cand+"/consents/"+k, e.worker, nil); st != 200 {
		t.Fatalf("withdraw: %d %v", st, b)
	}
	level, fields := e.cardLevel()
	if level != 0 || has(fields, "first_name") || has(fields, "work_history") {
		t.Fatalf("after the withdrawal the employer sees level %d: %v; want 0", level, fields)
	}
}

// TestInvariant_OneConsentInForce: 20 parallel recordings of the same
// consent (candidate, employer, level): one 201, the others 409, one
// consent in force.
func TestInvariant_OneConsentInForce(t *testing.T) {
	e := newIntroEnv(t)
	got := parallel(racers, func(int) int {
		st, _ := e.do("POST", "/api/v1/candidates/"+e.cand+"/consents", e.worker, consentBody(e.emp))
		return st
	})
	t.Logf("20 parallel consents: %v", got)
	if got[201] != 1 || got[409] != racers-1 {
		t.Fatalf("answers %v; want one 201 and 19 409", got)
	}
	if n, _ := e.liveConsents(e.emp, 1); n != 1 {
		t.Fatalf("%d consents in force; want 1", n)
	}
}

// TestInvariant_SecondConsentAfterWithdrawal: a withdrawn consent does not
// block a new one, and an introduction's consent step does not add a
// second consent where the worker recorded one already.
func TestInvariant_SecondConsentAfterWithdrawal(t *testing.T) {
	e := newIntroEnv(t)
	st, b := e.do("POST", "/api/v1/candidates/"+e.cand+"/consents", e.worker, consentBody(e.emp))
	if st != 201 {
		t.Fatalf("consent: %d %v", st, b)
	}
	st, in := e.do("POST", "/api/v1/introductions", e.empTok, map[string]any{"candidate_id": e.cand, "vacancy_id": e.vacancy})
	if st != 201 {
		t.Fatalf("introduction: %d %v", st, in)
	}
	e.step(e.worker, in["id"].(string), "consent", map[string]any{"purpose": "Kennismaking"}, 200)
	if n, _ := e.liveConsents(e.emp, 1); n != 1 {
		t.Fatalf("%d consents in force after the step; want 1", n)
	}
	e.do("DELETE", "/api/v1/candidates/"+e.cand+"/consents/"+b["id"].(string), e.worker, nil)
	if level, _ := e.cardLevel(); level != 0 {
		t.Fatalf("level %d after the only consent was withdrawn", level)
	}
	if st, b := e.do("POST", "/api/v1/candidates/"+e.cand+"/consents", e.worker, consentBody(e.emp)); st != 201 {
		t.Fatalf("a new consent after the withdrawal: %d %v", st, b)
	}
}

// place takes candidate cand through an introduction for the vacancy to a
// placement and returns the placement's id.
func (e *introEnv) place(cand string) string {
	e.t.Helper()
	st, in := e.do("POST", "/api/v1/introductions", e.worker, map[string]any{"candidate_id": cand, "vacancy_id": e.vacancy})
	if st != 201 {
		e.t.Fatalf("introduction: %d %v", st, in)
	}
	id := in["id"].(string)
	e.step(e.empTok, id, "interested", nil, 200)
	e.step(e.worker, id, "consent", map[string]any{"purpose": "Kennismaking"}, 200)
	e.step(e.empTok, id, "interview", map[string]any{"at": time.Now().Add(48 * time.Hour).Format(time.RFC3339), "place": "Utrecht"}, 200)
	b := e.step(e.empTok, id, "place", placeBody(), 200)
	return b["placement_id"].(string)
}

// TestInvariant_BudgetNotExceeded: a scheme whose budget covers the
// payouts of one placement; 20 parallel attachments, alternating two
// placements. One is attached; the scheme reserves no more than its budget.
func TestInvariant_BudgetNotExceeded(t *testing.T) {
	e := newIntroEnv(t)
	other := e.candidate("Utrecht", 25, []string{"orderpicken"}, nil)
	pids := []string{e.place(e.cand), e.place(other)}
	st, sc := e.do("POST", "/api/v1/schemes", e.c1, map[string]any{"name": "Krap", "kind": "monthly", "amount_cents": 300_00, "months": 3, "budget_cents": 1000_00})
	if st != 201 {
		t.Fatalf("scheme: %d %v", st, sc)
	}
	scheme := sc["id"].(string)
	got := parallel(racers, func(i int) int {
		st, _ := e.do("POST", "/api/v1/placements/"+pids[i%2]+"/schemes", e.c1, map[string]any{"scheme_id": scheme})
		return st
	})
	t.Logf("20 parallel attachments to a budget for one: %v", got)
	if got[201] != 1 || got[409] != racers-1 {
		t.Fatalf("answers %v; want one 201 and 19 409", got)
	}
	_, v := e.do("GET", "/api/v1/schemes/"+scheme, e.c1, nil)
	if v["committed_cents"] != float64(900_00) || v["remaining_cents"] != float64(100_00) {
		t.Fatalf("scheme after the race: %v", v)
	}
	if n := e.count("payouts", bson.M{"scheme_id": scheme}); n != 3 {
		t.Fatalf("%d payouts of the scheme; want the 3 of one placement", n)
	}
}

// TestInvariant_CoverNotExceeded: a guarantee of €50 with twenty claims of
// €10 filed; 20 parallel approvals by two coordinators: five are approved,
// the rest 409, and no more than the cover is approved.
func TestInvariant_CoverNotExceeded(t *testing.T) {
	e := newIntroEnv(t)
	pid := e.place(e.cand)
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 14)
	e.clock.Set(start.AddDate(0, 1, 0).Add(12 * time.Hour))
	g := map[string]any{"kind": "fidelity", "cover_cents": 50_00, "start_date": start.Format(time.DateOnly), "end_date": start.AddDate(0, 6, 0).Format(time.DateOnly)}
	if st, b := e.do("POST", "/api/v1/placements/"+pid+"/guarantees", e.c1, g); st != 201 {
		t.Fatalf("guarantee: %d %v", st, b)
	}
	claims := "/api/v1/placements/" + pid + "/guarantees/1/claims"
	loss := start.AddDate(0, 0, 10).Format(time.DateOnly)
	for i := 0; i < racers; i++ {
		if st, b := e.do("POST", claims, e.empTok, map[string]any{"amount_cents": 10_00, "loss_date": loss, "description": fmt.Sprintf("Schade %d", i+1)}); st != 201 {
			t.Fatalf("claim %d: %d %v", i+1, st, b)
		}
	}
	coords := []string{e.c1, e.c2}
	got := parallel(racers, func(i int) int {
		st, _ := e.do("POST", fmt.Sprintf("%s/%d/approve", claims, i+1), coords[i%2], nil)
		return st
	})
	t.Logf("20 parallel approvals of €10 claims against €50 cover: %v", got)
	if got[200] != 5 || got[409] != racers-5 {
		t.Fatalf("answers %v; want five 200 and fifteen 409", got)
	}
	_, r := e.do("GET", "/api/v1/reports/placements", e.c1, nil)
	c := r["claims"].([]any)[0].(map[string]any)
	if c["approved_cents"] != float64(50_00) {
		t.Fatalf("approved against the cover: %v", c)
	}
}

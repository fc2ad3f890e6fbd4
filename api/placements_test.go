package api_test

import (
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/herstart/herstart/users"
)

// introEnv: an approved employer with a vacancy, a worker with an
// available candidate who fits it.
type introEnv struct {
	*searchEnv
	vacancy, cand string
}

func newIntroEnv(t *testing.T) *introEnv {
	s := newSearchEnv(t)
	st, v := s.do("POST", "/api/v1/employers/"+s.emp+"/vacancies", s.empTok, vacancy())
	if st != 201 {
		t.Fatalf("vacancy: %d %v", st, v)
	}
	cand := s.candidate("Utrecht", 25, []string{"orderpicken", "heftruck rijden"}, func(m map[string]any) {
		m["restrictions"] = map[string]any{"curfew": map[string]any{"from": "23:00", "to": "05:00"}}
	})
	return &introEnv{searchEnv: s, vacancy: v["id"].(string), cand: cand}
}

func (e *introEnv) step(tok, id, action string, body any, want int) map[string]any {
	e.t.Helper()
	st, b := e.do("POST", "/api/v1/introductions/"+id+"/"+action, tok, body)
	if st != want {
		e.t.Fatalf("%s %s = %d %v; want %d", action, id, st, b, want)
	}
	return b
}

// cardLevel reads the candidate as the employer and returns the level and
// the fields the response holds.
func (e *introEnv) cardLevel() (int, []string) {
	e.t.Helper()
	st, b := e.do("GET", "/api/v1/cards/"+e.cand, e.empTok, nil)
	if st != 200 {
		e.t.Fatalf("card: %d %v", st, b)
	}
	var keys []string
	for k := range b["candidate"].(map[string]any) {
		keys = append(keys, k)
	}
	return int(b["level"].(float64)), keys
}

// TestIntroduction_Walkthrough takes one candidate from a search card to a
// placement, printing at each level the fields the employer's response
// holds; then withdraws the consents and shows the drop on the very next
// request.
func TestIntroduction_Walkthrough(t *testing.T) {
	e := newIntroEnv(t)
	level, fields := e.cardLevel()
	t.Logf("search card, level %d: %v", level, fields)
	if level != 0 {
		t.Fatalf("before any introduction: level %d", level)
	}
	// The employer asks to meet the candidate it found.
	st, in := e.do("POST", "/api/v1/introductions", e.empTok, map[string]any{"candidate_id": e.cand, "vacancy_id": e.vacancy})
	if st != 201 || in["state"] != "employer_interested" {
		t.Fatalf("employer's request: %d %v", st, in)
	}
	id := in["id"].(string)
	raw, _ := json.Marshal(in)
	for _, leak := range []string{"Sem", "de Vries", "sem@example.nl", "Dorpsstraat", "curfew"} {
		if strings.Contains(string(raw), leak) {
			t.Fatalf("the introduction shows %q: %s", leak, raw)
		}
	}
	// The worker's inbox has the request; the worker records consent.
	_, box := e.do("GET", "/api/v1/inbox", e.worker, nil)
	if box["unread"] != float64(1) {
		t.Fatalf("worker's inbox = %v; want the request", box)
	}
	e.step(e.empTok, id, "consent", nil, 403) // not the employer's step
	b := e.step(e.worker, id, "consent", map[string]any{"purpose": "Kennismaking magazijn"}, 200)
	if b["state"] != "candidate_consented" {
		t.Fatalf("after consent: %v", b)
	}
	level, fields = e.cardLevel()
	t.Logf("candidate_consented, level %d: %v", level, fields)
	if level != 1 || !has(fields, "first_name") || has(fields, "last_name") || has(fields, "email") || has(fields, "probation_contact") {
		t.Fatalf("level-1 view: %d %v", level, fields)
	}
	e.step(e.worker, id, "consent", map[string]any{}, 409) // a replay changes nothing
	at := time.Now().Add(72 * time.Hour).Format(time.RFC3339)
	e.step(e.empTok, id, "interview", map[string]any{"at": at, "place": "Nieuwegein, Industrieweg 4"}, 200)
	e.step(e.empTok, id, "place", map[string]any{"start_date": time.Now().AddDate(0, 0, -1).Format(time.DateOnly), "contract": "permanent", "hours_per_week": 32}, 422)
	b = e.step(e.empTok, id, "place", map[string]any{"start_date": time.Now().AddDate(0, 0, 14).Format(time.DateOnly), "contract": "permanent", "hours_per_week": 32}, 200)
	if b["state"] != "placed" || b["placement_id"] == nil {
		t.Fatalf("after place: %v", b)
	}
	pid := b["placement_id"].(string)
	level, _ = e.cardLevel()
	if level != 1 {
		t.Fatalf("placed without a level-2 consent: level %d; want 1", level)
	}
	exp := time.Now().AddDate(0, 6, 0).Format(time.DateOnly)
	st, k2 := e.do("POST", "/api/v1/candidates/"+e.cand+"/consents", e.worker, map[string]any{"employer_id": e.emp, "level": 2, "purpose": "plaatsing", "expires_at": exp})
	if st != 201 {
		t.Fatalf("level-2 consent: %d %v", st, k2)
	}
	level, fields = e.cardLevel()
	t.Logf("placed with a level-2 consent, level %d: %v", level, fields)
	if level != 2 || !has(fields, "last_name") || !has(fields, "email") || !has(fields, "probation_contact") || has(fields, "address") || has(fields, "birth_date") {
		t.Fatalf("level-2 view: %d %v", level, fields)
	}
	// The worker withdraws the consents: the very next request drops.
	e.do("DELETE", "/api/v1/candidates/"+e.cand+"/consents/"+k2["id"].(string), e.worker, nil)
	if level, _ = e.cardLevel(); level != 1 {
		t.Fatalf("after withdrawing the level-2 consent: level %d; want 1", level)
	}
	_, intro := e.do("GET", "/api/v1/introductions/"+id, e.worker, nil)
	_, rec := e.do("GET", "/api/v1/candidates/"+e.cand, e.worker, nil)
	var k1 string
	for _, k := range rec["consents"].([]any) {
		if m := k.(map[string]any); m["level"] == float64(1) && m["active"] == true {
			k1 = m["id"].(string)
		}
	}
	e.do("DELETE", "/api/v1/candidates/"+e.cand+"/consents/"+k1, e.worker, nil)
	if st, b := e.do("GET", "/api/v1/cards/"+e.cand, e.empTok, nil); st != 404 {
		// placed: no longer searchable, and no consent left
		t.Fatalf("after withdrawing every consent: %d %v; want 404 (placed candidates leave search)", st, b)
	}
	if rec["status"] != "placed" || intro["state"] != "placed" {
		t.Fatalf("candidate %v, introduction %v", rec["status"], intro["state"])
	}
	// Who may see and change the placement.
	mentor, mentorTok := e.user(users.Mentor, "mentor@example.nl")
	_, otherWorker := e.user(users.ProbationWorker, "w2@example.nl")
	_, otherEmp := e.employer("ander")
	for _, tc := range []struct {
		who                 string
		tok                 string
		get, mentorSet, end int
	}{
		{"other worker", otherWorker, 404, 404, 404},
		{"other employer", otherEmp, 404, 404, 404},
		{"unassigned mentor", mentorTok, 404, 404, 404},
		{"coordinator", e.c1, 200, 422, 403}, // may assign (the body names no mentor), not end
		{"anonymous", "", 401, 401, 401},
	} {
		if st, _ := e.do("GET", "/api/v1/placements/"+pid, tc.tok, nil); st != tc.get {
			t.Fatalf("%s GET placement = %d; want %d", tc.who, st, tc.get)
		}
		if st, _ := e.do("POST", "/api/v1/placements/"+pid+"/mentor", tc.tok, map[string]any{"mentor_id": "u_nosuchuser0001"}); st != tc.mentorSet {
			t.Fatalf("%s setting the mentor = %d; want %d", tc.who, st, tc.mentorSet)
		}
		if st, _ := e.do("POST", "/api/v1/placements/"+pid+"/end", tc.tok, map[string]any{"reason": "moved"}); st != tc.end {
			t.Fatalf("%s ending the placement = %d; want %d", tc.who, st, tc.end)
		}
	}
	// The placement: a mentor must be a mentor user.
	if st, b := e.do("POST", "/api/v1/placements/"+pid+"/mentor", e.worker, map[string]any{"mentor_id": e.emp}); st != 422 || fieldsOf(b)["mentor_id"] == nil {
		t.Fatalf("a non-mentor as mentor: %d %v", st, b)
	}
	if st, b := e.do("POST", "/api/v1/placements/"+pid+"/mentor", e.worker, map[string]any{"mentor_id": string(mentor.ID)}); st != 200 || b["mentor_id"] != string(mentor.ID) {
		t.Fatalf("assign mentor: %d %v", st, b)
	}
	if _, l := e.do("GET", "/api/v1/placements", mentorTok, nil); l["total"] != float64(1) {
		t.Fatalf("mentor's placements = %v", l)
	}
	if st, b := e.do("POST", "/api/v1/placements/"+pid+"/end", e.empTok, map[string]any{"reason": "resigned"}); st != 200 || b["state"] != "ended" {
		t.Fatalf("end: %d %v", st, b)
	}
	if _, rec := e.do("GET", "/api/v1/candidates/"+e.cand, e.worker, nil); rec["status"] != "available" {
		t.Fatalf("after the placement ended the candidate is %v; want available", rec["status"])
	}
	e.do("POST", "/api/v1/placements/"+pid+"/end", e.empTok, map[string]any{"reason": "resigned"})
	if st, _ := e.do("POST", "/api/v1/placements/"+pid+"/end", e.empTok, map[string]any{"reason": "resigned"}); st != 409 {
		t.Fatalf("ending twice = %d; want 409", st)
	}
	// The candidate's disclosure log, as the worker hands it over.
	resp := e.raw("GET", "/api/v1/candidates/"+e.cand+"/disclosures?format=csv", e.worker, nil)
	csv, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"introduction_employer_interested", "introduction_candidate_consented", "introduction_placed", "consent_granted", "consent_withdrawn", ",disclosed,", ",2,card first_name work_history curfew last_name email phone probation_contact,"} {
		if !strings.Contains(string(csv), want) {
			t.Fatalf("disclosure log lacks %q:\n%s", want, csv)
		}
	}
	t.Logf("the candidate's disclosure log (CSV):\n%s", csv)
}

// TestIntroduction_Rules: a probation worker's proposal that breaks a hard
// rule is 409 naming it; an employer's is 409 without a reason; a second
// open introduction for the same vacancy is 409; a step out of turn is
// 409 listing the allowed ones; placing one introduction withdraws the
// candidate's others.
func TestIntroduction_Rules(t *testing.T) {
	e := newIntroEnv(t)
	night := e.candidate("Utrecht", 25, []string{"orderpicken"}, func(m map[string]any) {
		m["restrictions"] = map[string]any{"curfew": map[string]any{"from": "22:00", "to": "07:00"}}
	})
	st, b := e.do("POST", "/api/v1/introductions", e.worker, map[string]any{"candidate_id": night, "vacancy_id": e.vacancy})
	if st != 409 || fieldsOf(b)["curfew"] == nil {
		t.Fatalf("worker proposing against the curfew = %d %v; want 409 naming curfew", st, b)
	}
	st, b = e.do("POST", "/api/v1/introductions", e.empTok, map[string]any{"candidate_id": night, "vacancy_id": e.vacancy})
	if st != 409 || len(fieldsOf(b)) != 0 || strings.Contains(strings.ToLower(b["error"].(map[string]any)["message"].(string)), "curfew") {
		t.Fatalf("employer asking against the curfew = %d %v; want 409 saying no reason", st, b)
	}
	st, p := e.do("POST", "/api/v1/introductions", e.worker, map[string]any{"candidate_id": e.cand, "vacancy_id": e.vacancy})
	if st != 201 || p["state"] != "proposed" {
		t.Fatalf("proposal: %d %v", st, p)
	}
	if st, _ := e.do("POST", "/api/v1/introductions", e.worker, map[string]any{"candidate_id": e.cand, "vacancy_id": e.vacancy}); st != 409 {
		t.Fatalf("a second open introduction = %d; want 409", st)
	}
	id := p["id"].(string)
	b = e.step(e.empTok, id, "place", map[string]any{}, 409)
	if f := fieldsOf(b)["action"]; f == nil || !strings.Contains(f.(string), "interested") {
		t.Fatalf("a step out of turn: %v; want the allowed ones listed", b)
	}
	e.step(e.empTok, id, "nonsense", nil, 422)
	e.step(e.empTok, id, "interested", nil, 200)
	e.step(e.empTok, id, "interested", nil, 409)
	// A second vacancy and introduction; placing the first withdraws it.
	_, v2 := e.do("POST", "/api/v1/employers/"+e.emp+"/vacancies", e.empTok, vacancy())
	_, p2 := e.do("POST", "/api/v1/introductions", e.worker, map[string]any{"candidate_id": e.cand, "vacancy_id": v2["id"]})
	e.step(e.worker, id, "consent", nil, 200)
	e.step(e.worker, id, "interview", map[string]any{"at": time.Now().Add(48 * time.Hour).Format(time.RFC3339), "place": "kantoor"}, 200)
	e.step(e.empTok, id, "place", map[string]any{"start_date": time.Now().AddDate(0, 1, 0).Format(time.DateOnly), "contract": "fixed_term", "hours_per_week": 32}, 422) // end_date missing
	e.step(e.empTok, id, "place", map[string]any{"start_date": time.Now().AddDate(0, 1, 0).Format(time.DateOnly), "end_date": time.Now().AddDate(0, 7, 0).Format(time.DateOnly), "contract": "fixed_term", "hours_per_week": 32}, 200)
	if _, o := e.do("GET", "/api/v1/introductions/"+p2["id"].(string), e.worker, nil); o["state"] != "withdrawn" || o["reason"] == nil {
		t.Fatalf("the other introduction after placing: %v; want withdrawn with a reason", o)
	}
	if st, b := e.do("POST", "/api/v1/introductions", e.worker, map[string]any{"candidate_id": e.cand, "vacancy_id": v2["id"]}); st != 409 {
		t.Fatalf("introducing a placed candidate = %d %v; want 409", st, b)
	}
}

// TestIntroduction_WhoMay: every introduction and placement route × role
// × own or another's record: the status, and no body with candidate data.
func TestIntroduction_WhoMay(t *testing.T) {
	e := newIntroEnv(t)
	_, in := e.do("POST", "/api/v1/introductions", e.worker, map[string]any{"candidate_id": e.cand, "vacancy_id": e.vacancy})
	id := in["id"].(string)
	_, otherWorker := e.user(users.ProbationWorker, "w2@example.nl")
	other, otherEmp := e.employer("ander")
	e.approve(other, e.c1, e.c2)
	susp, suspTok := e.employer("geschorst")
	e.approve(susp, e.c1, e.c2)
	e.do("POST", "/api/v1/employers/"+susp+"/vetting/suspend", e.c1, map[string]any{"reason": "onderzoek"})
	_, mentor := e.user(users.Mentor, "m@example.nl")
	for _, tc := range []struct {
		who    string
		tok    string
		get    int // GET /introductions/{id}
		list   int
		step   int // POST …/interested
		create int
	}{
		{"own worker", e.worker, 200, 200, 403, 409},
		{"other worker", otherWorker, 404, 200, 404, 404},
		{"own employer", e.empTok, 200, 200, 200, 409},
		{"other employer", otherEmp, 404, 200, 404, 404},
		{"suspended employer", suspTok, 404, 200, 404, 403},
		{"mentor", mentor, 403, 403, 403, 403},
		{"coordinator", e.c1, 403, 403, 403, 403},
		{"anonymous", "", 401, 401, 401, 401},
	} {
		st, b := e.do("GET", "/api/v1/introductions/"+id, tc.tok, nil)
		raw, _ := json.Marshal(b)
		if st != tc.get || strings.Contains(string(raw), "de Vries") || strings.Contains(string(raw), "Sem") {
			t.Fatalf("%s GET introduction = %d %s; want %d and no candidate data", tc.who, st, raw, tc.get)
		}
		if st, _ := e.do("GET", "/api/v1/introductions", tc.tok, nil); st != tc.list {
			t.Fatalf("%s list = %d; want %d", tc.who, st, tc.list)
		}
		if tc.who != "own employer" { // the own employer's step is taken last
			if st, _ := e.do("POST", "/api/v1/introductions/"+id+"/interested", tc.tok, nil); st != tc.step {
				t.Fatalf("%s interested = %d; want %d", tc.who, st, tc.step)
			}
		}
		if st, _ := e.do("POST", "/api/v1/introductions", tc.tok, map[string]any{"candidate_id": e.cand, "vacancy_id": e.vacancy}); st != tc.create {
			t.Fatalf("%s create = %d; want %d", tc.who, st, tc.create)
		}
	}
	// The other routes of this issue, every role.
	for _, tc := range []struct {
		who                           string
		tok                           string
		disclosures, inbox, placeList int
	}{
		{"own worker", e.worker, 200, 200, 200},
		{"other worker", otherWorker, 404, 200, 200},
		{"own employer", e.empTok, 403, 200, 200},
		{"other employer", otherEmp, 403, 200, 200},
		{"suspended employer", suspTok, 403, 200, 200},
		{"mentor", mentor, 403, 200, 200},
		{"coordinator", e.c1, 403, 200, 200}, // every placement, by id (they assign mentors, decide claims)
		{"anonymous", "", 401, 401, 401},
	} {
		for path, want := range map[string]int{"/api/v1/candidates/" + e.cand + "/disclosures": tc.disclosures, "/api/v1/inbox": tc.inbox, "/api/v1/placements": tc.placeList} {
			st, b := e.do("GET", path, tc.tok, nil)
			raw, _ := json.Marshal(b)
			if st != want {
				t.Fatalf("%s GET %s = %d; want %d", tc.who, path, st, want)
			}
			if tc.who != "own worker" && (strings.Contains(string(raw), "de Vries") || strings.Contains(string(raw), "Sem")) {
				t.Fatalf("%s GET %s shows candidate data: %s", tc.who, path, raw)
			}
			if path == "/api/v1/inbox" && st == 200 && tc.who != "own worker" && tc.who != "own employer" && b["unread"] != float64(0) {
				t.Fatalf("%s's inbox holds someone else's messages: %s", tc.who, raw)
			}
		}
	}
	e.step(e.empTok, id, "interested", nil, 200)
	if _, l := e.do("GET", "/api/v1/introductions", otherEmp, nil); l["total"] != float64(0) {
		t.Fatalf("another employer's list shows %v", l)
	}
	if st, _ := e.do("GET", "/api/v1/placements/p_nosuchplacement", e.worker, nil); st != 404 {
		t.Fatalf("unknown placement = %d", st)
	}
	for _, bad := range []map[string]any{{"candidate_id": "x", "vacancy_id": e.vacancy}, {"candidate_id": e.cand}, {"candidate_id": e.cand, "vacancy_id": "v_nosuchvacancy1"}} {
		if st, _ := e.do("POST", "/api/v1/introductions", e.worker, bad); st != 422 && st != 404 {
			t.Fatalf("bad create %v = %d; want 422 or 404", bad, st)
		}
	}
}

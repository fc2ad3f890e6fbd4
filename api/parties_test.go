package api_test

import (
	"strings"
	"testing"
)

// TestParties_WhoKnowsWhom checks docs/disclosure.md's table: each party
// of a placement learns of the others what the purpose needs, and a
// mentor's read of the candidate is in the candidate's disclosure log.
func TestParties_WhoKnowsWhom(t *testing.T) {
	e := newPlacedEnv(t)
	path := "/api/v1/placements/" + e.pid + "/parties"
	get := func(who, tok string) map[string]any {
		t.Helper()
		st, b := e.do("GET", path, tok, nil)
		if st != 200 {
			t.Fatalf("%s reading the parties = %d %v", who, st, b)
		}
		return b
	}
	field := func(b map[string]any, party, key string) string {
		m, _ := b[party].(map[string]any)
		s, _ := m[key].(string)
		return s
	}

	m := get("the mentor", e.mentorTok)
	if field(m, "candidate", "name") != "Sem" || field(m, "candidate", "phone") != "+31 6 12345678" {
		t.Fatalf("the mentor of an active placement sees the candidate as %v; want the first name and phone", m["candidate"])
	}
	if strings.Contains(field(m, "candidate", "name"), "de Vries") || field(m, "candidate", "email") != "" {
		t.Fatalf("the mentor sees more than the first name and phone: %v", m["candidate"])
	}
	if field(m, "workplace", "employer") == "" || field(m, "workplace", "vacancy") == "" {
		t.Fatalf("the mentor sees no workplace: %v", m["workplace"])
	}
	if wp := m["workplace"].(map[string]any); wp["contact"] == nil {
		t.Fatalf("the mentor sees no contact person at the workplace: %v", wp)
	}
	if field(m, "worker", "email") == "" {
		t.Fatalf("the mentor cannot reach the probation worker: %v", m)
	}

	_, other := e.user("mentor", "m-other@example.nl")
	if st, _ := e.do("GET", path, other, nil); st != 404 {
		t.Fatalf("another mentor reading the parties = %d; want 404", st)
	}
	if st, _ := e.do("GET", path, "", nil); st != 401 {
		t.Fatalf("anonymous reading the parties = %d; want 401", st)
	}

	c := get("a coordinator", e.c1)
	if cand, _ := c["candidate"].(map[string]any); len(cand) != 0 {
		t.Fatalf("a coordinator sees the candidate: %v", cand)
	}
	if field(c, "mentor", "email") != "mentor@example.nl" {
		t.Fatalf("a coordinator does not see the mentor: %v", c["mentor"])
	}
	emp := get("the employer", e.empTok)
	if emp["worker"] != nil {
		t.Fatalf("the employer sees the probation worker: %v", emp["worker"])
	}
	if field(emp, "mentor", "email") != "mentor@example.nl" {
		t.Fatalf("the employer cannot reach the mentor: %v", emp["mentor"])
	}
	w := get("the worker", e.worker)
	if !strings.HasPrefix(field(w, "candidate", "name"), "Sem") {
		t.Fatalf("the worker sees their candidate as %v", w["candidate"])
	}

	st, log := e.do("GET", "/api/v1/candidates/"+e.cand+"/disclosures", e.worker, nil)
	if st != 200 {
		t.Fatalf("disclosure log: %d %v", st, log)
	}
	found := false
	for _, it := range log["items"].([]any) {
		d := it.(map[string]any)
		if d["by"] == e.mentor && d["purpose"] == "mentoring" && strings.Contains(d["fields"].(string), "phone") {
			found = true
		}
	}
	if !found {
		t.Fatalf("the mentor's read is not in the candidate's disclosure log: %v", log["items"])
	}

	st, list := e.do("GET", "/api/v1/placements", e.mentorTok, nil)
	if st != 200 {
		t.Fatalf("mentor's placements: %d %v", st, list)
	}
	items := list["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["candidate"] != "Sem" || items[0].(map[string]any)["employer"] == "" {
		t.Fatalf("the mentor's list names = %v", items)
	}

	if st, b := e.do("POST", "/api/v1/placements/"+e.pid+"/end", e.worker, map[string]any{"reason": "resigned"}); st != 200 {
		t.Fatalf("end: %d %v", st, b)
	}
	if m := get("the mentor after the end", e.mentorTok); field(m, "candidate", "phone") != "" || field(m, "candidate", "name") != "Sem" {
		t.Fatalf("after the placement ended the mentor sees %v; want the first name only", m["candidate"])
	}
}

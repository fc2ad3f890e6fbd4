package api_test

import (
	"testing"

	"github.com/herstart/herstart/users"
)

// TestSubjectAccess_Export: the candidate's worker exports everything
// held about them (art. 15) — the record, the introduction with its
// steps, the placement with its check-in, its parties, the disclosure log
// — and no one else can.
func TestSubjectAccess_Export(t *testing.T) {
	e := newPlacedEnv(t)
	e.on(e.start.AddDate(0, 0, 7))
	if st, b := e.do("POST", "/api/v1/placements/"+e.pid+"/checkins", e.mentorTok, checkin(e.start.AddDate(0, 0, 7), 4)); st != 201 && st != 200 {
		t.Fatalf("check-in: %d %v", st, b)
	}
	path := "/api/v1/candidates/" + e.cand + "/export"
	st, x := e.do("GET", path, e.worker, nil)
	if st != 200 {
		t.Fatalf("export: %d %v", st, x)
	}
	cand := x["candidate"].(map[string]any)
	if id := cand["identity"].(map[string]any); id["last_name"] != "de Vries" || id["phone"] == "" {
		t.Fatalf("the export's identity: %v", id)
	}
	if n := len(x["introductions"].([]any)); n != 1 {
		t.Fatalf("%d introductions; want 1", n)
	}
	pls := x["placements"].([]any)
	if len(pls) != 1 {
		t.Fatalf("%d placements; want 1", len(pls))
	}
	if cs, _ := pls[0].(map[string]any)["checkins"].([]any); len(cs) != 1 {
		t.Fatalf("the placement's check-ins in the export: %v", pls[0])
	}
	if ps := x["parties"].(map[string]any)[e.pid].(map[string]any); ps["mentor"] == nil {
		t.Fatalf("the export does not name the mentor: %v", ps)
	}
	if d := x["disclosures"].([]any); len(d) < 3 {
		t.Fatalf("the export's disclosure log holds %d entries", len(d))
	}
	for who, tok := range map[string]string{"the employer": e.empTok, "the mentor": e.mentorTok, "a coordinator": e.c1} {
		if st, _ := e.do("GET", path, tok, nil); st != 403 {
			t.Fatalf("%s exporting = %d; want 403", who, st)
		}
	}
	_, other := e.user(users.ProbationWorker, "w-other@example.nl")
	if st, _ := e.do("GET", path, other, nil); st != 404 {
		t.Fatalf("another worker exporting = %d; want 404", st)
	}
}

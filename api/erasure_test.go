package api_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/bson/primitive"

	"github.com/herstart/herstart/users"
)

// TestErasure_OnRequest: a candidate with a past placement, a check-in
// with a mentor's note, consents and employer reads is erased by their
// worker (art. 17): identity and profile gone, the card gone from the
// index and from its files, the mentor's note blanked; the placement and
// the audit log kept pseudonymised, the disclosure log as counts, the
// exceptions named; afterwards nobody finds the candidate, the placement
// still opens for the mentor and the coordinator, and the audit chain
// holds. A placed candidate is 409 first; others may not erase.
func TestErasure_OnRequest(t *testing.T) {
	envIndexDir = t.TempDir()
	t.Cleanup(func() { envIndexDir = "" })
	e := newPlacedEnv(t)
	ctx := t.Context()
	path := "/api/v1/candidates/" + e.cand
	e.on(e.start.AddDate(0, 0, 7))
	note := checkin(e.start.AddDate(0, 0, 7), 4)
	note["concerns"] = "Zorgen over zijn broer Kees die bij de poort wacht."
	if st, b := e.do("POST", "/api/v1/placements/"+e.pid+"/checkins", e.mentorTok, note); st != 201 && st != 200 {
		t.Fatalf("check-in: %d %v", st, b)
	}
	if st, b := e.do("DELETE", path, e.worker, nil); st != 409 {
		t.Fatalf("erasing a placed candidate = %d %v; want 409 (end the placement first)", st, b)
	}
	if st, b := e.do("POST", "/api/v1/placements/"+e.pid+"/end", e.worker, map[string]any{"reason": "moved"}); st != 200 {
		t.Fatalf("end: %d %v", st, b)
	}
	// Available again, so back in the index: its files hold the card.
	if st, b := e.do("POST", path+"/confirm-availability", e.worker, nil); st != 200 {
		t.Fatalf("confirm: %d %v", st, b)
	}
	if st, b := e.do("GET", "/api/v1/cards/"+e.cand, e.empTok, nil); st != 200 {
		t.Fatalf("the employer's read of the card: %d %v", st, b)
	}
	if !indexFilesHold(t, e.cand) {
		t.Fatal("control: the index files do not hold the candidate before the erasure, so their absence after would show nothing")
	}
	for who, tok := range map[string]string{"the employer": e.empTok, "the mentor": e.mentorTok, "a coordinator": e.c1} {
		if st, _ := e.do("DELETE", path, tok, nil); st != 403 {
			t.Fatalf("%s erasing = %d; want 403", who, st)
		}
	}
	_, other := e.user(users.ProbationWorker, "w-erase-other@example.nl")
	if st, _ := e.do("DELETE", path, other, nil); st != 404 {
		t.Fatalf("another worker erasing = %d; want 404", st)
	}

	st, er := e.do("DELETE", path, e.worker, nil)
	if st != 200 {
		t.Fatalf("erase: %d %v", st, er)
	}
	t.Logf("erasure record: %v", er)
	if er["reason"] != "request" || len(er["disclosures"].(map[string]any)) == 0 || er["consents"].(float64) < 1 {
		t.Fatalf("the erasure record: %v", er)
	}
	kept := ""
	for _, k := range er["kept"].([]any) {
		kept += k.(map[string]any)["what"].(string) + " / " + k.(map[string]any)["basis"].(string) + "\n"
	}
	for _, want := range []string{"placement", "introduction", "audit log", "17(3)"} {
		if !strings.Contains(kept, want) {
			t.Fatalf("the exceptions do not name %q:\n%s", want, kept)
		}
	}

	// Gone, for everyone.
	for _, p := range []string{path, path + "/export", path + "/disclosures"} {
		if st, _ := e.do("GET", p, e.worker, nil); st != 404 {
			t.Fatalf("GET %s after the erasure = %d; want 404", p, st)
		}
	}
	if st, _ := e.do("GET", "/api/v1/cards/"+e.cand, e.empTok, nil); st != 404 {
		t.Fatalf("the employer's card after the erasure = %d; want 404", st)
	}
	if st, _ := e.do("DELETE", path, e.worker, nil); st != 404 {
		t.Fatalf("a second erasure = %d; want 404", st)
	}
	if _, list := e.do("GET", "/api/v1/candidates", e.worker, nil); strings.Contains(jsonOf(list), e.cand) {
		t.Fatal("the caseload still lists the erased candidate")
	}
	// The placement is kept, pseudonymised, and still opens.
	for who, tok := range map[string]string{"the mentor": e.mentorTok, "a coordinator": e.c1} {
		st, pl := e.do("GET", "/api/v1/placements/"+e.pid, tok, nil)
		if st != 200 {
			t.Fatalf("%s opening the kept placement = %d %v", who, st, pl)
		}
		if strings.Contains(jsonOf(pl), "Kees") {
			t.Fatalf("%s still reads the mentor's note about the candidate: %v", who, pl)
		}
	}
	if st, ps := e.do("GET", "/api/v1/placements/"+e.pid+"/parties", e.mentorTok, nil); st != 200 || strings.Contains(jsonOf(ps), "06") {
		t.Fatalf("the parties after the erasure: %d %v", st, ps)
	}
	// In the database: no identity, a tombstone without profile.
	if n, _ := e.coll("candidate_identities").CountDocuments(ctx, bson.M{"_id": e.cand}); n != 0 {
		t.Fatal("the identity is still stored")
	}
	var doc bson.M
	if err := e.coll("candidates").FindOne(ctx, bson.M{"_id": e.cand}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"skills", "motivation", "home_place", "birth_date", "consents", "work_history"} {
		if v, ok := doc[f]; ok && !empty(v) {
			t.Fatalf("the tombstone still holds %s: %v", f, v)
		}
	}
	if doc["status"] != "erased" {
		t.Fatalf("tombstone: %v", doc)
	}
	all, _ := e.coll("placements").Find(ctx, bson.M{"candidate_id": e.cand})
	var pls []bson.M
	_ = all.All(ctx, &pls)
	if len(pls) != 1 || strings.Contains(jsonOf(pls[0]), "Kees") {
		t.Fatalf("the kept placement: %d, %v", len(pls), pls)
	}
	// Gone from the index files too, after the purge.
	if indexFilesHold(t, e.cand) {
		t.Fatal("the index files still hold the erased candidate")
	}
	// The audit chain holds, with the erasure in it.
	rep, err := e.audit.Verify(ctx)
	if err != nil || !rep.OK() {
		t.Fatalf("audit verify after the erasure: %+v %v", rep, err)
	}
	evs, _ := e.audit.BySubject(ctx, "candidate:"+e.cand, 0, 10)
	if len(evs) == 0 || evs[0].Action != "candidate.erase" {
		t.Fatalf("the newest event about the candidate is not the erasure: %+v", evs)
	}
}

// indexFilesHold reports whether a file of the env's index holds s.
func indexFilesHold(t *testing.T, s string) bool {
	t.Helper()
	found := false
	_ = filepath.WalkDir(envIndexDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, err := os.ReadFile(path); err == nil && bytes.Contains(b, []byte(s)) {
				found = true
			}
		}
		return nil
	})
	return found
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bson.A:
		return len(x) == 0
	case bson.M:
		for _, f := range x {
			if !empty(f) {
				return false
			}
		}
		return true
	case int32:
		return x == 0
	case int64:
		return x == 0
	case float64:
		return x == 0
	case primitive.DateTime:
		return x.Time().Year() <= 1 // the zero time holds nothing
	}
	return false
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestErasure_Retention: the retention job erases a candidate who exited
// longer ago than the period, and no one else: not one exited since, not
// one still looking.
func TestErasure_Retention(t *testing.T) {
	e := newSearchEnv(t)
	ctx := t.Context()
	gone := e.candidate("Utrecht", 25, []string{"orderpicken"}, nil)
	looking := e.candidate("Utrecht", 25, []string{"orderpicken"}, nil)
	if st, b := e.do("PATCH", "/api/v1/candidates/"+gone, e.worker, map[string]any{"status": "exited"}); st != 200 {
		t.Fatalf("exit: %d %v", st, b)
	}
	if n, err := e.candidates.EraseExpired(ctx, time.Hour); err != nil || n != 0 {
		t.Fatalf("within the period: %d erased, %v; want 0", n, err)
	}
	if st, _ := e.do("GET", "/api/v1/candidates/"+gone, e.worker, nil); st != 200 {
		t.Fatalf("the exited candidate within the period = %d; want 200", st)
	}
	time.Sleep(5 * time.Millisecond)
	if n, err := e.candidates.EraseExpired(ctx, time.Millisecond); err != nil || n != 1 {
		t.Fatalf("after the period: %d erased, %v; want 1", n, err)
	}
	if st, _ := e.do("GET", "/api/v1/candidates/"+gone, e.worker, nil); st != 404 {
		t.Fatalf("the exited candidate after the period = %d; want 404", st)
	}
	if st, _ := e.do("GET", "/api/v1/candidates/"+looking, e.worker, nil); st != 200 {
		t.Fatalf("the candidate still looking = %d; want 200", st)
	}
	var doc bson.M
	if err := e.coll("candidates").FindOne(ctx, bson.M{"_id": gone}).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if er, _ := doc["erasure"].(bson.M); doc["status"] != "erased" || er["reason"] != "retention" || er["by"] != "system" {
		t.Fatalf("the tombstone: %v", doc)
	}
	if n, err := e.candidates.EraseExpired(ctx, time.Millisecond); err != nil || n != 0 {
		t.Fatalf("a second run: %d erased, %v; want 0", n, err)
	}
}

// TestErasure_Parallel: 20 erasures of one candidate sent at once (a
// double click, two tabs, a retry) erase it once: one 200 with the
// erasure record, the others 404 or 409, one erasure event in the audit
// log, and the candidate gone from the caseload and the search.
func TestErasure_Parallel(t *testing.T) {
	e := newSearchEnv(t)
	id := e.candidate("Utrecht", 25, []string{"orderpicken"}, nil)
	path := "/api/v1/candidates/" + id
	got := parallel(20, func(int) int {
		req := httptest.NewRequest("DELETE", path, nil)
		req.Header.Set("Authorization", "Bearer "+e.worker)
		resp, err := e.app.Test(req, 30_000)
		if err != nil {
			return 0
		}
		defer resp.Body.Close()
		return resp.StatusCode
	})
	t.Logf("20 parallel erasures of one candidate: %v", got)
	if got[200] != 1 || got[200]+got[404]+got[409] != 20 {
		t.Fatalf("20 parallel erasures: %v; want one 200 and the rest 404 or 409", got)
	}
	events, err := e.audit.BySubject(t.Context(), "candidate:"+id, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range events {
		if ev.Action == "candidate.erase" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d erasure events in the audit log; want 1", n)
	}
	if _, list := e.do("GET", "/api/v1/candidates", e.worker, nil); strings.Contains(jsonOf(list), id) {
		t.Fatal("the caseload still lists the erased candidate")
	}
	if _, b := e.do("GET", "/api/v1/search/candidates?q=orderpicken", e.empTok, nil); strings.Contains(jsonOf(b), id) {
		t.Fatal("the search still finds the erased candidate")
	}
}

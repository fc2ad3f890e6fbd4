package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/herstart/herstart/users"
)

// TestIdempotencyKey: 20 parallel registrations of one candidate with the
// same Idempotency-Key (a retry storm, a double click) make one candidate:
// every answer is the first's (201, the same id), the repeats say so in
// Idempotent-Replayed. The key is the sender's own (another worker's same
// key is another request), the same key with another body is 422 naming
// the header, and without a key each request creates.
func TestIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	_, worker := e.user(users.ProbationWorker, "w@example.nl")
	_, other := e.user(users.ProbationWorker, "w2@example.nl")
	var mu sync.Mutex
	ids := map[string]int{}
	replayed := 0
	got := parallel(racers, func(int) int {
		resp := e.raw("POST", "/api/v1/candidates", worker, validCandidate(), "Idempotency-Key", "registratie-sem-1")
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var body map[string]any
		_ = json.Unmarshal(b, &body)
		mu.Lock()
		defer mu.Unlock()
		if id, ok := body["id"].(string); ok {
			ids[id]++
		}
		if resp.Header.Get("Idempotent-Replayed") == "true" {
			replayed++
		}
		return resp.StatusCode
	})
	t.Logf("20 parallel registrations with one key: %v, ids %v, %d replayed", got, ids, replayed)
	if got[201] != racers || len(ids) != 1 || replayed != racers-1 {
		t.Fatalf("answers %v, ids %v, %d replayed; want twenty 201 with one id, 19 replayed", got, ids, replayed)
	}
	if _, l := e.do("GET", "/api/v1/candidates", worker, nil); l["total"] != float64(1) {
		t.Fatalf("caseload after the storm: %v; want one candidate", l["total"])
	}
	// Another worker's same key is their own request.
	if st, b := e.do("POST", "/api/v1/candidates", other, validCandidate(), "Idempotency-Key", "registratie-sem-1"); st != 201 {
		t.Fatalf("another worker's same key: %d %v", st, b)
	}
	// The same key for another body.
	changed := validCandidate()
	changed["hours_per_week"] = 20
	if st, b := e.do("POST", "/api/v1/candidates", worker, changed, "Idempotency-Key", "registratie-sem-1"); st != 422 || fieldsOf(b)["Idempotency-Key"] == nil {
		t.Fatalf("the key for another request: %d %v; want 422 naming Idempotency-Key", st, b)
	}
	// A refused first request gives its key up: the corrected one creates.
	bad := validCandidate()
	bad["hours_per_week"] = 200
	if st, _ := e.do("POST", "/api/v1/candidates", worker, bad, "Idempotency-Key", "registratie-2"); st != 422 {
		t.Fatalf("an invalid registration: %d", st)
	}
	if st, b := e.do("POST", "/api/v1/candidates", worker, bad, "Idempotency-Key", "registratie-2"); st != 422 {
		t.Fatalf("the invalid registration again: %d %v; want 422 again (nothing kept)", st, b)
	}
	// Without a key, each request creates.
	for i := 0; i < 2; i++ {
		if st, _ := e.do("POST", "/api/v1/candidates", worker, validCandidate()); st != 201 {
			t.Fatal(st)
		}
	}
	if _, l := e.do("GET", "/api/v1/candidates", worker, nil); l["total"] != float64(3) {
		t.Fatalf("caseload: %v; want 3", l["total"])
	}
	if st, b := e.do("POST", "/api/v1/candidates", worker, validCandidate(), "Idempotency-Key", string(make([]byte, 200))); st != 422 {
		t.Fatalf("an overlong key: %d %v", st, b)
	}
	// An anonymous caller's key is not used: nobody to scope it to, so no
	// one replays another's answer (the second registration of a KvK number
	// is refused as ever).
	for i, want := range []int{201, 409} {
		resp := e.raw("POST", "/api/v1/employers", "", registration("87654321", fmt.Sprintf("anoniem%d@example.nl", i)), "Idempotency-Key", "aanmelding")
		resp.Body.Close()
		if resp.StatusCode != want || resp.Header.Get("Idempotent-Replayed") != "" {
			t.Fatalf("anonymous registration %d with a key: %d (replayed %q); want %d, not replayed", i+1, resp.StatusCode, resp.Header.Get("Idempotent-Replayed"), want)
		}
	}
}

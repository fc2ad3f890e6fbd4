package api_test

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/users"
)

// TestDisclosure walks one candidate from card to level 2 as the employer
// sees it, printing the fields at each level, then withdraws the consents
// and shows the drop on the very next request; then the disclosure log,
// as JSON and CSV. The introduction's part of the level is stubbed here
// (introductions come next): the consent's part is real.
func TestDisclosure(t *testing.T) {
	s := newSearchEnv(t)
	intro := 0
	s.candidates.IntroductionLevel = func(context.Context, candidates.ID, string) (int, error) { return intro, nil }
	id := s.candidate("Utrecht", 25, []string{"heftruck rijden"}, nil)
	exp := time.Now().AddDate(0, 2, 0).Format(time.DateOnly)
	consent := func(level int) string {
		t.Helper()
		st, b := s.do("POST", "/api/v1/candidates/"+id+"/consents", s.worker, map[string]any{"employer_id": s.emp, "level": level, "purpose": "kennismaking", "expires_at": exp})
		if st != 201 {
			t.Fatalf("consent %d: %d %v", level, st, b)
		}
		return b["id"].(string)
	}
	view := func(wantLevel int, want, never []string) {
		t.Helper()
		st, b := s.do("GET", "/api/v1/cards/"+id, s.empTok, nil)
		if st != 200 || b["level"] != float64(wantLevel) {
			t.Fatalf("card at level %d: %d %v", wantLevel, st, b)
		}
		c := b["candidate"].(map[string]any)
		var keys []string
		for k := range c {
			keys = append(keys, k)
		}
		t.Logf("level %d: the employer's response holds %v", wantLevel, keys)
		for _, k := range want {
			if _, ok := c[k]; !ok {
				t.Fatalf("level %d lacks %s: %v", wantLevel, k, c)
			}
		}
		raw, _ := json.Marshal(b)
		for _, k := range never {
			if _, ok := c[k]; ok || strings.Contains(string(raw), `"`+k+`"`) {
				t.Fatalf("level %d shows %s: %s", wantLevel, k, raw)
			}
		}
	}
	identity := []string{"first_name", "last_name", "birth_date", "email", "phone", "address", "postcode", "work_history", "curfew", "restrictions", "consents"}
	view(0, []string{"id", "skills", "age_band"}, identity)
	k1 := consent(1)
	view(0, nil, identity) // consent alone, no introduction yet: still the card
	intro = 1
	view(1, []string{"first_name", "work_history"}, []string{"last_name", "email", "phone", "address", "birth_date"})
	k2 := consent(2)
	view(1, nil, []string{"last_name", "email", "phone"}) // a level-2 consent, the introduction at 1
	intro = 2
	view(2, []string{"first_name", "last_name", "email", "phone"}, []string{"address", "birth_date", "postcode", "restrictions"})
	s.do("DELETE", "/api/v1/candidates/"+id+"/consents/"+k2, s.worker, nil)
	view(1, nil, []string{"last_name", "email", "phone"})
	s.do("DELETE", "/api/v1/candidates/"+id+"/consents/"+k1, s.worker, nil)
	view(0, nil, identity)

	t.Run("WhoMayRead", func(t *testing.T) {
		_, other := s.user(users.ProbationWorker, "w2@example.nl")
		_, mentor := s.user(users.Mentor, "m@example.nl")
		for name, tc := range map[string]struct {
			tok  string
			want int
		}{"worker": {s.worker, 403}, "coordinator": {s.c1, 403}, "mentor": {mentor, 403}, "other worker": {other, 403}, "anonymous": {"", 401}} {
			if st, _ := s.do("GET", "/api/v1/cards/"+id, tc.tok, nil); st != tc.want {
				t.Fatalf("%s reading a card = %d; want %d", name, st, tc.want)
			}
		}
		if st, _ := s.do("GET", "/api/v1/cards/c_nosuchcandidate1", s.empTok, nil); st != 404 {
			t.Fatalf("unknown card = %d; want 404", st)
		}
		if st, _ := s.do("GET", "/api/v1/candidates/"+id+"/disclosures", other, nil); st != 404 {
			t.Fatalf("another worker's disclosure log = %d; want 404", st)
		}
		if st, _ := s.do("GET", "/api/v1/candidates/"+id+"/disclosures", s.empTok, nil); st != 403 {
			t.Fatalf("an employer reading the disclosure log = %d; want 403", st)
		}
		if st, b := s.do("GET", "/api/v1/candidates/"+id+"/disclosures?format=xml", s.worker, nil); st != 400 || fieldsOf(b)["format"] == nil {
			t.Fatalf("format=xml = %d %v; want 400 naming format", st, b)
		}
	})

	t.Run("Log", func(t *testing.T) {
		st, b := s.do("GET", "/api/v1/candidates/"+id+"/disclosures", s.worker, nil)
		items, _ := b["items"].([]any)
		if st != 200 {
			t.Fatalf("log: %d %v", st, b)
		}
		var levels []string
		consents := 0
		for _, it := range items {
			m := it.(map[string]any)
			switch m["what"] {
			case "disclosed":
				levels = append(levels, m["level"].(string))
			case "consent_granted", "consent_withdrawn":
				consents++
			}
		}
		if strings.Join(levels, "") != "0121100" || consents != 4 {
			t.Fatalf("log levels (newest first) %v and %d consent changes; want 0121100 and 4", levels, consents)
		}
		resp := s.raw("GET", "/api/v1/candidates/"+id+"/disclosures?format=csv", s.worker, nil)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		lines := strings.Split(strings.TrimSpace(string(body)), "\n")
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || lines[0] != "time,what,employer_id,partner_id,level,fields,purpose,by,role" || len(lines) != 1+len(items) {
			t.Fatalf("CSV: %s\n%s", resp.Header.Get("Content-Type"), body)
		}
		t.Logf("disclosure log as CSV:\n%s", body)
	})

	t.Run("HiddenAndSuspended", func(t *testing.T) {
		if st, b := s.do("POST", "/api/v1/candidates/"+id+"/conflicts", s.worker, map[string]any{"employer_id": s.emp, "reason": "netwerk"}); st != 201 {
			t.Fatalf("conflict: %d %v", st, b)
		}
		if st, _ := s.do("GET", "/api/v1/cards/"+id, s.empTok, nil); st != 404 {
			t.Fatalf("the conflicted employer reading the card = %d; want 404", st)
		}
		s.do("POST", "/api/v1/employers/"+s.emp+"/vetting/suspend", s.c1, map[string]any{"reason": "onderzoek"})
		if st, _ := s.do("GET", "/api/v1/cards/"+id, s.empTok, nil); st != 403 {
			t.Fatalf("a suspended employer reading a card = %d; want 403", st)
		}
	})
}

package api_test

// Tests for the holes an outside attack run found (issue 8): each failed
// on the commit before the fix.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/herstart/herstart/users"
	"github.com/herstart/herstart/web"
)

// TestSearch_HiddenCandidateIsNotCounted: a candidate whose conflict list
// names the searching employer (by id, or by KvK number), or who excludes
// the employer's every sector, is in no total and no facet — narrowing
// filters must not rebuild the hidden profile.
func TestSearch_HiddenCandidateIsNotCounted(t *testing.T) {
	s := newSearchEnv(t) // the employer is in construction and logistics
	rare := func(mut func(m map[string]any)) string {
		return s.candidate("Utrecht", 25, []string{"orderpicken"}, func(m map[string]any) {
			m["certificates"] = []string{"spray_licence"}
			if mut != nil {
				mut(m)
			}
		})
	}
	byID := rare(nil)
	if st, b := s.do("POST", "/api/v1/candidates/"+byID+"/conflicts", s.worker, map[string]any{"employer_id": s.emp, "reason": "netwerk"}); st != 201 {
		t.Fatalf("conflict: %d %v", st, b)
	}
	_, emp := s.do("GET", "/api/v1/employers/"+s.emp, s.c1, nil)
	byKvK := rare(nil)
	if st, b := s.do("POST", "/api/v1/candidates/"+byKvK+"/conflicts", s.worker, map[string]any{"kvk": emp["kvk"], "reason": "netwerk"}); st != 201 {
		t.Fatalf("conflict by kvk: %d %v", st, b)
	}
	rare(func(m map[string]any) {
		m["restrictions"] = map[string]any{"excluded_sectors": []string{"construction", "logistics"}}
	})

	check := func(tok, who string, want int) {
		t.Helper()
		st, b := s.do("GET", "/api/v1/search/candidates?certificates=spray_licence&per_page=50", tok, nil)
		if st != 200 {
			t.Fatalf("%s search: %d %v", who, st, b)
		}
		raw, _ := json.Marshal(b)
		if int(b["total"].(float64)) != want || len(b["items"].([]any)) != want {
			t.Fatalf("%s: total %v, %d items; want %d: %s", who, b["total"], len(b["items"].([]any)), want, raw)
		}
		for _, f := range []string{"certificates", "province", "skills", "hours"} {
			for _, v := range b["facets"].(map[string]any)[f].([]any) {
				if n := int(v.(map[string]any)["count"].(float64)); n > want {
					t.Fatalf("%s: facet %s counts %d; at most %d may be seen: %s", who, f, n, want, raw)
				}
			}
		}
	}
	check(s.empTok, "the conflicted employer", 0)
	other, otherTok := s.employer("ander")
	s.approve(other, s.c1, s.c2)
	check(otherTok, "another employer in the same sectors", 2) // the sector exclusion hides the third from it as well
}

// TestLogin_ProxyHeader: with a proxy header configured, a request that
// lacks it, or forges addresses to its left, is still counted (against the
// peer, or the right-most address no trusted proxy added).
func TestLogin_ProxyHeader(t *testing.T) {
	proxies, err := web.ParseProxies("X-Forwarded-For", "0.0.0.0/32") // the test connection's peer
	if err != nil {
		t.Fatal(err)
	}
	for name, header := range map[string]func(i int) string{
		"missing":   func(int) string { return "" },
		"malformed": func(i int) string { return fmt.Sprintf("not-an-ip-%d", i) },
		"forged":    func(i int) string { return fmt.Sprintf("10.1.%d.%d, 203.0.113.7", i/250, i%250) },
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, func(c *web.Config) { c.Proxies = proxies })
			last := 0
			for i := 0; i < 30; i++ {
				var hdr []string
				if h := header(i); h != "" {
					hdr = []string{"X-Forwarded-For", h}
				}
				last, _ = e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": fmt.Sprintf("u%d@example.nl", i), "password": "whatever123456"}, hdr...)
			}
			if last != 429 {
				t.Fatalf("30th login with the header %s = %d; want 429", name, last)
			}
		})
	}
	// A header with no trusted proxy is never believed: forged addresses
	// count against the peer.
	untrusted, err := web.ParseProxies("X-Forwarded-For", "")
	if err != nil || !untrusted.Ignored() {
		t.Fatalf("header without trusted proxies: %+v, %v", untrusted, err)
	}
	e := newEnv(t, func(c *web.Config) { c.Proxies = untrusted })
	last := 0
	for i := 0; i < 30; i++ {
		last, _ = e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": fmt.Sprintf("v%d@example.nl", i), "password": "whatever123456"}, "X-Forwarded-For", fmt.Sprintf("10.9.%d.1", i))
	}
	if last != 429 {
		t.Fatalf("30th login with forged addresses and no trusted proxy = %d; want 429", last)
	}
}

// TestRegister_DoesNotTellWhoHasAnAccount: registering with an existing
// account's address answers exactly as registering with a new one.
func TestRegister_DoesNotTellWhoHasAnAccount(t *testing.T) {
	e := newEnv(t)
	e.user(users.ProbationWorker, "bestaand@example.nl")
	shape := func(b map[string]any) string {
		keys := func(m map[string]any) string {
			var ks []string
			for k := range m {
				ks = append(ks, k)
			}
			return fmt.Sprint(len(ks))
		}
		return keys(b) + keys(b["employer"].(map[string]any)) + keys(b["user"].(map[string]any)) + fmt.Sprint(b["employer"].(map[string]any)["status"])
	}
	st1, taken := e.do("POST", "/api/v1/employers", "", registration("90000001", "bestaand@example.nl"))
	st2, fresh := e.do("POST", "/api/v1/employers", "", registration("90000002", "nieuw@example.nl"))
	if st1 != 201 || st2 != 201 || shape(taken) != shape(fresh) {
		t.Fatalf("taken address: %d %v; new address: %d %v; want the same answer", st1, taken, st2, fresh)
	}
	if strings.Contains(fmt.Sprint(taken), "exists") {
		t.Fatalf("the answer says the address exists: %v", taken)
	}
}

// TestInput_ControlCharactersAndNullBodies: a NUL in a user's name is 422;
// a JSON null (or a list) where an object belongs is 400 and changes
// nothing.
func TestInput_ControlCharactersAndNullBodies(t *testing.T) {
	e := newEnv(t)
	_, coord := e.user(users.Coordinator, "c@example.nl")
	st, b := e.do("POST", "/api/v1/users", coord, map[string]any{"email": "m@example.nl", "name": "Mentor\x00Naam", "password": "a long mentor password", "role": "mentor"})
	if st != 422 || fieldsOf(b)["name"] == nil {
		t.Fatalf("NUL in a name = %d %v; want 422 naming name", st, b)
	}
	_, worker := e.user(users.ProbationWorker, "w@example.nl")
	_, c := e.do("POST", "/api/v1/candidates", worker, validCandidate())
	id := c["id"].(string)
	for _, body := range []string{"null", "[]", "42", `"x"`} {
		st, b := e.do("PATCH", "/api/v1/candidates/"+id, worker, body)
		if st != 400 || fieldsOf(b)["body"] == nil {
			t.Fatalf("PATCH with %s = %d %v; want 400 naming body", body, st, b)
		}
	}
	_, after := e.do("GET", "/api/v1/candidates/"+id, worker, nil)
	if after["version"] != c["version"] {
		t.Fatalf("version %v → %v after refused PATCHes", c["version"], after["version"])
	}
}

// TestHeadersAndConsentTargets: identity responses are not cached; the
// request id in the audit trail is ours, not the client's; a consent must
// name an approved employer.
func TestHeadersAndConsentTargets(t *testing.T) {
	e := newEnv(t)
	_, worker := e.user(users.ProbationWorker, "w@example.nl")
	_, c := e.do("POST", "/api/v1/candidates", worker, validCandidate())
	id := c["id"].(string)
	resp := e.raw("GET", "/api/v1/candidates/"+id, worker, nil, "X-Request-ID", "attacker-chosen-id")
	resp.Body.Close()
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("Cache-Control of an identity response = %q; want no-store", cc)
	}
	if rid := resp.Header.Get("X-Request-ID"); rid == "attacker-chosen-id" || rid == "" {
		t.Fatalf("X-Request-ID = %q; want one of ours", rid)
	}
	_, coord := e.user(users.Coordinator, "audit@example.nl")
	_, events := e.do("GET", "/api/v1/audit?subject=candidate:"+id, coord, nil)
	if strings.Contains(fmt.Sprint(events), "attacker-chosen-id") {
		t.Fatalf("the client's request id reached the audit log: %v", events)
	}

	pending, _ := e.employer("wachtend")
	active := e.activeEmployer()
	suspended, _ := e.employer("geschorst")
	_, c1 := e.user(users.Coordinator, "s1@example.nl")
	_, c2 := e.user(users.Coordinator, "s2@example.nl")
	e.approve(suspended, c1, c2)
	if st, b := e.do("POST", "/api/v1/employers/"+suspended+"/vetting/suspend", c1, map[string]any{"reason": "signaal"}); st != 200 {
		t.Fatalf("suspend: %d %v", st, b)
	}
	exp := time.Now().AddDate(0, 2, 0).Format(time.DateOnly)
	for name, emp := range map[string]string{"unknown": "e_doesnotexist", "pending": pending, "suspended": suspended} {
		st, b := e.do("POST", "/api/v1/candidates/"+id+"/consents", worker, map[string]any{"employer_id": emp, "level": 1, "purpose": "kennismaking", "expires_at": exp})
		if st != 422 || fieldsOf(b)["employer_id"] == nil {
			t.Fatalf("consent for a %s employer = %d %v; want 422 naming employer_id", name, st, b)
		}
	}
	if st, b := e.do("POST", "/api/v1/candidates/"+id+"/consents", worker, map[string]any{"employer_id": active, "level": 1, "purpose": "kennismaking", "expires_at": exp}); st != 201 {
		t.Fatalf("consent for an approved employer = %d %v", st, b)
	}
}

// TestMessages_DutchFirst: errors speak Dutch unless the browser prefers
// English, field problems included.
func TestMessages_DutchFirst(t *testing.T) {
	e := newEnv(t)
	_, worker := e.user(users.ProbationWorker, "w@example.nl")
	for lang, want := range map[string]string{"": "Kandidaat niet gevonden.", "nl-NL,nl;q=0.9": "Kandidaat niet gevonden.", "en-GB,en;q=0.9": "Candidate not found.", "de-DE": "Kandidaat niet gevonden."} {
		resp := e.raw("GET", "/api/v1/candidates/c_nosuchcandidate1", worker, nil, "Accept-Language", lang)
		var b map[string]map[string]any
		decodeJSON(t, resp, &b)
		if b["error"]["message"] != want {
			t.Fatalf("Accept-Language %q: %v; want %q", lang, b["error"]["message"], want)
		}
	}
	_, b := e.do("POST", "/api/v1/candidates", worker, map[string]any{"hours_per_week": 99})
	if f := fieldsOf(b); f["hours_per_week"] != "moet tussen 1 en 60 liggen" || f["identity.first_name"] != "is verplicht" {
		t.Fatalf("field problems in Dutch: %v", f)
	}
}

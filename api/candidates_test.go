package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/herstart/herstart/users"
)

// TestCandidateRoutes_Matrix calls every candidate route as every role, on
// the worker's own record and on another worker's, and checks the status.
func TestCandidateRoutes_Matrix(t *testing.T) {
	e := newEnv(t)
	_, owner := e.user(users.ProbationWorker, "owner@example.nl")
	_, other := e.user(users.ProbationWorker, "other@example.nl")
	_, coord := e.user(users.Coordinator, "coord@example.nl")
	_, employer := e.user(users.Employer, "boss@example.nl")
	_, mentor := e.user(users.Mentor, "mentor@example.nl")

	// One candidate per worker, each available with a consent to withdraw.
	mk := func(tok string) (id, consent string) {
		st, body := e.do("POST", "/api/v1/candidates", tok, validCandidate())
		if st != 201 {
			t.Fatalf("create: %d %v", st, body)
		}
		id = body["id"].(string)
		if st, b := e.do("PATCH", "/api/v1/candidates/"+id, tok, map[string]any{"status": "available"}); st != 200 {
			t.Fatalf("make available: %d %v", st, b)
		}
		st, body = e.do("POST", "/api/v1/candidates/"+id+"/consents", tok, consentBody(e.activeEmployer()))
		if st != 201 {
			t.Fatalf("consent: %d %v", st, body)
		}
		return id, body["id"].(string)
	}
	ownID, ownConsent := mk(owner)
	otherID, otherConsent := mk(other)

	type route struct {
		name, method, path string
		body               func() any
		ownStatus          int
	}
	routes := []route{
		{"Create", "POST", "/api/v1/candidates", func() any { return validCandidate() }, 201},
		{"List", "GET", "/api/v1/candidates", nil, 200},
		{"Get", "GET", "/api/v1/candidates/{id}", nil, 200},
		{"Update", "PATCH", "/api/v1/candidates/{id}", func() any { return map[string]any{"hours_per_week": 30} }, 200},
		{"Confirm", "POST", "/api/v1/candidates/{id}/confirm-availability", nil, 200},
		{"ConsentGrant", "POST", "/api/v1/candidates/{id}/consents", func() any { // level 2: level 1 is in force already
			b := consentBody(e.activeEmployer())
			b["level"] = 2
			return b
		}, 201},
		{"ConsentWithdraw", "DELETE", "/api/v1/candidates/{id}/consents/{cid}", nil, 200},
	}
	type actor struct {
		name  string
		token string
	}
	actors := []actor{{"Owner", owner}, {"OtherWorker", other}, {"Coordinator", coord}, {"Employer", employer}, {"Mentor", mentor}, {"Anonymous", ""}}

	for _, r := range routes {
		for _, a := range actors {
			t.Run(r.name+"/"+a.name, func(t *testing.T) {
				// Each call targets the owner's record; for the owner the
				// consent to withdraw is its own.
				cid := otherConsent
				if a.name == "Owner" && r.name == "ConsentWithdraw" {
					cid = ownConsent
				}
				path := strings.NewReplacer("{id}", ownID, "{cid}", cid).Replace(r.path)
				var body any
				if r.body != nil {
					body = r.body()
				}
				want := map[string]int{
					"Owner": r.ownStatus, "OtherWorker": 404, "Coordinator": 403, "Employer": 403, "Mentor": 403, "Anonymous": 401,
				}[a.name]
				if !strings.Contains(r.path, "{id}") && a.name == "OtherWorker" {
					want = r.ownStatus // create and list act on the caller's own caseload
				}
				st, resp := e.do(r.method, path, a.token, body)
				if st != want {
					t.Fatalf("%s %s as %s = %d %v; want %d", r.method, r.path, a.name, st, resp, want)
				}
				if st >= 400 {
					if _, ok := resp["error"]; !ok || len(resp) != 1 {
						t.Fatalf("error answer carries more than the error: %v", resp)
					}
				}
			})
		}
	}

	t.Run("ListShowsOnlyOwnCaseload", func(t *testing.T) {
		_, body := e.do("GET", "/api/v1/candidates", owner, nil)
		for _, it := range body["items"].([]any) {
			if it.(map[string]any)["id"] == otherID {
				t.Fatalf("owner's list holds another worker's candidate")
			}
		}
	})
}

func consentBody(employer string) map[string]any {
	return map[string]any{"employer_id": employer, "level": 1, "purpose": "Kennismaking voor vacature magazijn",
		"expires_at": time.Now().AddDate(0, 3, 0).Format(time.DateOnly)}
}

// TestCandidateCreate_BadInput sends malformed and invalid registrations and
// checks each gets a 4xx naming the field, and that nothing is written.
func TestCandidateCreate_BadInput(t *testing.T) {
	e := newEnv(t)
	_, tok := e.user(users.ProbationWorker, "w@example.nl")
	with := func(mut func(m map[string]any)) map[string]any {
		m := validCandidate()
		mut(m)
		return m
	}
	id := func(m map[string]any) map[string]any { return m["identity"].(map[string]any) }
	long := strings.Repeat("x", 1001)
	tests := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"MalformedJSON", `{"identity": {`, 400, "body"},
		{"NotAnObject", `[1,2]`, 400, "body"},
		{"TwoValues", `{} {}`, 400, "body"},
		{"EmptyBody", ``, 400, "body"},
		{"WrongTypeHours", with(func(m map[string]any) { m["hours_per_week"] = "veel" }), 400, "hours_per_week"},
		{"WrongTypeSkills", with(func(m map[string]any) { m["skills"] = "lassen" }), 400, "skills"},
		{"UnknownField", with(func(m map[string]any) { m["offence"] = "diefstal" }), 400, "offence"},
		{"UnknownNestedField", with(func(m map[string]any) { id(m)["bsn"] = "123456782" }), 400, "identity.bsn"},
		{"UnknownFieldInListItem", with(func(m map[string]any) {
			m["restrictions"].(map[string]any)["area_bans"] = []any{map[string]any{"place": "Utrecht", "radius_km": 5}, map[string]any{"place": "Zeist", "radius_km": 5, "reason": "victim lives here"}}
		}), 400, "restrictions.area_bans[1].reason"},
		{"OperatorInjection", with(func(m map[string]any) { id(m)["first_name"] = map[string]any{"$ne": ""} }), 400, "identity.first_name"},
		{"OperatorInjectionPlace", with(func(m map[string]any) { m["home_place"] = map[string]any{"$regex": ".*"} }), 400, "home_place"},
		{"MissingFirstName", with(func(m map[string]any) { delete(id(m), "first_name") }), 422, "identity.first_name"},
		{"MissingBirthDate", with(func(m map[string]any) { delete(id(m), "birth_date") }), 422, "identity.birth_date"},
		{"MissingHours", with(func(m map[string]any) { delete(m, "hours_per_week") }), 422, "hours_per_week"},
		{"MissingPlace", with(func(m map[string]any) { delete(m, "home_place") }), 422, "home_place"},
		{"HoursNegative", with(func(m map[string]any) { m["hours_per_week"] = -1 }), 422, "hours_per_week"},
		{"HoursTooMany", with(func(m map[string]any) { m["hours_per_week"] = 61 }), 422, "hours_per_week"},
		{"RadiusTooLarge", with(func(m map[string]any) { m["travel_radius_km"] = 301 }), 422, "travel_radius_km"},
		{"RadiusNegative", with(func(m map[string]any) { m["travel_radius_km"] = -5 }), 422, "travel_radius_km"},
		{"AvailableFarPast", with(func(m map[string]any) { m["available_from"] = "1990-01-01" }), 422, "available_from"},
		{"AvailableFarFuture", with(func(m map[string]any) { m["available_from"] = "2099-01-01" }), 422, "available_from"},
		{"BadDate", with(func(m map[string]any) { m["available_from"] = "01-02-2027" }), 422, "available_from"},
		{"BirthInFuture", with(func(m map[string]any) { id(m)["birth_date"] = "2090-01-01" }), 422, "identity.birth_date"},
		{"TooYoung", with(func(m map[string]any) { id(m)["birth_date"] = time.Now().AddDate(-12, 0, 0).Format(time.DateOnly) }), 422, "identity.birth_date"},
		{"BirthFarPast", with(func(m map[string]any) { id(m)["birth_date"] = "1850-01-01" }), 422, "identity.birth_date"},
		{"LongFirstName", with(func(m map[string]any) { id(m)["first_name"] = long }), 422, "identity.first_name"},
		{"LongMotivation", with(func(m map[string]any) { m["motivation"] = long }), 422, "motivation"},
		{"LongSkill", with(func(m map[string]any) { m["skills"] = []string{long} }), 422, "skills[0]"},
		{"TooManySkills", with(func(m map[string]any) { m["skills"] = make([]string, 51) }), 422, "skills"},
		{"ControlCharacter", with(func(m map[string]any) { id(m)["last_name"] = "Jan\u0000sen" }), 422, "identity.last_name"},
		{"BadEmail", with(func(m map[string]any) { id(m)["email"] = "geen-adres" }), 422, "identity.email"},
		{"BadPostcode", with(func(m map[string]any) { id(m)["postcode"] = "0123 AB" }), 422, "identity.postcode"},
		{"UnknownPlace", with(func(m map[string]any) { m["home_place"] = "Atlantis" }), 422, "home_place"},
		{"AmbiguousPlace", with(func(m map[string]any) { m["home_place"] = "Hengelo" }), 422, "home_place"},
		{"UnknownCertificate", with(func(m map[string]any) { m["certificates"] = []string{"vog"} }), 422, "certificates[0]"},
		{"UnknownSector", with(func(m map[string]any) {
			m["restrictions"].(map[string]any)["excluded_sectors"] = []string{"piracy"}
		}), 422, "restrictions.excluded_sectors[0]"},
		{"UnknownRiskArea", with(func(m map[string]any) {
			m["restrictions"].(map[string]any)["risk_area_conflicts"] = []string{"weapons"}
		}), 422, "restrictions.risk_area_conflicts[0]"},
		{"BanRadiusTooLarge", with(func(m map[string]any) {
			m["restrictions"].(map[string]any)["area_bans"] = []any{map[string]any{"place": "Utrecht", "radius_km": 500}}
		}), 422, "restrictions.area_bans[0].radius_km"},
		{"BanOutsideNL", with(func(m map[string]any) {
			m["restrictions"].(map[string]any)["area_bans"] = []any{map[string]any{"lat": 48.85, "lon": 2.35, "radius_km": 5}}
		}), 422, "restrictions.area_bans[0]"},
		{"BadCurfew", with(func(m map[string]any) {
			m["restrictions"].(map[string]any)["curfew"] = map[string]any{"from": "25:00", "to": "06:00"}
		}), 422, "restrictions.curfew.from"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, body := e.do("POST", "/api/v1/candidates", tok, tc.body)
			if st != tc.status {
				t.Fatalf("status = %d %v; want %d", st, body, tc.status)
			}
			if _, ok := fieldsOf(body)[tc.field]; !ok {
				t.Fatalf("fields = %v; want %q named", fieldsOf(body), tc.field)
			}
		})
	}
	t.Run("AllFieldErrorsAtOnce", func(t *testing.T) {
		st, body := e.do("POST", "/api/v1/candidates", tok, map[string]any{"hours_per_week": 99, "travel_radius_km": 999})
		f := fieldsOf(body)
		for _, k := range []string{"identity.first_name", "identity.last_name", "identity.birth_date", "hours_per_week", "travel_radius_km", "home_place", "available_from"} {
			if _, ok := f[k]; !ok || st != 422 {
				t.Fatalf("status %d, fields %v; want 422 naming %s", st, f, k)
			}
		}
	})
	t.Run("NothingWritten", func(t *testing.T) {
		_, body := e.do("GET", "/api/v1/candidates", tok, nil)
		if n := body["total"].(float64); n != 0 {
			t.Fatalf("caseload holds %v candidates after only bad requests; want 0", n)
		}
		for _, coll := range []string{"candidates", "candidate_identities"} {
			n, err := e.dbColl(coll)
			if err != nil || n != 0 {
				t.Fatalf("%s holds %d documents (%v); want 0", coll, n, err)
			}
		}
	})
}

func TestCandidate_Lifecycle(t *testing.T) {
	e := newEnv(t)
	_, tok := e.user(users.ProbationWorker, "w@example.nl")
	_, coord := e.user(users.Coordinator, "c@example.nl")
	st, created := e.do("POST", "/api/v1/candidates", tok, validCandidate())
	if st != 201 {
		t.Fatalf("create: %d %v", st, created)
	}
	id := created["id"].(string)
	if created["status"] != "registered" || created["searchable"] != false {
		t.Fatalf("new candidate: status %v searchable %v; want registered, false", created["status"], created["searchable"])
	}
	if hp := created["home_place"].(map[string]any); hp["province"] != "Utrecht" {
		t.Fatalf("home place = %v; want resolved with province Utrecht", hp)
	}

	t.Run("ConfirmNeedsAvailable", func(t *testing.T) {
		if st, b := e.do("POST", "/api/v1/candidates/"+id+"/confirm-availability", tok, nil); st != 409 {
			t.Fatalf("confirm while registered = %d %v; want 409", st, b)
		}
	})
	t.Run("MakeAvailable", func(t *testing.T) {
		st, b := e.do("PATCH", "/api/v1/candidates/"+id, tok, map[string]any{"status": "available"})
		if st != 200 || b["searchable"] != true || b["confirmed_at"] == nil {
			t.Fatalf("available: %d searchable=%v confirmed=%v", st, b["searchable"], b["confirmed_at"])
		}
	})
	t.Run("BadTransition", func(t *testing.T) {
		st, b := e.do("PATCH", "/api/v1/candidates/"+id, tok, map[string]any{"status": "placed"})
		if st != 422 || fieldsOf(b)["status"] == nil {
			t.Fatalf("available→placed = %d %v; want 422 naming status", st, b)
		}
	})
	t.Run("PartialUpdateKeepsTheRest", func(t *testing.T) {
		st, b := e.do("PATCH", "/api/v1/candidates/"+id, tok, map[string]any{"hours_per_week": 20})
		if st != 200 || b["hours_per_week"] != float64(20) {
			t.Fatalf("update: %d %v", st, b)
		}
		r := b["restrictions"].(map[string]any)
		bans := r["area_bans"].([]any)
		if len(bans) != 1 || bans[0].(map[string]any)["place"] != "Amsterdam" {
			t.Fatalf("area bans after unrelated update = %v; want the Amsterdam ban kept", bans)
		}
		if b["identity"].(map[string]any)["first_name"] != "Sem" {
			t.Fatalf("identity lost: %v", b["identity"])
		}
	})
	t.Run("StaleVersionConflicts", func(t *testing.T) {
		st, b := e.do("PATCH", "/api/v1/candidates/"+id, tok, map[string]any{"hours_per_week": 24}, "If-Match", `"1"`)
		if st != 409 {
			t.Fatalf("stale If-Match = %d %v; want 409", st, b)
		}
	})
	t.Run("InvalidUpdateWritesNothing", func(t *testing.T) {
		_, before := e.do("GET", "/api/v1/candidates/"+id, tok, nil)
		st, _ := e.do("PATCH", "/api/v1/candidates/"+id, tok, map[string]any{"hours_per_week": 20, "travel_radius_km": 900})
		_, after := e.do("GET", "/api/v1/candidates/"+id, tok, nil)
		if st != 422 || before["version"] != after["version"] || after["travel_radius_km"] != before["travel_radius_km"] {
			t.Fatalf("invalid update: %d, version %v→%v", st, before["version"], after["version"])
		}
	})
	t.Run("ConsentWithdrawTwice", func(t *testing.T) {
		_, k := e.do("POST", "/api/v1/candidates/"+id+"/consents", tok, consentBody(e.activeEmployer()))
		cid := k["id"].(string)
		st, b := e.do("DELETE", "/api/v1/candidates/"+id+"/consents/"+cid, tok, nil)
		if st != 200 || b["active"] != false || b["withdrawn_at"] == nil {
			t.Fatalf("withdraw: %d %v", st, b)
		}
		if st, _ := e.do("DELETE", "/api/v1/candidates/"+id+"/consents/"+cid, tok, nil); st != 409 {
			t.Fatalf("withdraw again = %d; want 409", st)
		}
		if st, _ := e.do("DELETE", "/api/v1/candidates/"+id+"/consents/k_nonexistent", tok, nil); st != 404 {
			t.Fatalf("withdraw unknown = %d; want 404", st)
		}
	})
	t.Run("ConsentBadInput", func(t *testing.T) {
		st, b := e.do("POST", "/api/v1/candidates/"+id+"/consents", tok, map[string]any{"employer_id": "", "level": 3, "purpose": "", "expires_at": "2099-01-01"})
		f := fieldsOf(b)
		for _, k := range []string{"employer_id", "level", "purpose", "expires_at"} {
			if _, ok := f[k]; !ok || st != 422 {
				t.Fatalf("status %d fields %v; want 422 naming %s", st, f, k)
			}
		}
	})
	t.Run("UnknownAndMalformedIDs", func(t *testing.T) {
		for _, p := range []string{"c_doesnotexist", "x", "c_%24ne", strings.Repeat("c", 300)} {
			if st, _ := e.do("GET", "/api/v1/candidates/"+p, tok, nil); st != 404 {
				t.Fatalf("GET %s = %d; want 404", p, st)
			}
		}
	})
	t.Run("IdentityReadsAreAudited", func(t *testing.T) {
		st, b := e.do("GET", "/api/v1/audit?subject=candidate:"+id, coord, nil)
		if st != 200 {
			t.Fatalf("audit: %d %v", st, b)
		}
		reads := 0
		for _, it := range b["items"].([]any) {
			if it.(map[string]any)["action"] == "candidate.identity_read" {
				reads++
			}
		}
		if reads < 2 {
			t.Fatalf("identity reads audited = %d; want at least 2", reads)
		}
	})
	t.Run("AuditNotForWorkers", func(t *testing.T) {
		if st, _ := e.do("GET", "/api/v1/audit?subject=candidate:"+id, tok, nil); st != 403 {
			t.Fatalf("worker reading audit = %d; want 403", st)
		}
		if st, _ := e.do("GET", "/api/v1/audit", coord, nil); st != 400 {
			t.Fatalf("audit without subject = %d; want 400", st)
		}
	})
	_ = fmt.Sprint
}

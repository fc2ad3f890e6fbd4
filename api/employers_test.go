package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/herstart/herstart/users"
)

var kvkSeq = 10000000

func registration(kvk, email string) map[string]any {
	return map[string]any{
		"name": "Bouwbedrijf De Nieuwe Start", "kvk": kvk, "sectors": []string{"construction", "logistics"},
		"locations": []any{map[string]any{"address": "Industrieweg 4", "place": "Utrecht"}},
		"contact":   map[string]any{"name": "Ans de Groot", "email": email, "phone": "+31 30 1234567"},
		"password":  "a long employer password", "code_of_conduct_accepted": true,
	}
}

// employer registers an organisation and returns its id and its admin's token.
func (e *env) employer(name string) (string, string) {
	e.t.Helper()
	kvkSeq++
	email := name + "@werkgever.example.nl"
	st, b := e.do("POST", "/api/v1/employers", "", registration(fmt.Sprint(kvkSeq), email))
	if st != 201 {
		e.t.Fatalf("register %s: %d %v", name, st, b)
	}
	id := b["employer"].(map[string]any)["id"].(string)
	_, login := e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": email, "password": "a long employer password"})
	return id, login["token"].(string)
}

var fullChecklist = map[string]any{"kvk_checked": true, "site_visit_or_call": true, "references": true, "integrity_questions": true, "code_of_conduct_signed": true}

// approve takes an employer through vetting with two coordinators.
func (e *env) approve(id, c1, c2 string) {
	e.t.Helper()
	e.do("PATCH", "/api/v1/employers/"+id+"/vetting/checklist", c1, fullChecklist)
	for _, c := range []string{c1, c2} {
		if st, b := e.do("POST", "/api/v1/employers/"+id+"/vetting/approve", c, nil); st != 200 {
			e.t.Fatalf("approve: %d %v", st, b)
		}
	}
}

func vacancy() map[string]any {
	return map[string]any{
		"title": "Magazijnmedewerker", "description": "Orderpicken in ploegendienst.",
		"required_skills": []string{"orderpicken"}, "nice_to_have_skills": []string{"heftruck rijden"},
		"place": "Nieuwegein", "hours_per_week": 32, "sector": "logistics",
		"shifts":     []any{map[string]any{"from": "06:00", "to": "14:30"}},
		"start_date": time.Now().AddDate(0, 0, 14).Format(time.DateOnly), "risk_areas": []string{"goods"}, "vog_required": false,
	}
}

func TestEmployerRegistration(t *testing.T) {
	e := newEnv(t)
	_, coord := e.user(users.Coordinator, "c@example.nl")
	id, admin := e.employer("ans")
	t.Run("PendingAccountSeesOnlyItsState", func(t *testing.T) {
		st, b := e.do("GET", "/api/v1/employers/"+id, admin, nil)
		if st != 200 || b["status"] != "pending" || b["vetting"] != nil {
			t.Fatalf("own employer = %d %v; want pending without vetting details", st, b)
		}
		if st, b := e.do("POST", "/api/v1/employers/"+id+"/vacancies", admin, vacancy()); st != 403 {
			t.Fatalf("vacancy while pending = %d %v; want 403", st, b)
		}
		if st, _ := e.do("POST", "/api/v1/employers/"+id+"/users", admin, map[string]any{"email": "x@werkgever.example.nl", "password": "a long colleague password"}); st != 403 {
			t.Fatalf("add colleague while pending = %d; want 403", st)
		}
	})
	tests := []struct {
		name   string
		mut    func(m map[string]any)
		status int
		field  string
	}{
		{"KvKSevenDigits", func(m map[string]any) { m["kvk"] = "1234567" }, 422, "kvk"},
		{"KvKLetters", func(m map[string]any) { m["kvk"] = "1234567a" }, 422, "kvk"},
		{"DuplicateKvK", func(m map[string]any) { m["kvk"] = fmt.Sprint(kvkSeq) }, 409, "kvk"},
		{"UnknownSector", func(m map[string]any) { m["sectors"] = []string{"piracy"} }, 422, "sectors[0]"},
		{"NoSector", func(m map[string]any) { m["sectors"] = []string{} }, 422, "sectors"},
		{"PlaceNotFound", func(m map[string]any) {
			m["locations"] = []any{map[string]any{"address": "Straat 1", "place": "Atlantis"}}
		}, 422, "locations[0].place"},
		{"NoLocation", func(m map[string]any) { m["locations"] = []any{} }, 422, "locations"},
		{"CodeOfConductNotAccepted", func(m map[string]any) { m["code_of_conduct_accepted"] = false }, 422, "code_of_conduct_accepted"},
		{"ShortPassword", func(m map[string]any) { m["password"] = "short" }, 422, "password"},
		{"OperatorInjection", func(m map[string]any) { m["kvk"] = map[string]any{"$gt": ""} }, 400, "kvk"},
		{"UnknownField", func(m map[string]any) { m["vog"] = true }, 400, "vog"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := registration("87654321", "new-"+strings.ToLower(tc.name)+"@werkgever.example.nl")
			tc.mut(m)
			st, b := e.do("POST", "/api/v1/employers", "", m)
			if st != tc.status || fieldsOf(b)[tc.field] == nil {
				t.Fatalf("= %d %v; want %d naming %s", st, b, tc.status, tc.field)
			}
		})
	}
	t.Run("NothingWritten", func(t *testing.T) {
		_, b := e.do("GET", "/api/v1/employers", coord, nil)
		if b["total"] != float64(1) {
			t.Fatalf("registry holds %v employers after bad registrations; want 1", b["total"])
		}
		if used, _ := e.users.EmailInUse(t.Context(), "new-unknownsector@werkgever.example.nl"); used {
			t.Fatal("an account was created for a refused registration")
		}
	})
}

func TestEmployerRegistration_RateLimited(t *testing.T) {
	e := newEnv(t)
	var last int
	for i := 0; i < 21; i++ {
		last, _ = e.do("POST", "/api/v1/employers", "", registration("1234567", fmt.Sprintf("x%d@werkgever.example.nl", i)))
	}
	if last != 429 {
		t.Fatalf("21st registration attempt from one IP = %d; want 429", last)
	}
}

func TestVetting_StateMachine(t *testing.T) {
	e := newEnv(t)
	_, c1 := e.user(users.Coordinator, "c1@example.nl")
	_, c2 := e.user(users.Coordinator, "c2@example.nl")
	_, worker := e.user(users.ProbationWorker, "w@example.nl")
	id, admin := e.employer("ans")
	step := func(tok, action string, body any) (int, map[string]any) {
		return e.do("POST", "/api/v1/employers/"+id+"/vetting/"+action, tok, body)
	}

	if st, b := step(c1, "approve", nil); st != 409 || fieldsOf(b)["checklist.kvk_checked"] == nil {
		t.Fatalf("approve with an empty checklist = %d %v; want 409 naming the missing items", st, b)
	}
	if st, _ := e.do("PATCH", "/api/v1/employers/"+id+"/vetting/checklist", admin, fullChecklist); st != 403 {
		t.Fatalf("employer ticking its own checklist = %d; want 403", st)
	}
	e.do("PATCH", "/api/v1/employers/"+id+"/vetting/checklist", c1, fullChecklist)
	if st, b := step(c1, "approve", nil); st != 200 || b["status"] != "pending" {
		t.Fatalf("first approval = %d %v; want still pending", st, b)
	}
	if st, _ := step(c1, "approve", nil); st != 409 {
		t.Fatalf("same coordinator twice = %d; want 409", st)
	}
	if st, _ := step(admin, "approve", nil); st != 403 {
		t.Fatalf("employer approving itself = %d; want 403", st)
	}
	st, b := step(c2, "approve", nil)
	if st != 200 || b["status"] != "approved" {
		t.Fatalf("second approval = %d %v; want approved", st, b)
	}
	until, _ := time.Parse(time.RFC3339, b["valid_until"].(string))
	if d := time.Until(until); d < 364*24*time.Hour || d > 366*24*time.Hour {
		t.Fatalf("valid until %v; want 12 months ahead", until)
	}
	if st, _ := step(c1, "reject", map[string]any{"reason": "x"}); st != 409 {
		t.Fatalf("reject an approved employer = %d; want 409", st)
	}

	st, v := e.do("POST", "/api/v1/employers/"+id+"/vacancies", admin, vacancy())
	if st != 201 {
		t.Fatalf("vacancy = %d %v", st, v)
	}
	vid := v["id"].(string)
	if st, _ := e.do("GET", "/api/v1/vacancies/"+vid, worker, nil); st != 200 {
		t.Fatalf("worker reads an open vacancy = %d; want 200", st)
	}

	if st, b := step(c1, "suspend", map[string]any{"reason": ""}); st != 422 || fieldsOf(b)["reason"] == nil {
		t.Fatalf("suspend without reason = %d %v; want 422", st, b)
	}
	if st, b := step(c1, "suspend", map[string]any{"reason": "Mentor meldt onbetaalde overuren."}); st != 200 || b["status"] != "suspended" {
		t.Fatalf("suspend = %d %v", st, b)
	}
	t.Run("SuspensionActsAtOnce", func(t *testing.T) {
		if st, _ := e.do("GET", "/api/v1/vacancies/"+vid, worker, nil); st != 404 {
			t.Fatalf("worker reads a suspended employer's vacancy = %d; want 404", st)
		}
		if st, _ := e.do("POST", "/api/v1/employers/"+id+"/vacancies", admin, vacancy()); st != 403 {
			t.Fatalf("suspended employer publishing = %d; want 403", st)
		}
		if st, _ := e.do("PATCH", "/api/v1/vacancies/"+vid, admin, map[string]any{"hours_per_week": 20}); st != 403 {
			t.Fatalf("suspended employer editing = %d; want 403", st)
		}
		if _, active, _ := e.employers.Standing(t.Context(), "e_x"); active {
			t.Fatal("unknown employer active")
		}
	})
	if st, b := step(c1, "reinstate", nil); st != 200 || b["status"] != "suspended" {
		t.Fatalf("first reinstatement = %d %v; want still suspended", st, b)
	}
	if st, _ := step(c1, "reinstate", nil); st != 409 {
		t.Fatalf("same coordinator reinstating twice = %d; want 409", st)
	}
	if st, b := step(c2, "reinstate", nil); st != 200 || b["status"] != "approved" {
		t.Fatalf("second reinstatement = %d %v; want approved", st, b)
	}
	if st, _ := e.do("GET", "/api/v1/vacancies/"+vid, worker, nil); st != 200 {
		t.Fatalf("vacancy after reinstatement = %d; want 200", st)
	}
	if st, _ := step(c1, "frobnicate", nil); st != 404 {
		t.Fatalf("unknown vetting step = %d; want 404", st)
	}

	t.Run("CoordinatorSeesHistoryAndConcerns", func(t *testing.T) {
		if st, _ := e.do("POST", "/api/v1/employers/"+id+"/concerns", c1, map[string]any{"text": ""}); st != 422 {
			t.Fatalf("empty concern = %d; want 422", st)
		}
		if st, _ := e.do("POST", "/api/v1/employers/"+id+"/concerns", worker, map[string]any{"text": "x"}); st != 403 {
			t.Fatalf("worker recording a concern = %d; want 403", st)
		}
		st, b := e.do("POST", "/api/v1/employers/"+id+"/concerns", c2, map[string]any{"text": "Signaal van mentor: lange diensten.", "source": "mentor"})
		if st != 201 || b["status"] != "approved" {
			t.Fatalf("concern = %d %v; want 201 and still approved", st, b)
		}
		vet := b["vetting"].(map[string]any)
		if len(vet["concerns"].([]any)) != 1 || len(vet["decisions"].([]any)) < 5 {
			t.Fatalf("vetting view = %v", vet)
		}
		_, own := e.do("GET", "/api/v1/employers/"+id, admin, nil)
		if own["vetting"] != nil {
			t.Fatal("the employer sees its vetting details and concerns")
		}
	})
	t.Run("EveryStepAudited", func(t *testing.T) {
		_, b := e.do("GET", "/api/v1/audit?subject=employer:"+id+"&limit=200", c1, nil)
		seen := map[string]int{}
		for _, it := range b["items"].([]any) {
			seen[it.(map[string]any)["action"].(string)]++
		}
		for _, a := range []string{"employer.register", "employer.checklist", "employer.approve", "employer.suspend", "employer.reinstate", "employer.concern", "vacancy.write"} {
			if seen[a] == 0 {
				t.Fatalf("no %s event in %v", a, seen)
			}
		}
	})
}

// TestEmployerIsolation: a user of employer A never reads or changes
// anything of employer B.
func TestEmployerIsolation(t *testing.T) {
	e := newEnv(t)
	_, c1 := e.user(users.Coordinator, "c1@example.nl")
	_, c2 := e.user(users.Coordinator, "c2@example.nl")
	_, mentor := e.user(users.Mentor, "m@example.nl")
	a, aTok := e.employer("a")
	b, bTok := e.employer("b")
	e.approve(a, c1, c2)
	e.approve(b, c1, c2)
	_, bv := e.do("POST", "/api/v1/employers/"+b+"/vacancies", bTok, vacancy())
	bVac := bv["id"].(string)
	routes := []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/v1/employers/" + b, nil},
		{"GET", "/api/v1/employers/" + b + "/vacancies", nil},
		{"POST", "/api/v1/employers/" + b + "/vacancies", vacancy()},
		{"POST", "/api/v1/employers/" + b + "/users", map[string]any{"email": "spy@werkgever.example.nl", "password": "a long colleague password"}},
		{"GET", "/api/v1/vacancies/" + bVac, nil},
		{"PATCH", "/api/v1/vacancies/" + bVac, map[string]any{"hours_per_week": 10}},
		{"POST", "/api/v1/vacancies/" + bVac + "/close", nil},
	}
	for _, r := range routes {
		t.Run(r.method+" "+strings.ReplaceAll(r.path, "/", "_"), func(t *testing.T) {
			if st, resp := e.do(r.method, r.path, aTok, r.body); st != 404 {
				t.Fatalf("employer A: %s %s = %d %v; want 404", r.method, r.path, st, resp)
			}
		})
	}
	t.Run("VettingRoutesForbidden", func(t *testing.T) {
		for _, p := range []string{"/vetting/approve", "/vetting/suspend", "/concerns"} {
			if st, _ := e.do("POST", "/api/v1/employers/"+b+p, aTok, map[string]any{"reason": "x", "text": "x"}); st != 403 {
				t.Fatalf("employer on %s = %d; want 403", p, st)
			}
		}
		if st, _ := e.do("GET", "/api/v1/employers", aTok, nil); st != 403 {
			t.Fatalf("employer listing all employers = %d; want 403", st)
		}
	})
	t.Run("MentorForbidden", func(t *testing.T) {
		if st, _ := e.do("GET", "/api/v1/employers/"+b, mentor, nil); st != 403 {
			t.Fatalf("mentor reading an employer = %d; want 403", st)
		}
	})
	t.Run("AdminAddsColleague", func(t *testing.T) {
		st, u := e.do("POST", "/api/v1/employers/"+a+"/users", aTok, map[string]any{"email": "collega@werkgever.example.nl", "name": "Col", "password": "a long colleague password"})
		if st != 201 || u["employer_id"] != a {
			t.Fatalf("add colleague = %d %v", st, u)
		}
		_, login := e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": "collega@werkgever.example.nl", "password": "a long colleague password"})
		col := login["token"].(string)
		if st, _ := e.do("POST", "/api/v1/employers/"+a+"/users", col, map[string]any{"email": "x2@werkgever.example.nl", "password": "a long colleague password"}); st != 403 {
			t.Fatalf("non-admin adding a colleague = %d; want 403", st)
		}
		if st, _ := e.do("POST", "/api/v1/employers/"+a+"/vacancies", col, vacancy()); st != 201 {
			t.Fatalf("colleague publishing = %d; want 201", st)
		}
	})
}

func TestVacancy_BadInputAndLifecycle(t *testing.T) {
	e := newEnv(t)
	_, c1 := e.user(users.Coordinator, "c1@example.nl")
	_, c2 := e.user(users.Coordinator, "c2@example.nl")
	id, tok := e.employer("a")
	e.approve(id, c1, c2)
	with := func(mut func(m map[string]any)) map[string]any {
		m := vacancy()
		mut(m)
		return m
	}
	tests := []struct {
		name  string
		body  any
		code  int
		field string
	}{
		{"VOGRequired", with(func(m map[string]any) { m["vog_required"] = true }), 422, "vog_required"},
		{"VOGMissing", with(func(m map[string]any) { delete(m, "vog_required") }), 422, "vog_required"},
		{"StartInPast", with(func(m map[string]any) { m["start_date"] = "2020-01-01" }), 422, "start_date"},
		{"HoursTooMany", with(func(m map[string]any) { m["hours_per_week"] = 61 }), 422, "hours_per_week"},
		{"HoursNegative", with(func(m map[string]any) { m["hours_per_week"] = -4 }), 422, "hours_per_week"},
		{"UnknownSector", with(func(m map[string]any) { m["sector"] = "piracy" }), 422, "sector"},
		{"PlaceNotFound", with(func(m map[string]any) { m["place"] = "Atlantis" }), 422, "place"},
		{"BadShift", with(func(m map[string]any) { m["shifts"] = []any{map[string]any{"from": "6am", "to": "14:00"}} }), 422, "shifts[0].from"},
		{"UnknownRiskArea", with(func(m map[string]any) { m["risk_areas"] = []string{"weapons"} }), 422, "risk_areas[0]"},
		{"WrongType", with(func(m map[string]any) { m["vog_required"] = "no" }), 400, "vog_required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, b := e.do("POST", "/api/v1/employers/"+id+"/vacancies", tok, tc.body)
			if st != tc.code || fieldsOf(b)[tc.field] == nil {
				t.Fatalf("= %d %v; want %d naming %s", st, b, tc.code, tc.field)
			}
		})
	}
	t.Run("VOGMessageIsClear", func(t *testing.T) {
		_, b := e.do("POST", "/api/v1/employers/"+id+"/vacancies", tok, with(func(m map[string]any) { m["vog_required"] = true }))
		if msg := fieldsOf(b)["vog_required"].(string); !strings.Contains(msg, "VOG") {
			t.Fatalf("message %q does not say why", msg)
		}
	})
	t.Run("NothingWritten", func(t *testing.T) {
		_, b := e.do("GET", "/api/v1/employers/"+id+"/vacancies", tok, nil)
		if b["total"] != float64(0) {
			t.Fatalf("vacancies after bad input = %v; want 0", b["total"])
		}
	})
	_, v := e.do("POST", "/api/v1/employers/"+id+"/vacancies", tok, vacancy())
	vid := v["id"].(string)
	if st, b := e.do("PATCH", "/api/v1/vacancies/"+vid, tok, map[string]any{"hours_per_week": 24}); st != 200 || b["hours_per_week"] != float64(24) || b["title"] != "Magazijnmedewerker" {
		t.Fatalf("update = %d %v", st, b)
	}
	if st, b := e.do("POST", "/api/v1/vacancies/"+vid+"/close", tok, nil); st != 200 || b["status"] != "closed" {
		t.Fatalf("close = %d %v", st, b)
	}
	if st, _ := e.do("POST", "/api/v1/vacancies/"+vid+"/close", tok, nil); st != 409 {
		t.Fatalf("close twice = %d; want 409", st)
	}
	_, worker := e.user(users.ProbationWorker, "w@example.nl")
	if st, _ := e.do("GET", "/api/v1/vacancies/"+vid, worker, nil); st != 404 {
		t.Fatalf("worker reading a closed vacancy = %d; want 404", st)
	}
}

func TestConflictList(t *testing.T) {
	e := newEnv(t)
	_, worker := e.user(users.ProbationWorker, "w@example.nl")
	_, other := e.user(users.ProbationWorker, "o@example.nl")
	emp, _ := e.employer("a")
	_, c := e.do("POST", "/api/v1/candidates", worker, validCandidate())
	cid := c["id"].(string)
	path := "/api/v1/candidates/" + cid + "/conflicts"
	st, k := e.do("POST", path, worker, map[string]any{"employer_id": emp, "reason": "Bedrijf van een oom"})
	if st != 201 {
		t.Fatalf("add = %d %v", st, k)
	}
	tests := []struct {
		name  string
		body  map[string]any
		code  int
		field string
	}{
		{"UnknownEmployer", map[string]any{"employer_id": "e_doesnotexist", "reason": "x"}, 422, "employer_id"},
		{"BadKvK", map[string]any{"kvk": "12ab", "reason": "x"}, 422, "kvk"},
		{"Nothing", map[string]any{"reason": "x"}, 422, "employer_id"},
		{"NoReason", map[string]any{"kvk": "12345678"}, 422, "reason"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if st, b := e.do("POST", path, worker, tc.body); st != tc.code || fieldsOf(b)[tc.field] == nil {
				t.Fatalf("= %d %v; want %d naming %s", st, b, tc.code, tc.field)
			}
		})
	}
	if st, _ := e.do("POST", path, worker, map[string]any{"employer_id": emp, "reason": "again"}); st != 409 {
		t.Fatalf("listing twice = %d; want 409", st)
	}
	if st, _ := e.do("POST", path, other, map[string]any{"kvk": "12345678", "reason": "x"}); st != 404 {
		t.Fatalf("another worker = %d; want 404", st)
	}
	_, rec := e.do("GET", "/api/v1/candidates/"+cid, worker, nil)
	if list := rec["restrictions"].(map[string]any)["conflicts"].([]any); len(list) != 1 {
		t.Fatalf("record's conflict list = %v", list)
	}
	if st, _ := e.do("DELETE", path+"/"+k["id"].(string), worker, nil); st != 204 {
		t.Fatalf("remove = %d", st)
	}
	if st, _ := e.do("DELETE", path+"/"+k["id"].(string), worker, nil); st != 404 {
		t.Fatalf("remove twice = %d; want 404", st)
	}
}

package api_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/herstart/herstart/users"
)

// circleEnv is a placed candidate (with a mentor's check-in that scored
// wellbeing and raised a risk flag) and approved partner organisations
// with a user each.
type circleEnv struct {
	*placedEnv
	housing, care, other          string // partner ids
	housingTok, careTok, otherTok string
}

var partnerKvK = 70000000

func (e *circleEnv) partner(name, kind string) (string, string) {
	return e.partnerIn(name, kind, "Utrecht")
}

func (e *circleEnv) partnerIn(name, kind, place string) (string, string) {
	e.t.Helper()
	partnerKvK++
	st, b := e.do("POST", "/api/v1/partners", e.c1, map[string]any{"name": name, "kind": kind, "kvk": fmt.Sprint(partnerKvK), "place": place,
		"contact": map[string]any{"name": "Contact " + name, "email": strings.ToLower(strings.ReplaceAll(name, " ", "")) + "@partner.example.nl"}})
	if st != 201 {
		e.t.Fatalf("partner: %d %v", st, b)
	}
	id := b["id"].(string)
	for _, c := range []string{e.c1, e.c2} {
		if st, b := e.do("POST", "/api/v1/partners/"+id+"/vetting/approve", c, map[string]any{}); st != 200 {
			e.t.Fatalf("approve: %d %v", st, b)
		}
	}
	email := "user-" + id + "@partner.example.nl"
	if _, err := e.users.CreateUnchecked(e.t.Context(), users.NewUser{Email: email, Password: "correct horse battery", Role: users.Partner, PartnerID: id}); err != nil {
		e.t.Fatal(err)
	}
	st, b = e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": email, "password": "correct horse battery"})
	if st != 201 {
		e.t.Fatalf("login: %d %v", st, b)
	}
	return id, b["token"].(string)
}

func newCircleEnv(t *testing.T) *circleEnv {
	e := &circleEnv{placedEnv: newPlacedEnv(t)}
	d := e.start.AddDate(0, 0, 3)
	e.on(d)
	if st, b := e.do("POST", "/api/v1/placements/"+e.pid+"/checkins", e.mentorTok, checkin(d, 2, "contact_old_network")); st != 201 {
		t.Fatalf("check-in: %d %v", st, b)
	}
	e.housing, e.housingTok = e.partner("Woonstichting De Linde", "housing")
	e.care, e.careTok = e.partner("GGZ Midden", "care")
	e.other, e.otherTok = e.partner("Wijkteam Oost", "care")
	return e
}

func (e *circleEnv) invite(partner, purpose string, extra map[string]any) int {
	e.t.Helper()
	body := map[string]any{"partner_id": partner, "purpose": purpose, "basis": "consent", "consent": true}
	for k, v := range extra {
		body[k] = v
	}
	st, b := e.do("POST", "/api/v1/circles/"+e.cand+"/members", e.worker, body)
	if st != 201 {
		e.t.Fatalf("invite %s: %d %v", purpose, st, b)
	}
	return int(b["n"].(float64))
}

func (e *circleEnv) member(tok string, n int, action string, body any, want int) map[string]any {
	e.t.Helper()
	st, b := e.do("POST", fmt.Sprintf("/api/v1/circles/%s/members/%d/%s", e.cand, n, action), tok, body)
	if st != want {
		e.t.Fatalf("%s %d: %d %v; want %d", action, n, st, b, want)
	}
	return b
}

// keysOf lists a JSON object's keys, sorted.
func keysOf(v any) []string {
	m, _ := v.(map[string]any)
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestCircles_HousingWalk is the walk through the API: a worker
// invites a housing corporation for "housing" with consent; the partner
// accepts, sees exactly its slice, completes an action; the consent is
// withdrawn and the next read is 404; the candidate's disclosure log
// lists each read.
func TestCircles_HousingWalk(t *testing.T) {
	e := newCircleEnv(t)
	n := e.invite(e.housing, "housing", map[string]any{"need": "Zoekt een kamer in Utrecht of Nieuwegein, huur tot 650 euro."})

	// Invited: the partner sees the referral, never the candidate.
	st, b := e.do("GET", "/api/v1/circles/"+e.cand, e.housingTok, nil)
	if st != 200 || b["candidate"] != nil || len(b["invitations"].([]any)) != 1 {
		t.Fatalf("invited view: %d %v", st, b)
	}
	if st, _ := e.do("GET", "/api/v1/circles/"+e.cand, e.careTok, nil); st != 404 {
		t.Fatalf("a partner not invited reads the circle: %d", st)
	}
	e.member(e.housingTok, n, "accept", map[string]any{}, 200)
	e.member(e.housingTok, n, "accept", map[string]any{}, 409)

	st, b = e.do("GET", "/api/v1/circles/"+e.cand, e.housingTok, nil)
	if st != 200 {
		t.Fatalf("slice: %d %v", st, b)
	}
	got := strings.Join(keysOf(b["candidate"]), ",")
	t.Logf("the housing corporation's slice: %s", got)
	js, _ := json.MarshalIndent(b["candidate"], "", "  ")
	t.Logf("%s", js)
	if want := "email,first_name,last_name,needs,phone,workplace"; got != want {
		t.Errorf("housing slice = %s; want %s", got, want)
	}
	if wp := b["candidate"].(map[string]any)["workplace"].(map[string]any); wp["place"] == "" || wp["start_date"] != e.start.Format(time.DateOnly) {
		t.Errorf("workplace = %v", wp)
	}
	for _, never := range []string{"wellbeing", "risk_flags", "contact_old_network", "Gaat goed", "curfew", "skills"} {
		if strings.Contains((mustJSON(b)), never) {
			t.Errorf("the housing partner's view holds %q", never)
		}
	}

	// The worker gives the partner an action; the partner completes it.
	due := e.clock.Now().AddDate(0, 0, 10).Format(time.DateOnly)
	st, a := e.do("POST", "/api/v1/circles/"+e.cand+"/actions", e.worker, map[string]any{"purpose": "housing", "title": "Kamer aanbieden via urgentie", "owner": e.housing, "due_date": due})
	if st != 201 {
		t.Fatalf("action: %d %v", st, a)
	}
	an := int(a["n"].(float64))
	if st, b := e.do("POST", fmt.Sprintf("/api/v1/circles/%s/actions/%d", e.cand, an), e.careTok, map[string]any{"status": "done"}); st != 404 {
		t.Fatalf("another partner completes the action: %d %v", st, b)
	}
	if st, b := e.do("POST", fmt.Sprintf("/api/v1/circles/%s/actions/%d", e.cand, an), e.housingTok, map[string]any{"status": "done", "note": "Kamer per 1 maart"}); st != 200 || b["status"] != "done" {
		t.Fatalf("complete: %d %v", st, b)
	}
	_, w := e.do("GET", "/api/v1/circles/"+e.cand, e.worker, nil)
	if acts := w["actions"].([]any); len(acts) != 1 || acts[0].(map[string]any)["status"] != "done" || acts[0].(map[string]any)["owner_name"] != "Woonstichting De Linde" {
		t.Fatalf("worker's plan: %v", w["actions"])
	}

	// The consent is withdrawn: the next read is 404, the list forgets it.
	e.member(e.worker, n, "withdraw", map[string]any{}, 200)
	if st, b := e.do("GET", "/api/v1/circles/"+e.cand, e.housingTok, nil); st != 404 {
		t.Fatalf("read after withdrawal: %d %v", st, b)
	}
	if _, l := e.do("GET", "/api/v1/circles", e.housingTok, nil); len(l["circles"].([]any)) != 0 {
		t.Fatalf("the list after withdrawal: %v", l)
	}

	// The disclosure log lists each read by the partner, with its fields.
	_, log := e.do("GET", "/api/v1/candidates/"+e.cand+"/disclosures", e.worker, nil)
	reads, consents := 0, 0
	for _, x := range log["items"].([]any) {
		m := x.(map[string]any)
		if m["partner_id"] != e.housing {
			continue
		}
		switch m["what"] {
		case "disclosed":
			reads++
			t.Logf("log: %s %s %s", m["what"], m["purpose"], m["fields"])
		case "consent_granted", "consent_withdrawn":
			consents++
		}
	}
	if reads != 2 || consents != 2 {
		t.Errorf("disclosure log: %d partner reads, %d consent events; want 2 and 2: %v", reads, consents, log)
	}
}

// TestCircles_CareWithoutCheckinConsentNeverSeesScores: a care partner
// without the check-in consent never receives a wellbeing score or a risk
// flag — in its circle, its list, its organisation's record, the report —
// and receives them once that consent is recorded, and no longer after
// it is withdrawn.
func TestCircles_CareWithoutCheckinConsentNeverSeesScores(t *testing.T) {
	e := newCircleEnv(t)
	n := e.invite(e.care, "care", map[string]any{"need": "Wil hulp bij slapen en spanning."})
	e.member(e.careTok, n, "accept", map[string]any{}, 200)
	due := e.clock.Now().AddDate(0, 0, 10).Format(time.DateOnly)
	if st, b := e.do("POST", "/api/v1/circles/"+e.cand+"/actions", e.careTok, map[string]any{"purpose": "care", "title": "Intake plannen", "due_date": due}); st != 201 {
		t.Fatalf("partner's action: %d %v", st, b)
	}
	bodies := func() string {
		var all []string
		for _, p := range []string{"/api/v1/circles/" + e.cand, "/api/v1/circles", "/api/v1/partners/" + e.care, "/api/v1/inbox"} {
			st, b := e.do("GET", p, e.careTok, nil)
			if st != 200 {
				t.Fatalf("%s: %d %v", p, st, b)
			}
			all = append(all, (mustJSON(b)))
		}
		return strings.Join(all, "\n")
	}
	leaks := func(s string) []string {
		var out []string
		for _, never := range []string{"wellbeing", "risk_flags", "contact_old_network", "Gaat goed"} {
			if strings.Contains(s, never) {
				out = append(out, never)
			}
		}
		return out
	}
	if l := leaks(bodies()); len(l) > 0 {
		t.Fatalf("without the check-in consent the care partner received %v", l)
	}
	e.member(e.worker, n, "consent", map[string]any{"checkins": true}, 200)
	_, b := e.do("GET", "/api/v1/circles/"+e.cand, e.careTok, nil)
	cand := b["candidate"].(map[string]any)
	if w, _ := cand["wellbeing"].([]any); len(w) != 1 || w[0].(map[string]any)["wellbeing"].(float64) != 2 {
		t.Fatalf("with the consent, wellbeing = %v", cand)
	}
	if strings.Contains((mustJSON(b)), "Gaat goed") {
		t.Fatal("a check-in's text reached the care partner")
	}
	e.member(e.worker, n, "withdraw", map[string]any{"checkins_only": true}, 200)
	if l := leaks(bodies()); len(l) > 0 {
		t.Fatalf("after the check-in consent's withdrawal the care partner received %v", l)
	}
	// The partner is still in for care: the consent to the partner stands.
	if st, _ := e.do("GET", "/api/v1/circles/"+e.cand, e.careTok, nil); st != 200 {
		t.Fatalf("the membership ended with the check-in consent: %d", st)
	}
}

// TestCircles_TwentyAtOnce: one live membership per partner and purpose,
// one acceptance, one action per Idempotency-Key, under 20 parallel
// requests each.
func TestCircles_TwentyAtOnce(t *testing.T) {
	e := newCircleEnv(t)
	got := parallel(20, func(i int) int {
		st, _ := e.do("POST", "/api/v1/circles/"+e.cand+"/members", e.worker, map[string]any{"partner_id": e.housing, "purpose": "housing", "basis": "consent", "consent": true})
		return st
	})
	if got[201] != 1 || got[409] != 19 {
		t.Fatalf("20 invitations: %v; want one 201 and 19 409", got)
	}
	_, w := e.do("GET", "/api/v1/circles/"+e.cand, e.worker, nil)
	if m := w["members"].([]any); len(m) != 1 {
		t.Fatalf("members = %d; want 1", len(m))
	}
	got = parallel(20, func(i int) int {
		st, _ := e.do("POST", "/api/v1/circles/"+e.cand+"/members/1/accept", e.housingTok, map[string]any{})
		return st
	})
	if got[200] != 1 || got[409] != 19 {
		t.Fatalf("20 acceptances: %v", got)
	}
	due := e.clock.Now().AddDate(0, 0, 5).Format(time.DateOnly)
	got = parallel(20, func(i int) int {
		st, _ := e.do("POST", "/api/v1/circles/"+e.cand+"/actions", e.worker, map[string]any{"purpose": "housing", "title": "Bezichtiging", "owner": e.housing, "due_date": due},
			"Idempotency-Key", "double-click-1")
		return st
	})
	if got[201] != 20 {
		t.Fatalf("20 repeats of one action: %v", got)
	}
	// Different actions at once: none is lost.
	parallel(20, func(i int) int {
		st, _ := e.do("POST", "/api/v1/circles/"+e.cand+"/actions", e.worker, map[string]any{"purpose": "housing", "title": fmt.Sprint("Actie ", i), "owner": "worker", "due_date": due})
		return st
	})
	_, w = e.do("GET", "/api/v1/circles/"+e.cand, e.worker, nil)
	if a := w["actions"].([]any); len(a) != 21 {
		t.Fatalf("actions = %d; want 1 + 20", len(a))
	}
	// One partner organisation per KvK number, whichever coordinator asks.
	got = parallel(20, func(i int) int {
		tok := e.c1
		if i%2 == 1 {
			tok = e.c2
		}
		st, _ := e.do("POST", "/api/v1/partners", tok, map[string]any{"name": fmt.Sprint("Dubbel ", i), "kind": "municipality", "kvk": "79999999", "place": "Utrecht",
			"contact": map[string]any{"name": "Gemeente", "email": "g@example.nl"}})
		return st
	})
	if got[201] != 1 || got[409] != 19 {
		t.Fatalf("20 registrations of one KvK number: %v", got)
	}
	_, l := e.do("GET", "/api/v1/partners", e.c1, nil)
	n := 0
	for _, x := range l["partners"].([]any) {
		if x.(map[string]any)["kvk"] == "79999999" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d partner organisations with one KvK number", n)
	}
}

// TestCircles_WithheldAndRefused: an organisation on the candidate's
// conflict list is never invited; bad input names its field; a worker of
// another caseload learns nothing.
func TestCircles_WithheldAndRefused(t *testing.T) {
	e := newCircleEnv(t)
	_, p := e.do("GET", "/api/v1/partners/"+e.housing, e.c1, nil)
	if st, b := e.do("POST", "/api/v1/candidates/"+e.cand+"/conflicts", e.worker, map[string]any{"kvk": p["kvk"], "reason": "Familie werkt er"}); st != 201 {
		t.Fatalf("conflict: %d %v", st, b)
	}
	st, b := e.do("POST", "/api/v1/circles/"+e.cand+"/members", e.worker, map[string]any{"partner_id": e.housing, "purpose": "housing", "basis": "consent", "consent": true})
	if st != 409 || fieldsOf(b)["partner_id"] == nil {
		t.Fatalf("withheld organisation invited: %d %v", st, b)
	}
	st, b = e.do("POST", "/api/v1/circles/"+e.cand+"/members", e.worker, map[string]any{"partner_id": "pa_nope", "purpose": "rent", "basis": "maybe", "checkin_consent": true})
	if st != 422 {
		t.Fatalf("bad invitation: %d %v", st, b)
	}
	for _, f := range []string{"partner_id", "purpose", "basis"} {
		if fieldsOf(b)[f] == nil {
			t.Errorf("field %s not named: %v", f, b)
		}
	}
	st, b = e.do("POST", "/api/v1/partners", e.c1, map[string]any{"name": "", "kind": "bank", "kvk": "12", "place": "Nergenshuizen"})
	if st != 422 {
		t.Fatalf("bad partner: %d %v", st, b)
	}
	for _, f := range []string{"name", "kind", "kvk", "contact.name", "contact.email"} {
		if fieldsOf(b)[f] == nil {
			t.Errorf("field %s not named: %v", f, b)
		}
	}
	_, w2 := e.user(users.ProbationWorker, "w2@example.nl")
	if st, _ := e.do("GET", "/api/v1/circles/"+e.cand, w2, nil); st != 404 {
		t.Fatalf("another worker reads the circle: %d", st)
	}
	if st, _ := e.do("POST", "/api/v1/circles/"+e.cand+"/members", w2, map[string]any{"partner_id": e.care, "purpose": "care", "basis": "consent", "consent": true}); st != 404 {
		t.Fatalf("another worker invites: %d", st)
	}
	// A suspended partner is shut out on its next request.
	n := e.invite(e.care, "care", nil)
	e.member(e.careTok, n, "accept", map[string]any{}, 200)
	if st, _ := e.do("GET", "/api/v1/circles/"+e.cand, e.careTok, nil); st != 200 {
		t.Fatalf("accepted care partner: %d", st)
	}
	// Put on the conflict list after it joined: shut out from then on.
	_, cp := e.do("GET", "/api/v1/partners/"+e.care, e.c1, nil)
	if st, b := e.do("POST", "/api/v1/candidates/"+e.cand+"/conflicts", e.worker, map[string]any{"kvk": cp["kvk"], "reason": "Oom werkt er"}); st != 201 {
		t.Fatalf("conflict: %d %v", st, b)
	}
	if st, _ := e.do("GET", "/api/v1/circles/"+e.cand, e.careTok, nil); st != 404 {
		t.Fatalf("a partner on the conflict list reads the circle: %d", st)
	}
	if _, l := e.do("GET", "/api/v1/circles", e.careTok, nil); len(l["circles"].([]any)) != 0 {
		t.Fatalf("a partner on the conflict list lists the circle: %v", l)
	}
	if st, b := e.do("POST", "/api/v1/partners/"+e.care+"/vetting/suspend", e.c1, map[string]any{"reason": "Signaal over misbruik"}); st != 200 {
		t.Fatalf("suspend: %d %v", st, b)
	}
	if st, _ := e.do("GET", "/api/v1/circles/"+e.cand, e.careTok, nil); st != 403 {
		t.Fatalf("suspended partner reads: %d", st)
	}
}

// TestCircles_ConferenceLevelEscalationClose: a conference's decisions
// become actions, seen by participants within their purposes only; the
// level moves with a reason; an overdue action climbs the ladder (owner,
// worker, coordinators) once per rung; closing shuts every partner out.
func TestCircles_ConferenceLevelEscalationClose(t *testing.T) {
	e := newCircleEnv(t)
	h := e.invite(e.housing, "housing", map[string]any{"need": "Woning nodig"})
	c := e.invite(e.care, "care", map[string]any{"need": "Verslavingszorg"})
	e.member(e.housingTok, h, "accept", map[string]any{}, 200)
	e.member(e.careTok, c, "accept", map[string]any{}, 200)
	if st, b := e.do("POST", "/api/v1/circles/"+e.cand+"/level", e.worker, map[string]any{"level": 3, "reason": "Wonen en zorg hangen samen"}); st != 200 || b["to"].(float64) != 3 {
		t.Fatalf("level: %d %v", st, b)
	}
	now := e.clock.Now()
	today := now.UTC().Format(time.DateOnly)
	due := now.AddDate(0, 0, 2).Format(time.DateOnly)
	st, b := e.do("POST", "/api/v1/circles/"+e.cand+"/conferences", e.worker, map[string]any{"date": today, "participants": []string{e.housing, e.care},
		"topics":    []any{map[string]any{"purpose": "housing", "notes": "Urgentie aangevraagd."}, map[string]any{"purpose": "care", "notes": "Terugval in gebruik besproken."}},
		"decisions": []any{map[string]any{"purpose": "housing", "title": "Woning toewijzen", "owner": e.housing, "due_date": due}},
		"dissent":   []any{map[string]any{"partner_id": e.care, "purpose": "care", "text": "Eerst behandeling, dan woning."}}})
	if st != 201 || len(b["decisions"].([]any)) != 1 {
		t.Fatalf("conference: %d %v", st, b)
	}
	_, hv := e.do("GET", "/api/v1/circles/"+e.cand, e.housingTok, nil)
	hs := (mustJSON(hv))
	if !strings.Contains(hs, "Urgentie aangevraagd") || strings.Contains(hs, "Terugval") || strings.Contains(hs, "Eerst behandeling") || strings.Contains(hs, "Verslavingszorg") {
		t.Fatalf("the housing partner's conference view is not its slice: %s", hs)
	}
	if acts := hv["actions"].([]any); len(acts) != 1 {
		t.Fatalf("housing partner's actions: %v", acts)
	}

	// Overdue: the ladder, one rung at a time, once each.
	for _, d := range []int{4, 4, 10, 17, 17} {
		e.clock.Set(now.AddDate(0, 0, d))
		if _, err := e.platform.Circles.Escalate(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Set(now)
	for who, tok := range map[string]string{"partner": e.housingTok, "worker": e.worker, "coordinator": e.c1} {
		_, in := e.do("GET", "/api/v1/inbox", tok, nil)
		n := 0
		for _, m := range in["items"].([]any) {
			if m.(map[string]any)["kind"] == "circle.overdue" {
				n++
			}
		}
		want := map[string]int{"partner": 1, "worker": 1, "coordinator": 1}[who]
		if n != want {
			t.Errorf("%s has %d overdue messages; want %d", who, n, want)
		}
	}
	_, rep := e.do("GET", "/api/v1/reports/partner-actions", e.c1, nil)
	if !strings.Contains((mustJSON(rep)), "Woonstichting De Linde") {
		t.Fatalf("report: %v", rep)
	}

	if st, b := e.do("POST", "/api/v1/circles/"+e.cand+"/close", e.worker, map[string]any{"exit_point": "goals_met"}); st != 200 {
		t.Fatalf("close: %d %v", st, b)
	}
	for _, tok := range []string{e.housingTok, e.careTok} {
		if st, _ := e.do("GET", "/api/v1/circles/"+e.cand, tok, nil); st != 404 {
			t.Fatalf("a partner reads a closed circle: %d", st)
		}
	}
}

package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/herstart/herstart/users"
)

// placedEnv is an introduction taken to a placement that starts in 14
// days, with a mentor assigned.
type placedEnv struct {
	*introEnv
	pid, mentor, mentorTok string
	start                  time.Time
}

func newPlacedEnv(t *testing.T) *placedEnv {
	e := newIntroEnv(t)
	_, in := e.do("POST", "/api/v1/introductions", e.worker, map[string]any{"candidate_id": e.cand, "vacancy_id": e.vacancy})
	id := in["id"].(string)
	e.step(e.empTok, id, "interested", nil, 200)
	e.step(e.worker, id, "consent", map[string]any{"purpose": "Kennismaking"}, 200)
	e.step(e.empTok, id, "interview", map[string]any{"at": time.Now().Add(48 * time.Hour).Format(time.RFC3339), "place": "Utrecht"}, 200)
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 14)
	b := e.step(e.empTok, id, "place", map[string]any{"start_date": start.Format(time.DateOnly), "contract": "permanent", "hours_per_week": 32}, 200)
	pid := b["placement_id"].(string)
	m, mtok := e.user(users.Mentor, "mentor@example.nl")
	if st, b := e.do("POST", "/api/v1/placements/"+pid+"/mentor", e.worker, map[string]any{"mentor_id": string(m.ID)}); st != 200 {
		t.Fatalf("mentor: %d %v", st, b)
	}
	return &placedEnv{introEnv: e, pid: pid, mentor: string(m.ID), mentorTok: mtok, start: start}
}

// on sets the placements' clock to noon of the placement's day d.
func (e *placedEnv) on(d time.Time) { e.clock.Set(d.Add(12 * time.Hour)) }

func checkin(date time.Time, wellbeing int, flags ...string) map[string]any {
	if flags == nil {
		flags = []string{}
	}
	return map[string]any{"date": date.Format(time.DateOnly), "mode": "visit", "attended": true, "wellbeing": wellbeing, "work": 4,
		"concerns": "Gaat goed op het werk.", "risk_flags": flags, "actions": []any{}}
}

// TestMentoring_TwelveMonths runs one placement through its first year
// on an injected clock, a day at a time with the periodic job after every
// day: check-ins on time, late and missed; the escalations they raise;
// the milestones reached and the one that is not.
func TestMentoring_TwelveMonths(t *testing.T) {
	e := newPlacedEnv(t)
	ctx := t.Context()
	_, pl := e.do("GET", "/api/v1/placements/"+e.pid, e.mentorTok, nil)
	sched := pl["schedule"].([]any)
	var due []time.Time
	for _, x := range sched {
		d, _ := time.Parse(time.RFC3339, x.(map[string]any)["due_date"].(string))
		due = append(due, d)
	}
	t.Logf("schedule from %s: %d check-ins, %v … %v", e.start.Format(time.DateOnly), len(due), due[0].Format(time.DateOnly), due[len(due)-1].Format(time.DateOnly))
	if len(due) != 17 || !due[0].Equal(e.start.AddDate(0, 0, 7)) || !due[4].Equal(e.start.AddDate(0, 0, 42)) || !due[8].Equal(e.start.AddDate(0, 4, 0)) || !due[16].Equal(e.start.AddDate(0, 12, 0)) {
		t.Fatalf("default schedule: %v", due)
	}
	// The plan: by due check-in (1-based), the day of the check-in
	// relative to its due date, the wellbeing and the risk flags.
	type visit struct {
		after     int
		wellbeing int
		flags     []string
	}
	plan := map[int]visit{
		1: {0, 4, nil}, 2: {2, 4, nil}, // on time (the second within the grace)
		// 3 missed
		4: {0, 2, nil}, // on time, low
		5: {6, 2, nil}, // late (after the grace, in its window), low again: escalated
		6: {0, 3, []string{"debts"}},
		7: {0, 4, nil}, 8: {0, 4, nil}, 9: {0, 4, nil},
		// 10 (month 5) missed: month 6 is not reached
		11: {1, 4, nil}, 12: {0, 4, nil}, 13: {0, 4, nil}, 14: {0, 4, nil}, 15: {0, 4, nil}, 16: {0, 4, nil}, 17: {0, 4, nil},
	}
	byDay := map[time.Time]visit{}
	for n, v := range plan {
		byDay[due[n-1].AddDate(0, 0, v.after)] = v
	}
	var edited bool
	for d := e.start.AddDate(0, 0, -5); !d.After(e.start.AddDate(1, 0, 5)); d = d.AddDate(0, 0, 1) {
		e.on(d)
		if v, ok := byDay[d]; ok {
			st, b := e.do("POST", "/api/v1/placements/"+e.pid+"/checkins", e.mentorTok, checkin(d, v.wellbeing, v.flags...))
			if st != 201 {
				t.Fatalf("check-in on %s: %d %v", d.Format(time.DateOnly), st, b)
			}
			if !edited && v.flags != nil { // edited within the hour: the earlier text stays in the audit log
				c := checkin(d, v.wellbeing, v.flags...)
				c["concerns"] = "Schulden bij de woningcorporatie."
				if st, b := e.do("PUT", fmt.Sprintf("/api/v1/placements/%s/checkins/%v", e.pid, b["n"]), e.mentorTok, c); st != 200 || b["edited_at"] == nil {
					t.Fatalf("edit: %d %v", st, b)
				}
				edited = true
			}
		}
		if d.Equal(e.start.AddDate(0, 0, 22)) {
			_, ag := e.do("GET", "/api/v1/agenda", e.mentorTok, nil)
			if ov := ag["overdue"].([]any); len(ov) != 1 || ov[0].(map[string]any)["n"] != float64(3) || ov[0].(map[string]any)["missed"] != false {
				t.Fatalf("agenda on day 22: %v", ag)
			}
			if wk := ag["this_week"].([]any); len(wk) != 1 || wk[0].(map[string]any)["n"] != float64(4) {
				t.Fatalf("agenda on day 22, this week: %v", ag)
			}
		}
		if _, err := e.placements.Sweep(ctx); err != nil {
			t.Fatalf("sweep on %s: %v", d.Format(time.DateOnly), err)
		}
	}
	_, pl = e.do("GET", "/api/v1/placements/"+e.pid, e.mentorTok, nil)
	var statuses []string
	for _, x := range pl["schedule"].([]any) {
		statuses = append(statuses, x.(map[string]any)["status"].(string))
	}
	t.Logf("due check-ins: %v", statuses)
	want := "on_time on_time missed on_time late on_time on_time on_time on_time missed on_time on_time on_time on_time on_time on_time on_time"
	if strings.Join(statuses, " ") != want {
		t.Fatalf("statuses\n got %v\nwant %s", statuses, want)
	}
	var escs []string
	for _, x := range pl["escalations"].([]any) {
		m := x.(map[string]any)
		escs = append(escs, fmt.Sprintf("%s:%v", m["kind"], m["due"]))
	}
	t.Logf("escalations: %v", escs)
	if strings.Join(escs, " ") != "missed_checkin:3 missed_checkin:5 low_wellbeing:<nil> risk_flag:<nil> missed_checkin:10" {
		t.Fatalf("escalations: %v", escs)
	}
	var ms []string
	for _, x := range pl["milestones"].([]any) {
		m := x.(map[string]any)
		ms = append(ms, fmt.Sprintf("%v:%v", m["months"], m["reached"]))
	}
	t.Logf("milestones: %v", ms)
	if strings.Join(ms, " ") != "1:true 3:true 6:false 12:true" {
		t.Fatalf("milestones: %v", ms)
	}
	// The worker sees the escalations in the list and the inbox; a mentor
	// may not close one; the worker acknowledges and closes.
	_, l := e.do("GET", "/api/v1/escalations", e.worker, nil)
	if l["total"] != float64(5) {
		t.Fatalf("worker's escalations: %v", l)
	}
	_, box := e.do("GET", "/api/v1/inbox", e.worker, nil)
	if n := strings.Count(mustJSON(box), "placement.escalation"); n != 5 {
		t.Fatalf("the worker's inbox has %d escalation messages; want 5", n)
	}
	if st, _ := e.do("POST", "/api/v1/placements/"+e.pid+"/escalations/1/close", e.mentorTok, map[string]any{"action": "gebeld"}); st != 403 {
		t.Fatalf("mentor closing an escalation = %d; want 403", st)
	}
	if st, b := e.do("POST", "/api/v1/placements/"+e.pid+"/escalations/1/acknowledge", e.worker, nil); st != 200 || b["state"] != "acknowledged" {
		t.Fatalf("acknowledge: %d %v", st, b)
	}
	if st, b := e.do("POST", "/api/v1/placements/"+e.pid+"/escalations/1/close", e.worker, map[string]any{"action": ""}); st != 422 || fieldsOf(b)["action"] == nil {
		t.Fatalf("close without an action: %d %v", st, b)
	}
	if st, b := e.do("POST", "/api/v1/placements/"+e.pid+"/escalations/1/close", e.worker, map[string]any{"action": "Kandidaat gebeld, afspraak gemaakt."}); st != 200 || b["state"] != "closed" {
		t.Fatalf("close: %d %v", st, b)
	}
	if st, _ := e.do("POST", "/api/v1/placements/"+e.pid+"/escalations/1/close", e.worker, map[string]any{"action": "nog eens"}); st != 409 {
		t.Fatalf("closing twice = %d; want 409", st)
	}
	if _, l := e.do("GET", "/api/v1/escalations", e.worker, nil); l["total"] != float64(4) {
		t.Fatalf("after closing one: %v", l)
	}
	// The edit kept the earlier text in the audit log.
	evs, err := e.audit.BySubject(ctx, "candidate:"+e.cand, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	var before string
	for _, ev := range evs {
		if ev.Details["op"] == "checkin.edit" {
			before = ev.Details["before"]
		}
	}
	if !strings.Contains(before, "Gaat goed op het werk.") {
		t.Fatalf("the edit's audit event holds %q; want the earlier text", before)
	}
	// The report: 14 of 17 on time, 1 late, 2 missed.
	_, r := e.do("GET", "/api/v1/reports/placements", e.worker, nil)
	c := r["compliance"].(map[string]any)
	t.Logf("report compliance: %v", c)
	if c["due"] != float64(17) || c["on_time"] != float64(14) || c["late"] != float64(1) || c["missed"] != float64(2) || c["on_time_percent"] != 82.4 {
		t.Fatalf("compliance: %v", c)
	}
	if r["open_escalations"] != float64(4) {
		t.Fatalf("open escalations: %v", r["open_escalations"])
	}
	// A second sweep changes nothing.
	_, before2 := e.do("GET", "/api/v1/placements/"+e.pid, e.worker, nil)
	if res, err := e.placements.Sweep(ctx); err != nil || res.Placements != 0 {
		t.Fatalf("a second sweep: %+v %v", res, err)
	}
	if _, after := e.do("GET", "/api/v1/placements/"+e.pid, e.worker, nil); after["version"] != before2["version"] {
		t.Fatalf("a second sweep wrote the placement")
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestMentoring_BadInputAndAccess: a check-in on someone else's placement,
// out-of-range scores, dates and unknown risk flags; edits after 24 hours;
// who sees the check-ins and the workplace notes.
func TestMentoring_BadInputAndAccess(t *testing.T) {
	e := newPlacedEnv(t)
	_, otherMentor := e.user(users.Mentor, "m2@example.nl")
	day := e.start.AddDate(0, 0, 7)
	e.on(day)
	path := "/api/v1/placements/" + e.pid + "/checkins"
	good := checkin(day, 4)
	for _, tc := range []struct {
		who  string
		tok  string
		want int
	}{{"another mentor", otherMentor, 404}, {"the worker", e.worker, 403}, {"the employer", e.empTok, 403}, {"a coordinator", e.c1, 403}, {"anonymous", "", 401}} {
		if st, b := e.do("POST", path, tc.tok, good); st != tc.want {
			t.Fatalf("%s recording a check-in = %d %v; want %d", tc.who, st, b, tc.want)
		}
	}
	if st, _ := e.do("POST", "/api/v1/placements/p_nosuchplacement1/checkins", e.mentorTok, good); st != 404 {
		t.Fatalf("check-in on an unknown placement = %d", st)
	}
	mut := func(f func(m map[string]any)) map[string]any {
		m := checkin(day, 4)
		f(m)
		return m
	}
	for name, tc := range map[string]struct {
		body  any
		field string
	}{
		"future":       {mut(func(m map[string]any) { m["date"] = day.AddDate(0, 0, 1).Format(time.DateOnly) }), "date"},
		"before start": {mut(func(m map[string]any) { m["date"] = e.start.AddDate(0, 0, -1).Format(time.DateOnly) }), "date"},
		"not a date":   {mut(func(m map[string]any) { m["date"] = "gisteren" }), "date"},
		"wellbeing 0":  {mut(func(m map[string]any) { m["wellbeing"] = 0 }), "wellbeing"},
		"work 6":       {mut(func(m map[string]any) { m["work"] = 6 }), "work"},
		"unknown flag": {mut(func(m map[string]any) { m["risk_flags"] = []string{"debts", "gambling"} }), "risk_flags[1]"},
		"unknown mode": {mut(func(m map[string]any) { m["mode"] = "letter" }), "mode"},
		"no attended":  {mut(func(m map[string]any) { delete(m, "attended") }), "attended"},
		"action no text": {mut(func(m map[string]any) {
			m["actions"] = []any{map[string]any{"text": "", "due_date": day.Format(time.DateOnly)}}
		}), "actions[0].text"},
		"action before": {mut(func(m map[string]any) {
			m["actions"] = []any{map[string]any{"text": "bellen", "due_date": "2020-01-01"}}
		}), "actions[0].due_date"},
		"scores absent": {mut(func(m map[string]any) { delete(m, "wellbeing") }), "wellbeing"},
		"wrong type":    {mut(func(m map[string]any) { m["wellbeing"] = "goed" }), "wellbeing"},
		"unknown field": {mut(func(m map[string]any) { m["mood"] = 3 }), "mood"},
	} {
		st, b := e.do("POST", path, e.mentorTok, tc.body)
		if (st != 422 && st != 400) || fieldsOf(b)[tc.field] == nil {
			t.Fatalf("%s: %d %v; want 4xx naming %s", name, st, b, tc.field)
		}
		if name == "unknown flag" && !strings.Contains(mustJSON(fieldsOf(b)), "contact_old_network") {
			t.Fatalf("the unknown flag's error does not list the known ones: %v", b)
		}
	}
	// A no-show: no scores, and it meets no due check-in.
	if st, b := e.do("POST", path, e.mentorTok, map[string]any{"date": day.Format(time.DateOnly), "mode": "phone", "attended": false}); st != 201 || b["due"] != nil {
		t.Fatalf("a no-show: %d %v", st, b)
	}
	st, c := e.do("POST", path, e.mentorTok, good)
	if st != 201 || c["due"] != float64(1) {
		t.Fatalf("check-in: %d %v", st, c)
	}
	// Editing: another mentor cannot; after 24 hours nobody can.
	edit := fmt.Sprintf("%s/%v", path, c["n"])
	if st, _ := e.do("PUT", edit, otherMentor, good); st != 404 {
		t.Fatalf("another mentor editing = %d", st)
	}
	if st, _ := e.do("PUT", path+"/99", e.mentorTok, good); st != 404 {
		t.Fatalf("editing an unknown check-in = %d", st)
	}
	e.clock.Set(time.Now().Add(time.Duration(e.clock.offset.Load())).Add(25 * time.Hour))
	if st, b := e.do("PUT", edit, e.mentorTok, good); st != 409 {
		t.Fatalf("editing after 25 hours = %d %v; want 409", st, b)
	}
	// The employer's workplace note: the mentor sees it; the employer does
	// not see the check-ins.
	note := map[string]any{"date": day.Format(time.DateOnly), "attendance": "good", "punctuality": "irregular", "concerns": "Twee keer te laat."}
	if st, b := e.do("POST", "/api/v1/placements/"+e.pid+"/workplace-notes", e.mentorTok, note); st != 403 {
		t.Fatalf("a mentor adding a workplace note = %d %v", st, b)
	}
	if st, b := e.do("POST", "/api/v1/placements/"+e.pid+"/workplace-notes", e.empTok, map[string]any{"date": day.Format(time.DateOnly), "attendance": "great", "punctuality": "good"}); st != 422 || fieldsOf(b)["attendance"] == nil {
		t.Fatalf("a bad note: %d %v", st, b)
	}
	if st, b := e.do("POST", "/api/v1/placements/"+e.pid+"/workplace-notes", e.empTok, note); st != 201 {
		t.Fatalf("note: %d %v", st, b)
	}
	_, pm := e.do("GET", "/api/v1/placements/"+e.pid, e.mentorTok, nil)
	if !strings.Contains(mustJSON(pm), "Twee keer te laat.") || pm["checkins"] == nil {
		t.Fatalf("the mentor's view lacks the note or the check-ins: %v", pm)
	}
	_, pe := e.do("GET", "/api/v1/placements/"+e.pid, e.empTok, nil)
	for _, k := range []string{"checkins", "schedule", "escalations"} {
		if pe[k] != nil {
			t.Fatalf("the employer sees %s: %v", k, pe)
		}
	}
	if strings.Contains(mustJSON(pe), "Gaat goed") {
		t.Fatalf("the employer sees the mentor's notes: %v", pe)
	}
	_, box := e.do("GET", "/api/v1/inbox", e.mentorTok, nil)
	if !strings.Contains(mustJSON(box), "placement.note") {
		t.Fatalf("the mentor was not told of the note: %v", box)
	}
	// Lists: the agenda is a mentor's, the escalations a worker's or a
	// coordinator's, the report not an employer's or a mentor's.
	for _, tc := range []struct {
		path string
		tok  string
		want int
	}{
		{"/api/v1/agenda", e.mentorTok, 200}, {"/api/v1/agenda", e.worker, 403}, {"/api/v1/agenda", e.empTok, 403},
		{"/api/v1/escalations", e.worker, 200}, {"/api/v1/escalations", e.c1, 200}, {"/api/v1/escalations", e.mentorTok, 403}, {"/api/v1/escalations", e.empTok, 403},
		{"/api/v1/reports/placements", e.worker, 200}, {"/api/v1/reports/placements", e.c1, 200}, {"/api/v1/reports/placements", e.empTok, 403}, {"/api/v1/reports/placements", e.mentorTok, 403},
		{"/api/v1/agenda", "", 401},
	} {
		if st, _ := e.do("GET", tc.path, tc.tok, nil); st != tc.want {
			t.Fatalf("GET %s = %d; want %d", tc.path, st, tc.want)
		}
	}
	// Another worker's report and escalation list hold nothing of this one.
	_, w2 := e.user(users.ProbationWorker, "w9@example.nl")
	if _, r := e.do("GET", "/api/v1/reports/placements", w2, nil); r["placements"] != float64(0) {
		t.Fatalf("another worker's report: %v", r)
	}
	// A reassigned mentor loses the placement and its agenda.
	m3, m3tok := e.user(users.Mentor, "m3@example.nl")
	e.do("POST", "/api/v1/placements/"+e.pid+"/mentor", e.worker, map[string]any{"mentor_id": string(m3.ID)})
	if st, _ := e.do("GET", "/api/v1/placements/"+e.pid, e.mentorTok, nil); st != 404 {
		t.Fatalf("the former mentor reads the placement: %d", st)
	}
	if _, l := e.do("GET", "/api/v1/placements", e.mentorTok, nil); l["total"] != float64(0) {
		t.Fatalf("the former mentor's list: %v", l)
	}
	_, ag := e.do("GET", "/api/v1/agenda", m3tok, nil)
	_, old := e.do("GET", "/api/v1/agenda", e.mentorTok, nil)
	if len(ag["this_week"].([]any))+len(ag["due_today"].([]any)) == 0 || strings.Contains(mustJSON(old), e.pid) {
		t.Fatalf("agendas after reassigning: new %v, former %v", ag, old)
	}
}

// TestGuarantees_Claims: cover, claims within it, two coordinators above
// the threshold, never more approved than the cover, even when two
// coordinators approve two claims at the same moment.
func TestGuarantees_Claims(t *testing.T) {
	e := newPlacedEnv(t)
	e.on(e.start.AddDate(0, 2, 0))
	g := "/api/v1/placements/" + e.pid + "/guarantees"
	start, end := e.start.Format(time.DateOnly), e.start.AddDate(0, 6, 0).Format(time.DateOnly)
	good := map[string]any{"kind": "fidelity", "cover_cents": 500000, "start_date": start, "end_date": end}
	for _, tc := range []struct {
		tok  string
		want int
	}{{e.worker, 403}, {e.empTok, 403}, {e.mentorTok, 403}} {
		if st, _ := e.do("POST", g, tc.tok, good); st != tc.want {
			t.Fatalf("guarantee by a non-coordinator = %d", st)
		}
	}
	for name, tc := range map[string]struct {
		body  map[string]any
		field string
	}{
		"kind":     {map[string]any{"kind": "theft", "cover_cents": 100, "start_date": start, "end_date": end}, "kind"},
		"cover 0":  {map[string]any{"kind": "fidelity", "cover_cents": 0, "start_date": start, "end_date": end}, "cover_cents"},
		"too much": {map[string]any{"kind": "fidelity", "cover_cents": 9_000_000, "start_date": start, "end_date": end}, "cover_cents"},
		"end":      {map[string]any{"kind": "fidelity", "cover_cents": 100, "start_date": end, "end_date": start}, "end_date"},
		"early":    {map[string]any{"kind": "fidelity", "cover_cents": 100, "start_date": e.start.AddDate(0, 0, -1).Format(time.DateOnly), "end_date": end}, "start_date"},
		"far":      {map[string]any{"kind": "fidelity", "cover_cents": 100, "start_date": "9999-12-31", "end_date": end}, "start_date"},
	} {
		if st, b := e.do("POST", g, e.c1, tc.body); st != 422 || fieldsOf(b)[tc.field] == nil {
			t.Fatalf("%s: %d %v", name, st, b)
		}
	}
	if st, b := e.do("POST", g, e.c1, good); st != 201 || b["n"] != float64(1) {
		t.Fatalf("guarantee: %d %v", st, b)
	}
	if st, _ := e.do("POST", g, e.c1, good); st != 409 {
		t.Fatalf("a second fidelity guarantee = %d; want 409", st)
	}
	claims := g + "/1/claims"
	claim := func(cents int, loss time.Time) map[string]any {
		return map[string]any{"amount_cents": cents, "loss_date": loss.Format(time.DateOnly), "description": "Kassa-tekort na dienst."}
	}
	lossDay := e.start.AddDate(0, 1, 0)
	if st, _ := e.do("POST", claims, e.c1, claim(1000, lossDay)); st != 403 {
		t.Fatalf("a coordinator filing a claim = %d", st)
	}
	if st, b := e.do("POST", claims, e.empTok, claim(600000, lossDay)); st != 409 || fieldsOf(b)["amount_cents"] == nil {
		t.Fatalf("a claim above the cover: %d %v", st, b)
	}
	if st, b := e.do("POST", claims, e.empTok, claim(1000, e.start.AddDate(0, 3, 0))); st != 422 || fieldsOf(b)["loss_date"] == nil {
		t.Fatalf("a loss in the future: %d %v", st, b)
	}
	if st, b := e.do("POST", g+"/9/claims", e.empTok, claim(1000, lossDay)); st != 404 {
		t.Fatalf("a claim on an unknown guarantee: %d %v", st, b)
	}
	// Claim 1 (€3,000, above the €2,500 threshold) needs two coordinators.
	if st, b := e.do("POST", claims, e.empTok, claim(300000, lossDay)); st != 201 || b["state"] != "filed" {
		t.Fatalf("claim: %d %v", st, b)
	}
	if st, b := e.do("POST", claims+"/1/approve", e.c1, nil); st != 200 || b["state"] != "filed" || len(b["approvals"].([]any)) != 1 {
		t.Fatalf("first approval: %d %v", st, b)
	}
	if st, _ := e.do("POST", claims+"/1/approve", e.c1, nil); st != 409 {
		t.Fatalf("the same coordinator approving twice = %d; want 409", st)
	}
	if st, _ := e.do("POST", claims+"/1/approve", e.empTok, nil); st != 403 {
		t.Fatalf("the employer approving = %d; want 403", st)
	}
	if st, b := e.do("POST", claims+"/1/approve", e.c2, nil); st != 200 || b["state"] != "approved" || b["payable"] != true {
		t.Fatalf("second approval: %d %v", st, b)
	}
	// €2,000 remains: two claims of €1,500 approved at the same moment by
	// two coordinators: one is approved, the other is 409.
	e.do("POST", claims, e.empTok, claim(150000, lossDay))
	e.do("POST", claims, e.empTok, claim(150000, lossDay))
	if st, b := e.do("POST", claims, e.empTok, claim(250000, lossDay)); st != 409 {
		t.Fatalf("a claim above the remaining cover: %d %v", st, b)
	}
	codes := make(chan int, 2)
	for i, tok := range []string{e.c1, e.c2} {
		go func() {
			st, _ := e.do("POST", fmt.Sprintf("%s/%d/approve", claims, i+2), tok, nil)
			codes <- st
		}()
	}
	a, b := <-codes, <-codes
	if a+b != 200+409 {
		t.Fatalf("two approvals at once: %d and %d; want one 200 and one 409", a, b)
	}
	if st, b := e.do("POST", claims+"/3/reject", e.c1, map[string]any{"reason": ""}); st != 422 && st != 409 {
		t.Fatalf("reject without a reason: %d %v", st, b)
	}
	// A loss after the cover ended is 409.
	e.on(e.start.AddDate(0, 7, 0))
	if st, b := e.do("POST", claims, e.empTok, claim(100, e.start.AddDate(0, 6, 10))); st != 409 {
		t.Fatalf("a claim after the cover ended: %d %v", st, b)
	}
	_, r := e.do("GET", "/api/v1/reports/placements", e.c1, nil)
	fid := r["claims"].([]any)[0].(map[string]any)
	t.Logf("claims against cover: %v", fid)
	if fid["cover_cents"] != float64(500000) || fid["approved_cents"] != float64(450000) {
		t.Fatalf("report claims: %v", fid)
	}
	// The employer sees its guarantee and claims; the mentor does not.
	_, pm := e.do("GET", "/api/v1/placements/"+e.pid, e.mentorTok, nil)
	_, pe := e.do("GET", "/api/v1/placements/"+e.pid, e.empTok, nil)
	if pm["guarantees"] != nil || pe["guarantees"] == nil {
		t.Fatalf("guarantees: mentor %v, employer %v", pm["guarantees"], pe["guarantees"])
	}
}

// TestTemplate: coordinators change the default schedule; new placements
// follow it; bad phases are named.
func TestTemplate(t *testing.T) {
	e := newIntroEnv(t)
	path := "/api/v1/checkin-templates/default"
	if st, b := e.do("GET", path, e.worker, nil); st != 200 || len(b["phases"].([]any)) != 3 {
		t.Fatalf("default template: %d %v", st, b)
	}
	if st, _ := e.do("PUT", path, e.worker, map[string]any{"grace_days": 2, "phases": []any{map[string]any{"every": "1w", "until": "8w"}}}); st != 403 {
		t.Fatalf("a worker changing the template = %d", st)
	}
	for name, tc := range map[string]struct {
		body  map[string]any
		field string
	}{
		"every":  {map[string]any{"grace_days": 2, "phases": []any{map[string]any{"every": "1d", "until": "8w"}}}, "phases[0].every"},
		"order":  {map[string]any{"grace_days": 2, "phases": []any{map[string]any{"every": "1w", "until": "8w"}, map[string]any{"every": "1m", "until": "1m"}}}, "phases[1].until"},
		"grace":  {map[string]any{"grace_days": 30, "phases": []any{map[string]any{"every": "1w", "until": "8w"}}}, "grace_days"},
		"none":   {map[string]any{"grace_days": 2, "phases": []any{}}, "phases"},
		"absent": {map[string]any{"phases": []any{map[string]any{"every": "1w", "until": "8w"}}}, "grace_days"},
	} {
		if st, b := e.do("PUT", path, e.c1, tc.body); st != 422 || fieldsOf(b)[tc.field] == nil {
			t.Fatalf("%s: %d %v", name, st, b)
		}
	}
	if st, b := e.do("PUT", "/api/v1/checkin-templates/other", e.c1, map[string]any{"grace_days": 2, "phases": []any{map[string]any{"every": "1w", "until": "8w"}}}); st != 422 {
		t.Fatalf("another template name: %d %v", st, b)
	}
	if st, b := e.do("PUT", path, e.c1, map[string]any{"grace_days": 2, "phases": []any{map[string]any{"every": "1w", "until": "8w"}}}); st != 200 || b["version"] != float64(1) {
		t.Fatalf("set template: %d %v", st, b)
	}
	_, in := e.do("POST", "/api/v1/introductions", e.worker, map[string]any{"candidate_id": e.cand, "vacancy_id": e.vacancy})
	id := in["id"].(string)
	e.step(e.empTok, id, "interested", nil, 200)
	e.step(e.worker, id, "consent", map[string]any{"purpose": "Kennismaking"}, 200)
	e.step(e.empTok, id, "interview", map[string]any{"at": time.Now().Add(48 * time.Hour).Format(time.RFC3339), "place": "Utrecht"}, 200)
	b := e.step(e.empTok, id, "place", map[string]any{"start_date": time.Now().AddDate(0, 0, 3).Format(time.DateOnly), "contract": "permanent", "hours_per_week": 20}, 200)
	_, p := e.do("GET", "/api/v1/placements/"+b["placement_id"].(string), e.worker, nil)
	sched := p["schedule"].([]any)
	if len(sched) != 8 || sched[0].(map[string]any)["grace_days"] != float64(2) {
		t.Fatalf("the new placement's schedule: %v", sched)
	}
}

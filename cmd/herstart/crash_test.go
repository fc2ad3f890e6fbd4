package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/matching/bleve"
	"github.com/herstart/herstart/store"
)

// TestMain runs serve itself when the crash test starts this test binary as
// its child process (HERSTART_CRASH_CHILD=1): a process the test can kill -9.
func TestMain(m *testing.M) {
	if os.Getenv("HERSTART_CRASH_CHILD") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		err := run(ctx, []string{"serve"}, os.Stdout, os.Stderr, os.Getenv)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	removeDemoTemplate()
	os.Exit(code)
}

// child is serve in a process of its own.
type child struct {
	cmd  *exec.Cmd
	base string
	errs *syncBuffer
	done chan struct{}
}

// startChild starts serve as a child process with env and waits until it
// listens.
func startChild(t *testing.T, env map[string]string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HERSTART_CRASH_CHILD=1")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, errs: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = c.errs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`listening on (http://\S+)`)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
	}()
	go func() { _ = cmd.Wait(); close(c.done) }()
	t.Cleanup(func() { c.kill() })
	select {
	case c.base = <-addr:
		return c
	case <-c.done:
		t.Fatalf("serve ended before it listened:\n%s", c.errs.String())
	case <-time.After(90 * time.Second):
		t.Fatalf("serve did not listen within 90 s:\n%s", c.errs.String())
	}
	return nil
}

// kill ends the process at once (SIGKILL: nothing of it runs after).
func (c *child) kill() {
	_ = c.cmd.Process.Kill()
	<-c.done
}

// stop ends the process as an operator would (SIGTERM).
func (c *child) stop(t *testing.T) {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
		if c.cmd.ProcessState.ExitCode() != 0 {
			t.Fatalf("serve stopped with %d:\n%s", c.cmd.ProcessState.ExitCode(), c.errs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30 s of SIGTERM")
	}
}

// crashLedger is what serve acknowledged during the bursts: each of it must
// be there after the kills.
type crashLedger struct {
	mu        sync.Mutex
	tried     map[string]int
	refused   map[string]int // kind and status of the answers that were not a success
	acked     map[string]int
	created   []string            // candidates registered
	open      []string            // of them, those made available and not proposed
	confirmed map[string]bool     // candidates made available
	withdrawn map[string]string   // consent → candidate, withdrawn
	intros    map[string]string   // introduction → the furthest state acknowledged
	checkins  map[string][]string // placement → marks of its check-ins
	approved  map[string]bool     // payouts approved
	exported  map[string]bool     // payouts in an acknowledged SEPA file
}

func (l *crashLedger) note(kind string, st int, ok bool, f func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tried[kind]++
	if !ok {
		l.refused[fmt.Sprintf("%s %d", kind, st)]++
	}
	if ok {
		l.acked[kind]++
		if f != nil {
			f()
		}
	}
}

// TestCrash_KillNine: serve, a child process, is killed with SIGKILL at 20
// random moments during a burst of candidate registrations and
// candidates made available, consents granted and withdrawn,
// introductions proposed and answered, check-ins and payout approvals with
// SEPA exports, and started again each time. Afterwards every acknowledged
// write is there, no withdrawn consent is back, the search index holds
// exactly the candidates the database calls available (it caught up from
// the outbox), every invariant of docs/invariants.md holds (herstart
// check: one active placement per candidate, one consent in force per
// employer and level, no payout in two files or paid twice) and the audit
// chain verifies. Runs on the embedded database and, in the suite's second
// pass, over PostgreSQL.
func TestCrash_KillNine(t *testing.T) {
	const kills = 20
	env := testEnv(t, map[string]string{"HERSTART_ADDR": "127.0.0.1:0", "HERSTART_AUDIT_CHECKPOINT_EVERY": "50",
		"HERSTART_SEPA_DEBTOR_NAME": "Stichting Herstart", "HERSTART_SEPA_DEBTOR_IBAN": "NL91ABNA0417164300"})
	if env["MONGODB_URI"] != "" {
		t.Log("over MongoDB the database is not this process's to kill: the test kills serve all the same")
	}
	ctx := context.Background()
	loadDemo(t, env)
	seed := uint64(time.Now().UnixNano())
	r := rand.New(rand.NewPCG(seed, 1))
	t.Logf("seed %d", seed)

	c := startChild(t, env)
	worker := login(t, c.base, "reclassering.jansen@demo.herstart.nl")
	employer := login(t, c.base, demoEmployerEmail)
	mentor := login(t, c.base, "mentor@demo.herstart.nl")
	coords := []string{login(t, c.base, "coordinator@demo.herstart.nl"), login(t, c.base, "coordinator2@demo.herstart.nl")}
	_, me := apiCall(t, c.base, "GET", "/api/v1/users/me", employer, nil)
	emp, _ := me["employer_id"].(string)
	_, vs := apiCall(t, c.base, "GET", "/api/v1/employers/"+emp+"/vacancies", employer, nil)
	vacancy := ""
	for _, v := range items(vs) {
		if strings.Contains(strings.ToLower(fmt.Sprint(v["title"])), "magazijn") {
			vacancy, _ = v["id"].(string)
		}
	}
	_, pls := apiCall(t, c.base, "GET", "/api/v1/placements", mentor, nil)
	var active []string
	for _, p := range items(pls) {
		if p["state"] == "active" {
			active = append(active, p["id"].(string))
		}
	}
	_, pos := apiCall(t, c.base, "GET", "/api/v1/payouts", coords[0], nil)
	var due []string
	for _, p := range items(pos) {
		if p["state"] == "due" {
			due = append(due, p["id"].(string))
		}
	}
	if emp == "" || vacancy == "" || len(active) == 0 || len(due) == 0 {
		t.Fatalf("the demo data lacks what the bursts need: employer %q, vacancy %q, %d active placements, %d due payouts", emp, vacancy, len(active), len(due))
	}

	l := &crashLedger{tried: map[string]int{}, refused: map[string]int{}, acked: map[string]int{}, confirmed: map[string]bool{}, withdrawn: map[string]string{},
		intros: map[string]string{}, checkins: map[string][]string{}, approved: map[string]bool{}, exported: map[string]bool{}}
	seq := 0
	var seqMu sync.Mutex
	next := func() int { seqMu.Lock(); defer seqMu.Unlock(); seq++; return seq }
	// Each burst runs until serve is gone (a request that gets no answer).
	burst := func(base string) {
		var wg sync.WaitGroup
		gone := func(st int) bool { return st == 0 }
		wg.Add(4)
		go func() { // the worker: register, confirm, propose; the employer answers
			defer wg.Done()
			for {
				n := next()
				st, b := apiCall(t, base, "POST", "/api/v1/candidates", worker, crashCandidate(n))
				id, _ := b["id"].(string)
				l.note("register", st, st == 201, func() { l.created = append(l.created, id) })
				if st != 201 {
					if gone(st) {
						return
					}
					continue
				}
				st, _ = apiCall(t, base, "PATCH", "/api/v1/candidates/"+id, worker, map[string]any{"status": "available"})
				l.note("available", st, st == 200, func() { l.confirmed[id] = true })
				if gone(st) {
					return
				}
				if n%2 == 0 {
					l.mu.Lock()
					l.open = append(l.open, id)
					l.mu.Unlock()
					continue // half stay available, in the index, for consents
				}
				st, in := apiCall(t, base, "POST", "/api/v1/introductions", worker, map[string]any{"candidate_id": id, "vacancy_id": vacancy})
				iid, _ := in["id"].(string)
				l.note("propose", st, st == 201, func() { l.intros[iid] = "proposed" })
				if st != 201 {
					if gone(st) {
						return
					}
					continue
				}
				st, _ = apiCall(t, base, "POST", "/api/v1/introductions/"+iid+"/interested", employer, nil)
				l.note("interested", st, st == 200, func() { l.intros[iid] = "interested" })
				if gone(st) {
					return
				}
			}
		}()
		go func() { // the worker: consents granted and withdrawn
			defer wg.Done()
			for {
				l.mu.Lock()
				var id string
				if len(l.open) > 0 {
					id = l.open[rand.IntN(len(l.open))]
				}
				l.mu.Unlock()
				if id == "" {
					st, _ := apiCall(t, base, "GET", "/api/v1/users/me", worker, nil)
					if gone(st) {
						return
					}
					time.Sleep(20 * time.Millisecond)
					continue
				}
				st, k := apiCall(t, base, "POST", "/api/v1/candidates/"+id+"/consents", worker, map[string]any{"employer_id": emp, "level": 1,
					"purpose": "Kennismaking", "expires_at": time.Now().AddDate(0, 3, 0).Format(time.DateOnly)})
				l.note("consent", st, st == 201, nil)
				if st != 201 {
					if gone(st) {
						return
					}
					time.Sleep(20 * time.Millisecond)
					continue
				}
				cid := k["id"].(string)
				st, _ = apiCall(t, base, "DELETE", "/api/v1/candidates/"+id+"/consents/"+cid, worker, nil)
				l.note("withdraw", st, st == 200, func() { l.withdrawn[cid] = id })
				if gone(st) {
					return
				}
			}
		}()
		go func() { // the mentor: check-ins
			defer wg.Done()
			for {
				pid := active[next()%len(active)]
				mark := fmt.Sprintf("crash-check-%d", next())
				st, _ := apiCall(t, base, "POST", "/api/v1/placements/"+pid+"/checkins", mentor, map[string]any{
					"date": time.Now().Format(time.DateOnly), "mode": "phone", "attended": true, "wellbeing": 4, "work": 4,
					"concerns": mark, "risk_flags": []string{}, "actions": []any{}})
				l.note("checkin", st, st == 201 || st == 200, func() { l.checkins[pid] = append(l.checkins[pid], mark) })
				if gone(st) {
					return
				}
			}
		}()
		go func() { // the coordinators: approve the due payouts, export them
			defer wg.Done()
			for {
				for _, id := range due {
					l.mu.Lock()
					done := l.approved[id]
					l.mu.Unlock()
					if done {
						continue
					}
					for _, tok := range coords {
						st, _ := apiCall(t, base, "POST", "/api/v1/payouts/"+id+"/approve", tok, nil)
						if gone(st) {
							return
						}
						if st == 403 {
							continue // this one scheduled it: the other approves
						}
						l.note("approve", st, st == 200, func() { l.approved[id] = true })
						if st == 409 { // approved before a kill, unacknowledged
							l.mu.Lock()
							l.approved[id] = true
							l.mu.Unlock()
						}
						break
					}
				}
				st, x := apiCall(t, base, "POST", "/api/v1/sepa-exports", coords[0], nil)
				l.note("export", st, st == 201, func() {
					ps, _ := x["payouts"].([]any)
					for _, p := range ps {
						switch p := p.(type) {
						case string:
							l.exported[p] = true
						case map[string]any:
							l.exported[fmt.Sprint(p["id"])] = true
						}
					}
				})
				if gone(st) {
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
		}()
		wg.Wait()
	}

	for k := 1; k <= kills; k++ {
		if k > 1 {
			c = startChild(t, env)
		}
		stopped := make(chan struct{})
		go func() { burst(c.base); close(stopped) }()
		time.Sleep(time.Duration(100+r.IntN(1400)) * time.Millisecond)
		c.kill()
		<-stopped
	}
	// Restarted once more: the outbox is drained at start, the leases of
	// the killed run taken over.
	c = startChild(t, env)
	var lost []string
	for _, id := range l.created {
		st, b := apiCall(t, c.base, "GET", "/api/v1/candidates/"+id, worker, nil)
		switch {
		case st != 200:
			lost = append(lost, "candidate "+id)
		case l.confirmed[id] && b["status"] == "registered":
			lost = append(lost, "the availability of "+id)
		}
	}
	consentsBack := 0
	for cid, id := range l.withdrawn {
		_, b := apiCall(t, c.base, "GET", "/api/v1/candidates/"+id, worker, nil)
		for _, k := range asList(b["consents"]) {
			if k["id"] == cid && (k["active"] != false || k["withdrawn_at"] == nil) {
				consentsBack++
			}
		}
	}
	for iid, state := range l.intros {
		st, b := apiCall(t, c.base, "GET", "/api/v1/introductions/"+iid, worker, nil)
		if st != 200 || (state == "interested" && b["state"] == "proposed") {
			lost = append(lost, fmt.Sprintf("introduction %s (%s; now %d %v)", iid, state, st, b["state"]))
		}
	}
	// Check-ins: the placement shows its newest ones; older ones are in
	// the archive, read from the database once serve has stopped.
	var archived []string
	for pid, marks := range l.checkins {
		_, b := apiCall(t, c.base, "GET", "/api/v1/placements/"+pid, mentor, nil)
		text, _ := json.Marshal(b)
		for _, m := range marks {
			if !strings.Contains(string(text), `"`+m+`"`) {
				archived = append(archived, m)
			}
		}
	}
	for id := range l.approved {
		_, b := apiCall(t, c.base, "GET", "/api/v1/payouts/"+id, coords[0], nil)
		if s := b["state"]; s == "due" || s == "scheduled" {
			lost = append(lost, "the approval of payout "+id)
		}
	}
	for id := range l.exported {
		_, b := apiCall(t, c.base, "GET", "/api/v1/payouts/"+id, coords[0], nil)
		if s := b["state"]; s != "exported" && s != "paid" {
			lost = append(lost, fmt.Sprintf("the export of payout %s (now %v)", id, s))
		}
	}
	c.stop(t)
	if len(archived) > 0 {
		db, err := store.Open(ctx, store.Config{MongoURI: env["MONGODB_URI"], PostgresURL: env["HERSTART_POSTGRES_URL"], DataDir: env["HERSTART_DATA_DIR"], Database: env["HERSTART_DB_NAME"]})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range archived {
			if n, err := db.DB.Collection("placement_checkins").CountDocuments(ctx, bson.M{"checkin.concerns": m}); err != nil || n != 1 {
				lost = append(lost, fmt.Sprintf("check-in %s (%d archived, %v)", m, n, err))
			}
		}
		_ = db.Close(ctx)
	}

	// The search index against the database: every available candidate of
	// the bursts in it, every other one not.
	ix, err := bleve.Open(filepath.Join(env["HERSTART_DATA_DIR"], "index"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := ix.SearchCandidates(ctx, matching.CandidateQuery{Limit: 100000})
	_ = ix.Close()
	if err != nil {
		t.Fatal(err)
	}
	indexed := map[string]bool{}
	for _, h := range res.Hits {
		indexed[h.ID] = true
	}
	index := startCheck(t, env, l.created, indexed)

	var problems []string
	for _, args := range [][]string{{"check"}, {"audit", "verify"}} {
		var o, e syncBuffer
		if err := run(ctx, args, &o, &e, envFunc(env)); err != nil {
			problems = append(problems, fmt.Sprintf("%v: %v\n%s%s", args, err, o.String(), e.String()))
		}
	}
	t.Logf("%d kills (SIGKILL at random moments of a burst); tried / acknowledged per kind: %s", kills, ledgerLine(l))
	t.Logf("acknowledged writes lost: %d; withdrawn consents back: %d; index differs from the database: %d; invariants broken and audit: %d",
		len(lost), consentsBack, len(index), len(problems))
	if len(lost)+consentsBack+len(index)+len(problems) > 0 {
		t.Fatalf("after the kills:\nlost: %v\nconsents back: %d\nindex: %v\n%s", lost, consentsBack, index, strings.Join(problems, "\n"))
	}
	if l.acked["register"] == 0 || l.acked["withdraw"] == 0 || l.acked["checkin"] == 0 || l.acked["approve"] == 0 {
		t.Fatalf("the bursts did too little to show anything: %s", ledgerLine(l))
	}
}

// startCheck compares the index with the database, read through a serve in
// this process: the candidates of the bursts that are available must be
// indexed, the others not. It returns the differences.
func startCheck(t *testing.T, env map[string]string, created []string, indexed map[string]bool) []string {
	t.Helper()
	base, _, stop := startServe(t, env)
	defer stop()
	worker := login(t, base, "reclassering.jansen@demo.herstart.nl")
	var diff []string
	for _, id := range created {
		_, b := apiCall(t, base, "GET", "/api/v1/candidates/"+id, worker, nil)
		if avail := b["status"] == "available"; avail != indexed[id] {
			diff = append(diff, fmt.Sprintf("%s is %v and indexed %v", id, b["status"], indexed[id]))
		}
	}
	return diff
}

func ledgerLine(l *crashLedger) string {
	var parts []string
	for _, k := range []string{"register", "available", "propose", "interested", "consent", "withdraw", "checkin", "approve", "export"} {
		parts = append(parts, fmt.Sprintf("%s %d/%d", k, l.tried[k], l.acked[k]))
	}
	return strings.Join(parts, ", ") + fmt.Sprintf("; not a success (0: no answer, killed): %v", l.refused)
}

// crashCandidate is a candidate who fits the demo's warehouse vacancy.
func crashCandidate(n int) map[string]any {
	return map[string]any{
		"identity":       map[string]any{"first_name": "Kees", "last_name": fmt.Sprintf("Crash%d", n), "birth_date": "1990-03-04"},
		"skills":         []string{"orderpicken", "heftruck rijden"},
		"certificates":   []string{"forklift", "vca_basis"},
		"languages":      []string{"nl"},
		"hours_per_week": 32, "available_from": time.Now().Format(time.DateOnly), "home_place": "Utrecht", "travel_radius_km": 25,
	}
}

func items(m map[string]any) []map[string]any { return asList(m["items"]) }

func asList(v any) []map[string]any {
	var out []map[string]any
	l, _ := v.([]any)
	for _, x := range l {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// benchLoad is `herstart bench load`: a closed-loop workload of N clients
// against a running serve for a fixed time, through the load library vegeta
// (as a library). It signs in many employer users (created through the API
// by a coordinator on first use) so that the per-user search limit is not
// what is measured, and for the mixed workload a probation worker and a
// mentor. It prints throughput, p50/p95/p99 per kind of request, the status
// counts, serve's CPU seconds per 1,000 requests and its peak resident
// memory (from serve's own /metrics, sampled every second), and with
// --profile the pprof profiles of serve taken during the run (serve started
// with HERSTART_PPROF_ADDR).
func benchLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "http://127.0.0.1:8080", "serve's address")
	clients := fs.Int("clients", 50, "clients, each sending its next request when the last is answered")
	dur := fs.Duration("duration", 60*time.Second, "how long the load runs")
	workload := fs.String("workload", "search", "search (employer searches), matches (matches for a vacancy) or mixed (70% searches, 20% reads, 10% writes)")
	nusers := fs.Int("users", 0, "employer users (0: enough for the per-user search limit at 1,200 searches/s)")
	email := fs.String("email", "coordinator@demo.herstart.nl", "a coordinator, to create the employer users")
	password := fs.String("password", DemoPassword, "the coordinator's password (also the password of the demo worker and mentor)")
	worker := fs.String("worker", "reclassering.jansen@demo.herstart.nl", "the probation worker of the mixed workload when the demo generated none (gen-worker-1-N@demo.herstart.nl, up to 20 of them)")
	mentor := fs.String("mentor", "mentor@demo.herstart.nl", "the mentor of the mixed workload")
	profile := fs.String("profile", "", "folder for serve's CPU, block and mutex profiles and heap, taken during the run (serve needs HERSTART_PPROF_ADDR)")
	pprofURL := fs.String("pprof", "http://127.0.0.1:6060", "serve's pprof address (HERSTART_PPROF_ADDR)")
	fresh := fs.Bool("fresh", false, "searches of three words drawn from 60 job words, so that nearly every query is new to serve (a first search with new words: the taxonomy's memo cannot answer it)")
	if err := fs.Parse(args); err != nil {
		return exitError(2)
	}
	if *clients < 1 || *clients > 5000 || *dur < time.Second || *dur > time.Hour || (*workload != "search" && *workload != "mixed" && *workload != "matches") || *nusers < 0 {
		fmt.Fprintln(stderr, "--clients must be 1–5,000, --duration 1s–1h, --workload search, matches or mixed, --users 0 or more")
		return exitError(2)
	}
	if *nusers == 0 {
		// 60 searches a minute each (matching.searchesPerMinute): enough
		// users for 1,200 searches/s.
		*nusers = 1200
	}
	b := &loadBench{base: strings.TrimRight(*base, "/"), client: &http.Client{Timeout: 30 * time.Second}, out: stdout, fresh: *fresh}
	if err := b.setup(ctx, *email, *password, *nusers, *workload == "mixed", *worker, *mentor); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "load: %s workload, %d clients, %s, %d employer users against %s\n", *workload, *clients, *dur, len(b.employers), b.base)
	before, err := b.serveMetrics(ctx)
	if err != nil {
		return fmt.Errorf("read serve's /metrics: %w", err)
	}
	peak := &atomic.Int64{}
	peak.Store(int64(before.rss))
	stopSampling := b.sampleRSS(ctx, peak)
	var profWG sync.WaitGroup
	profErr := make(chan error, 1)
	if *profile != "" {
		profWG.Add(1)
		go func() {
			defer profWG.Done()
			profErr <- takeProfiles(ctx, strings.TrimRight(*pprofURL, "/"), *profile, *dur)
		}()
	}

	atk := vegeta.NewAttacker(vegeta.Workers(uint64(*clients)), vegeta.MaxWorkers(uint64(*clients)),
		vegeta.Connections(*clients), vegeta.KeepAlive(true), vegeta.Timeout(30*time.Second), vegeta.MaxBody(0))
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()
	perKind := map[string]*vegeta.Metrics{}
	all := &vegeta.Metrics{}
	start := time.Now()
	lastShown := time.Time{}
	var n, ok, fails int
	for r := range atk.Attack(b.targeter(*workload), vegeta.Rate{Freq: 0}, *dur, "herstart") {
		k := kindOf(r.Method, r.URL)
		m := perKind[k]
		if m == nil {
			m = &vegeta.Metrics{}
			perKind[k] = m
		}
		m.Add(r)
		all.Add(r)
		n++
		if r.Code >= 200 && r.Code < 300 {
			ok++
		} else if r.Code >= 500 || r.Code == 0 {
			fails++
		}
		if time.Since(lastShown) >= time.Second {
			lastShown = time.Now()
			el := time.Since(start)
			frac := min(1, el.Seconds()/dur.Seconds())
			fill := int(frac * 20)
			fmt.Fprintf(stdout, "\r[%s%s] %3.0f%%  %s requests, %s ok/s, %d failed, %s left    ",
				strings.Repeat("#", fill), strings.Repeat(".", 20-fill), frac*100, thousands(n),
				thousands(int(float64(ok)/max(el.Seconds(), 0.001))), fails, (*dur - el).Round(time.Second))
		}
	}
	fmt.Fprintln(stdout)
	stopSampling()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	all.Close()
	after, err := b.serveMetrics(ctx)
	if err != nil {
		return fmt.Errorf("read serve's /metrics: %w", err)
	}
	profWG.Wait()
	if *profile != "" {
		if err := <-profErr; err != nil {
			fmt.Fprintf(stdout, "profiles: %v\n", err)
		} else {
			fmt.Fprintf(stdout, "profiles in %s (go tool pprof -top %s)\n", *profile, filepath.Join(*profile, "cpu.pprof"))
		}
	}
	b.report(all, perKind, after.cpu-before.cpu, max(peak.Load(), int64(after.rss)))
	b.reportDB(before, after, all.Requests)
	return nil
}

type loadBench struct {
	base      string
	client    *http.Client
	out       io.Writer
	employers []string // tokens
	vacancies []string
	workers   []benchWorker
	mentor    string
	checkins  []checkinTarget
	next      atomic.Uint64
	mu        sync.Mutex
	rng       *rand.Rand
	fresh     bool // searches of three words from loadWords, nearly all new
}

// benchWorker is a probation worker of the mixed workload: its token and
// its caseload.
type benchWorker struct {
	token            string
	cands, available []string
}

type checkinTarget struct {
	path string
	body []byte
}

// setup signs in the employer users (creating those that do not exist yet,
// eight at a time), and for the mixed workload the worker and the mentor,
// and reads what their requests name: vacancies, the caseload, the
// mentor's placements and their latest check-in.
func (b *loadBench) setup(ctx context.Context, email, password string, n int, mixed bool, worker, mentor string) error {
	b.rng = rand.New(rand.NewPCG(7, 11))
	coord, err := b.login(ctx, email, password, "10.66.0.1")
	if err != nil {
		return fmt.Errorf("sign in as %s: %w (a coordinator; --email, --password)", email, err)
	}
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := b.getJSON(ctx, coord, "/api/v1/employers?status=approved", &list); err != nil {
		return err
	}
	if len(list.Items) == 0 {
		return errors.New("no approved employer: load the demo first (herstart demo)")
	}
	employer := list.Items[0].ID
	b.employers = make([]string, n)
	cache := filepath.Join(os.TempDir(), "herstart-bench-load-"+strings.NewReplacer(":", "_", "/", "_").Replace(strings.TrimPrefix(b.base, "http://"))+".tokens")
	if old, err := os.ReadFile(cache); err == nil {
		// Tokens of an earlier run against this server, while they last.
		toks := strings.Fields(string(old))
		if len(toks) >= n {
			if _, err := b.call(ctx, http.MethodGet, "/api/v1/users/me", toks[n-1], "", nil); err == nil {
				copy(b.employers, toks)
				fmt.Fprintf(b.out, "employer users: %s tokens of an earlier run (%s)\n", thousands(n), cache)
				return b.mixedSetup(ctx, employer, mixed, password, worker, mentor)
			}
		}
	}
	start := time.Now()
	var done atomic.Int64
	var firstErr error
	var errOnce sync.Once
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			tok, err := b.employerUser(ctx, coord, employer, i)
			if err != nil {
				errOnce.Do(func() { firstErr = err })
				return
			}
			b.employers[i] = tok
			if d := done.Add(1); d%50 == 0 || int(d) == n {
				fmt.Fprintf(b.out, "\rsigning in employer users: %s of %s (%.0f s)   ", thousands(int(d)), thousands(n), time.Since(start).Seconds())
			}
		}()
		if firstErr != nil {
			break
		}
	}
	wg.Wait()
	fmt.Fprintln(b.out)
	if firstErr != nil {
		return firstErr
	}
	_ = os.WriteFile(cache, []byte(strings.Join(b.employers, "\n")), 0o600)
	return b.mixedSetup(ctx, employer, mixed, password, worker, mentor)
}

// mixedSetup reads what the requests name: the employer's vacancies, and
// for the mixed workload the worker's caseload and the mentor's placements
// with their latest check-in.
func (b *loadBench) mixedSetup(ctx context.Context, employer string, mixed bool, password, worker, mentor string) error {
	var err error
	var vac struct {
		Items []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"items"`
	}
	if err := b.getJSON(ctx, b.employers[0], "/api/v1/employers/"+employer+"/vacancies", &vac); err != nil {
		return err
	}
	for _, v := range vac.Items {
		b.vacancies = append(b.vacancies, v.ID)
	}
	if !mixed {
		return nil
	}
	// The workers: the generated ones of `herstart demo --candidates N`
	// (50 candidates each), so that reads and confirmations spread over
	// realistic caseloads; the demo worker when there are none.
	emails := []string{}
	for i := range 20 {
		emails = append(emails, fmt.Sprintf("gen-worker-1-%d@demo.herstart.nl", i))
	}
	for i, email := range append(emails, worker) {
		if i < len(emails) && i > len(b.workers) {
			continue // the generated workers are numbered from 0: one missing, the rest are too
		}
		tok, err := b.login(ctx, email, password, fmt.Sprintf("10.66.1.%d", i+1))
		if err != nil {
			if i < len(emails) {
				continue // fewer generated workers
			}
			if len(b.workers) > 0 {
				break
			}
			return fmt.Errorf("sign in as %s: %w (--worker)", worker, err)
		}
		var cl struct {
			Items []struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"items"`
		}
		if err := b.getJSON(ctx, tok, "/api/v1/candidates", &cl); err != nil {
			return err
		}
		w := benchWorker{token: tok}
		for _, c := range cl.Items {
			w.cands = append(w.cands, c.ID)
			if c.Status == "available" {
				w.available = append(w.available, c.ID) // only their availability can be confirmed
			}
		}
		if len(w.available) > 0 {
			b.workers = append(b.workers, w)
		}
		if i >= len(emails)-1 && len(b.workers) > 0 {
			break // the demo worker only when no generated one signed in
		}
	}
	fmt.Fprintf(b.out, "probation workers: %d\n", len(b.workers))
	if b.mentor, err = b.login(ctx, mentor, password, "10.66.0.3"); err != nil {
		return fmt.Errorf("sign in as %s: %w (--mentor)", mentor, err)
	}
	var pl struct {
		Items []struct {
			ID    string `json:"id"`
			State string `json:"state"`
		} `json:"items"`
	}
	if err := b.getJSON(ctx, b.mentor, "/api/v1/placements", &pl); err != nil {
		return err
	}
	for _, p := range pl.Items {
		if p.State != "active" {
			continue
		}
		var full struct {
			CheckIns []map[string]any `json:"checkins"`
		}
		if err := b.getJSON(ctx, b.mentor, "/api/v1/placements/"+p.ID, &full); err != nil {
			return err
		}
		if len(full.CheckIns) == 0 {
			continue
		}
		last := full.CheckIns[len(full.CheckIns)-1]
		in := map[string]any{"date": last["date"], "mode": last["mode"], "attended": last["attended"]}
		for _, k := range []string{"wellbeing", "work", "concerns"} {
			if v, ok := last[k]; ok {
				in[k] = v
			}
		}
		if d, ok := in["date"].(string); ok && len(d) >= 10 {
			in["date"] = d[:10]
		}
		body, _ := json.Marshal(in)
		b.checkins = append(b.checkins, checkinTarget{path: fmt.Sprintf("/api/v1/placements/%s/checkins/%v", p.ID, last["n"]), body: body})
	}
	if len(b.workers) == 0 || len(b.vacancies) == 0 {
		return errors.New("no worker with available candidates or no vacancies: load the demo first (herstart demo)")
	}
	return nil
}

// employerUser signs in employer user i, creating it first when it does
// not exist. Each signs in from an address of its own (X-Forwarded-For), so
// that serve started with HERSTART_PROXY_HEADER=X-Forwarded-For and
// HERSTART_TRUSTED_PROXIES=127.0.0.1 does not count them as one client.
func (b *loadBench) employerUser(ctx context.Context, coord, employer string, i int) (string, error) {
	email := fmt.Sprintf("bench-load-%05d@bench.herstart.invalid", i)
	ip := fmt.Sprintf("10.67.%d.%d", i/250, i%250+1)
	tok, err := b.login(ctx, email, DemoPassword, ip)
	if err == nil {
		return tok, nil
	}
	var se statusError
	if !errors.As(err, &se) || se.code != http.StatusUnauthorized {
		return "", fmt.Errorf("sign in as %s: %w", email, err)
	}
	body, _ := json.Marshal(map[string]string{"email": email, "name": fmt.Sprintf("Belasting %d", i), "password": DemoPassword, "role": "employer", "employer_id": employer})
	if _, err := b.call(ctx, http.MethodPost, "/api/v1/users", coord, "", body); err != nil {
		return "", fmt.Errorf("create %s: %w", email, err)
	}
	return b.login(ctx, email, DemoPassword, ip)
}

type statusError struct {
	code int
	body string
}

func (e statusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.code, e.body) }

func (b *loadBench) call(ctx context.Context, method, path, token, ip string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, b.base+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if ip != "" {
		req.Header.Set("X-Forwarded-For", ip)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 {
		hint := ""
		if resp.StatusCode == http.StatusTooManyRequests && strings.Contains(path, "/auth/") {
			hint = " (start serve with HERSTART_PROXY_HEADER=X-Forwarded-For HERSTART_TRUSTED_PROXIES=127.0.0.1 so that each user signs in from an address of its own)"
		}
		return nil, statusError{code: resp.StatusCode, body: strings.TrimSpace(string(out)) + hint}
	}
	return out, nil
}

func (b *loadBench) login(ctx context.Context, email, password, ip string) (string, error) {
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	out, err := b.call(ctx, http.MethodPost, "/api/v1/auth/token", "", ip, body)
	if err != nil {
		return "", err
	}
	var t struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(out, &t); err != nil || t.Token == "" {
		return "", fmt.Errorf("no token in %q", out)
	}
	return t.Token, nil
}

func (b *loadBench) getJSON(ctx context.Context, token, path string, v any) error {
	out, err := b.call(ctx, http.MethodGet, path, token, "", nil)
	if err != nil {
		return fmt.Errorf("GET %s: %w", path, err)
	}
	return json.Unmarshal(out, v)
}

// The search workload: skills as people type them (typos included),
// places with radii, filters, pages 1–3.
var (
	loadSkills = []string{"heftruck", "heftruk", "lasser", "lasen", "schoonmaak", "schoonmake", "metselen", "metzelen", "orderpicker",
		"orderpiken", "koken", "kooken", "vakkenvullen", "vakkevullen", "groenonderhoud", "groenonderhout", "magazijn", "chauffeur",
		"forklift", "cleaning", "welding", "timmerman", "schilder", "kapper", "bezorger", "productie", "", "bouw"}
	loadPlaces = []string{"Utrecht", "Amsterdam", "Rotterdam", "Eindhoven", "Groningen", "Zwolle", "Breda", "Den Haag", "Tilburg", "Nijmegen", "Arnhem", ""}
	loadRadii  = []int{10, 25, 25, 50}
	// loadWords: 60 words of job searches, three at a time (205,320 texts).
	loadWords = strings.Fields(`ervaren gemotiveerde stukadoor schilder metselaar lasser heftruck chauffeur schoonmaker kok
		magazijn orderpicker timmerman tegelzetter hovenier dakdekker elektricien monteur loodgieter stratenmaker bakker
		slager productie inpakken zelfstandig flexibel nachtdienst weekend ploegendienst rijbewijs vca ervaring omgeving
		regio fulltime parttime starter junior senior leerling assistent medewerker allround zorgvuldig handig technisch
		buiten binnen bouw logistiek horeca groen schoonmaak vervoer installatie afbouw sloop asbest verhuizer
		glazenwasser`)
)

func (b *loadBench) searchPath() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	v := url.Values{}
	if b.fresh {
		w := b.rng.Perm(len(loadWords))
		v.Set("q", loadWords[w[0]]+" "+loadWords[w[1]]+" "+loadWords[w[2]])
	} else if s := loadSkills[b.rng.IntN(len(loadSkills))]; s != "" {
		v.Set("q", s)
	}
	if p := loadPlaces[b.rng.IntN(len(loadPlaces))]; p != "" {
		v.Set("place", p)
		v.Set("within_km", strconv.Itoa(loadRadii[b.rng.IntN(len(loadRadii))]))
	}
	if b.rng.IntN(3) == 0 {
		v.Set("available_before", time.Now().AddDate(0, 0, 30).Format(time.DateOnly))
	}
	if b.rng.IntN(5) == 0 {
		v.Set("hours_min", "24")
	}
	if b.rng.IntN(4) == 0 {
		v.Set("page", strconv.Itoa(2+b.rng.IntN(2)))
	}
	return "/api/v1/search/candidates?" + v.Encode()
}

func (b *loadBench) pick(n int) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.rng.IntN(n)
}

// targeter deals the requests: every employer user in turn, so that each
// stays under its search limit; in the mixed workload 70% searches, 20%
// reads (the caseload, a candidate, the employer's vacancies, matches for a
// vacancy, the inbox, the mentor's agenda) and 10% writes (availability
// confirmations, check-in edits, the inbox marked read).
func (b *loadBench) targeter(workload string) vegeta.Targeter {
	return func(t *vegeta.Target) error {
		i := b.next.Add(1)
		emp := b.employers[i%uint64(len(b.employers))]
		*t = vegeta.Target{Method: http.MethodGet, Header: http.Header{"Authorization": {"Bearer " + emp}}}
		roll := 0
		switch workload {
		case "mixed":
			roll = b.pick(100)
		case "matches":
			roll = 78 // matches for a vacancy only
		}
		bearer := func(tok string) { t.Header.Set("Authorization", "Bearer "+tok) }
		var w benchWorker
		if len(b.workers) > 0 {
			w = b.workers[b.pick(len(b.workers))]
		}
		switch {
		case roll < 70:
			t.URL = b.base + b.searchPath()
		case roll < 74:
			bearer(w.token)
			t.URL = b.base + "/api/v1/candidates"
		case roll < 78:
			bearer(w.token)
			t.URL = b.base + "/api/v1/candidates/" + w.cands[b.pick(len(w.cands))]
		case roll < 81:
			t.URL = b.base + "/api/v1/vacancies/" + b.vacancies[b.pick(len(b.vacancies))] + "/matches"
		case roll < 84:
			t.URL = b.base + "/api/v1/vacancies/" + b.vacancies[b.pick(len(b.vacancies))]
		case roll < 87:
			t.URL = b.base + "/api/v1/inbox"
		case roll < 90:
			bearer(b.mentor)
			t.URL = b.base + "/api/v1/agenda"
		case roll < 95:
			bearer(w.token)
			t.Method, t.URL = http.MethodPost, b.base+"/api/v1/candidates/"+w.available[b.pick(len(w.available))]+"/confirm-availability"
		case roll < 98 && len(b.checkins) > 0:
			bearer(b.mentor)
			c := b.checkins[b.pick(len(b.checkins))]
			t.Method, t.URL, t.Body = http.MethodPut, b.base+c.path, c.body
			t.Header.Set("Content-Type", "application/json")
		default:
			t.Method, t.URL = http.MethodPost, b.base+"/api/v1/inbox/read"
		}
		return nil
	}
}

var loadKinds = []struct {
	re   *regexp.Regexp
	kind string
}{
	{regexp.MustCompile(`^GET .*/api/v1/search/candidates`), "search"},
	{regexp.MustCompile(`^GET .*/api/v1/candidates$`), "caseload"},
	{regexp.MustCompile(`^GET .*/api/v1/candidates/[^/]+$`), "candidate"},
	{regexp.MustCompile(`^GET .*/matches$`), "matches"},
	{regexp.MustCompile(`^GET .*/api/v1/vacancies/[^/]+$`), "vacancy"},
	{regexp.MustCompile(`^GET .*/api/v1/inbox$`), "inbox"},
	{regexp.MustCompile(`^GET .*/api/v1/agenda$`), "agenda"},
	{regexp.MustCompile(`^POST .*/confirm-availability$`), "confirm (write)"},
	{regexp.MustCompile(`^PUT .*/checkins/`), "check-in edit (write)"},
	{regexp.MustCompile(`^POST .*/inbox/read$`), "inbox read (write)"},
}

func kindOf(method, u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		u = u[:i]
	}
	s := method + " " + u
	for _, k := range loadKinds {
		if k.re.MatchString(s) {
			return k.kind
		}
	}
	return "other"
}

func (b *loadBench) report(all *vegeta.Metrics, perKind map[string]*vegeta.Metrics, cpu float64, peak int64) {
	w := b.out
	okN := 0
	for code, n := range all.StatusCodes {
		if c, _ := strconv.Atoi(code); c >= 200 && c < 300 {
			okN += n
		}
	}
	secs := all.Duration.Seconds()
	fmt.Fprintf(w, "%-22s %9s %9s %9s %9s %9s %9s  %s\n", "kind", "requests", "ok/s", "p50", "p95", "p99", "max", "statuses")
	kinds := make([]string, 0, len(perKind))
	for k := range perKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		m := perKind[k]
		m.Close()
		ok := 0
		for code, n := range m.StatusCodes {
			if c, _ := strconv.Atoi(code); c >= 200 && c < 300 {
				ok += n
			}
		}
		fmt.Fprintf(w, "%-22s %9s %9.1f %9s %9s %9s %9s  %s\n", k, thousands(int(m.Requests)), float64(ok)/max(secs, 0.001),
			ms(m.Latencies.P50), ms(m.Latencies.P95), ms(m.Latencies.P99), ms(m.Latencies.Max), statuses(m.StatusCodes))
	}
	fmt.Fprintf(w, "%-22s %9s %9.1f %9s %9s %9s %9s  %s\n", "all", thousands(int(all.Requests)), float64(okN)/max(secs, 0.001),
		ms(all.Latencies.P50), ms(all.Latencies.P95), ms(all.Latencies.P99), ms(all.Latencies.Max), statuses(all.StatusCodes))
	for _, e := range all.Errors {
		fmt.Fprintf(w, "error: %s\n", e)
	}
	perK := 0.0
	if all.Requests > 0 {
		perK = cpu / float64(all.Requests) * 1000
	}
	fmt.Fprintf(w, "serve: %.1f CPU s in all, %.2f CPU s per 1,000 requests (%.2f cores busy), peak RSS %d MiB (sampled each second)\n",
		cpu, perK, cpu/max(secs, 0.001), peak>>20)
}

// reportDB prints the database commands serve sent per request during the
// run, in all and the most frequent kinds.
func (b *loadBench) reportDB(before, after serveSample, requests uint64) {
	if len(after.db) == 0 || requests == 0 {
		return
	}
	type kind struct {
		name    string
		n, secs float64
	}
	var kinds []kind
	total, secs := 0.0, 0.0
	for k, v := range after.db {
		if d := v - before.db[k]; d > 0 {
			s := after.dbs[k] - before.dbs[k]
			kinds = append(kinds, kind{k, d, s})
			total, secs = total+d, secs+s
		}
	}
	sort.Slice(kinds, func(i, j int) bool { return kinds[i].n > kinds[j].n })
	parts := make([]string, 0, 8)
	for _, k := range kinds[:min(8, len(kinds))] {
		parts = append(parts, fmt.Sprintf("%s %.3f", k.name, k.n/float64(requests)))
	}
	fmt.Fprintf(b.out, "database: %.2f commands per request (%s)\n", total/float64(requests), strings.Join(parts, ", "))
	sort.Slice(kinds, func(i, j int) bool { return kinds[i].secs > kinds[j].secs })
	parts = parts[:0]
	for _, k := range kinds[:min(6, len(kinds))] {
		parts = append(parts, fmt.Sprintf("%s %.1f s (%.2f ms each)", k.name, k.secs, k.secs/k.n*1000))
	}
	fmt.Fprintf(b.out, "database time: %.1f s in all; most: %s\n", secs, strings.Join(parts, ", "))
}

func statuses(m map[string]int) string {
	codes := make([]string, 0, len(m))
	for c := range m {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = fmt.Sprintf("%s×%d", c, m[c])
	}
	return strings.Join(parts, " ")
}

var dbLine = regexp.MustCompile(`^herstart_db_command(s_total|_seconds_total)\{collection="([^"]*)",command="([^"]*)"\} (\S+)$`)

type serveSample struct {
	cpu float64
	rss float64
	db  map[string]float64 // herstart_db_commands_total by "command collection"
	dbs map[string]float64 // herstart_db_command_seconds_total by "command collection"
}

// serveMetrics reads serve's CPU seconds and resident memory from the
// process collector on its /metrics.
func (b *loadBench) serveMetrics(ctx context.Context) (serveSample, error) {
	out, err := b.call(ctx, http.MethodGet, "/metrics", "", "", nil)
	if err != nil {
		return serveSample{}, err
	}
	s := serveSample{db: map[string]float64{}, dbs: map[string]float64{}}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := dbLine.FindStringSubmatch(line); m != nil {
			if v, err := strconv.ParseFloat(m[4], 64); err == nil {
				if m[1] == "s_total" {
					s.db[m[3]+" "+m[2]] = v
				} else {
					s.dbs[m[3]+" "+m[2]] = v
				}
			}
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil {
			continue
		}
		switch f[0] {
		case "process_cpu_seconds_total":
			s.cpu = v
		case "process_resident_memory_bytes":
			s.rss = v
		}
	}
	if s.rss == 0 {
		return s, errors.New("no process_resident_memory_bytes (the process collector reads /proc: Linux only)")
	}
	return s, nil
}

func (b *loadBench) sampleRSS(ctx context.Context, peak *atomic.Int64) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if s, err := b.serveMetrics(ctx); err == nil && int64(s.rss) > peak.Load() {
					peak.Store(int64(s.rss))
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}

// takeProfiles fetches serve's profiles during the run: CPU over most of
// it, then block and mutex (cumulative since start, so taken before and
// after and to be read with -base) and the heap.
func takeProfiles(ctx context.Context, base, dir string, dur time.Duration) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	get := func(name, path string) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("%s: %w (start serve with HERSTART_PPROF_ADDR=127.0.0.1:6060)", path, err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: HTTP %d", path, resp.StatusCode)
		}
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, resp.Body); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	for _, p := range []string{"block", "mutex"} {
		if err := get(p+"-before.pprof", "/debug/pprof/"+p); err != nil {
			return err
		}
	}
	secs := max(1, int(dur.Seconds())-4)
	if err := get("cpu.pprof", fmt.Sprintf("/debug/pprof/profile?seconds=%d", secs)); err != nil {
		return err
	}
	for _, p := range []string{"block", "mutex", "heap"} {
		if err := get(p+".pprof", "/debug/pprof/"+p); err != nil {
			return err
		}
	}
	return nil
}

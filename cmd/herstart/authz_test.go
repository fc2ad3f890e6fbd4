package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/herstart/herstart/api/openapidoc"
)

// The authorisation matrix (issue 22): every operation of api/openapi.yaml
// and every page route of frontend/routes.go, asked by every kind of caller,
// answers the status that testdata/authz.table gives. The objects in the
// table belong to the first of each pair of callers: the candidates and the
// placement to worker w1 (jansen), the vacancies, introductions and payouts
// to employer e1 (the demo employer; ec is its colleague), the placement's
// mentoring to m1. The second of each pair (w2, eo — another approved
// employer —, m2) is the "other"; es is a suspended employer, ep a pending
// one; c1 and c2 are the two coordinators a four-eyes step needs.
//
// A route the table lacks fails the test, as does a row no route serves.
// Planted identity values (a last name, e-mail, phone, birth date and
// address on three candidates) may appear only in a body to a caller with
// the right to them (docs/disclosure.md): checked in every body — JSON,
// errors, HTML, CSV and XML.
//
// HERSTART_AUTHZ_RECORD=1 rewrites the table's statuses with what the code
// answers, for a reviewer to read the diff: the table is the rule, and a
// changed status is a changed rule.

// authzCallers is the table's column order.
var authzCallers = []string{"anon", "w1", "w2", "e1", "ec", "eo", "es", "ep", "m1", "m2", "c1", "c2", "k1", "p1", "p2"}

// authzOrder is the order callers ask in, within a row: the owners last, so
// that a step the owner may take (closing, withdrawing) is asked of all the
// others while the object is still as the row describes it.
var authzOrder = []string{"anon", "k1", "p2", "w2", "eo", "es", "ep", "m2", "c2", "c1", "ec", "m1", "e1", "p1", "w1"}

type authzRow struct {
	line   int
	method string
	path   string // with {fixture} placeholders
	body   string // JSON for /api, a form for pages; "" for none
	want   map[string]int
	text   string // the row as written, up to the statuses
}

const authzTable = "testdata/authz.table"

func readAuthzTable(t *testing.T) ([]authzRow, []string) {
	t.Helper()
	raw, err := os.ReadFile(authzTable)
	if err != nil {
		t.Fatal(err)
	}
	var rows []authzRow
	lines := strings.Split(string(raw), "\n")
	for i, line := range lines {
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		left, right, ok := strings.Cut(line, "|")
		f := strings.Fields(left)
		if !ok || len(f) < 2 {
			t.Fatalf("%s:%d: want METHOD PATH [BODY] | statuses", authzTable, i+1)
		}
		r := authzRow{line: i + 1, method: f[0], path: f[1], body: strings.Join(f[2:], " "), want: map[string]int{}, text: strings.TrimRight(left, " ")}
		st := strings.Fields(right)
		if len(st) != 0 && len(st) != len(authzCallers) {
			t.Fatalf("%s:%d: %d statuses; want %d (%s)", authzTable, i+1, len(st), len(authzCallers), strings.Join(authzCallers, " "))
		}
		for j, s := range st {
			var n int
			if _, err := fmt.Sscan(s, &n); err != nil {
				t.Fatalf("%s:%d: status %q", authzTable, i+1, s)
			}
			r.want[authzCallers[j]] = n
		}
		rows = append(rows, r)
	}
	return rows, lines
}

// authzRoutes lists "METHOD /template" for every documented operation and
// every page route.
func authzRoutes(t *testing.T) []string {
	t.Helper()
	out, err := openapidoc.Operations("../../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../../frontend/routes.go")
	if err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`:([a-z]+)`)
	for _, m := range regexp.MustCompile(`app\.(Get|Post|Put|Patch|Delete)\("([^"]+)"`).FindAllStringSubmatch(string(src), -1) {
		out = append(out, strings.ToUpper(m[1])+" "+param.ReplaceAllString(m[2], "{$1}"))
	}
	if len(out) < 120 {
		t.Fatalf("found %d routes; the route listing is broken", len(out))
	}
	return out
}

// authzRouteOf names the route that serves a row: of the templates that
// match its path, the one with the fewest parameters (/candidates/new
// before /candidates/{id}).
func authzRouteOf(routes []string, method, path string) string {
	path, _, _ = strings.Cut(path, "?")
	segs := strings.Split(path, "/")
	best, params := "", 1<<30
	for _, r := range routes {
		m, tmpl, _ := strings.Cut(r, " ")
		ts := strings.Split(tmpl, "/")
		if m != method || len(ts) != len(segs) {
			continue
		}
		n, ok := 0, true
		for i, s := range ts {
			if strings.HasPrefix(s, "{") {
				n++
				ok = ok && segs[i] != ""
			} else {
				ok = ok && s == segs[i]
			}
		}
		if ok && n < params {
			best, params = r, n
		}
	}
	return best
}

// authzClient sends one request as a caller and reads the whole answer;
// it follows no redirect (a page's 303 is its answer).
type authzClient struct {
	t    *testing.T
	base string
	http *http.Client
}

func (c *authzClient) call(method, path, token, body, ip string) (int, []byte, string) {
	c.t.Helper()
	var r io.Reader
	req, _ := http.NewRequest(method, c.base+path, nil)
	if body != "" || method != "GET" && method != "DELETE" {
		if strings.HasPrefix(path, "/api/") {
			if body == "" {
				body = "{}"
			}
			r = strings.NewReader(body)
			req, _ = http.NewRequest(method, c.base+path, r)
			req.Header.Set("Content-Type", "application/json")
		} else {
			req, _ = http.NewRequest(method, c.base+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("X-Forwarded-For", ip)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header.Get("Location")
}

// json sends a JSON request as a caller and decodes the answer.
func (c *authzClient) json(method, path, token string, body any) (int, map[string]any) {
	c.t.Helper()
	s := ""
	if body != nil {
		b, _ := json.Marshal(body)
		s = string(b)
	}
	st, b, _ := c.call(method, path, token, s, "198.51.100.1")
	m := map[string]any{}
	_ = json.Unmarshal(b, &m)
	return st, m
}

func (c *authzClient) must(want int, method, path, token string, body any) map[string]any {
	c.t.Helper()
	st, m := c.json(method, path, token, body)
	if st != want {
		c.t.Fatalf("set-up: %s %s = %d %v; want %d", method, path, st, m, want)
	}
	return m
}

func (c *authzClient) login(email, password string, n int) string {
	c.t.Helper()
	b, _ := json.Marshal(map[string]any{"email": email, "password": password})
	st, raw, _ := c.call("POST", "/api/v1/auth/token", "", string(b), fmt.Sprintf("198.51.100.%d", 10+n))
	m := map[string]any{}
	_ = json.Unmarshal(raw, &m)
	if st != 201 {
		c.t.Fatalf("login %s = %d %s", email, st, raw)
	}
	return m["token"].(string)
}

// planted is one candidate's identity as stored, with who may read it.
type planted struct {
	cand   string
	values map[string]string // field → value
	// may lists, per caller, the fields they may be shown.
	may map[string][]string
}

func TestAuthzMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve")
	}
	env := testEnv(t, map[string]string{"HERSTART_ADDR": "127.0.0.1:0",
		// Every caller signs in from its own (documentation) address, so
		// that the per-address login limit is not what the test meets.
		"HERSTART_PROXY_HEADER": "X-Forwarded-For", "HERSTART_TRUSTED_PROXIES": "127.0.0.1/32,::1/128",
		"HERSTART_SEPA_DEBTOR_NAME": "Stichting Herstart", "HERSTART_SEPA_DEBTOR_IBAN": "NL91ABNA0417164300"})
	if os.Getenv("HERSTART_TEST_POSTGRES_URL") != "" {
		t.Skip("ran on the embedded database: who may do what does not depend on the storage backend (scripts/test.sh says so)")
	}
	began := time.Now()
	loadDemo(t, env)
	base, _, _ := startServe(t, env)
	c := &authzClient{t: t, base: base, http: &http.Client{Timeout: 60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	t.Logf("demo data and serve: %s", time.Since(began).Round(time.Millisecond))
	fx, tokens, marks := authzFixtures(t, c)
	t.Logf("fixtures: %s", time.Since(began).Round(time.Millisecond))

	rows, lines := readAuthzTable(t)
	routes := authzRoutes(t)
	covered := map[string]bool{}
	record := os.Getenv("HERSTART_AUTHZ_RECORD") == "1"
	got := map[int]map[string]int{}
	var wrong []string
	requests, leaks, pagesRead := 0, 0, 0
	shown := map[string]bool{} // planted values a caller with the right was shown: the check can see them
	for _, r := range rows {
		route := authzRouteOf(routes, r.method, r.path)
		if route == "" {
			t.Errorf("%s:%d: %s %s: no route serves it", authzTable, r.line, r.method, r.path)
			continue
		}
		covered[route] = true
		path := r.path
		for k, v := range fx {
			path = strings.ReplaceAll(path, "{"+k+"}", url.PathEscape(v))
		}
		body := r.body
		for k, v := range fx {
			body = strings.ReplaceAll(body, "{"+k+"}", v)
		}
		if strings.Contains(path, "{") {
			t.Fatalf("%s:%d: %s: a fixture the set-up did not make", authzTable, r.line, path)
		}
		got[r.line] = map[string]int{}
		for i, who := range authzOrder {
			st, b, loc := c.call(r.method, path, tokens[who], body, fmt.Sprintf("203.0.113.%d", i+1))
			b = append(b, loc...)
			requests++
			got[r.line][who] = st
			if r.method == "GET" && st == 200 && !strings.HasPrefix(r.path, "/api/") && !strings.HasPrefix(r.path, "/audit") {
				pagesRead++
				if ids := idsShown(b); len(ids) > 0 {
					t.Errorf("%s as %s shows a person record ids where a name belongs: %v", r.path, who, ids)
				}
			}
			if want, ok := r.want[who]; !record && (!ok || st != want) {
				wrong = append(wrong, fmt.Sprintf("%s:%d %s %s as %s = %d; the table says %d: %.200s", authzTable, r.line, r.method, r.path, who, st, want, b))
			}
			for _, p := range marks {
				for field, v := range p.values {
					if !bytes.Contains(b, []byte(v)) {
						continue
					}
					if contains(p.may[who], field) {
						shown[p.cand+" "+field] = true
					} else {
						leaks++
						t.Errorf("%s %s as %s shows candidate %s's %s (%q), which %s may not see", r.method, r.path, who, p.cand, field, v, who)
					}
				}
			}
		}
	}
	// The control: every planted value reached someone with the right to
	// it (so a leak would have been seen).
	for _, p := range marks {
		for field := range p.values {
			if !shown[p.cand+" "+field] && !strings.HasSuffix(field, "_compact") { // a variant, looked for in case
				t.Errorf("candidate %s's planted %s reached nobody, not even its worker: the leak check cannot see it", p.cand, field)
			}
		}
	}
	var missing []string
	for _, r := range routes {
		if !covered[r] {
			missing = append(missing, r)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("routes the table lacks (add a row for each, with the status every caller gets):\n  %s", strings.Join(missing, "\n  "))
	}
	if record {
		writeAuthzTable(t, rows, lines, got)
		t.Logf("recorded %s: read the diff before you commit it", authzTable)
		return
	}
	if len(wrong) > 0 {
		t.Errorf("%d answers differ from the table:\n%s", len(wrong), strings.Join(wrong, "\n"))
	}
	hostileSweep(t, c, rows, fx, tokens, routes)
	t.Logf("authorisation matrix: %d rows over %d routes × %d callers = %d requests; %d planted values on %d candidates; leaks %d; %d pages read for record ids",
		len(rows), len(covered), len(authzCallers), requests, len(marks[0].values)*len(marks), len(marks), leaks, pagesRead)
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func writeAuthzTable(t *testing.T, rows []authzRow, lines []string, got map[int]map[string]int) {
	width := 0
	for _, r := range rows {
		width = max(width, len(r.text))
	}
	for _, r := range rows {
		st := make([]string, len(authzCallers))
		for i, who := range authzCallers {
			st[i] = fmt.Sprintf("%-4d", got[r.line][who])
		}
		lines[r.line-1] = fmt.Sprintf("%-*s | %s", width, r.text, strings.TrimRight(strings.Join(st, ""), " "))
	}
	if err := os.WriteFile(authzTable, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
)

// bench load against a serve with the demo: a short mixed run signs in its
// employer users (creating them), sends every kind of request, and reports
// each kind, serve's CPU and memory and the database commands; no request
// fails with a 5xx.
func TestBenchLoad_Mixed(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve")
	}
	if os.Getenv("HERSTART_TEST_POSTGRES_URL") != "" {
		t.Skip("ran on the embedded database: the load tool measures, it holds no rule of the storage backend (scripts/test.sh says so)")
	}
	t.Setenv("TMPDIR", t.TempDir()) // the tokens it keeps for the next run
	// As scripts/bench-load.sh starts it: each user signs in from an
	// address of its own, so that the per-address login limit holds for
	// each, not for the tool.
	env := testEnv(t, map[string]string{"HERSTART_ADDR": "127.0.0.1:0",
		"HERSTART_PROXY_HEADER": "X-Forwarded-For", "HERSTART_TRUSTED_PROXIES": "127.0.0.1/32,::1/128"})
	loadDemo(t, env)
	base, _, _ := startServe(t, env)
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"bench", "load", "--url", base, "--clients", "4", "--duration", "3s", "--workload", "mixed", "--users", "3"}, &out, &errOut, envFunc(env))
	t.Logf("bench load:\n%s", strings.ReplaceAll(out.String(), "\r", "\n"))
	if err != nil {
		t.Fatalf("bench load: %v %s", err, errOut.String())
	}
	for _, want := range []string{"\nsearch ", "\ncaseload ", "\nconfirm (write) ", "\nall ", "\nserve: ", "CPU s per 1,000 requests", "\ndatabase: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q", strings.TrimSpace(want))
		}
	}
	if m := regexp.MustCompile(`(?m)^all .*\b5\d\d×`).FindString(out.String()); m != "" {
		t.Errorf("server errors under load: %s", m)
	}
}

// With --fresh every search asks three different job words, and the
// queries hardly repeat: the taxonomy's memo cannot answer them.
func TestBenchLoad_FreshQueries(t *testing.T) {
	b := &loadBench{fresh: true, rng: rand.New(rand.NewPCG(1, 2))}
	seen := map[string]bool{}
	for range 1000 {
		u, err := url.Parse(b.searchPath())
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query().Get("q")
		w := strings.Fields(q)
		if len(w) != 3 || w[0] == w[1] || w[1] == w[2] || w[0] == w[2] {
			t.Fatalf("query %q: want three different words", q)
		}
		seen[q] = true
	}
	if len(seen) < 990 {
		t.Fatalf("%d different queries of 1,000; want nearly all new", len(seen))
	}
}

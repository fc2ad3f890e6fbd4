// Package stripetest starts stripe-mock (Stripe's own mock server, a Go
// tool dependency of this module: `go tool stripe-mock`) for tests, and
// puts a counting proxy in front of it. stripe-mock keeps no state and
// ignores idempotency keys; the proxy does what Stripe does with a key it
// has seen (answers with the first response) and counts every request per
// key, so that a test can show a payout's transfer was asked for with one
// key and made once. It also answers the transfer list from what was made.
package stripetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Mock is a running stripe-mock behind the proxy.
type Mock struct {
	URL string // the proxy's base URL, for the gateway

	mu        sync.Mutex
	requests  map[string]int             // idempotency key → transfer requests
	made      map[string]json.RawMessage // idempotency key → the transfer Stripe made
	order     []string
	accounts  int
	onRequest func(path string, n int) // after the nth transfer request was answered; under mu
	upstream  string
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		up := filepath.Dir(dir)
		if up == dir {
			return "", fmt.Errorf("no go.mod above the test")
		}
		dir = up
	}
}

// Start runs stripe-mock on two free local ports (HTTP and HTTPS: with
// only the first it opens HTTPS on every interface at a fixed port) and
// the proxy; both stop when the test ends.
func Start(t testing.TB) *Mock {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	// A free port can be taken between freePort and stripe-mock's bind
	// (an outgoing connection's ephemeral port, under a busy test run):
	// then it exits at once, and it starts again on other ports.
	var upstream string
	for attempt := 1; ; attempt++ {
		u, out, err := startMock(t, root)
		if err == nil {
			upstream = u
			break
		}
		if attempt >= 5 || !strings.Contains(out, "address already in use") {
			t.Fatalf("stripe-mock did not start: %v\n%s", err, out)
		}
	}
	m := &Mock{requests: map[string]int{}, made: map[string]json.RawMessage{}, upstream: upstream}
	srv := httptest.NewServer(http.HandlerFunc(m.serve))
	t.Cleanup(srv.Close)
	m.URL = srv.URL
	return m
}

// startMock starts stripe-mock on two free ports and waits until it
// answers; an error with its output when it exits or does not answer.
func startMock(t testing.TB, root string) (string, string, error) {
	httpPort, httpsPort := freePort(t), freePort(t)
	cmd := exec.Command("go", "tool", "stripe-mock", "-http-addr", fmt.Sprintf("127.0.0.1:%d", httpPort), "-https-addr", fmt.Sprintf("127.0.0.1:%d", httpsPort))
	cmd.Dir = root
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group: `go tool` runs stripe-mock as a child of its
	// own, and both must stop.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return "", "", err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() { _ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); <-exited }
	upstream := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	deadline := time.Now().Add(3 * time.Minute) // the first `go tool` run builds it
	for {
		resp, err := http.Get(upstream + "/v1/balance")
		if err == nil {
			resp.Body.Close()
			t.Cleanup(stop)
			return upstream, out.String(), nil
		}
		select {
		case <-exited:
			return "", out.String(), fmt.Errorf("it exited: %w", err)
		default:
		}
		if strings.Contains(out.String(), "address already in use") { // it may not exit by itself
			stop()
			return "", out.String(), err
		}
		if time.Now().After(deadline) {
			stop()
			return "", out.String(), err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// syncBuffer is a bytes.Buffer safe for a process's output and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (m *Mock) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	key := r.Header.Get("Idempotency-Key")
	if r.Method == http.MethodGet && r.URL.Path == "/v1/transfers" {
		m.list(w)
		return
	}
	isTransfer := r.Method == http.MethodPost && r.URL.Path == "/v1/transfers"
	var n int
	if isTransfer {
		m.mu.Lock()
		m.requests[key]++
		n = 0
		for _, c := range m.requests {
			n += c
		}
		first, seen := m.made[key]
		m.mu.Unlock()
		if seen && key != "" {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Idempotent-Replayed", "true")
			_, _ = w.Write(first)
			m.after(w, r.URL.Path, n)
			return
		}
	}
	req, _ := http.NewRequest(r.Method, m.upstream+r.URL.RequestURI(), bytes.NewReader(body))
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	if isTransfer && resp.StatusCode == 200 {
		rb = m.record(key, body, rb)
	}
	for k, v := range resp.Header {
		if k != "Content-Length" {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(rb)
	if isTransfer {
		m.after(w, r.URL.Path, n)
	}
}

// OnRequest sets what runs after the nth transfer request was answered
// (nil: nothing); safe while the mock serves.
func (m *Mock) OnRequest(f func(path string, n int)) {
	m.mu.Lock()
	m.onRequest = f
	m.mu.Unlock()
}

// after flushes the answer, then calls onRequest (a test kills its
// payment worker there: Stripe has made the transfer, the worker has not
// recorded it).
func (m *Mock) after(w http.ResponseWriter, path string, n int) {
	m.mu.Lock()
	f := m.onRequest
	m.mu.Unlock()
	if f != nil {
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		f(path, n)
	}
}

// record keeps the transfer stripe-mock made, with a unique id and the
// request's metadata (stripe-mock answers every call with one fixture id).
func (m *Mock) record(key string, form, resp []byte) []byte {
	vals, _ := url.ParseQuery(string(form))
	var tr map[string]any
	if err := json.Unmarshal(resp, &tr); err != nil {
		return resp
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	tr["id"] = fmt.Sprintf("tr_mock%06d", len(m.order)+1)
	meta := map[string]any{}
	for k, v := range vals {
		if strings.HasPrefix(k, "metadata[") {
			meta[strings.TrimSuffix(strings.TrimPrefix(k, "metadata["), "]")] = v[0]
		}
	}
	tr["metadata"] = meta
	out, _ := json.Marshal(tr)
	if key != "" {
		m.made[key] = out
	}
	m.order = append(m.order, key)
	return out
}

func (m *Mock) list(w http.ResponseWriter) {
	m.mu.Lock()
	var data []json.RawMessage
	for _, k := range m.order {
		data = append(data, m.made[k])
	}
	m.mu.Unlock()
	if data == nil {
		data = []json.RawMessage{}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "url": "/v1/transfers", "has_more": false, "data": data})
}

// Requests returns the transfer requests per idempotency key.
func (m *Mock) Requests() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]int{}
	for k, v := range m.requests {
		out[k] = v
	}
	return out
}

// Made returns the keys of the transfers made, in order.
func (m *Mock) Made() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := append([]string(nil), m.order...)
	sort.Strings(out)
	return out
}

// Forget drops the record of one key's transfer, as if Stripe had none
// (for reconciliation tests).
func (m *Mock) Forget(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.made, key)
	for i, k := range m.order {
		if k == key {
			m.order = append(m.order[:i], m.order[i+1:]...)
			break
		}
	}
}

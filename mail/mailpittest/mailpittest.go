// Package mailpittest starts a real SMTP server for tests: Mailpit
// (github.com/axllent/mailpit, a Go tool dependency of its own module,
// tools/mailpit, so that its SQLite does not move the platform's), on
// loopback, one per test binary; tests read what it received through its
// HTTP API.
//
// The binary is $HERSTART_MAILPIT when set (make test and .ci/run build it
// once), else built into the user's cache directory on first use.
package mailpittest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Version is the Mailpit the tests run (tools/mailpit/go.mod).
const Version = "v1.33.1"

// Server is a running Mailpit.
type Server struct {
	SMTP string // host:port
	HTTP string // http://host:port
}

var (
	once     sync.Once
	shared   *Server
	startErr error
)

// Start returns the test binary's Mailpit, started on first use. Tests
// share it: each sends to addresses of its own and reads those (To, Wait).
func Start(t testing.TB) *Server {
	t.Helper()
	once.Do(func() { shared, startErr = start() })
	if startErr != nil {
		t.Fatalf("mailpit: %v", startErr)
	}
	return shared
}

// URL is the HERSTART_SMTP_URL of the server.
func (s *Server) URL() string { return "smtp://" + s.SMTP + "?tls=none" }

func start() (*Server, error) {
	bin, err := binary()
	if err != nil {
		return nil, err
	}
	smtpAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	httpAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "--smtp", smtpAddr, "--listen", httpAddr, "--quiet", "--disable-version-check",
		"--smtp-auth-accept-any", "--smtp-auth-allow-insecure", "--max", "5000")
	// Not the test binary's own output: go test waits for every holder of
	// it to close it. The server ends with the test binary (dieWithParent).
	logFile, err := os.CreateTemp("", "mailpit-*.log")
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &Server{SMTP: smtpAddr, HTTP: "http://" + httpAddr}
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, err := http.Get(s.HTTP + "/api/v1/messages")
		if err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return s, nil // lives as long as the test binary
			}
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			return nil, fmt.Errorf("mailpit did not answer on %s: %v (its log: %s)", s.HTTP, err, logFile.Name())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// binary finds or builds the Mailpit binary.
func binary() (string, error) {
	if b := os.Getenv("HERSTART_MAILPIT"); b != "" {
		return b, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	bin := filepath.Join(cache, "herstart", "mailpit-"+Version)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	dir, err := toolDir()
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", err
	}
	tmp := fmt.Sprintf("%s.%d", bin, os.Getpid())
	cmd := exec.Command("go", "build", "-o", tmp, "github.com/axllent/mailpit")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build mailpit in %s: %v\n%s", dir, err, out)
	}
	return bin, os.Rename(tmp, bin)
}

// toolDir is tools/mailpit of the module the test runs in.
func toolDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "tools", "mailpit", "go.mod")); err == nil {
			return filepath.Join(d, "tools", "mailpit"), nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no tools/mailpit/go.mod above %s", wd)
		}
	}
}

// Address is a mailbox in a message.
type Address struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

// Summary is a message as Mailpit lists it.
type Summary struct {
	ID        string    `json:"ID"`
	MessageID string    `json:"MessageID"`
	To        []Address `json:"To"`
	Subject   string    `json:"Subject"`
}

// Message is a whole received message.
type Message struct {
	Summary
	Text string `json:"Text"`
}

// Messages returns every message received since the test started, oldest
// first, with its text.
func (s *Server) Messages(t testing.TB) []Message {
	t.Helper()
	var list struct {
		Messages []Summary `json:"messages"`
	}
	s.get(t, "/api/v1/messages?limit=5000", &list)
	out := make([]Message, 0, len(list.Messages))
	for i := len(list.Messages) - 1; i >= 0; i-- { // Mailpit lists newest first
		var m Message
		s.get(t, "/api/v1/message/"+list.Messages[i].ID, &m)
		m.Summary = list.Messages[i]
		out = append(out, m)
	}
	return out
}

// To returns the messages to address.
func (s *Server) To(t testing.TB, address string) []Message {
	t.Helper()
	var out []Message
	for _, m := range s.Messages(t) {
		for _, a := range m.To {
			if strings.EqualFold(a.Address, address) {
				out = append(out, m)
			}
		}
	}
	return out
}

// Wait returns the messages to address once there are at least n, or
// fails the test after timeout.
func (s *Server) Wait(t testing.TB, address string, n int, timeout time.Duration) []Message {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := s.To(t, address)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit: %d message(s) to %s after %s, want %d", len(got), address, timeout, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Clear deletes every message.
func (s *Server) Clear(t testing.TB) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, s.HTTP+"/api/v1/messages", nil)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("mailpit clear: %v", err)
	}
	r.Body.Close()
}

func (s *Server) get(t testing.TB, path string, v any) {
	t.Helper()
	r, err := http.Get(s.HTTP + path)
	if err != nil {
		t.Fatalf("mailpit %s: %v", path, err)
	}
	defer r.Body.Close()
	if r.StatusCode != 200 {
		t.Fatalf("mailpit %s: %s", path, r.Status)
	}
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		t.Fatalf("mailpit %s: %v", path, err)
	}
}

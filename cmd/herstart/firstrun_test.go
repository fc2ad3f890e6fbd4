package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startServe runs serve with env until the test ends and returns its
// address, its output, and the function that stops it (returning how long
// stopping took; serve's error fails the test).
func startServe(t *testing.T, env map[string]string) (string, *syncBuffer, func() time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, &out, &errOut, envFunc(env)) }()
	addrRe := regexp.MustCompile(`listening on (http://\S+)`)
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := addrRe.FindStringSubmatch(out.String()); m != nil {
			stopped := false
			stop := func() time.Duration {
				if stopped {
					return 0
				}
				stopped = true
				start := time.Now()
				cancel()
				select {
				case err := <-done:
					if err != nil {
						t.Errorf("serve returned %v", err)
					}
				case <-time.After(30 * time.Second):
					t.Fatal("serve did not stop within 30 s")
				}
				return time.Since(start)
			}
			t.Cleanup(func() { stop() })
			return m[1], &out, stop
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended early: %v\n%s", err, errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s", errOut.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestDataDirInUse: a command on a data directory that serve is using
// answers at once, naming serve, instead of waiting on the database's lock
// forever; after serve stops (within 5 s), the command runs.
func TestDataDirInUse(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve")
	}
	env := testEnv(t, map[string]string{"HERSTART_ADDR": "127.0.0.1:0"})
	env["MONGODB_URI"] = "" // the lock guards the embedded database's directory
	_, out, stop := startServe(t, env)
	if !strings.Contains(out.String(), "No accounts yet") {
		t.Fatalf("an empty platform does not say how to get in:\n%s", out.String())
	}
	for _, cmd := range [][]string{{"demo"}, {"reindex"}, {"audit", "verify"}, {"serve"}} {
		start := time.Now()
		var o, e syncBuffer
		err := run(context.Background(), cmd, &o, &e, envFunc(env))
		if err == nil || !strings.Contains(err.Error(), "serve (pid") || !strings.Contains(err.Error(), "stop it first") {
			t.Fatalf("%v on a data directory in use: %v; want it to name serve", cmd, err)
		}
		if d := time.Since(start); d > time.Second {
			t.Fatalf("%v took %s to refuse; want under a second", cmd, d)
		}
	}
	if d := stop(); d > 5*time.Second {
		t.Fatalf("serve took %s to stop; want under 5 s", d)
	}
	var o, e syncBuffer
	if err := run(context.Background(), []string{"audit", "verify"}, &o, &e, envFunc(env)); err != nil {
		t.Fatalf("audit verify after serve stopped: %v", err)
	}
}

package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
)

// ErrDirInUse is returned by LockDir when another process holds the data
// directory.
var ErrDirInUse = errors.New("data directory in use")

// LockDir takes the data directory for this process (what names the
// command, e.g. "serve"): an exclusive flock on DIR/herstart.lock, which
// the kernel releases when the process ends, however it ends. The embedded
// SQLite database and the Bleve index belong to one process; a second one
// used to wait forever on their locks, printing nothing.
// Errors: ErrDirInUse, with who holds it ("serve (pid 1234) is using ./data").
func LockDir(dir, what string) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	path := filepath.Join(dir, "herstart.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data directory lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		_ = f.Close()
		who := strings.TrimSpace(string(holder))
		if who == "" {
			who = "another herstart process"
		}
		return nil, fmt.Errorf("%w: %s is using %s: stop it first", ErrDirInUse, who, dir)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(fmt.Sprintf("%s (pid %d)\n", what, os.Getpid())), 0)
	var once sync.Once
	return func() {
		once.Do(func() {
			_ = f.Truncate(0)
			_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
			_ = f.Close()
		})
	}, nil
}

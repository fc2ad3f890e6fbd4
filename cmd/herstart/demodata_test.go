package main

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// demoTemplate is one data directory with the whole demo (its year of
// placement history, ~40 s to write) loaded once per test binary; the
// tests that need it copy it (loadDemo).
var demoTemplate struct {
	sync.Once
	dir string
	err error
}

// demoTemplateDB is the database name inside the template.
const demoTemplateDB = "demo"

// loadDemo loads the demo with its history into env's platform. On the
// embedded database it copies the template directory (and names its
// database in env); over PostgreSQL or MongoDB it runs the demo into env's
// own database.
func loadDemo(t *testing.T, env map[string]string) {
	t.Helper()
	if env["HERSTART_POSTGRES_URL"] != "" || env["MONGODB_URI"] != "" {
		if err := run(context.Background(), []string{"demo"}, io.Discard, io.Discard, envFunc(env)); err != nil {
			t.Fatalf("demo: %v", err)
		}
		return
	}
	demoTemplate.Do(func() {
		dir, err := os.MkdirTemp("", "herstart-demo-")
		if err != nil {
			demoTemplate.err = err
			return
		}
		demoTemplate.dir = dir
		demoTemplate.err = run(context.Background(), []string{"demo"}, io.Discard, io.Discard, envFunc(map[string]string{
			"HERSTART_DATA_DIR": dir, "HERSTART_DB_NAME": demoTemplateDB, "HERSTART_LOG_LEVEL": "error"}))
	})
	if demoTemplate.err != nil {
		t.Fatalf("demo: %v", demoTemplate.err)
	}
	dst := env["HERSTART_DATA_DIR"]
	err := filepath.WalkDir(demoTemplate.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(demoTemplate.dir, path)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o700)
		}
		if d.Name() == "herstart.lock" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o600)
	})
	if err != nil {
		t.Fatalf("copy the demo data: %v", err)
	}
	env["HERSTART_DB_NAME"] = demoTemplateDB
}

// removeDemoTemplate is TestMain's clean-up.
func removeDemoTemplate() {
	if demoTemplate.dir != "" {
		_ = os.RemoveAll(demoTemplate.dir)
	}
}

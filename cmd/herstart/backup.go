package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/herstart/herstart/audit"
	wiring "github.com/herstart/herstart/platform"
	"github.com/herstart/herstart/store"
)

// backupFormat names the archive layout: manifest.json, then the database's
// SQLite file as db/<name>.sqlite, in a gzipped tar.
const backupFormat = "herstart-backup/1"

// manifest describes a backup: what the copy held when it was checked,
// so that a restore can show it got the same.
type manifest struct {
	Format      string           `json:"format"`
	Version     string           `json:"version"`
	MadeAt      time.Time        `json:"made_at"`
	Database    string           `json:"database"`
	Collections map[string]int64 `json:"collections"` // documents per collection
	AuditEvents int64            `json:"audit_events"`
	// AuditPublicKey is the key the copy's signed checkpoints verify
	// with (hex); empty when the copy holds none.
	AuditPublicKey   string `json:"audit_public_key,omitempty"`
	AuditCheckpoints int    `json:"audit_checkpoints"`
	SHA256           string `json:"sha256"` // of the SQLite file
	Bytes            int64  `json:"bytes"`
}

func (m manifest) dbEntry() string { return "db/" + m.Database + ".sqlite" }

// embeddedOnly refuses what copies only the embedded SQLite database.
func embeddedOnly(cfg Config, what string) error {
	switch {
	case cfg.MongoURI != "":
		return fmt.Errorf("%s copies the embedded database; with MONGODB_URI use mongodump/mongorestore (README: Backup)", what)
	case cfg.PostgresURL != "":
		return fmt.Errorf("%s copies the embedded SQLite database; with HERSTART_POSTGRES_URL use pg_dump/pg_restore (README: Backup)", what)
	}
	return nil
}

// backup writes a consistent copy of the embedded database to --out while
// serve may be running on it: a SQLite snapshot (one read transaction),
// opened and checked (documents per collection, the audit chain with its
// signed checkpoints) before it is packed with its manifest. The search
// index is not copied (a restored platform rebuilds it at start), nor the
// audit signing key (keep it apart from the data).
func backup(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	out := fs.String("out", "", "the archive to write (.tar.gz)")
	if err := fs.Parse(args); err != nil {
		return exitError(2)
	}
	if *out == "" {
		return errors.New("backup: --out FILE is required")
	}
	if err := embeddedOnly(cfg, "backup"); err != nil {
		return err
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("backup: %s exists", *out)
	}
	start := time.Now()
	tmp, err := os.MkdirTemp(filepath.Dir(*out), ".herstart-backup-")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := os.MkdirAll(filepath.Join(tmp, "db"), 0o700); err != nil {
		return err
	}
	snap := store.SQLiteFile(tmp, cfg.Database)
	if err := store.SnapshotSQLite(ctx, store.SQLiteFile(cfg.DataDir, cfg.Database), snap); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	pub, err := auditPublicKey(cfg)
	if err != nil {
		return err
	}
	m, err := inspectCopy(ctx, tmp, cfg.Database, pub, log)
	if err != nil {
		return fmt.Errorf("backup: checking the copy: %w", err)
	}
	if m.SHA256, m.Bytes, err = hashFile(snap); err != nil {
		return err
	}
	if err := writeArchive(*out, m, snap); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "backup written to %s in %s: %s documents in %d collections, %d audit events (%d signed checkpoints), %s\n",
		*out, time.Since(start).Round(time.Millisecond), thousands(int(total(m.Collections))), len(m.Collections), m.AuditEvents, m.AuditCheckpoints, bytesText(m.Bytes))
	return nil
}

// auditPublicKey is the key checkpoints are verified with: the configured
// public key, else the key file's when it exists; nil when neither (a
// platform that never served has no checkpoints).
func auditPublicKey(cfg Config) (ed25519.PublicKey, error) {
	if cfg.AuditPublicKey != "" {
		return audit.ParsePublicKey(cfg.AuditPublicKey)
	}
	if _, err := os.Stat(cfg.AuditKeyFile); err != nil {
		return nil, nil
	}
	key, err := audit.LoadOrCreateKey(cfg.AuditKeyFile)
	if err != nil {
		return nil, err
	}
	return key.Public().(ed25519.PublicKey), nil
}

// inspectCopy opens the database copy under dir with its own embedded
// FerretDB and counts it: documents per collection, the audit chain
// (verified, with the signed checkpoints when pub is set).
func inspectCopy(ctx context.Context, dir, name string, pub ed25519.PublicKey, log *slog.Logger) (manifest, error) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := store.Open(ctx, store.Config{DataDir: dir, Database: name, Logger: quiet})
	if err != nil {
		return manifest{}, err
	}
	defer db.Close(context.Background())
	m := manifest{Format: backupFormat, Version: version, MadeAt: time.Now().UTC().Truncate(time.Second), Database: name}
	if m.Collections, err = countCollections(ctx, db); err != nil {
		return manifest{}, err
	}
	rep, err := audit.NewRecorder(db.DB, nil).VerifySigned(ctx, pub, "")
	if err != nil {
		return manifest{}, err
	}
	if !rep.OK() {
		return manifest{}, fmt.Errorf("the audit log is broken at event %d: %s", rep.FirstBroken, rep.Problem)
	}
	m.AuditEvents, m.AuditCheckpoints = rep.Events, rep.Checkpoints
	if pub != nil && rep.Checkpoints > 0 {
		m.AuditPublicKey = hex.EncodeToString(pub)
	}
	return m, nil
}

func countCollections(ctx context.Context, db *store.DB) (map[string]int64, error) {
	names, err := db.DB.ListCollectionNames(ctx, bson.M{})
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, n := range names {
		c, err := db.DB.Collection(n).CountDocuments(ctx, bson.M{})
		if err != nil {
			return nil, fmt.Errorf("count %s: %w", n, err)
		}
		out[n] = c
	}
	return out, nil
}

func writeArchive(out string, m manifest, dbFile string) (err error) {
	part := out + ".part"
	f, err := os.OpenFile(part, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(part)
		}
	}()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	mb, _ := json.MarshalIndent(m, "", "  ")
	if err := tw.WriteHeader(&tar.Header{Name: "manifest.json", Mode: 0o600, Size: int64(len(mb)), ModTime: m.MadeAt}); err != nil {
		return err
	}
	if _, err := tw.Write(mb); err != nil {
		return err
	}
	src, err := os.Open(dbFile)
	if err != nil {
		return err
	}
	defer src.Close()
	if err := tw.WriteHeader(&tar.Header{Name: m.dbEntry(), Mode: 0o600, Size: m.Bytes, ModTime: m.MadeAt}); err != nil {
		return err
	}
	if _, err := io.Copy(tw, src); err != nil {
		return err
	}
	for _, c := range []io.Closer{tw, gz} {
		if err := c.Close(); err != nil {
			return err
		}
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(part, out)
}

// restore unpacks a backup into an empty data directory and checks what it
// got: the file's checksum, documents per collection as the manifest says,
// the audit chain with its signed checkpoints, and every invariant of
// docs/invariants.md. The audit signing key must be there too (--key, from
// its own backup), or the restored checkpoints could not be verified and
// new ones would be signed with another key.
func restore(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	keyFile := fs.String("key", "", "the audit signing key of the backed-up platform (its own backup), copied to HERSTART_AUDIT_KEY_FILE")
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return exitError(2)
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	}
	if file == "" {
		return errors.New("usage: herstart restore FILE [--key KEYFILE]")
	}
	if err := embeddedOnly(cfg, "restore"); err != nil {
		return err
	}
	start := time.Now()
	unlock, err := store.LockDir(cfg.DataDir, "restore")
	if err != nil {
		return err
	}
	dest := store.SQLiteFile(cfg.DataDir, cfg.Database)
	if _, err := os.Stat(dest); err == nil {
		unlock()
		return fmt.Errorf("restore: %s already holds a database: restore into an empty data directory", cfg.DataDir)
	}
	m, err := unpack(file, dest, func(m manifest) error { return restoreKey(cfg, m, *keyFile) })
	unlock()
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	p, err := openPlatform(ctx, cfg, log, "restore")
	if err != nil {
		return err
	}
	defer p.close()
	got, err := countCollections(ctx, p.db)
	if err != nil {
		return err
	}
	var problems []string
	for _, name := range sortedNames(m.Collections) {
		if got[name] != m.Collections[name] {
			problems = append(problems, fmt.Sprintf("%s: %d documents, the backup had %d", name, got[name], m.Collections[name]))
		}
	}
	findings, err := wiring.CheckInvariants(ctx, p.services, p.auditKey.Public().(ed25519.PublicKey), "")
	if err != nil {
		return err
	}
	problems = append(problems, findings...)
	if len(problems) > 0 {
		fmt.Fprintf(stdout, "restored %s into %s, but it does not hold what the backup held:\n", file, cfg.DataDir)
		for _, pr := range problems {
			fmt.Fprintln(stdout, "  "+pr)
		}
		return exitError(1)
	}
	fmt.Fprintf(stdout, "restored %s (made %s) into %s in %s: %s documents in %d collections as in the backup, audit log intact (%d events), invariants hold; the search index is rebuilt when serve starts\n",
		file, m.MadeAt.Format(time.RFC3339), cfg.DataDir, time.Since(start).Round(time.Millisecond), thousands(int(total(m.Collections))), len(m.Collections), m.AuditEvents)
	return nil
}

// unpack reads the archive's manifest, calls check with it, and writes the
// database file to dest, failing when its checksum differs.
func unpack(file, dest string, check func(manifest) error) (m manifest, err error) {
	f, err := os.Open(file)
	if err != nil {
		return m, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return m, fmt.Errorf("%s is not a herstart backup: %w", file, err)
	}
	tr := tar.NewReader(gz)
	h, err := tr.Next()
	if err != nil || h.Name != "manifest.json" || h.Size > 1<<20 {
		return m, fmt.Errorf("%s is not a herstart backup: no manifest first", file)
	}
	if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&m); err != nil || m.Format != backupFormat {
		return m, fmt.Errorf("%s is not a herstart backup (format %q)", file, m.Format)
	}
	if err := check(m); err != nil {
		return m, err
	}
	h, err = tr.Next()
	if err != nil || h.Name != m.dbEntry() {
		return m, fmt.Errorf("%s holds no %s", file, m.dbEntry())
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o700); err != nil {
		return m, err
	}
	part := dest + ".part"
	out, err := os.OpenFile(part, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return m, err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(part)
		}
	}()
	hash := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, hash), tr)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return m, err
	}
	if sum := hex.EncodeToString(hash.Sum(nil)); sum != m.SHA256 || n != m.Bytes {
		return m, fmt.Errorf("%s is damaged: the database file's checksum differs from its manifest", file)
	}
	return m, os.Rename(part, dest)
}

// restoreKey puts the audit signing key in place for the restored
// platform and checks that it is the one that signed the backup's
// checkpoints.
func restoreKey(cfg Config, m manifest, from string) error {
	want := m.AuditPublicKey
	if from != "" {
		b, err := os.ReadFile(from)
		if err != nil {
			return fmt.Errorf("--key: %w", err)
		}
		if existing, err := os.ReadFile(cfg.AuditKeyFile); err == nil {
			if strings.TrimSpace(string(existing)) != strings.TrimSpace(string(b)) {
				return fmt.Errorf("--key: another key is at %s already", cfg.AuditKeyFile)
			}
		} else {
			if err := os.MkdirAll(filepath.Dir(cfg.AuditKeyFile), 0o700); err != nil {
				return err
			}
			if err := os.WriteFile(cfg.AuditKeyFile, b, 0o600); err != nil {
				return err
			}
		}
	}
	if _, err := os.Stat(cfg.AuditKeyFile); err != nil {
		if m.AuditCheckpoints > 0 {
			return fmt.Errorf("the audit signing key is not at %s: give it with --key FILE (from its own backup), so that the backup's signed checkpoints can be checked and new ones signed with the same key", cfg.AuditKeyFile)
		}
		return nil // nothing signed yet: serve makes a key
	}
	key, err := audit.LoadOrCreateKey(cfg.AuditKeyFile) // writes the .pub beside a copied key
	if err != nil {
		return err
	}
	if got := hex.EncodeToString(key.Public().(ed25519.PublicKey)); want != "" && got != want {
		return fmt.Errorf("the audit signing key at %s did not sign this backup's checkpoints", cfg.AuditKeyFile)
	}
	if _, err := os.Stat(cfg.AuditKeyFile + ".pub"); err != nil {
		_ = os.WriteFile(cfg.AuditKeyFile+".pub", []byte(hex.EncodeToString(key.Public().(ed25519.PublicKey))+"\n"), 0o644)
	}
	return nil
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

func total(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

func sortedNames(m map[string]int64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// bytesText writes a size as "12.3 MB".
func bytesText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	default:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
}

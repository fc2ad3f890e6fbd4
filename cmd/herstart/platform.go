package main

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/idempotency"
	"github.com/herstart/herstart/inbox"
	"github.com/herstart/herstart/jobs"
	"github.com/herstart/herstart/mail"
	"github.com/herstart/herstart/mail/smtp"
	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/matching/bleve"
	"github.com/herstart/herstart/matching/meili"
	"github.com/herstart/herstart/payments"
	stripegw "github.com/herstart/herstart/payments/stripe"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/places"
	wiring "github.com/herstart/herstart/platform"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/taxonomy"
	"github.com/herstart/herstart/users"
)

// platform is the wired set of services over one database.
type platform struct {
	db         *store.DB
	audit      *audit.Recorder
	auditKey   ed25519.PrivateKey // signs the audit checkpoints
	outbox     *store.Outbox
	leases     *store.Leases
	users      *users.Service
	candidates *candidates.Service
	employers  *employers.Service
	index      matching.Index
	matching   *matching.Service
	inbox      *inbox.Service
	placements *placements.Service
	payments   *payments.Service
	places     *places.Table
	taxonomy   *taxonomy.Taxonomy
	jobs       *jobs.Service
	mail       *mail.Service
	once       *idempotency.Service
	holder     string // this instance, among others on the database
	unlock     func() // releases the data directory
	services   *wiring.Services
	retain     time.Duration // an exited candidate, before the retention job erases them
}

// openPlatform opens the database and search index and wires the services,
// for the command what ("serve", "demo", …). When the data directory holds
// the embedded database or index, the command takes it first: a second
// command on it answers at once with who holds it.
func openPlatform(ctx context.Context, cfg Config, log *slog.Logger, what string) (_ *platform, err error) {
	unlock := func() {}
	if cfg.MongoURI == "" || cfg.MeiliURL == "" {
		if unlock, err = store.LockDir(cfg.DataDir, what); err != nil {
			return nil, err
		}
	}
	defer func() {
		if err != nil {
			unlock()
		}
	}()
	db, err := store.Open(ctx, store.Config{MongoURI: cfg.MongoURI, PostgresURL: cfg.PostgresURL, DataDir: cfg.DataDir, Database: cfg.Database, Logger: log})
	if err != nil {
		return nil, err
	}
	p := &platform{db: db, unlock: unlock, retain: time.Duration(cfg.RetainExitedDays) * 24 * time.Hour}
	tx, err := taxonomy.Load()
	if err != nil {
		_ = db.Close(context.Background())
		return nil, err
	}
	if cfg.MeiliURL != "" {
		p.index, err = meili.Open(ctx, cfg.MeiliURL, cfg.MeiliAPIKey, "herstart_", tx)
	} else {
		var ix *bleve.Index
		if ix, err = bleve.Open(filepath.Join(cfg.DataDir, "index")); err == nil {
			ix.SetTurns(cfg.EngineTurns)
			p.index = ix
		}
	}
	if err != nil {
		_ = db.Close(context.Background())
		return nil, fmt.Errorf("search index: %w", err)
	}
	o := wiring.Options{Logger: log, Backend: db.Backend, SecondApproval: cfg.SecondApproval, PayoutApproval: cfg.PayoutApproval,
		Debtor: payments.Party{Name: cfg.DebtorName, IBAN: cfg.DebtorIBAN, BIC: cfg.DebtorBIC}, ReturnURL: strings.TrimRight(cfg.PublicURL, "/") + "/"}
	if cfg.StripeKey != "" {
		o.Gateway = stripegw.New(cfg.StripeKey, cfg.StripeURL)
	}
	if cfg.StripeWebhook != "" {
		o.ParseEvent = stripegw.ParseEvent(cfg.StripeWebhook)
	}
	s, err := wiring.New(ctx, db.DB, p.index, o)
	if err != nil {
		p.close()
		return nil, err
	}
	// Indexes FerretDB's SQLite tables lack (see store.IndexIDs); a no-op
	// on other backends.
	if err := db.IndexIDs(ctx, s.Collections()...); err != nil {
		p.close()
		return nil, err
	}
	// Audit checkpoints are signed with a key outside the database
	// (audit/checkpoint.go); the newest is kept in the data directory too.
	key, err := audit.LoadOrCreateKey(cfg.AuditKeyFile)
	if err != nil {
		p.close()
		return nil, err
	}
	s.Audit.SetSigner(key, cfg.CheckpointEvery, cfg.checkpointFile())
	p.auditKey = key
	p.audit, p.outbox, p.leases, p.users, p.candidates, p.employers = s.Audit, s.Outbox, s.Leases, s.Users, s.Candidates, s.Employers
	p.matching, p.inbox, p.placements, p.payments, p.places, p.taxonomy = s.Matching, s.Inbox, s.Placements, s.Payments, s.Places, s.Taxonomy
	p.jobs, p.once, p.holder, p.services, p.mail = s.Jobs, s.Once, s.Holder, s, s.Mail
	var transport mail.Transport
	if cfg.SMTPURL != "" {
		t, err := smtp.New(cfg.SMTPURL, cfg.MailFrom)
		if err != nil {
			p.close()
			return nil, err
		}
		transport = t
	}
	s.Mail.Configure(transport, cfg.PublicURL, cfg.DigestEvery)
	return p, nil
}

func (p *platform) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	if p.audit != nil {
		_ = p.audit.Checkpoint(ctx) // the head saved and the chain's end signed at shutdown
	}
	if p.leases != nil && p.holder != "" {
		// Another instance takes the periodic jobs at once, not when
		// these leases would have expired (up to 2 hours).
		_, _ = p.leases.ReleaseAll(ctx, p.holder)
	}
	if p.index != nil {
		_ = p.index.Close()
	}
	_ = p.db.Close(ctx)
	if p.unlock != nil {
		p.unlock()
	}
}

// takeOverLeases gives up the leases the previous serve of this data
// directory held (it crashed, or was killed, before it could): the data
// directory is locked, so that process is gone, and its jobs are taken up
// at once instead of when its leases expire. The current holder is kept
// for the next start.
func (p *platform) takeOverLeases(ctx context.Context, cfg Config, log *slog.Logger) error {
	file := filepath.Join(cfg.DataDir, "serve-holder")
	store.SetClaimHolder(p.holder)
	if b, err := os.ReadFile(file); err == nil {
		if prev := strings.TrimSpace(string(b)); prev != "" && prev != p.holder {
			n, err := p.leases.ReleaseAll(ctx, prev)
			if err != nil {
				return err
			}
			// Its claims too: a document it was writing when killed
			// would stay blocked for a minute.
			c, err := store.NewVersions(p.db.DB).ReleaseHeldBy(ctx, prev)
			if err != nil {
				return err
			}
			if n+int(c) > 0 {
				log.Info("periodic jobs and write claims of the previous run taken over", "leases", n, "claims", c)
			}
		}
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return err
	}
	return os.WriteFile(file, []byte(p.holder+"\n"), 0o600)
}

// runJobs runs the periodic jobs until ctx ends. Each takes a lease first, so
// that of several instances on one MongoDB only one runs it.
func (p *platform) runJobs(ctx context.Context, log *slog.Logger) {
	holder := p.holder
	type job struct {
		name  string
		every time.Duration
		run   func(context.Context) error
	}
	jobs := []job{
		{"outbox", 30 * time.Second, func(ctx context.Context) error {
			n, err := p.outbox.Drain(ctx, time.Now().Add(-30*time.Second))
			if n > 0 {
				log.Info("outbox tasks recovered", "count", n)
			}
			return err
		}},
		{"expire-employers", time.Hour, func(ctx context.Context) error {
			n, err := p.employers.ExpireDue(ctx)
			if n > 0 {
				log.Info("employer approvals expired", "count", n)
			}
			return err
		}},
		{"placements-sweep", 10 * time.Minute, func(ctx context.Context) error {
			res, err := p.placements.Sweep(ctx)
			if res.Placements > 0 {
				log.Info("placements swept (missed check-ins, milestones, mentors)", "placements", res.Placements)
			}
			return err
		}},
		{"payments-sweep", 10 * time.Minute, func(ctx context.Context) error {
			res, err := p.payments.Sweep(ctx)
			if res.Due+res.Cancelled+res.Created > 0 {
				log.Info("payouts swept", "due", res.Due, "cancelled", res.Cancelled, "created", res.Created)
			}
			return err
		}},
		{"payments-submit", time.Minute, func(ctx context.Context) error {
			n, err := p.payments.Submit(ctx)
			if n > 0 {
				log.Info("payouts paid through Stripe", "count", n)
			}
			return err
		}},
		{"page-jobs", 30 * time.Second, func(ctx context.Context) error {
			n, err := p.jobs.Resume(ctx)
			if n > 0 {
				log.Info("page jobs taken up again", "count", n)
			}
			return err
		}},
		{"retention", 6 * time.Hour, func(ctx context.Context) error {
			n, err := p.candidates.EraseExpired(ctx, p.retain)
			if n > 0 {
				log.Info("candidates erased after the retention period", "count", n, "days", int(p.retain.Hours()/24))
			}
			return err
		}},
		{"prune-idempotency", time.Hour, func(ctx context.Context) error {
			_, err := p.once.Prune(ctx, time.Now())
			return err
		}},
		{"prune-tokens", time.Hour, func(ctx context.Context) error {
			_, err := p.users.PruneTokens(ctx)
			return err
		}},
		{"reminders", 30 * time.Minute, func(ctx context.Context) error {
			_, err := p.services.Reminders(ctx, time.Now())
			return err
		}},
		{"circles-escalate", 30 * time.Minute, func(ctx context.Context) error {
			_, err := p.services.Circles.Escalate(ctx)
			return err
		}},
		{"exits-review", 6 * time.Hour, func(ctx context.Context) error {
			if _, err := p.services.Exits.Remind(ctx); err != nil {
				return err
			}
			_, err := p.services.Exits.Resync(ctx)
			return err
		}},
		{"prune-mail", 6 * time.Hour, func(ctx context.Context) error {
			_, err := p.mail.Prune(ctx)
			return err
		}},
		{"prune-claims", 10 * time.Minute, func(ctx context.Context) error {
			_, err := store.NewVersions(p.db.DB).Prune(ctx, time.Now())
			return err
		}},
	}
	for _, j := range jobs {
		go func() {
			t := time.NewTicker(j.every)
			defer t.Stop()
			for {
				ok, err := p.leases.Acquire(ctx, j.name, holder, time.Now(), 2*j.every)
				if err == nil && ok {
					err = j.run(ctx)
				}
				if err != nil && ctx.Err() == nil {
					log.Warn("job failed", "job", j.name, "err", err)
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
	// Mail goes out on every instance without a lease (each mail is
	// claimed by one), every 10 seconds and at once when one is queued.
	go func() {
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		for {
			res, err := p.mail.Send(ctx)
			if res.Sent+res.Digests > 0 {
				log.Info("mail", "sent", res.Sent, "digests", res.Digests, "dropped", res.Dropped)
			}
			if err != nil && ctx.Err() == nil {
				log.Warn("mail not sent", "err", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-p.mail.Kicks():
			}
		}
	}()
}

func describe(p *platform) string {
	engine := "bleve"
	if _, ok := p.index.(*meili.Index); ok {
		engine = "meilisearch"
	}
	return fmt.Sprintf("database %s, search %s", p.db.Backend, engine)
}

package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/inbox"
	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/matching/bleve"
	"github.com/herstart/herstart/matching/meili"
	"github.com/herstart/herstart/payments"
	stripegw "github.com/herstart/herstart/payments/stripe"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/taxonomy"
	"github.com/herstart/herstart/users"
)

// platform is the wired set of services over one database.
type platform struct {
	db         *store.DB
	audit      *audit.Recorder
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
	unlock     func() // releases the data directory
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
	p := &platform{db: db, unlock: unlock}
	p.audit = audit.NewRecorder(db.DB, nil)
	p.outbox = store.NewOutbox(db.DB, log)
	p.leases = store.NewLeases(db.DB)
	userStore := users.NewStore(db.DB)
	candStore := candidates.NewStore(db.DB)
	empStore := employers.NewStore(db.DB)
	throttle := store.NewThrottle(db.DB, "throttle")
	for _, ensure := range []func(context.Context) error{p.audit.EnsureIndexes, userStore.EnsureIndexes, candStore.EnsureIndexes, empStore.EnsureIndexes} {
		if err := ensure(ctx); err != nil {
			_ = db.Close(context.Background())
			return nil, err
		}
	}
	// Indexes FerretDB's SQLite tables lack (see store.IndexIDs); a no-op
	// on other backends.
	colls := append(append(append(append(p.audit.Collections(), userStore.Collections()...), candStore.Collections()...), empStore.Collections()...),
		p.outbox.Name(), p.leases.Name(), throttle.Name(), "secrets", store.NewVersions(db.DB).Name(), "inboxes")
	if err := db.IndexIDs(ctx, colls...); err != nil {
		_ = db.Close(context.Background())
		return nil, err
	}
	p.users = users.NewService(userStore, p.audit, p.outbox, nil)
	p.inbox = inbox.NewService(db.DB, nil)
	tbl := places.New()
	p.places = tbl
	p.candidates = candidates.NewService(candStore, p.audit, tbl, p.outbox, nil)
	p.employers = employers.NewService(empStore, p.users, p.audit, tbl, throttle, p.outbox, nil)
	p.employers.Notify = p.inbox.Notify
	p.candidates.EmployerExists = p.employers.Exists
	p.candidates.EmployerActive = p.employers.IsActive
	p.candidates.EmployerOf = employerStanding(p.employers)

	tx, err := taxonomy.Load()
	if err != nil {
		_ = db.Close(context.Background())
		return nil, err
	}
	p.taxonomy = tx
	if cfg.MeiliURL != "" {
		p.index, err = meili.Open(ctx, cfg.MeiliURL, cfg.MeiliAPIKey, "herstart_", tx)
	} else {
		p.index, err = bleve.Open(filepath.Join(cfg.DataDir, "index"))
	}
	if err != nil {
		_ = db.Close(context.Background())
		return nil, fmt.Errorf("search index: %w", err)
	}
	key, err := store.Secret(ctx, db.DB, "index_tokens")
	if err != nil {
		p.close()
		return nil, err
	}
	p.matching = matching.NewService(p.index, tx, tbl, p.candidates, p.employers, p.audit, throttle, matching.NewTokens(key), nil)
	// Index updates: candidates and employers record an outbox task before
	// each write, whose handler (registered by the package) calls these.
	placeStore := placements.NewStore(db.DB)
	if err := db.IndexIDs(ctx, placeStore.Collections()...); err != nil {
		p.close()
		return nil, err
	}
	p.placements = placements.NewService(placeStore, p.candidates, p.employers, p.users, p.audit, p.outbox, nil)
	p.placements.Notify = p.inbox.NotifyOnce
	p.placements.SecondApprovalAbove = cfg.SecondApproval
	p.candidates.IntroductionLevel = p.placements.IntroductionLevel
	payStore := payments.NewStore(db.DB)
	if err := db.IndexIDs(ctx, payStore.Collections()...); err != nil {
		p.close()
		return nil, err
	}
	p.payments = payments.NewService(payStore, p.placements, p.audit, p.outbox, nil)
	p.payments.SecondApprovalAbove = cfg.PayoutApproval
	p.payments.EmployerExists = p.employers.Exists
	p.payments.Debtor = payments.Party{Name: cfg.DebtorName, IBAN: cfg.DebtorIBAN, BIC: cfg.DebtorBIC}
	p.payments.ReturnURL = strings.TrimRight(cfg.PublicURL, "/") + "/"
	if cfg.StripeKey != "" {
		p.payments.Gateway = stripegw.New(cfg.StripeKey, cfg.StripeURL)
	}
	if cfg.StripeWebhook != "" {
		p.payments.ParseEvent = stripegw.ParseEvent(cfg.StripeWebhook)
	}
	for _, svc := range []interface{ SetLogger(*slog.Logger) }{p.users, p.candidates, p.employers, p.matching, p.placements, p.payments} {
		svc.SetLogger(log)
	}
	p.candidates.Indexer = p.matching.IndexCandidate
	p.candidates.IndexBatch = p.matching.IndexCandidates
	p.employers.OnVacancyChange = p.matching.IndexVacancy
	return p, nil
}

// employerStanding tells the candidate service who an employer is
// (candidates does not import employers).
func employerStanding(es *employers.Service) func(ctx context.Context, id string) (candidates.EmployerStanding, error) {
	return func(ctx context.Context, id string) (candidates.EmployerStanding, error) {
		e, err := es.Load(ctx, employers.ID(id))
		if err != nil {
			return candidates.EmployerStanding{}, err
		}
		return candidates.EmployerStanding{ID: string(e.ID), KvK: e.KvK, Sectors: e.Sectors, Active: e.Active(time.Now())}, nil
	}
}

func (p *platform) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	if p.index != nil {
		_ = p.index.Close()
	}
	_ = p.db.Close(ctx)
	if p.unlock != nil {
		p.unlock()
	}
}

// runJobs runs the periodic jobs until ctx ends. Each takes a lease first, so
// that of several instances on one MongoDB only one runs it.
func (p *platform) runJobs(ctx context.Context, log *slog.Logger, holder string) {
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
		{"prune-tokens", time.Hour, func(ctx context.Context) error {
			_, err := p.users.PruneTokens(ctx)
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
}

func describe(p *platform) string {
	engine := "bleve"
	if _, ok := p.index.(*meili.Index); ok {
		engine = "meilisearch"
	}
	return fmt.Sprintf("database %s, search %s", p.db.Backend, engine)
}

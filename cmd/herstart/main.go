// Command herstart runs the Herstart platform.
//
//	herstart serve          start the web server (embedded database by default)
//	herstart demo           load demo accounts and candidates (--candidates N for N synthetic ones)
//	herstart reindex        rebuild the search index from the database
//	herstart bench search   measure the search engine on generated candidates
//	herstart bench load     a mixed workload against a running serve (vegeta), with its CPU and memory
//	herstart audit verify   check the audit log's hash chain; non-zero exit if broken
//	herstart check          check every invariant of docs/invariants.md; non-zero exit if one is broken
//	herstart backup         write a consistent copy of the embedded database (while serving)
//	herstart restore        restore such a copy into an empty data directory, and check it
//	herstart version        print the version
package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/herstart/herstart/api"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/frontend"
	"github.com/herstart/herstart/matching"
	wiring "github.com/herstart/herstart/platform"
	"github.com/herstart/herstart/users"
	"github.com/herstart/herstart/web"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// Every command stops within 5 s of SIGINT/SIGTERM: one that has
		// not returned by then (a database call that does not listen to
		// its context) is ended here.
		<-ctx.Done()
		time.Sleep(5 * time.Second)
		fmt.Fprintln(os.Stderr, "herstart: did not stop within 5 s of the signal; exiting")
		os.Exit(1)
	}()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(int(ee))
		}
		fmt.Fprintln(os.Stderr, "herstart:", err)
		os.Exit(1)
	}
}

// exitError ends the program with a code after the command printed why.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit %d", int(e)) }

const usage = `usage: herstart <command>

commands:
  serve                 start the web server
  demo [--candidates N] load demo accounts and candidates
  import [--worker EMAIL] [--available] FILE.csv
                        move a caseload in from another system (serve stopped, for the embedded database)
  reindex               rebuild the search index from the database (serve stopped, for the embedded index)
  bench search          measure the search engine on generated candidates (--candidates, --queries, --runs)
  bench import          measure import on generated candidates (--candidates, --workers, --runs)
  bench load            a mixed workload against a running serve (--url, --clients, --duration, --workload)
  audit verify          check the audit log's hash chain
  check                 check every invariant of docs/invariants.md in the database
  backup --out FILE     write a consistent copy of the embedded database, also while serve runs
  restore FILE [--key KEYFILE]
                        restore a backup into an empty data directory and check it
  payments reconcile    compare the payouts' ledger with Stripe's transfers, and check each scheme's ledger balances
  version               print the version

configuration: environment variables, see README.md`

// run is the whole program; tests call it with their own arguments,
// environment and output.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return exitError(2)
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	switch args[0] {
	case "serve":
		return serve(ctx, cfg, log, stdout)
	case "demo":
		return demo(ctx, cfg, log, args[1:], stdout)
	case "import":
		return importCaseload(ctx, cfg, log, args[1:], stdout)
	case "audit":
		if len(args) < 2 || args[1] != "verify" {
			fmt.Fprintln(stderr, "usage: herstart audit verify")
			return exitError(2)
		}
		return auditVerify(ctx, cfg, log, stdout)
	case "reindex":
		return reindex(ctx, cfg, log, stdout)
	case "check":
		return check(ctx, cfg, log, stdout)
	case "backup":
		return backup(ctx, cfg, log, args[1:], stdout)
	case "restore":
		return restore(ctx, cfg, log, args[1:], stdout)
	case "payments":
		if len(args) < 2 || args[1] != "reconcile" {
			fmt.Fprintln(stderr, "usage: herstart payments reconcile")
			return exitError(2)
		}
		return reconcile(ctx, cfg, log, stdout)
	case "bench":
		switch {
		case len(args) >= 2 && args[1] == "search":
			return benchSearch(ctx, cfg, args[2:], stdout, stderr)
		case len(args) >= 2 && args[1] == "load":
			return benchLoad(ctx, args[2:], stdout, stderr)
		case len(args) >= 2 && args[1] == "import":
			return benchImport(ctx, cfg, log, args[2:], stdout, stderr)
		}
		fmt.Fprintln(stderr, "usage: herstart bench search [--candidates 10000,100000] [--queries 200] [--runs 3]\n       herstart bench import [--candidates 100000] [--workers 100] [--runs 3]\n       herstart bench load [--url URL] [--clients 50] [--duration 60s] [--workload search|mixed] [--users N] [--profile DIR]")
		return exitError(2)
	case "version":
		fmt.Fprintln(stdout, "herstart", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s\n", args[0], usage)
		return exitError(2)
	}
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func serve(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	log.Info("starting", "version", version, "config", cfg)
	if cfg.Proxies.Ignored() {
		log.Warn("HERSTART_PROXY_HEADER is set but HERSTART_TRUSTED_PROXIES is not: the header is ignored and every request counts against its connection's address")
	}
	p, err := openPlatform(ctx, cfg, log, "serve")
	if err != nil {
		return err
	}
	defer p.close()
	if cfg.AdminEmail != "" {
		created, err := p.users.Bootstrap(ctx, cfg.AdminEmail, cfg.AdminPassword)
		if err != nil {
			return fmt.Errorf("create first coordinator: %w", err)
		}
		if created {
			log.Info("first coordinator created from HERSTART_ADMIN_EMAIL")
		}
	}
	firstRun, err := p.users.NoCoordinator(ctx)
	if err != nil {
		return err
	}
	var setup *frontend.Setup
	if firstRun {
		setup = frontend.NewSetup()
	}
	app, err := newApp(p, cfg, log, setup)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	jobCtx, stopJobs := context.WithCancel(ctx)
	defer stopJobs()
	if err := p.takeOverLeases(ctx, cfg, log); err != nil {
		return err
	}
	// What a killed predecessor left in the outbox (the search index's
	// updates, a consent's withdrawal reaching the index, …) is done
	// before this serve answers: at start no task can be running here, and
	// one that an instance beside this one still runs is safe to run again
	// (handlers are idempotent). The periodic job takes up the rest later.
	drainStart := time.Now()
	if n, err := p.outbox.Drain(ctx, drainStart); err != nil {
		log.Warn("outbox at start", "err", err)
	} else if n > 0 {
		log.Info("outbox tasks of the previous run done", "count", n, "took", time.Since(drainStart).Round(time.Millisecond))
	}
	p.runJobs(jobCtx, log)
	if b, ok := p.index.(interface{ Created() bool }); ok && b.Created() {
		// A new embedded index over a database that may hold data (first
		// start, the index folder was removed, or it was of an older
		// schema): rebuild it in the background; searches fill up as it goes.
		go func() {
			start := time.Now()
			if err := p.matching.Reindex(jobCtx, nil); err != nil && jobCtx.Err() == nil {
				log.Error("search index rebuild", "err", err)
				return
			}
			log.Info("search index rebuilt", "took", time.Since(start).Round(time.Millisecond))
		}()
	}

	if cfg.PprofAddr != "" {
		stop, err := startPprof(cfg.PprofAddr, log)
		if err != nil {
			return err
		}
		defer stop()
	}
	errc := make(chan error, 1)
	go func() { errc <- app.Listener(ln) }()
	fmt.Fprintf(stdout, "herstart listening on http://%s (%s)\n", ln.Addr(), describe(p))
	if firstRun {
		fmt.Fprintf(stdout, `
No accounts yet. Create the first coordinator in the browser, with this one-time link:

  http://%s/setup?token=%s

Or stop this (Ctrl-C) and run "make demo" for the demo accounts (coordinator@demo.herstart.nl,
password %s), or restart with HERSTART_ADMIN_EMAIL and HERSTART_ADMIN_PASSWORD set.

`, linkHost(ln.Addr()), setup.Token(), DemoPassword)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	stopJobs()
	if err := app.ShutdownWithTimeout(2 * time.Second); err != nil {
		log.Warn("shutdown", "err", err)
	}
	return nil
}

// newApp composes the shared web layer, the JSON API and the pages over
// the platform's services (serve, and the browser tests).
func newApp(p *platform, cfg Config, log *slog.Logger, setup *frontend.Setup) (*fiber.App, error) {
	w := web.New(web.Config{Users: p.users, Ready: p.db.Ping, Logger: log, CookieInsecure: cfg.CookieInsecure, Proxies: cfg.Proxies, Idempotency: p.once,
		Collectors: []prometheus.Collector{dbCommands{p.db}}})
	api.Mount(w, api.Config{Users: p.users, Candidates: p.candidates, Employers: p.employers, Matching: p.matching, Audit: p.audit, Inbox: p.inbox, Placements: p.placements, Payments: p.payments, Mail: p.mail, Circles: p.services.Circles, Exits: p.services.Exits, Logger: log})
	if err := frontend.Mount(w, frontend.Config{Users: p.users, Candidates: p.candidates, Employers: p.employers, Matching: p.matching, Audit: p.audit,
		Inbox: p.inbox, Placements: p.placements, Payments: p.payments, Mail: p.mail, Circles: p.services.Circles, Exits: p.services.Exits, Places: p.places, Taxonomy: p.taxonomy, Jobs: p.jobs, Logger: log, Setup: setup}); err != nil {
		return nil, err
	}
	return w.Finish(), nil
}

// linkHost is the host:port to print in a link to ln: a listener on every
// address is reached on localhost.
func linkHost(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

func auditVerify(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	p, err := openPlatform(ctx, cfg, log, "audit verify")
	if err != nil {
		return err
	}
	defer p.close()
	pub := p.auditKey.Public().(ed25519.PublicKey)
	if cfg.AuditPublicKey != "" {
		if pub, err = audit.ParsePublicKey(cfg.AuditPublicKey); err != nil {
			return err
		}
	}
	rep, err := p.audit.VerifySigned(ctx, pub, cfg.checkpointFile())
	if err != nil {
		return err
	}
	if !rep.OK() {
		fmt.Fprintf(stdout, "audit log BROKEN at event %d: %s (%d events, %d signed checkpoints checked)\n", rep.FirstBroken, rep.Problem, rep.Events, rep.Checkpoints)
		return exitError(1)
	}
	fmt.Fprintf(stdout, "audit log intact: %d events, %d signed checkpoints\n", rep.Events, rep.Checkpoints)
	return nil
}

// check prints every broken invariant (docs/invariants.md) it finds in the
// database; exit 1 when there is one.
func check(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	p, err := openPlatform(ctx, cfg, log, "check")
	if err != nil {
		return err
	}
	defer p.close()
	pub := p.auditKey.Public().(ed25519.PublicKey)
	if cfg.AuditPublicKey != "" {
		if pub, err = audit.ParsePublicKey(cfg.AuditPublicKey); err != nil {
			return err
		}
	}
	findings, err := wiring.CheckInvariants(ctx, p.services, pub, cfg.checkpointFile())
	if err != nil {
		return err
	}
	for _, f := range findings {
		fmt.Fprintln(stdout, "BROKEN:", f)
	}
	if len(findings) > 0 {
		return exitError(1)
	}
	fmt.Fprintln(stdout, "every invariant holds (one active placement per candidate, one consent in force per employer and level, payouts paid once and within budget, guarantee cover, the audit chain)")
	return nil
}

// reconcile prints each scheme's ledger balance and, with Stripe keys, the
// differences between the ledger's transfers and Stripe's; exit 1 when
// anything differs.
func reconcile(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	p, err := openPlatform(ctx, cfg, log, "payments reconcile")
	if err != nil {
		return err
	}
	defer p.close()
	coord := users.WithActor(ctx, users.Actor{UserID: "system", Role: users.Coordinator})
	schemes, err := p.payments.Schemes(coord)
	if err != nil {
		return err
	}
	bad := false
	for _, sc := range schemes {
		b, err := p.payments.Balance(coord, sc.ID)
		if err != nil {
			return err
		}
		state := "balanced"
		if !b.Balanced {
			state, bad = "NOT BALANCED: "+strings.Join(b.Problems, "; "), true
		}
		fmt.Fprintf(stdout, "scheme %s (%s): budget %s, committed %s, paid %s, remaining %s; ledger %s\n", sc.ID, sc.Name, euro(b.BudgetCents),
			euro(b.CommittedCents), euro(b.PaidCents), euro(b.RemainingCents), state)
	}
	if p.payments.Gateway == nil {
		fmt.Fprintln(stdout, "Stripe: not configured (STRIPE_SECRET_KEY unset); payouts go by SEPA file, nothing to compare")
	} else {
		diffs, checked, err := p.payments.Reconcile(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Stripe: %d payouts with transfers compared, %d differences\n", checked, len(diffs))
		for _, d := range diffs {
			fmt.Fprintf(stdout, "  %s %s: %s\n", d.PayoutID, d.TransferID, d.Problem)
		}
		bad = bad || len(diffs) > 0
	}
	if bad {
		return exitError(1)
	}
	return nil
}

// euro writes cents as "€1.234,56".
func euro(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole := thousands(int(cents / 100))
	return fmt.Sprintf("%s€%s,%02d", sign, strings.ReplaceAll(whole, ",", "."), cents%100)
}

func reindex(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	p, err := openPlatform(ctx, cfg, log, "reindex")
	if err != nil {
		return err
	}
	defer p.close()
	start := time.Now()
	err = p.matching.Reindex(ctx, progressBar(stdout, start))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "search index rebuilt in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}

// progressBar draws a rebuild's progress on one line, redrawn in place:
//
//	candidates [#########...........]  45%  36,000 of ~80,000 read, 28,800 indexed, 1,350/s, ~33 s left
func progressBar(w io.Writer, start time.Time) func(matching.Progress) {
	last := ""
	return func(p matching.Progress) {
		if p.Kind != last {
			if last != "" { // the next kind: a new line, timed from now
				fmt.Fprintln(w)
				start = time.Now()
			}
			last = p.Kind
		}
		const width = 20
		rate := float64(p.Read) / max(time.Since(start).Seconds(), 0.001)
		line, read := fmt.Sprintf("%-10s ", p.Kind), thousands(p.Read)
		if p.Total > 0 { // a bar when the database gave an estimate
			frac := 1.0
			if !p.Done {
				frac = min(1, float64(p.Read)/float64(p.Total))
			}
			line = fmt.Sprintf("%-10s %s %3.0f%%  ", p.Kind, barOf(frac, width), frac*100)
			read += " of ~" + thousands(p.Total)
		}
		line += fmt.Sprintf("%s read, %s indexed, %s/s", read, thousands(p.Indexed), thousands(int(rate)))
		if left := float64(p.Total-p.Read) / rate; p.Total > 0 && !p.Done && left > 0 && rate > 0 {
			line += fmt.Sprintf(", ~%s left", (time.Duration(left) * time.Second).Round(time.Second))
		}
		fmt.Fprintf(w, "\r%-110s", line)
		if p.Done {
			fmt.Fprintln(w)
		}
	}
}

// barOf draws frac (0–1) as a bar of width characters between brackets.
func barOf(frac float64, width int) string {
	fill := int(frac * float64(width))
	return "[" + strings.Repeat("#", fill) + strings.Repeat(".", width-fill) + "]"
}

// thousands writes n with commas between groups of three digits.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

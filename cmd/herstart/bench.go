package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/matching/bleve"
	"github.com/herstart/herstart/matching/enginebench"
	"github.com/herstart/herstart/matching/meili"
	"github.com/herstart/herstart/taxonomy"
)

// benchSearch is `herstart bench search`: the engine benchmark of
// matching/enginebench from the binary, on this machine, against the
// embedded Bleve engine in a temporary folder or (with MEILI_URL) against
// Meilisearch in indexes of its own (herstart_bench_*), which it empties
// first. It never touches the platform's data or index.
func benchSearch(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench search", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("candidates", "10000,100000", "comma-separated numbers of generated candidates")
	queries := fs.Int("queries", 200, "queries of each kind per run")
	runs := fs.Int("runs", 3, "runs; the medians of the runs' percentiles are printed")
	if err := fs.Parse(args); err != nil {
		return exitError(2)
	}
	var ns []int
	for _, f := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 2_000_000 {
			fmt.Fprintf(stderr, "--candidates: %q is not a number from 1 to 2,000,000\n", f)
			return exitError(2)
		}
		ns = append(ns, n)
	}
	if *queries < 1 || *queries > 100_000 || *runs < 1 || *runs > 20 {
		fmt.Fprintln(stderr, "--queries must be 1–100,000 and --runs 1–20")
		return exitError(2)
	}
	engine := "bleve (embedded)"
	if cfg.MeiliURL != "" {
		engine = "meilisearch at " + maskURL(cfg.MeiliURL)
	}
	now := time.Now()
	kinds := enginebench.Queries(now)
	fmt.Fprintf(stdout, "engine: %s; %d runs of %d queries of each kind; medians of the runs' percentiles\n", engine, *runs, *queries)
	for _, n := range ns {
		ix, cleanup, err := benchIndex(ctx, cfg)
		if err != nil {
			return err
		}
		docs := enginebench.Docs(n, 7, now)
		rate, err := enginebench.Index(ctx, ix, docs)
		if err != nil {
			cleanup()
			return err
		}
		fmt.Fprintf(stdout, "\n%s candidates: indexed at %s docs/s\n", thousands(n), thousands(int(rate)))
		fmt.Fprintf(stdout, "%-26s %10s %10s %10s %10s\n", "query", "p50", "p95", "p99", "matches")
		for _, k := range kinds {
			var p50, p95, p99 []time.Duration
			total := 0
			for r := 0; r < *runs; r++ {
				l, err := enginebench.Time(ctx, ix, k, *queries)
				if err != nil {
					cleanup()
					return err
				}
				p50, p95, p99, total = append(p50, l.P50), append(p95, l.P95), append(p99, l.P99), l.Total
			}
			fmt.Fprintf(stdout, "%-26s %10s %10s %10s %10s\n", k.Name, ms(enginebench.Percentile(p50, 0.5)), ms(enginebench.Percentile(p95, 0.5)), ms(enginebench.Percentile(p99, 0.5)), thousands(total))
		}
		cleanup()
		docs = nil
		runtime.GC()
	}
	fmt.Fprintf(stdout, "\npeak memory of this process (VmHWM, generated documents included): %s\n", peakRSS())
	return nil
}

// benchIndex opens an empty engine for one size.
func benchIndex(ctx context.Context, cfg Config) (matching.Index, func(), error) {
	if cfg.MeiliURL != "" {
		tx, err := taxonomy.Load()
		if err != nil {
			return nil, nil, err
		}
		ix, err := meili.Open(ctx, cfg.MeiliURL, cfg.MeiliAPIKey, "herstart_bench_", tx)
		if err != nil {
			return nil, nil, fmt.Errorf("search index: %w", err)
		}
		if err := ix.Clear(ctx); err != nil {
			return nil, nil, err
		}
		return ix, func() { _ = ix.Clear(context.Background()); _ = ix.Close() }, nil
	}
	dir, err := os.MkdirTemp("", "herstart-bench-")
	if err != nil {
		return nil, nil, err
	}
	ix, err := bleve.Open(dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, nil, err
	}
	return ix, func() { _ = ix.Close(); _ = os.RemoveAll(dir) }, nil
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 2, 64) + " ms"
}

// peakRSS reads the process's peak resident set from /proc (Linux).
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmHWM:" {
			if kb, err := strconv.Atoi(f[1]); err == nil {
				return fmt.Sprintf("%d MiB", kb/1024)
			}
		}
	}
	return "unknown"
}

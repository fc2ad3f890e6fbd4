package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/users"
)

// importCaseload moves a caseload in from another system: `herstart import
// [--worker EMAIL] [--available] FILE`. The file is the import page's CSV,
// with an optional column naming each line's worker by e-mail address. Every
// line is checked first, the way the API checks a candidate; with any line
// wrong nothing is written and each wrong line is named. Then the lines go
// in bulk (candidates.Write: batches of 2,500 (importBatch), two at a time, one index batch
// and one audit event each), with a progress bar. Each line's candidate is
// keyed by the file's hash and the line, so running the same file again (a
// run cut off part-way) adds only what is missing. Serve must be stopped for
// the embedded database, as for demo.
func importCaseload(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stdout)
	worker := fs.String("worker", "", "e-mail address of the probation worker for the lines that name none (column worker/begeleider)")
	available := fs.Bool("available", false, "register the candidates as available, confirmed today (default: registered, for their worker to confirm)")
	if err := fs.Parse(args); err != nil {
		return exitError(2)
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stdout, "usage: herstart import [--worker EMAIL] [--available] FILE.csv   (FILE - reads standard input)")
		return exitError(2)
	}
	raw, err := readInput(fs.Arg(0))
	if err != nil {
		return err
	}
	p, err := openPlatform(ctx, cfg, log, "import")
	if err != nil {
		return err
	}
	defer p.close()
	start := time.Now()
	res, err := importFile(ctx, p, raw, *worker, *available, stdout)
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "%s candidates registered, %s there already from an earlier run of this file; %s lines in %.1f s (%s lines/s)\n",
		thousands(res.made), thousands(res.lines-res.made), thousands(res.lines), took.Seconds(), thousands(int(float64(res.lines)/took.Seconds())))
	return nil
}

func readInput(name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(os.Stdin)
	}
	return os.ReadFile(name)
}

// importResult counts an import: the file's lines, and the candidates made
// (fewer when an earlier run of the same file made some).
type importResult struct{ lines, made int }

// importFile checks every line of raw, then writes them; a file with a
// wrong line writes nothing and returns exitError(2) after naming the lines.
func importFile(ctx context.Context, p *platform, raw []byte, worker string, available bool, out io.Writer) (importResult, error) {
	rows, err := candidates.ReadCSV(raw, time.Now().Format(time.DateOnly), candidates.CSVOptions{Worker: true})
	if err != nil {
		return importResult{}, refuse(out, []string{describeFields(err, nil)})
	}
	workers, problems, err := importWorkers(ctx, p.users, rows, worker)
	if err != nil {
		return importResult{}, err
	}
	if len(problems) > 0 {
		return importResult{}, refuse(out, problems)
	}
	sum := sha256.Sum256(raw)
	file := hex.EncodeToString(sum[:12])
	items := make([]candidates.ImportItem, len(rows))
	for i, r := range rows {
		items[i] = candidates.ImportItem{WorkerID: workers[lineWorker(r, worker)], Key: "import:" + file + "#" + strconv.Itoa(r.Line), Input: r.Input, Available: available}
	}

	made, problems, err := loadItems(ctx, p, items, func(i int) int { return rows[i].Line }, out)
	if err != nil {
		return importResult{}, fmt.Errorf("import stopped (run the same file again to go on; lines written are not written twice): %w", err)
	}
	if len(problems) > 0 {
		return importResult{}, refuse(out, problems)
	}
	return importResult{lines: len(items), made: made}, nil
}

// loadItems checks every item (two batches at a time; nothing written yet)
// and, when none is wrong, writes them: two batches at a time, so that one
// is in the database while the other is in the search index; then compacts
// the index. Progress goes to out as a bar per stage. problems name the
// wrong items by line(i).
func loadItems(ctx context.Context, p *platform, items []candidates.ImportItem, line func(i int) int, out io.Writer) (made int, problems []string, err error) {
	nb := (len(items) + importBatch - 1) / importBatch
	part := func(b int) []candidates.ImportItem { return items[b*importBatch : min((b+1)*importBatch, len(items))] }
	var done atomic.Int64
	bar := startBar(out, "checking", len(items), &done)
	wrong := make([][]string, nb) // per batch, in line order
	eachBatch(nb, func(b int) {
		// Checked and let go: a million prepared candidates would not fit
		// in memory; each batch is prepared again just before its write.
		if _, err := p.candidates.Prepare(part(b)); err != nil {
			wrong[b] = strings.Split(describeFields(err, func(i int) int { return line(b*importBatch + i) }), "\n")
		}
		done.Add(int64(len(part(b))))
	})
	bar.stop()
	for _, w := range wrong {
		problems = append(problems, w...)
	}
	if len(problems) > 0 {
		return 0, problems, nil
	}
	var mu sync.Mutex

	done.Store(0)
	var n atomic.Int64
	var firstErr error
	bar = startBar(out, "registering", len(items), &done)
	eachBatch(nb, func(b int) {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			return
		}
		pb, err := p.candidates.Prepare(part(b))
		var ids []candidates.ID
		if err == nil {
			ids, err = p.candidates.Write(ctx, pb)
		}
		if err != nil {
			mu.Lock()
			firstErr = err
			mu.Unlock()
			return
		}
		n.Add(int64(len(ids)))
		done.Add(int64(pb.Len()))
	})
	bar.stop()
	if firstErr != nil {
		return 0, nil, firstErr
	}
	if err := p.matching.Compact(ctx); err != nil {
		return 0, nil, err
	}
	return int(n.Load()), nil, nil
}

// eachBatch runs fn for batches 0..n-1, two at a time.
func eachBatch(n int, fn func(b int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := int(next.Add(1) - 1); b < n; b = int(next.Add(1) - 1) {
				fn(b)
			}
		}()
	}
	wg.Wait()
}

func lineWorker(r candidates.CSVRow, def string) string {
	if r.Worker != "" {
		return strings.ToLower(r.Worker)
	}
	return strings.ToLower(def)
}

// importWorkers finds the account of each worker the file names (or the
// default): an active probation worker; problems name the lines of any
// other.
func importWorkers(ctx context.Context, us *users.Service, rows []candidates.CSVRow, def string) (map[string]users.ID, []string, error) {
	lines := map[string][]int{}
	for _, r := range rows {
		w := lineWorker(r, def)
		lines[w] = append(lines[w], r.Line)
	}
	out := map[string]users.ID{}
	var problems []string
	for email, ls := range lines {
		if email == "" {
			problems = append(problems, fmt.Sprintf("%s: worker: is required (a column worker, or --worker EMAIL)", lineList(ls)))
			continue
		}
		u, err := us.ByEmail(ctx, email)
		switch {
		case apperr.Is(err, apperr.NotFound):
			problems = append(problems, fmt.Sprintf("%s: worker: %s has no account here", lineList(ls), email))
		case err != nil:
			return nil, nil, err
		case u.Role != users.ProbationWorker || u.Disabled:
			problems = append(problems, fmt.Sprintf("%s: worker: %s is not an active probation worker", lineList(ls), email))
		default:
			out[email] = u.ID
		}
	}
	sort.Strings(problems)
	return out, problems, nil
}

// lineList names lines: "line 4", "lines 2, 3, 9", "lines 2, 3, 4 and 997 more".
func lineList(ls []int) string {
	if len(ls) == 1 {
		return "line " + strconv.Itoa(ls[0])
	}
	parts := make([]string, 0, 3)
	for _, l := range ls[:min(3, len(ls))] {
		parts = append(parts, strconv.Itoa(l))
	}
	s := "lines " + strings.Join(parts, ", ")
	if len(ls) > 3 {
		s += fmt.Sprintf(" and %d more", len(ls)-3)
	}
	return s
}

var itemField = regexp.MustCompile(`^items\[(\d+)\]\.(.*)$`)

// describeFields writes a validation error as one line per problem, with
// items[i] as the file's line (line(i)).
func describeFields(err error, line func(i int) int) string {
	fields := apperr.FieldsOf(err)
	if len(fields) == 0 {
		return err.Error()
	}
	type problem struct {
		line int
		text string
	}
	var ps []problem
	for k, v := range fields {
		if m := itemField.FindStringSubmatch(k); m != nil && line != nil {
			i, _ := strconv.Atoi(m[1])
			col := strings.TrimPrefix(m[2], "identity.") // the file's column
			ps = append(ps, problem{line(i), fmt.Sprintf("line %d: %s: %s", line(i), col, v)})
			continue
		}
		ps = append(ps, problem{0, k + ": " + v})
	}
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].line != ps[j].line {
			return ps[i].line < ps[j].line
		}
		return ps[i].text < ps[j].text
	})
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.text
	}
	return strings.Join(out, "\n")
}

// refuse prints the problems (the first 50) and ends with exit code 2.
func refuse(out io.Writer, problems []string) error {
	fmt.Fprintf(out, "nothing imported: %d problem(s) in the file\n", len(problems))
	for i, p := range problems {
		if i == 50 {
			fmt.Fprintf(out, "  … and %d more\n", len(problems)-50)
			break
		}
		fmt.Fprintln(out, "  "+p)
	}
	return exitError(2)
}

// bar is a progress bar redrawn on one line every 200 ms.
type bar struct {
	quit chan struct{}
	done chan struct{}
}

func startBar(out io.Writer, label string, total int, n *atomic.Int64) *bar {
	b := &bar{quit: make(chan struct{}), done: make(chan struct{})}
	start := time.Now()
	draw := func() {
		k := int(n.Load())
		frac := float64(k) / float64(max(total, 1))
		rate := float64(k) / max(time.Since(start).Seconds(), 1e-3)
		line := fmt.Sprintf("%-11s %s %3.0f%%  %s of %s lines, %s/s", label, barOf(frac, 20), frac*100, thousands(k), thousands(total), thousands(int(rate)))
		if k > 0 && k < total {
			line += fmt.Sprintf(", ~%s left", (time.Duration(float64(total-k)/rate) * time.Second).Round(time.Second))
		}
		fmt.Fprintf(out, "\r%-100s", line)
	}
	go func() {
		defer close(b.done)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				draw()
			case <-b.quit:
				draw()
				fmt.Fprintln(out)
				return
			}
		}
	}()
	return b
}

func (b *bar) stop() { close(b.quit); <-b.done }

// benchImport measures `herstart import` on the embedded default: each run
// a fresh data directory, N generated candidates over W generated workers
// in one CSV file, and the whole import timed (checking, writing, the index
// batches and its compaction). `herstart bench import --candidates 100000`.
func benchImport(ctx context.Context, cfg Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("candidates", 100_000, "generated candidates in the file")
	nw := fs.Int("workers", 100, "probation workers the file spreads them over")
	runs := fs.Int("runs", 3, "runs; the median is printed")
	if err := fs.Parse(args); err != nil {
		return exitError(2)
	}
	if *n < 1 || *n > 1_000_000 || *nw < 1 || *nw > *n || *runs < 1 || *runs > 20 {
		fmt.Fprintln(stderr, "--candidates must be 1–1,000,000, --workers 1–candidates, --runs 1–20")
		return exitError(2)
	}
	var rates []float64
	for run := 1; run <= *runs; run++ {
		dir, err := os.MkdirTemp("", "herstart-bench-import-")
		if err != nil {
			return err
		}
		rc := cfg
		rc.DataDir, rc.MongoURI, rc.PostgresURL, rc.MeiliURL = dir, "", "", ""
		rc.AuditKeyFile = dir + "/audit-signing.key"
		rate, err := benchImportRun(ctx, rc, log, *n, *nw, uint64(run), stdout)
		_ = os.RemoveAll(dir)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "run %d: %s candidates/s\n", run, thousands(int(rate)))
		rates = append(rates, rate)
	}
	sort.Float64s(rates)
	fmt.Fprintf(stdout, "import of %s candidates over %s workers (embedded default): median %s candidates/s over %d runs\n",
		thousands(*n), thousands(*nw), thousands(int(rates[len(rates)/2])), *runs)
	return nil
}

func benchImportRun(ctx context.Context, cfg Config, log *slog.Logger, n, nw int, seed uint64, out io.Writer) (float64, error) {
	p, err := openPlatform(ctx, cfg, log, "bench import")
	if err != nil {
		return 0, err
	}
	defer p.close()
	var emails []string
	for w := range nw {
		e := fmt.Sprintf("import-worker-%d@bench.herstart.nl", w)
		if _, err := p.users.CreateUnchecked(ctx, users.NewUser{Email: e, Password: DemoPassword, Role: users.ProbationWorker}); err != nil {
			return 0, err
		}
		emails = append(emails, e)
	}
	raw, err := generatedCSV(n, emails, seed)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	res, err := importFile(ctx, p, raw, "", true, out)
	if err != nil {
		return 0, err
	}
	if res.made != n {
		return 0, fmt.Errorf("bench import: %d candidates made of %d lines", res.made, n)
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// importBatch is the lines per candidates.Write: large enough that a
// batch's fixed costs (outbox tasks, one index batch, one audit event) are
// small beside its inserts, small enough that two in turn keep the
// database and the index both busy and the progress bar moving.
const importBatch = 2500

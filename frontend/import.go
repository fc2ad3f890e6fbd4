package frontend

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/jobs"
	"github.com/herstart/herstart/users"
	"github.com/herstart/herstart/web"
)

// importColumns are the columns of a caseload import (candidates.CSVColumns).
var importColumns = candidates.CSVColumns

// maxImportRows bounds one uploaded file.
const maxImportRows = 1000

func (p *Pages) importForm(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.ProbationWorker); err != nil {
		return err
	}
	pg.Data = importColumns
	return p.render(c, fiber.StatusOK, "import", pg)
}

// importStart reads the uploaded CSV and registers its candidates in the
// worker's caseload as a job with its progress shown, through the same
// Create as the form (every row validated the same way; a bad row is
// reported by its line and field, the others go in).
func (p *Pages) importStart(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.ProbationWorker); err != nil {
		return err
	}
	pg.Data = importColumns
	fh, err := c.FormFile("file")
	if err != nil {
		pg.Errors["file"] = pg.T("choose a CSV file")
		pg.Flash = pg.T("Please correct the fields marked below.")
		return p.render(c, fiber.StatusUnprocessableEntity, "import", pg)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, web.BodyLimit))
	if err != nil {
		return err
	}
	rows, err := readImport(raw, pg.Now.Format("2006-01-02"))
	if err != nil {
		return p.invalid(c, err, "import", pg)
	}
	input, err := json.Marshal(importInput{Lang: pg.Lang, Rows: rows})
	if err != nil {
		return err
	}
	return p.startJob(c, jobImport, "Import candidates", input)
}

// importInput is an import job's input: the lines, and the language its
// problems are written in.
type importInput struct {
	Lang string             `json:"lang"`
	Rows []candidates.Input `json:"rows"`
}

// importJob registers the lines through the form's own Create, as the
// worker who started it; a bad line is reported by its number and field
// and the others go in. Taken up again after a stop, it goes on from the
// line it reached: each line's candidate is keyed by the job and the line
// (CreateKeyed), so the line in hand then is not registered twice.
func (p *Pages) importJob(ctx context.Context, r *jobs.JobRun) error {
	j := r.Job()
	var in importInput
	if err := json.Unmarshal(j.Input, &in); err != nil {
		return fmt.Errorf("import job %s: %w", j.ID, err)
	}
	n := len(in.Rows)
	for i := j.Done; i < n; i++ {
		r.Set("Registering candidates", i, n)
		if _, err := p.cfg.Candidates.CreateKeyed(ctx, j.ID+"#"+strconv.Itoa(i), in.Rows[i]); err != nil {
			_, d := web.Describe(err, in.Lang)
			msg := d.Message
			for k, v := range d.Fields {
				msg += " " + k + ": " + v + "."
			}
			r.Problem(fmt.Sprintf("%s %d: %s", web.Translate(in.Lang, "line"), i+2, msg))
		}
	}
	r.Set(fmt.Sprintf("%d of %d candidates registered", n-len(r.Job().Problems), n), n, n)
	r.SetResult("/caseload")
	return nil
}

// readImport parses the file (candidates.ReadCSV): a header naming
// columns of importColumns, then one candidate a line; every line goes
// into the uploading worker's caseload.
func readImport(raw []byte, today string) ([]candidates.Input, error) {
	rows, err := candidates.ReadCSV(raw, today, candidates.CSVOptions{MaxRows: maxImportRows})
	if err != nil {
		return nil, err
	}
	out := make([]candidates.Input, len(rows))
	for i, r := range rows {
		out[i] = r.Input
	}
	return out, nil
}

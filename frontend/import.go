package frontend

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/jobs"
	"github.com/herstart/herstart/users"
	"github.com/herstart/herstart/web"
)

// importColumns are the columns of a caseload import, in the file's
// header (any order; the first five are required).
var importColumns = []string{"first_name", "last_name", "birth_date", "skills", "home_place", "hours_per_week", "available_from", "travel_radius_km",
	"desired_occupations", "certificates", "languages", "email", "phone", "motivation"}

// dutchColumns are the Dutch names a worker's spreadsheet may use for the
// columns (lower case, spaces and dashes as underscores), as the import
// page lists them beside the English ones.
var dutchColumns = map[string]string{
	"voornaam": "first_name", "achternaam": "last_name", "geboortedatum": "birth_date", "vaardigheden": "skills",
	"woonplaats": "home_place", "uren_per_week": "hours_per_week", "beschikbaar_vanaf": "available_from",
	"reisafstand": "travel_radius_km", "reisafstand_km": "travel_radius_km", "gewenste_beroepen": "desired_occupations",
	"certificaten": "certificates", "talen": "languages", "e_mail": "email", "e_mailadres": "email", "email": "email",
	"telefoon": "phone", "telefoonnummer": "phone", "motivatie": "motivation",
}

// importColumn is the column a header cell names, in English or Dutch
// (case, spaces and dashes do not matter); "" when none.
func importColumn(h string) string {
	h = strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(h)))
	if slices.Contains(importColumns, h) {
		return h
	}
	return dutchColumns[h]
}

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

// readImport parses the file: a header naming columns of importColumns,
// then one candidate a line (lists separated by ";" or "|").
func readImport(raw []byte, today string) ([]candidates.Input, error) {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")) // a spreadsheet's byte-order mark
	r := csv.NewReader(bytes.NewReader(raw))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	if first := bytes.IndexByte(raw, '\n'); bytes.Count(raw[:max(first, 0)], []byte(";")) > bytes.Count(raw[:max(first, 0)], []byte(",")) {
		r.Comma = ';' // Dutch spreadsheets write semicolons
	}
	header, err := r.Read()
	if err != nil {
		return nil, apperr.InvalidField("file", "is not a CSV file with a header line")
	}
	col := map[string]int{}
	for i, cell := range header {
		h := importColumn(cell)
		if h == "" {
			return nil, apperr.InvalidFieldf("file", "has an unknown column %s (known: %s)", strings.TrimSpace(cell), strings.Join(importColumns, ", "))
		}
		col[h] = i
	}
	for _, k := range importColumns[:5] {
		if _, ok := col[k]; !ok {
			return nil, apperr.InvalidFieldf("file", "lacks the column %s", k)
		}
	}
	var out []candidates.Input
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, apperr.InvalidFieldf("file", "line %d cannot be read", line)
		}
		if len(out) == maxImportRows {
			return nil, apperr.InvalidFieldf("file", "has more than %d candidates", maxImportRows)
		}
		get := func(k string) string {
			if i, ok := col[k]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		num := func(k string, def int) int {
			if v := get(k); v != "" {
				if n, err := strconv.Atoi(v); err == nil {
					return n
				}
				return -1 // the service names the field
			}
			return def
		}
		split := func(k string) []string { return list(strings.ReplaceAll(get(k), "|", ",")) }
		in := candidates.Input{
			Identity: candidates.IdentityInput{FirstName: get("first_name"), LastName: get("last_name"), BirthDate: get("birth_date"), Email: get("email"), Phone: get("phone")},
			Skills:   split("skills"), DesiredOccupations: split("desired_occupations"),
			Certificates: split("certificates"), Languages: split("languages"), HoursPerWeek: num("hours_per_week", 32),
			AvailableFrom: get("available_from"), HomePlace: get("home_place"), TravelRadiusKm: num("travel_radius_km", 25),
			Motivation: get("motivation"), WorkHistory: []string{}, Restrictions: candidates.RestrictionsInput{AreaBans: []candidates.AreaBanInput{}, ExcludedSectors: []string{}, RiskAreaConflicts: []string{}},
		}
		if in.AvailableFrom == "" {
			in.AvailableFrom = today
		}
		if len(in.Languages) == 0 {
			in.Languages = []string{"nl"}
		}
		out = append(out, in)
	}
	if len(out) == 0 {
		return nil, apperr.InvalidField("file", "holds no candidates")
	}
	return out, nil
}

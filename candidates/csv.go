package candidates

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/herstart/herstart/apperr"
)

// CSVColumns are the columns of a caseload file, in its header (any order;
// the first five are required). The worker's own import page and the
// `herstart import` command read the same file.
var CSVColumns = []string{"first_name", "last_name", "birth_date", "skills", "home_place", "hours_per_week", "available_from", "travel_radius_km",
	"desired_occupations", "certificates", "languages", "email", "phone", "motivation"}

// WorkerColumn names, in a file moved in from another system, the e-mail
// address of each line's probation worker. Only the command reads it: on
// the page every line goes into the caseload of the worker who uploads it.
const WorkerColumn = "worker"

// dutchColumns are the Dutch names a worker's spreadsheet may use for the
// columns (lower case, spaces and dashes as underscores), as the import
// page lists them beside the English ones.
var dutchColumns = map[string]string{
	"voornaam": "first_name", "achternaam": "last_name", "geboortedatum": "birth_date", "vaardigheden": "skills",
	"woonplaats": "home_place", "uren_per_week": "hours_per_week", "beschikbaar_vanaf": "available_from",
	"reisafstand": "travel_radius_km", "reisafstand_km": "travel_radius_km", "gewenste_beroepen": "desired_occupations",
	"certificaten": "certificates", "talen": "languages", "e_mail": "email", "e_mailadres": "email", "email": "email",
	"telefoon": "phone", "telefoonnummer": "phone", "motivatie": "motivation",
	"begeleider": WorkerColumn, "reclasseringswerker": WorkerColumn,
}

// csvColumn is the column a header cell names, in English or Dutch (case,
// spaces and dashes do not matter); "" when none.
func csvColumn(h string, worker bool) string {
	h = strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(h)))
	if slices.Contains(CSVColumns, h) {
		return h
	}
	if c, ok := dutchColumns[h]; ok && (c != WorkerColumn || worker) {
		return c
	}
	if h == WorkerColumn && worker {
		return h
	}
	return ""
}

// CSVOptions say how much of a caseload file ReadCSV takes.
type CSVOptions struct {
	MaxRows int  // more lines than this is an error
	Worker  bool // the file may name each line's worker (WorkerColumn)
}

// CSVRow is one line of a caseload file.
type CSVRow struct {
	Line   int // 2 for the first line below the header
	Worker string
	Input  Input
}

// ReadCSV parses a caseload file: a header naming columns of CSVColumns,
// then one candidate a line (lists separated by ";" or "|"; semicolons as
// the separator when the header has more of them than commas, as Dutch
// spreadsheets write). Values are not checked here: Import and Create do,
// the same way for every path in.
// Errors: Invalid, naming "file".
func ReadCSV(raw []byte, today string, o CSVOptions) ([]CSVRow, error) {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")) // a spreadsheet's byte-order mark
	r := csv.NewReader(bytes.NewReader(raw))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	r.ReuseRecord = true
	if first := bytes.IndexByte(raw, '\n'); bytes.Count(raw[:max(first, 0)], []byte(";")) > bytes.Count(raw[:max(first, 0)], []byte(",")) {
		r.Comma = ';'
	}
	header, err := r.Read()
	if err != nil {
		return nil, apperr.InvalidField("file", "is not a CSV file with a header line")
	}
	col := map[string]int{}
	for i, cell := range header {
		h := csvColumn(cell, o.Worker)
		if h == "" {
			known := CSVColumns
			if o.Worker {
				known = append(slices.Clip(known), WorkerColumn)
			}
			return nil, apperr.InvalidFieldf("file", "has an unknown column %s (known: %s)", strings.TrimSpace(cell), strings.Join(known, ", "))
		}
		col[h] = i
	}
	for _, k := range CSVColumns[:5] {
		if _, ok := col[k]; !ok {
			return nil, apperr.InvalidFieldf("file", "lacks the column %s", k)
		}
	}
	var out []CSVRow
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, apperr.InvalidFieldf("file", "line %d cannot be read", line)
		}
		if o.MaxRows > 0 && len(out) == o.MaxRows {
			return nil, apperr.InvalidFieldf("file", "has more than %d candidates", o.MaxRows)
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
		split := func(k string) []string { return csvList(get(k)) }
		in := Input{
			Identity: IdentityInput{FirstName: get("first_name"), LastName: get("last_name"), BirthDate: get("birth_date"), Email: get("email"), Phone: get("phone")},
			Skills:   split("skills"), DesiredOccupations: split("desired_occupations"),
			Certificates: split("certificates"), Languages: split("languages"), HoursPerWeek: num("hours_per_week", 32),
			AvailableFrom: get("available_from"), HomePlace: get("home_place"), TravelRadiusKm: num("travel_radius_km", 25),
			Motivation: get("motivation"), WorkHistory: []string{}, Restrictions: RestrictionsInput{AreaBans: []AreaBanInput{}, ExcludedSectors: []string{}, RiskAreaConflicts: []string{}},
		}
		if in.AvailableFrom == "" {
			in.AvailableFrom = today
		}
		if len(in.Languages) == 0 {
			in.Languages = []string{"nl"}
		}
		out = append(out, CSVRow{Line: line, Worker: get(WorkerColumn), Input: in})
	}
	if len(out) == 0 {
		return nil, apperr.InvalidField("file", "holds no candidates")
	}
	return out, nil
}

// csvList splits a cell's list on "|", "," or ";", dropping empty parts.
func csvList(s string) []string {
	out := []string{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '|' || r == ',' || r == ';' || r == '\n' }) {
		if t := strings.TrimSpace(part); t != "" {
			out = append(out, t)
		}
	}
	return out
}

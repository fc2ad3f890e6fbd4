package frontend

import (
	"net/url"
	"testing"

	"github.com/herstart/herstart/apperr"
)

// TestTemplates_Parse: every page template parses with the layout (a
// template that does not stops serve at start).
func TestTemplates_Parse(t *testing.T) {
	p := &Pages{}
	if err := p.parse(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"signin", "caseload", "candidate_form", "search", "agenda", "checkin", "dashboard", "vetting", "payouts", "job"} {
		if p.pages[name] == nil {
			t.Errorf("no page %q", name)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{"/caseload": "/caseload", "/search?q=x": "/search?q=x", "//evil.example": "", "https://evil.example/": "",
		"/\\evil.example": "", "": "", "caseload": "", "/x\r\nSet-Cookie: a": ""} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestParseEuro(t *testing.T) {
	for in, want := range map[string]int64{"1250": 125000, "1.250,50": 125050, "1250.5": 125050, "€ 12,34": 1234, "0,01": 1} {
		var f apperr.Fields
		got := parseEuro(&f, "amount", in)
		if f.Err() != nil || got == nil || *got != want {
			t.Errorf("parseEuro(%q) = %v, %v; want %d", in, got, f.Err(), want)
		}
	}
	for _, in := range []string{"", "twaalf", "NaN"} {
		var f apperr.Fields
		if parseEuro(&f, "amount", in); f.Err() == nil {
			t.Errorf("parseEuro(%q): no problem", in)
		}
	}
}

func TestPage_Err(t *testing.T) {
	pg := &Page{Errors: map[string]string{"skills[1]": "unknown", "restrictions.curfew.from": "must be HH:MM", "name": "is required"}, Form: url.Values{}}
	if pg.Err("name") != "is required" || pg.Err("skills") != "skills[1]: unknown" || pg.Err("restrictions.curfew") == "" || pg.Err("motivation") != "" {
		t.Fatalf("Err: %q %q %q %q", pg.Err("name"), pg.Err("skills"), pg.Err("restrictions.curfew"), pg.Err("motivation"))
	}
}

func TestEuro(t *testing.T) {
	for c, want := range map[int64]string{0: "€ 0,00", 125050: "€ 1.250,50", 3000000: "€ 30.000,00", -150: "-€ 1,50"} {
		if got := euro(c); got != want {
			t.Errorf("euro(%d) = %q; want %q", c, got, want)
		}
	}
}

func TestReadImport(t *testing.T) {
	good := "\xef\xbb\xbffirst_name;last_name;birth_date;skills;home_place;certificates\nSem;Bakker;1990-01-02;orderpicken|heftruck rijden;Utrecht;forklift|vca_basis\nAya;Haddad;1988-03-04;schoonmaken;Zeist;\n"
	rows, err := readImport([]byte(good), "2026-12-02")
	if err != nil || len(rows) != 2 {
		t.Fatalf("readImport = %d rows, %v", len(rows), err)
	}
	if r := rows[0]; r.Identity.FirstName != "Sem" || len(r.Skills) != 2 || len(r.Certificates) != 2 || r.AvailableFrom != "2026-12-02" || r.HoursPerWeek != 32 {
		t.Fatalf("row 1 = %+v", r)
	}
	for _, bad := range []string{"", "first_name,last_name\nA,B\n", "first_name,last_name,birth_date,skills,home_place,shoe_size\n", "first_name,last_name,birth_date,skills,home_place\n"} {
		if _, err := readImport([]byte(bad), "2026-12-02"); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("readImport(%q) = %v; want Invalid", bad, err)
		}
	}
}

// TestReadImport_DutchColumns: a Dutch spreadsheet's header (semicolons,
// Dutch names, other case and spaces) reads as the English one.
func TestReadImport_DutchColumns(t *testing.T) {
	raw := "Voornaam;Achternaam;Geboortedatum;Vaardigheden;Woonplaats;Uren per week;E-mailadres\nIvo;Jansen;1991-02-03;metselen|voegen;Utrecht;32;ivo@example.nl\n"
	rows, err := readImport([]byte(raw), "2026-12-02")
	if err != nil || len(rows) != 1 {
		t.Fatalf("readImport = %d rows, %v", len(rows), err)
	}
	r := rows[0]
	if r.Identity.FirstName != "Ivo" || r.Identity.LastName != "Jansen" || r.HomePlace != "Utrecht" || r.HoursPerWeek != 32 || r.Identity.Email != "ivo@example.nl" || len(r.Skills) != 2 {
		t.Fatalf("read %+v", r)
	}
	if _, err := readImport([]byte("voornaam;achternaam;geboortedatum;vaardigheden;woonplaats;schoenmaat\n"), "2026-12-02"); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("an unknown Dutch column: %v", err)
	}
}

package frontend

import (
	"testing"

	"github.com/herstart/herstart/apperr"
)

// FuzzReadImport: any file is either read into candidates (one a line,
// as many as the file's data lines at most) or refused as a 422 that
// names the file's problem; never a panic.
func FuzzReadImport(f *testing.F) {
	for _, s := range []string{"first_name,last_name,birth_date,skills,home_place\nIvo,Jansen,1991-02-03,metselen,Utrecht\n",
		"\xef\xbb\xbfvoornaam;achternaam;geboortedatum;vaardigheden;woonplaats\nSem;Bakker;1990-01-02;orderpicken|heftruck;Zeist\n",
		"", "\n\n\n", "first_name\n\"unterminated", "=cmd|' /C calc'!A0,x\n", "first_name,first_name\na,b\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) > 1<<16 {
			return
		}
		ins, err := readImport(raw, "2026-12-06")
		if err != nil {
			if fe, ok := apperr.As(err); !ok || (fe.Code != apperr.Invalid && fe.Code != apperr.BadRequest) {
				t.Fatalf("readImport = %v; want a 4xx", err)
			}
			return
		}
		lines := 0
		for _, b := range raw {
			if b == '\n' || b == '\r' {
				lines++
			}
		}
		if len(ins) > lines+1 {
			t.Fatalf("%d candidates from %d lines", len(ins), lines+1)
		}
	})
}

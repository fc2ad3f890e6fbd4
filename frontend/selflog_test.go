package frontend

import (
	"fmt"
	"testing"
	"time"
)

// TestSelfLog_ReadsOfADayAreOneLine: a candidate whose card an employer
// read 40 times on one day and once the day before reads two lines, not
// 41; a consent between reads ends a line; a long log shows its newest
// lines and says there is more, unless everything is asked for.
func TestSelfLog_ReadsOfADayAreOneLine(t *testing.T) {
	pg := &Page{Lang: "nl"}
	day := time.Date(2026, 12, 8, 15, 0, 0, 0, time.UTC)
	var rows []disclosureRow
	var kinds []string
	add := func(at time.Time, kind, employer, shown string) {
		rows = append(rows, disclosureRow{At: at, What: kind, Employer: employer, Shown: shown})
		kinds = append(kinds, kind)
	}
	for i := range 40 {
		add(day.Add(-time.Duration(i)*time.Minute), "disclosed", "Bouwbedrijf", "voornaam, werkervaring")
	}
	add(day.Add(-2*time.Hour), "consent_granted", "Bouwbedrijf", "")
	add(day.Add(-3*time.Hour), "disclosed", "Bouwbedrijf", "voornaam, werkervaring")
	add(day.AddDate(0, 0, -1), "disclosed", "Bouwbedrijf", "voornaam, werkervaring")
	log, more := selfLog(pg, rows, kinds, false)
	if more || len(log) != 4 {
		t.Fatalf("%d lines (more %v); want 4: %+v", len(log), more, log)
	}
	if log[0].Times != 40 || !log[0].At.Equal(day) || log[1].Kind != "consent_granted" || log[2].Times != 1 || log[3].Times != 1 {
		t.Fatalf("lines %+v; want 40 reads (at the newest), the consent, 1 read, 1 read the day before", log)
	}

	rows, kinds = nil, nil
	for i := range 100 {
		add(day.AddDate(0, 0, -i), "disclosed", fmt.Sprintf("Werkgever %d", i%3), "kaart")
	}
	if log, more = selfLog(pg, rows, kinds, false); !more || len(log) != selfLogLines {
		t.Fatalf("100 days of reads: %d lines, more %v; want %d and more", len(log), more, selfLogLines)
	}
	if log, more = selfLog(pg, rows, kinds, true); more || len(log) != 100 {
		t.Fatalf("everything asked: %d lines, more %v; want 100", len(log), more)
	}
}

package candidates

import (
	"strings"
	"testing"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/places"
)

// FuzzResolve: any input is either a candidate whose every text is within
// its limit and free of control characters, or a 422 that names fields;
// never a panic.
func FuzzResolve(f *testing.F) {
	for _, s := range [][4]string{{"Sem", "Hoeven (Halderberge)", "2026-12-10", "23:00"}, {"", "", "", ""}, {"\x00", "Utrect", "2026-02-30", "25:00"},
		{strings.Repeat("a", 300), "3511 AB", "1900-01-01", "06:00"}, {"=HYPERLINK()", "((", "gisteren", "-1:00"}} {
		f.Add(s[0], s[1], s[2], s[3], 32, 25)
	}
	tbl := places.New()
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, text, place, date, clock string, hours, radius int) {
		in := Input{Identity: IdentityInput{FirstName: text, LastName: text, BirthDate: date, Email: text, Phone: text, Address: text, Postcode: text},
			Skills: []string{text, place}, DesiredOccupations: []string{text}, Certificates: []string{text}, Languages: []string{text},
			HoursPerWeek: hours, AvailableFrom: date, HomePlace: place, TravelRadiusKm: radius, Motivation: text, WorkHistory: []string{text},
			Restrictions: RestrictionsInput{ExcludedSectors: []string{text}, RiskAreaConflicts: []string{text},
				AreaBans: []AreaBanInput{{Place: place, RadiusKm: float64(radius)}}, Curfew: &CurfewInput{From: clock, To: clock}}}
		r, err := resolve(in, tbl, now)
		if err != nil {
			fe, ok := apperr.As(err)
			if !ok || fe.Code != apperr.Invalid || len(fe.Fields) == 0 {
				t.Fatalf("resolve = %v; want a 422 naming fields", err)
			}
			return
		}
		for _, s := range []string{r.identity.FirstName, r.identity.LastName, r.profile.Motivation} {
			if len([]rune(s)) > 500 || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' }) {
				t.Fatalf("a stored text is too long or holds control characters: %q", s)
			}
		}
		if r.profile.HoursPerWeek < 1 || r.profile.HoursPerWeek > 60 {
			t.Fatalf("hours %d taken", r.profile.HoursPerWeek)
		}
	})
}

// FuzzIdentifying: the motivation check never panics, and a motivation
// that holds the candidate's e-mail address or last name as a word is
// always caught.
func FuzzIdentifying(f *testing.F) {
	for _, s := range [][3]string{{"Ik ben Sem de Vries", "Sem", "de Vries"}, {"bel 06-12345678", "A", "B"}, {"", "", ""}, {"Dorpsstraat 12", "x", "y"}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, text, first, last string) {
		id := Identity{FirstName: first, LastName: last, Email: "sem.fuzz@example.nl"}
		_ = identifying(text, id)
		if got := identifying(text+" mail sem.fuzz@example.nl", id); got == "" {
			t.Fatalf("%q with the e-mail address is not caught", text)
		}
		if l := strings.TrimSpace(last); len(l) >= 4 && strings.IndexFunc(l, func(r rune) bool { return !(r >= 'a' && r <= 'z') }) < 0 {
			if got := identifying("Werkt graag hard. "+l+" is mijn naam.", id); got == "" {
				t.Fatalf("the last name %q is not caught", l)
			}
		}
	})
}

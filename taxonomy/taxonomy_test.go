package taxonomy_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/herstart/herstart/taxonomy"
)

func load(t *testing.T) *taxonomy.Taxonomy {
	t.Helper()
	tx, err := taxonomy.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return tx
}

func TestLoad_SizeAndCoverage(t *testing.T) {
	tx := load(t)
	if len(tx.Skills) < 150 || len(tx.Occupations) < 60 {
		t.Fatalf("%d skills, %d occupations; want 150+ and 60+", len(tx.Skills), len(tx.Occupations))
	}
	perSector := map[string]int{}
	for _, s := range tx.Skills {
		if s.NL == "" || s.EN == "" {
			t.Errorf("skill %s lacks a Dutch or English label", s.Code)
		}
		perSector[s.Sector]++
	}
	for _, sector := range []string{"logistics", "construction", "installation", "hospitality", "cleaning", "manufacturing", "agriculture", "transport", "retail", "green_maintenance"} {
		if perSector[sector] < 8 {
			t.Errorf("sector %s has %d skills; want 8 or more", sector, perSector[sector])
		}
	}
}

func TestResolve_SameSkillFromEveryWording(t *testing.T) {
	tx := load(t)
	tests := []struct {
		query, want string
	}{
		{"heftruck", "forklift_driving"},
		{"vorkheftruck", "forklift_driving"},
		{"forklift", "forklift_driving"},
		{"heftruk", "forklift_driving"},
		{"Heftruck rijden", "forklift_driving"},
		{"forklfit", "forklift_driving"}, // swapped letters
		{"heftrcuk", "forklift_driving"}, // swap inside an 8-letter word: one edit
		{"metselen", "bricklaying"},
		{"metzelen", "bricklaying"},
		{"bricklayer", "bricklaying"},
		{"schoonmaak", "office_cleaning"}, // 10 letters: two edits from "schoonmaker"
		{"glazenwasser", "window_cleaning"},
		{"vakkenvullen", "shelf_stacking"},
		{"vakkevullen", "shelf_stacking"},
		{"kassenteeld", "greenhouse_work"},
		{"Elektriciën", "electrical_installation"},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			m, rest := tx.Resolve(tc.query)
			if len(m) == 0 || !slices.Contains(m[0].Skills, tc.want) {
				t.Fatalf("Resolve(%q) = %+v rest %v; want %s", tc.query, m, rest, tc.want)
			}
		})
	}
}

func TestResolve_OccupationBringsItsSkills(t *testing.T) {
	tx := load(t)
	m, _ := tx.Resolve("magazijnmedewerker")
	if len(m) != 1 || m[0].Occupation != "warehouse_worker" || !slices.Contains(m[0].Skills, "order_picking") {
		t.Fatalf("Resolve(magazijnmedewerker) = %+v", m)
	}
}

func TestResolve_ShortWordsNeedExactMatch(t *testing.T) {
	tx := load(t)
	// "kas" is a synonym (greenhouse); "kaas" (4 letters) is no typo of it.
	if m, _ := tx.Resolve("kaas"); len(m) != 0 {
		t.Fatalf("Resolve(kaas) = %+v; want nothing (short words get no typo)", m)
	}
	m, rest := tx.Resolve("heftruck Utrecht")
	if len(m) != 1 || len(rest) != 1 || rest[0] != "utrecht" {
		t.Fatalf("Resolve(heftruck Utrecht) = %+v rest %v", m, rest)
	}
}

func TestDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"heftruck", "heftruck", 0}, {"heftruk", "heftruck", 1}, {"hetfruck", "heftruck", 1},
		{"abc", "xyz", 3}, {"", "ab", 2},
	} {
		if got := taxonomy.Distance(tc.a, tc.b, 3); got != tc.want {
			t.Errorf("Distance(%q, %q) = %d; want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestESCO: ESCO's entry-level occupations are in, with their URIs; a
// project occupation of the same name takes its ESCO code in; words the
// project's file never had are recognised in Dutch and English, with
// typos; and the project's own words keep their meaning.
func TestESCO(t *testing.T) {
	tx := load(t)
	esco := 0
	for _, s := range tx.Skills {
		if s.URI != "" {
			esco++
			if !strings.HasPrefix(s.URI, "http://data.europa.eu/esco/occupation/") || !strings.HasPrefix(s.Code, "esco_") {
				t.Fatalf("ESCO entry %+v", s)
			}
		}
	}
	if esco < 1000 {
		t.Fatalf("%d ESCO occupations; want the 1,000 or more entry-level ones", esco)
	}
	has := func(text, code string) bool {
		ms, _ := tx.Resolve(text)
		for _, m := range ms {
			if contains(m.Skills, code) {
				return true
			}
		}
		return false
	}
	for _, tc := range []struct{ text, code string }{
		{"kapper", "esco_5141_1"}, {"hairdresser", "esco_5141_1"}, {"kaper", "esco_5141_1"}, // a typo, found among ESCO's labels
		{"tegelzetter", "esco_7122_4"}, {"tegelzetster", "esco_7122_4"}, {"tile fitter", "esco_7122_4"},
		{"tegelzetster", "tiling"}, // the project's occupation took ESCO's in: its skills come along
		{"slager", "meat_processing"}, {"slager", "esco_7511_1"},
		{"heftruck", "forklift_driving"},
	} {
		if !has(tc.text, tc.code) {
			ms, rest := tx.Resolve(tc.text)
			t.Fatalf("Resolve(%q) = %+v, rest %v; want %s among the skills", tc.text, ms, rest, tc.code)
		}
	}
	if o, _ := tx.Occupation("tiler"); !contains(o.Skills, "esco_7122_4") || len(o.URIs) == 0 {
		t.Fatalf("the tiler occupation did not take ESCO's in: %+v", o)
	}
	// The project's own phrase wins a typo: "heftruk" is heftruck, not some ESCO label.
	if ms, _ := tx.Resolve("heftruk"); len(ms) != 1 || !contains(ms[0].Skills, "forklift_driving") {
		t.Fatalf("heftruk: %+v", ms)
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// TestResolve_RealWordsAreNoTypos: a phrase that swaps a word for another
// real word is meant as written ("haar knippen" is hair, not "haag
// knippen", hedges); a misspelt word, or words written apart, are still
// typos.
func TestResolve_RealWordsAreNoTypos(t *testing.T) {
	tx := load(t)
	codes := func(text string) []string {
		ms, _ := tx.Resolve(text)
		var out []string
		for _, m := range ms {
			out = append(out, m.Skills...)
		}
		return out
	}
	for text, not := range map[string]string{"haar knippen": "hedge_trimming", "plakken": "spray_painting", "kassen": "cashier"} {
		if got := codes(text); slices.Contains(got, not) {
			t.Errorf("%q resolves to %v; %s is another word's meaning", text, got, not)
		}
	}
	for text, want := range map[string]string{"lasen": "welding", "heftruk": "forklift_driving", "haag knipen": "hedge_trimming"} {
		if got := codes(text); !slices.Contains(got, want) {
			t.Errorf("%q resolves to %v; want %s (a typo)", text, got, want)
		}
	}
}

// TestResolve_TypoTiesFindBoth: a typo as near to two phrases means either
// ("portir" is one edit from portier, the doorman, and from porter); a
// search engine finds both, and so does the taxonomy, not the first of the
// two in its order.
func TestResolve_TypoTiesFindBoth(t *testing.T) {
	tx := load(t)
	ms, _ := tx.Resolve("portir")
	var got []string
	for _, m := range ms {
		got = append(got, m.Skills...)
	}
	for _, want := range []string{"esco_5414_1_4", "esco_9621_2"} {
		if !slices.Contains(got, want) {
			t.Errorf("portir resolves to %v; want %s among them", got, want)
		}
	}
	if ms, _ := tx.Resolve("portier"); len(ms) == 0 || ms[0].Typos != 0 {
		t.Fatalf("portier: %+v; want an exact match", ms)
	}
}

// TestResolve_CompoundTitle: a Dutch compound that ends in one of the
// project's job titles is that title ("hulpmetselaar" is a bricklayer,
// "kantoorschoonmaker" a cleaner); ESCO's bare labels ("medewerker" is one
// of a drinks filtering technician's) make no compound theirs.
func TestResolve_CompoundTitle(t *testing.T) {
	tx := load(t)
	for text, want := range map[string]string{"hulpmetselaar": "bricklayer", "leerlingtimmerman": "carpenter", "kantoorschoonmaker": "cleaner", "allroundschilder": "painter"} {
		ms, rest := tx.Resolve(text)
		if len(ms) != 1 || ms[0].Occupation != want || len(rest) != 0 {
			t.Errorf("%s: %+v rest %v; want the occupation %s", text, ms, rest, want)
		}
	}
	if ms, rest := tx.Resolve("zorgmedewerker"); len(ms) != 0 || len(rest) != 1 {
		t.Errorf("zorgmedewerker: %+v rest %v; want it unplaced", ms, rest)
	}
}

// TestResolve_GenericHeads: ESCO's one-word labels that end many other
// occupations' labels ("medewerker", "operator", "driver", "machinist")
// name a kind of work, not the one occupation ESCO gives them to (a drinks
// filtering technician, a hearse driver, a tyre fitter): no ESCO occupation
// comes of them. Titles that end in them still resolve.
func TestResolve_GenericHeads(t *testing.T) {
	tx := load(t)
	for _, text := range []string{"medewerker", "driver", "machinist", "operator", "monteur", "medewerker sloopwerk"} {
		ms, _ := tx.Resolve(text)
		for _, m := range ms {
			for _, s := range m.Skills {
				if s == "esco_8160_3" || s == "esco_8322_3" || s == "esco_7231_7" || s == "esco_7233_8_2" {
					t.Errorf("%s: %+v; want no ESCO occupation named by the bare word", text, ms)
				}
			}
		}
	}
	// The project's file names a driver, as it names a "chauffeur": the
	// truck driver.
	if ms, _ := tx.Resolve("driver"); len(ms) != 1 || ms[0].Occupation != "truck_driver" {
		t.Errorf("driver: %+v; want the project's truck driver", ms)
	}
	for text, want := range map[string]string{"treinmachinist": "esco_8311_1", "bandenmonteur": "esco_7231_7"} {
		ms, _ := tx.Resolve(text)
		if len(ms) == 0 || !slices.Contains(ms[0].Skills, want) {
			t.Errorf("%s: %+v; want %s", text, ms, want)
		}
	}
}

// TestCorrect: a word the taxonomy cannot place that is one letter off
// one of its phrases is corrected to it, keeping its first letter; a word
// it places, a word with nothing near and a short word are left alone.
func TestCorrect(t *testing.T) {
	tx := load(t)
	for q, want := range map[string]string{"smit": "smid", "graveer": "graveur", "smit utrecht": "smid utrecht", "koks": "kok"} {
		if got, ok := tx.Correct(q); !ok || got != want {
			t.Errorf("Correct(%q) = %q, %v; want %q", q, got, ok, want)
		}
	}
	for _, q := range []string{"heftruk", "metselaar", "xyzzy", "vis", "zmid"} {
		if got, ok := tx.Correct(q); ok {
			t.Errorf("Correct(%q) = %q; want it left alone", q, got)
		}
	}
}

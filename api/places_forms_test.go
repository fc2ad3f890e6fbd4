package api_test

import "testing"

// TestCandidate_PlaceThatRepeats: a candidate in a place whose name
// repeats keeps that place through every later change, and every form the
// messages and the place picker show is taken.
func TestCandidate_PlaceThatRepeats(t *testing.T) {
	e := newSearchEnv(t)
	m := validCandidate()
	m["home_place"] = "Hoeven (Halderberge)"
	st, b := e.do("POST", "/api/v1/candidates", e.worker, m)
	if st != 201 {
		t.Fatalf("register in Hoeven (Halderberge): %d %v", st, b)
	}
	id := b["id"].(string)
	place := func(b map[string]any) (string, float64) {
		p, _ := b["home_place"].(map[string]any)
		n, _ := p["name"].(string)
		i, _ := p["id"].(float64)
		return n, i
	}
	name, pid := place(b)
	if name != "Hoeven" || pid == 0 {
		t.Fatalf("stored place = %q #%v; want Hoeven with its id", name, pid)
	}
	for _, body := range []map[string]any{
		{"status": "available"},
		{"hours_per_week": 24},
		{"home_place": "Berg (Stein, Limburg)"},
		{"home_place": "Berg (Stein)", "home_province": "Limburg"},
		{"home_place": "Berg, Stein"},
		{"home_place_id": pid},
	} {
		st, b := e.do("PATCH", "/api/v1/candidates/"+id, e.worker, body)
		if st != 200 {
			t.Fatalf("PATCH %v = %d %v", body, st, b)
		}
		if _, ok := body["home_place"]; ok {
			if n, _ := place(b); n != "Berg" {
				t.Fatalf("PATCH %v: place %q; want Berg", body, n)
			}
		}
	}
	if st, b := e.do("GET", "/api/v1/candidates/"+id, e.worker, nil); st != 200 {
		t.Fatalf("GET: %d", st)
	} else if n, i := place(b); n != "Hoeven" || i != pid {
		t.Fatalf("after home_place_id: %q #%v; want Hoeven #%v", n, i, pid)
	}
	st, b = e.do("PATCH", "/api/v1/candidates/"+id, e.worker, map[string]any{"home_place_id": 999999999})
	if st != 422 || fieldsOf(b)["home_place_id"] == "" {
		t.Fatalf("an unknown place id = %d %v; want 422 naming home_place_id", st, b)
	}
	st, b = e.do("PATCH", "/api/v1/candidates/"+id, e.worker, map[string]any{"home_place": "Berg (Stein, Limburg)", "home_province": "Groningen"})
	if st != 422 {
		t.Fatalf("a province that contradicts the brackets = %d %v; want 422", st, b)
	}
}

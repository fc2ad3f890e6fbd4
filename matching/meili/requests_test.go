package meili_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/matching/meili"
)

// recorder answers the Meilisearch API calls the adapter makes, from a
// table: each filter's number of hits (a hit's id says its filter's place
// and its own position, "f2_17"), so that a test sees what the adapter
// asked and how it merged the answers. It checks the adapter, not
// Meilisearch: the conformance suite does that where a server runs.
type recorder struct {
	version string
	totals  map[string]int // filter → hits
	mu      sync.Mutex
	multi   []map[string]any // the multi-search bodies received
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	switch {
	case r.URL.Path == "/version":
		fmt.Fprintf(w, `{"pkgVersion":%q}`, rc.version)
	case strings.HasPrefix(r.URL.Path, "/tasks/"):
		fmt.Fprint(w, `{"uid":1,"status":"succeeded"}`)
	case r.URL.Path == "/multi-search":
		var req map[string]any
		_ = json.Unmarshal(body, &req)
		rc.mu.Lock()
		rc.multi = append(rc.multi, req)
		rc.mu.Unlock()
		json.NewEncoder(w).Encode(rc.answer(req))
	default: // index creation, settings, synonyms: a task
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprint(w, `{"taskUid":1,"status":"enqueued","type":"settingsUpdate"}`)
	}
}

func (rc *recorder) hits(filter string, offset, limit int) []map[string]any {
	var out []map[string]any
	for i := offset; i < min(offset+limit, rc.totals[filter]); i++ {
		out = append(out, map[string]any{"id": fmt.Sprintf("%s_%d", rc.name(filter), i), "_rankingScore": 1, "shown": ""})
	}
	return out
}

// name is a filter's short name: f0, f1, … in the order first seen.
func (rc *recorder) name(filter string) string {
	i := 0
	for f := range rc.totals {
		if f < filter {
			i++
		}
	}
	return fmt.Sprintf("f%d", i)
}

func num(v any) int { f, _ := v.(float64); return int(f) }

func (rc *recorder) answer(req map[string]any) map[string]any {
	queries, _ := req["queries"].([]any)
	if fed, ok := req["federation"].(map[string]any); ok {
		// One query a word, all with one filter here: the union is the
		// filter's hits.
		q := queries[0].(map[string]any)
		f, _ := q["filter"].(string)
		return map[string]any{"hits": rc.hits(f, num(fed["offset"]), num(fed["limit"])), "estimatedTotalHits": rc.totals[f],
			"facetDistribution": map[string]any{"skills": map[string]int{"welding": rc.totals[f]}}}
	}
	var results []map[string]any
	for _, x := range queries {
		q := x.(map[string]any)
		f, _ := q["filter"].(string)
		results = append(results, map[string]any{"hits": rc.hits(f, num(q["offset"]), num(q["limit"])), "estimatedTotalHits": rc.totals[f],
			"facetDistribution": map[string]any{"skills": map[string]int{"forklift_driving": rc.totals[f], "welding": 1}}})
	}
	return map[string]any{"results": results}
}

func open(t *testing.T, rc *recorder) (*meili.Index, error) {
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	return meili.Open(context.Background(), srv.URL, "", "t_", nil)
}

// TestOpen_RefusesAnOldServer: a server older than MinVersion is refused
// at start, with its version in the message.
func TestOpen_RefusesAnOldServer(t *testing.T) {
	_, err := open(t, &recorder{version: "1.14.0"})
	if err == nil || !strings.Contains(err.Error(), "1.14.0") || !strings.Contains(err.Error(), meili.MinVersion) {
		t.Fatalf("Open against 1.14.0: %v", err)
	}
	if _, err := open(t, &recorder{version: "1.50.0"}); err != nil {
		t.Fatalf("Open against 1.50.0: %v", err)
	}
}

// TestSearchCandidates_Requests: a search with codes and words is one
// multi-search of its filter parts (first page) or two (totals, then the
// windows a later page needs), and one federated search of a query a word;
// pages run from one part into the next, totals and facets add up.
func TestSearchCandidates_Requests(t *testing.T) {
	q := matching.CandidateQuery{Skills: []string{"forklift_driving"}, Words: []string{"stukadoor", "metselen"}, Facets: true,
		Trades: []matching.TradeTerm{{Token: "esco_8344_1", Boost: 1}}}
	parts := meili.CandidateParts(q)
	rc := &recorder{version: "1.50.0", totals: map[string]int{parts[0]: 1050, parts[1]: 100, parts[2]: 0, meili.CandidateWordsFilter(q): 7}}
	ix, err := open(t, rc)
	if err != nil {
		t.Fatal(err)
	}
	names := func(r matching.Result) string {
		var out []string
		for _, h := range r.Hits {
			out = append(out, h.ID)
		}
		return strings.Join(out, " ")
	}
	ctx := context.Background()

	q.Offset, q.Limit = 0, 3
	r, err := ix.SearchCandidates(ctx, q)
	if err != nil || r.Total != 1157 || names(r) != rc.name(parts[0])+"_0 "+rc.name(parts[0])+"_1 "+rc.name(parts[0])+"_2" {
		t.Fatalf("first page: %v total %d, %v", names(r), r.Total, err)
	}
	if len(rc.multi) != 2 || len(rc.multi[0]["queries"].([]any)) != 3 {
		t.Fatalf("first page: %d requests; want one multi-search of the 3 filter parts and one of the words", len(rc.multi))
	}
	if fc := r.Facets["skills"]; len(fc) != 2 || fc[0] != (matching.FacetCount{Value: "forklift_driving", Count: 1150}) || fc[1] != (matching.FacetCount{Value: "welding", Count: 10}) {
		t.Fatalf("facets summed over the parts: %v", fc)
	}
	words := rc.multi[1]
	fed, _ := words["federation"].(map[string]any)
	wq := words["queries"].([]any)
	if fed == nil || len(wq) != 2 || wq[0].(map[string]any)["q"] != "stukadoor" || wq[1].(map[string]any)["q"] != "metselen" {
		t.Fatalf("words: %v; want a federated search of a query a word", words)
	}
	if fmt.Sprint(wq[0].(map[string]any)["sort"]) != fmt.Sprint(meili.CandidateSort) {
		t.Fatalf("words part without the tie order: %v", wq[0])
	}

	rc.multi = nil
	q.Offset, q.Limit = 1040, 20
	r, err = ix.SearchCandidates(ctx, q)
	a, b := rc.name(parts[0]), rc.name(parts[1])
	want := []string{}
	for i := 1040; i < 1050; i++ {
		want = append(want, fmt.Sprintf("%s_%d", a, i))
	}
	for i := 0; i < 10; i++ {
		want = append(want, fmt.Sprintf("%s_%d", b, i))
	}
	if err != nil || r.Total != 1157 || names(r) != strings.Join(want, " ") {
		t.Fatalf("page across two parts past the thousandth hit: %v total %d, %v", names(r), r.Total, err)
	}
	if len(rc.multi) != 3 {
		t.Fatalf("a later page: %d requests; want totals, windows, words", len(rc.multi))
	}
	win := rc.multi[1]["queries"].([]any)
	if len(win) != 2 || num(win[0].(map[string]any)["offset"]) != 1040 || num(win[0].(map[string]any)["limit"]) != 10 || num(win[1].(map[string]any)["offset"]) != 0 {
		t.Fatalf("windows asked: %v", win)
	}

	rc.multi = nil
	q.Offset, q.Limit = 1148, 5
	r, err = ix.SearchCandidates(ctx, q)
	if err != nil || names(r) != fmt.Sprintf("%s_98 %s_99 %s_0 %s_1 %s_2", b, b, rc.name(meili.CandidateWordsFilter(q)), rc.name(meili.CandidateWordsFilter(q)), rc.name(meili.CandidateWordsFilter(q))) {
		t.Fatalf("page into the words: %v, %v", names(r), err)
	}
}

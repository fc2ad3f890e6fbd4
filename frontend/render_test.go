package frontend

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"github.com/herstart/herstart/matching"
)

// TestTemplates_RenderEmpty: the pages without a record render with an
// empty form (a partial's missing parameter must not stop a page).
func TestTemplates_RenderEmpty(t *testing.T) {
	p := &Pages{}
	if err := p.parse(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"signin", "setup", "apply"} {
		pg := &Page{Lang: "nl", Form: url.Values{}, Errors: map[string]string{}}
		var b bytes.Buffer
		if err := p.pages[name].ExecuteTemplate(&b, "layout", pg); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Contains(b.Bytes(), []byte(`maxlength="`)) {
			t.Errorf("%s: no input has a maxlength", name)
		}
	}
}

// TestSearch_RendersCorrection: a search that was searched once more with a
// word corrected says, above its count, what was typed and what was
// searched (matching.CandidatePage.Corrected); one searched as typed says
// nothing of the kind.
func TestSearch_RendersCorrection(t *testing.T) {
	p := &Pages{}
	if err := p.parse(); err != nil {
		t.Fatal(err)
	}
	render := func(corrected string) string {
		pg := &Page{Lang: "nl", Form: url.Values{"q": {"smit"}}, Errors: map[string]string{},
			Data: searchData{Searched: true, Result: matching.CandidatePage{Items: []matching.CandidateResult{}, Total: 3, Page: 1, Corrected: corrected}}}
		var b bytes.Buffer
		if err := p.pages["search"].ExecuteTemplate(&b, "layout", pg); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	if got := render("smid"); !strings.Contains(got, "Niemand gevonden voor “smit”. Dit zijn de kandidaten voor “smid”.") {
		t.Fatalf("a corrected search does not say so:\n%s", got)
	}
	if got := render(""); strings.Contains(got, "Niemand gevonden") {
		t.Fatal("a search as typed says it was corrected")
	}
}

package frontend

import (
	"bytes"
	"net/url"
	"testing"
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

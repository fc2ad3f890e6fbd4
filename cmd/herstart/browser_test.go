package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The browser tests drive Debian's chromium, headless, through chromedp
// against serve with the demo data: each role signs in and does its main
// job end to end, every main page is checked with axe-core (serious or
// critical violations fail) and by keyboard (every control reachable with
// Tab, focus visible), and each role's main page is saved as a screenshot,
// desktop and phone, under test-output/screenshots.

// chromiumPath finds the browser: HERSTART_CHROMIUM, or Debian's.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("HERSTART_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium: .ci/run installs Debian's chromium package; the browser tests cannot run without it")
	}
	t.Skip("browser tests skipped: no chromium here (apt-get install chromium, or set HERSTART_CHROMIUM)")
	return ""
}

// outputDir is where the tests leave their screenshots and axe results.
func outputDir(t *testing.T) string {
	d := os.Getenv("HERSTART_TEST_OUTPUT")
	if d == "" {
		d = filepath.Join("..", "..", "test-output")
	}
	if err := os.MkdirAll(filepath.Join(d, "screenshots"), 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

// axeSource is axe-core from the front-end packages (npm, a dev dependency).
func axeSource(t *testing.T) string {
	b, err := os.ReadFile(filepath.Join("..", "..", "frontend", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core: %v (scripts/assets.sh installs it)", err)
	}
	return string(b)
}

// browser is one headless chromium; each role gets a tab of its own in a
// browser context of its own (its own cookies).
type browser struct {
	t     *testing.T
	alloc context.Context
	root  context.Context
	base  string
	out   string
	axe   string

	mu      sync.Mutex
	results []string // one line per page checked, for the issue note
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, // as root in CI
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "nl-NL"),
		chromedp.Flag("accept-lang", "nl-NL,nl"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	root, cancelRoot := chromedp.NewContext(alloc)
	if err := chromedp.Do(root, chromedp.Navigate("about:blank")); err != nil {
		cancelRoot()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() { cancelRoot(); cancelAlloc() })
	return &browser{t: t, alloc: alloc, root: root, base: base, out: outputDir(t), axe: axeSource(t)}
}

// tab is one person's browser tab.
type tab struct {
	b    *browser
	t    *testing.T
	ctx  context.Context
	name string
}

// tab opens a tab in a browser context of its own (the browser asks for
// Dutch: Accept-Language nl-NL).
func (b *browser) tab(t *testing.T, name string) *tab {
	ctx, cancel := chromedp.NewContext(b.root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tb := &tab{b: b, t: t, ctx: ctx, name: name}
	// The first action on a context opens its tab, which lives as long as
	// that action's context: no timeout here.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("%s: open a tab: %v", name, err)
	}
	tb.desktop()
	return tb
}

func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.t.Fatalf("%s: %v (at %s)", tb.name, err, tb.location())
	}
}

func (tb *tab) location() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 3*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

func (tb *tab) desktop() {
	tb.do(chromedp.EmulateViewport(1280, 900))
}

func (tb *tab) phone() {
	tb.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
}

// open loads path and waits for the page.
func (tb *tab) open(path string) {
	tb.t.Helper()
	tb.t.Logf("%s: open %s", tb.name, path)
	tb.do(chromedp.Navigate(tb.b.base+path), chromedp.WaitReady(chromedp.CSS("footer")))
}

// submit clicks sel (a submit button or link) and waits for the page it
// leads to.
func (tb *tab) submit(sel string) {
	tb.t.Helper()
	tb.t.Logf("%s: submit %s", tb.name, sel)
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		tb.t.Fatalf("%s: submit %s: %v (at %s)", tb.name, sel, err, tb.location())
	}
	tb.do(chromedp.WaitReady(chromedp.CSS("footer")))
}

// eval runs js in the page and returns its value.
func eval[T any](tb *tab, js string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("%s: eval: %v (at %s)", tb.name, err, tb.location())
	}
	return v
}

func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return eval[string](tb, fmt.Sprintf(`(document.querySelector(%q) || {innerText: ""}).innerText`, sel))
}

// set gives a form field a value as if typed (dates, times: no keys).
func (tb *tab) set(sel, value string) {
	tb.t.Helper()
	ok := eval[bool](tb, fmt.Sprintf(`(() => { const e = document.querySelector(%q); if (!e) return false; e.value = %q; e.dispatchEvent(new Event("input", {bubbles: true})); e.dispatchEvent(new Event("change", {bubbles: true})); return true })()`, sel, value))
	if !ok {
		tb.t.Fatalf("%s: no field %s on %s", tb.name, sel, tb.location())
	}
}

// typeInto types text into the field, key by key.
func (tb *tab) typeInto(sel, text string) {
	tb.t.Helper()
	tb.do(chromedp.SendKeys(chromedp.CSS(sel), text))
}

// wantText fails unless the page's main text contains each of want.
func (tb *tab) wantText(want ...string) {
	tb.t.Helper()
	got := tb.text("main")
	for _, w := range want {
		if !strings.Contains(got, w) {
			tb.t.Fatalf("%s: %s does not say %q; it says:\n%s", tb.name, tb.location(), w, got)
		}
	}
}

// waitText waits (up to 15 s) until sel's text contains want.
func (tb *tab) waitText(sel, want string) {
	tb.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if strings.Contains(tb.text(sel), want) {
			return
		}
		if time.Now().After(deadline) {
			tb.t.Fatalf("%s: %s never said %q; it says:\n%s", tb.name, sel, want, tb.text(sel))
		}
		time.Sleep(150 * time.Millisecond)
	}
}

func (tb *tab) signIn(email string) {
	tb.t.Helper()
	tb.open("/")
	tb.typeInto(`input[name="email"]`, email)
	tb.typeInto(`input[name="password"]`, DemoPassword)
	tb.submit(`form[action="/signin"] button[type="submit"]`)
	if strings.HasSuffix(tb.location(), "/") {
		tb.t.Fatalf("%s: sign-in as %s did not go through: %s", tb.name, email, tb.text("main"))
	}
}

// check runs axe-core and the keyboard check on the page loaded now, and
// saves its screenshots (desktop and phone) when shot names them.
func (tb *tab) check(page, shot string) {
	tb.t.Helper()
	tb.noIDs(page)
	tb.axe(page)
	tb.keyboard(page)
	if shot != "" {
		tb.screenshot(shot + "-desktop")
		tb.phone()
		tb.axe(page + " (phone)")
		tb.screenshot(shot + "-phone")
		tb.desktop()
	}
}

// rawID is a record id as the stores make them (c_…, e_…, u_…).
var rawID = regexp.MustCompile(`\b[a-z]_[a-z0-9]{16}\b`)

// noIDs fails when the visible text of the page's main part holds a raw
// record id: a person reads names, never ids. The audit log is the one
// page that shows records as they are stored (a coordinator's tool).
func (tb *tab) noIDs(page string) {
	tb.t.Helper()
	if strings.HasPrefix(page, "audit log") {
		return
	}
	if ids := rawID.FindAllString(tb.text("main"), -1); len(ids) > 0 {
		tb.t.Errorf("%s: %s shows record ids %v", tb.name, page, ids)
	}
}

// sendTwice sends the form sel twice at once, as a double click does, and
// returns both answers' status and path.
func (tb *tab) sendTwice(sel string) []string {
	tb.t.Helper()
	return eval[[]string](tb, `(async () => {
		const f = document.querySelector(`+strconv.Quote(sel)+`);
		const d = new FormData(f);
		const rs = await Promise.all([fetch(f.action, {method: "POST", body: d}), fetch(f.action, {method: "POST", body: d})]);
		const out = rs.map(r => r.status + " " + new URL(r.url).pathname);
		for (const r of rs) if (r.status >= 400) { const t = await r.text(); const m = t.match(/error-summary[\s\S]{0,600}/); console.log(m ? m[0] : t.slice(0, 300)); out.push(m ? m[0].replace(/<[^>]+>/g, " ").replace(/\s+/g, " ") : ""); }
		return out;
	})()`)
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Nodes  int    `json:"nodes"`
	Help   string `json:"help"`
	Target string `json:"target"`
}

// axe injects axe-core and fails on serious or critical violations of WCAG
// 2.1 A and AA; lesser ones are logged.
func (tb *tab) axe(page string) {
	tb.t.Helper()
	eval[bool](tb, tb.b.axe+";true")
	vs := eval[[]axeViolation](tb, `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact || "", nodes: v.nodes.length, help: v.help, target: v.nodes.length ? v.nodes[0].target.join(" ") : ""})))`)
	var bad, minor []string
	for _, v := range vs {
		line := fmt.Sprintf("%s (%s, %d×: %s; first %s)", v.ID, v.Impact, v.Nodes, v.Help, v.Target)
		if v.Impact == "serious" || v.Impact == "critical" {
			bad = append(bad, line)
		} else {
			minor = append(minor, line)
		}
	}
	tb.b.record(fmt.Sprintf("axe %-40s serious/critical %d, moderate/minor %d%s", page, len(bad), len(minor), listOf(minor)))
	if len(bad) > 0 {
		tb.t.Errorf("%s: axe-core on %s: %d serious or critical violations:\n  %s", tb.name, page, len(bad), strings.Join(bad, "\n  "))
	}
}

func listOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return ": " + strings.Join(s, "; ")
}

type focusable struct {
	Key, Desc string
	Radio     string
}

type focused struct {
	Key     string
	Visible bool
	Desc    string
}

// keyboard presses Tab through the page and fails when a control is never
// reached or is reached without a visible focus indicator.
func (tb *tab) keyboard(page string) {
	tb.t.Helper()
	all := eval[[]focusable](tb, `(() => {
		const sel = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
		let i = 0;
		return [...document.querySelectorAll(sel)].filter(e => {
			if (e.closest('details:not([open])') && e.tagName !== 'SUMMARY') return false;
			const r = e.getBoundingClientRect(), s = getComputedStyle(e);
			return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
		}).map(e => { e.dataset.kb = String(i++); return {key: e.dataset.kb, desc: e.tagName.toLowerCase() + (e.name ? '[name=' + e.name + ']' : '') + ' "' + (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 40) + '"', radio: e.type === 'radio' ? e.name : ''} });
	})()`)
	eval[bool](tb, `document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); true`)
	seen := map[string]bool{}
	radios := map[string]bool{}
	var invisible []string
	// Date and time fields take a Tab per part (day, month, year).
	for i := 0; i < 3*len(all)+10 && len(seen) < len(all); i++ {
		tb.do(chromedp.KeyEvent(kb.Tab))
		const focusNow = `(() => {
			const e = document.activeElement;
			if (!e || e === document.body) return {key: "", visible: true, desc: "body"};
			let s = getComputedStyle(e);
			let vis = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
			if ((e.type === 'radio' || e.type === 'checkbox') && e.closest('.choice')) {
				const t = getComputedStyle(e.nextElementSibling);
				vis = (t.outlineStyle !== 'none' && parseFloat(t.outlineWidth) > 0) || t.boxShadow !== 'none';
			}
			return {key: e.dataset.kb || "", visible: vis, desc: e.tagName.toLowerCase() + (e.name ? '[name=' + e.name + ']' : '') + (e.getAttribute('href') ? '[href=' + e.getAttribute('href') + ']' : '')};
		})()`
		f := eval[focused](tb, focusNow)
		if !f.Visible {
			// Read once more a moment later: the focus ring of an element
			// Tab has just reached can be read before Chrome marks it
			// focus-visible (seen once in CI, never here). Still invisible
			// then, it is.
			time.Sleep(150 * time.Millisecond)
			if again := eval[focused](tb, focusNow); again.Key == f.Key {
				f = again
			}
		}
		if f.Key == "" {
			continue
		}
		seen[f.Key] = true
		for _, a := range all {
			if a.Key == f.Key && a.Radio != "" {
				radios[a.Radio] = true
			}
		}
		if !f.Visible {
			invisible = append(invisible, f.Desc)
		}
	}
	var missed []string
	for _, a := range all {
		if !seen[a.Key] && !(a.Radio != "" && radios[a.Radio]) {
			missed = append(missed, a.Desc)
		}
	}
	tb.b.record(fmt.Sprintf("keys %-40s %d controls, %d reached by Tab, %d without visible focus", page, len(all), len(all)-len(missed), len(invisible)))
	if len(missed) > 0 {
		tb.t.Errorf("%s: on %s, Tab never reaches: %s", tb.name, page, strings.Join(missed, ", "))
	}
	if len(invisible) > 0 {
		tb.t.Errorf("%s: on %s, focus is not visible on: %s", tb.name, page, strings.Join(invisible, ", "))
	}
}

func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	eval[bool](tb, `document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); true`)
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Fatalf("%s: screenshot: %v", tb.name, err)
	}
	if err := os.WriteFile(filepath.Join(tb.b.out, "screenshots", name+".png"), png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

func (b *browser) record(line string) {
	b.mu.Lock()
	b.results = append(b.results, line)
	b.mu.Unlock()
}

func (b *browser) writeResults(t *testing.T, file string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	sort.Strings(b.results)
	_ = os.WriteFile(filepath.Join(b.out, file), []byte(strings.Join(b.results, "\n")+"\n"), 0o644)
	t.Logf("page checks:\n%s", strings.Join(b.results, "\n"))
}

// browserServe loads the demo (with its year of placements) into a data
// directory of its own and serves it.
func browserServe(t *testing.T) string {
	t.Helper()
	if os.Getenv("HERSTART_TEST_POSTGRES_URL") != "" {
		t.Skip("browser tests run in the SQLite pass only: the pages are the same over either backend, and the PostgreSQL pass covers the storage (scripts/test.sh says so)")
	}
	env := testEnv(t, map[string]string{"HERSTART_ADDR": "127.0.0.1:0", "HERSTART_COOKIE_INSECURE": "true"})
	loadDemo(t, env)
	base, _, _ := startServe(t, env)
	return base
}

// TestBrowser_Roles: each role's main job, end to end, in a real browser.
func TestBrowser_Roles(t *testing.T) {
	if testing.Short() {
		t.Skip("drives chromium")
	}
	chromiumPath(t)
	start := time.Now()
	base := browserServe(t)
	b := newBrowser(t, base)
	defer b.writeResults(t, "browser-checks.txt")

	// Before anyone chooses, the browser's Accept-Language decides: English
	// for an English one, Dutch for one that names neither.
	for al, want := range map[string]string{"en-GB,en;q=0.9": `<html lang="en"`, "de-DE,fr;q=0.5": `<html lang="nl"`} {
		req, _ := http.NewRequest("GET", base+"/", nil)
		req.Header.Set("Accept-Language", al)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), want) {
			t.Fatalf("Accept-Language %s: the sign-in page does not start %s", al, want)
		}
	}
	// Signed out in a Dutch browser: the sign-in page in Dutch; a switch
	// to English is remembered (a cookie), and back.
	anon := b.tab(t, "anonymous")
	anon.open("/")
	if lang := eval[string](anon, `document.documentElement.lang`); lang != "nl" {
		t.Fatalf("a Dutch browser got <html lang=%q>", lang)
	}
	anon.submit(`button[name="lang"][value="en"]`)
	anon.open("/")
	if lang := eval[string](anon, `document.documentElement.lang`); lang != "en" {
		t.Fatalf("after choosing English: <html lang=%q>", lang)
	}
	anon.wantText("Sign in")
	anon.submit(`button[name="lang"][value="nl"]`)
	if lang := eval[string](anon, `document.documentElement.lang`); lang != "nl" {
		t.Fatalf("after choosing Nederlands: <html lang=%q>", lang)
	}
	anon.wantText("Inloggen")
	anon.check("sign-in", "signin")

	// A wrong password: the form again, the e-mail address kept.
	anon.typeInto(`input[name="email"]`, "reclassering.jansen@demo.herstart.nl")
	anon.typeInto(`input[name="password"]`, "not the password")
	anon.submit(`form[action="/signin"] button[type="submit"]`)
	anon.wantText("klopt niet")
	if v := eval[string](anon, `document.querySelector('input[name=email]').value`); v != "reclassering.jansen@demo.herstart.nl" {
		t.Fatalf("the e-mail address was not kept: %q", v)
	}

	// An employer applies; two coordinators approve it below.
	anon.open("/apply")
	anon.check("employer application", "")
	anon.typeInto(`input[name="name"]`, "Schoonmaakbedrijf Frisse Start")
	anon.typeInto(`input[name="kvk"]`, "12345678")
	anon.submit(`form[action="/apply"] button`)
	anon.wantText("Niet alle velden")
	if v := eval[string](anon, `document.querySelector('input[name=name]').value`); v != "Schoonmaakbedrijf Frisse Start" {
		t.Fatalf("the application form lost its input: %q", v)
	}
	anon.do(chromedp.Click(chromedp.CSS(`input[name="sectors"][value="cleaning"]`)))
	anon.typeInto(`input[name="locations[0].address"]`, "Stationsplein 1")
	anon.typeInto(`input[name="locations[0].place"]`, "Amersfoort")
	anon.typeInto(`input[name="contact.name"]`, "Fenna Fris")
	anon.typeInto(`input[name="contact.email"]`, "fenna@frissestart.example.nl")
	anon.typeInto(`input[name="password"]`, "een lang wachtwoord 2026")
	anon.typeInto(`input[name="password_again"]`, "een lang wachtwoord 2026")
	anon.do(chromedp.Click(chromedp.CSS(`input[name="code_of_conduct_accepted"]`)))
	// Sent twice at once (a double click): one application, and both
	// answers lead to it, not to "this KvK number is registered already".
	applied := anon.sendTwice(`form[action="/apply"]`)
	if len(applied) != 2 || applied[0] != applied[1] || !strings.HasPrefix(applied[0], "200 /employer") {
		t.Fatalf("the application sent twice: %v; want both answers on the employer's page", applied)
	}
	b.record("double submit: the employer application sent twice at once: " + strings.Join(applied, ", "))
	anon.open("/employer")
	anon.wantText("Schoonmaakbedrijf Frisse Start", "aanmelding in behandeling", "Goedkeuring door twee coördinatoren")

	// The probation worker registers a candidate: first with a mistake,
	// shown beside its field with the input kept, then right.
	worker := b.tab(t, "probation worker")
	worker.signIn("reclassering.jansen@demo.herstart.nl")
	worker.wantText("Caseload")
	worker.check("caseload (probation worker)", "probation-worker")
	worker.open("/candidates/new")
	worker.check("register a candidate", "")
	worker.typeInto(`input[name="identity.first_name"]`, "Sanne")
	worker.typeInto(`input[name="identity.last_name"]`, "de Vries")
	worker.set(`input[name="identity.birth_date"]`, "1994-05-17")
	worker.typeInto(`input[name="skills"]`, "orderpicken, heftruck rijden")
	worker.set(`input[name="hours_per_week"]`, "200")
	worker.typeInto(`input[name="home_place"]`, "Utrecht")
	worker.typeInto(`textarea[name="motivation"]`, "Wil graag vroeg beginnen in een magazijn (browsertest).")
	worker.typeInto(`input[name="restrictions.area_bans[0].place"]`, "Nieuwegein")
	worker.set(`input[name="restrictions.area_bans[0].radius_km"]`, "3")
	worker.set(`input[name="restrictions.curfew.from"]`, "23:00")
	worker.set(`input[name="restrictions.curfew.to"]`, "06:00")
	worker.submit(`form[action="/candidates/new"] button[type="submit"]`)
	if msg := worker.text(`#f-hours_per_week-error`); msg == "" {
		t.Fatalf("hours 200: no error beside the field; page says:\n%s", worker.text("main"))
	}
	// The error summary: the focus is on it, and it links to the field,
	// named by its label.
	if id := eval[string](worker, `document.activeElement ? document.activeElement.id : ""`); id != "error-summary" {
		t.Fatalf("hours 200: the focus is on %q; want the error summary", id)
	}
	worker.screenshot("register-errors-desktop")
	worker.axe("register a candidate (errors)")
	summaryLink := eval[string](worker, `(document.querySelector('#error-summary a[href="#f-hours_per_week"]') || {textContent: ""}).textContent`)
	if !strings.HasPrefix(summaryLink, "Uren per week") {
		t.Fatalf("hours 200: the summary's link to the field reads %q; want it to start with the field's label", summaryLink)
	}
	worker.do(chromedp.Click(chromedp.CSS(`#error-summary a[href="#f-hours_per_week"]`)))
	if id := eval[string](worker, `document.activeElement.id`); id != "f-hours_per_week" {
		t.Fatalf("following the summary's link put the focus on %q; want the field", id)
	}
	b.record("error summary: a 422 on the registration form puts the focus on the summary; its link " + strconv.Quote(summaryLink) + " leads into the field")
	if v := eval[string](worker, `document.querySelector('input[name="identity.first_name"]').value`); v != "Sanne" {
		t.Fatalf("the form lost its input: first name %q", v)
	}
	// A form too large to send (1.1 MB pasted into the motivation): it is
	// not sent, the summary says why and points to the field, and nothing
	// typed is lost.
	motivation := eval[string](worker, `document.querySelector('textarea[name=motivation]').value`)
	eval[bool](worker, `document.querySelector('textarea[name=motivation]').value = "x".repeat(1100000); true`)
	worker.do(chromedp.Click(chromedp.CSS(`form[action="/candidates/new"] button[type="submit"]`)))
	if got := worker.text("#error-summary"); !strings.Contains(got, "te groot") {
		t.Fatalf("a 1.1 MB form: the summary says %q; want that it is too large", got)
	}
	if id := eval[string](worker, `document.activeElement ? document.activeElement.id : ""`); id != "error-summary" {
		t.Fatalf("a 1.1 MB form: the focus is on %q; want the summary", id)
	}
	if !eval[bool](worker, `!!document.querySelector('#error-summary a[href="#f-motivation"]') && document.querySelector('input[name="identity.first_name"]').value === "Sanne"`) {
		t.Fatalf("a 1.1 MB form: the summary does not lead to the motivation, or the input is lost:\n%s", worker.text("#error-summary"))
	}
	b.record("too large: a 1.1 MB registration form is not sent; the summary says " + strconv.Quote(strings.Join(strings.Fields(worker.text("#error-summary")), " ")))
	eval[bool](worker, `document.querySelector('textarea[name=motivation]').value = `+strconv.Quote(motivation)+`; true`)
	worker.set(`input[name="hours_per_week"]`, "32")
	// Sent twice at once, as a double click or an impatient second click
	// sends it: both answers lead to one and the same candidate (the
	// form's one-use token; web.OnceField).
	twice := eval[[]string](worker, `(async () => {
		const f = document.querySelector('form[action="/candidates/new"]');
		const d = new FormData(f);
		const rs = await Promise.all([fetch(f.action, {method: "POST", body: d}), fetch(f.action, {method: "POST", body: d})]);
		return rs.map(r => r.status + " " + r.url.split("?")[0]);
	})()`)
	t.Logf("the registration form sent twice at once: %v", twice)
	if len(twice) != 2 || twice[0] != twice[1] || !strings.Contains(twice[0], "/candidates/c_") {
		t.Fatalf("the registration form sent twice: %v; want both answers on one new candidate", twice)
	}
	b.record("double submit: the registration form sent twice at once led both times to " + twice[0][strings.Index(twice[0], "/candidates/"):])
	worker.open(twice[0][strings.Index(twice[0], "/candidates/"):])
	worker.wantText("Sanne de Vries", "Nieuwegein", "23:00")
	candURL, _, _ := strings.Cut(worker.location(), "?")
	candID := candURL[strings.LastIndex(candURL, "/")+1:]
	// A new candidate's page says why employers do not find them yet, and
	// offers the step in place.
	worker.wantText("Werkgevers vinden deze kandidaat nog niet")
	worker.submit(`form[action="/candidates/` + candID + `/available"] button`)
	worker.wantText("beschikbaar", "werkgevers vinden hem of haar nu")
	if n := eval[int](worker, `document.querySelectorAll("#not-findable").length`); n != 0 {
		t.Fatal("the candidate is available, and the page still says employers do not find them")
	}
	worker.check("candidate (probation worker)", "candidate")

	// Sanne gets a page of her own: she has no e-mail address, so the
	// worker prints a sheet with her login and a one-time link; she opens
	// it on her phone, chooses a password, signs in, reads what employers
	// see of her and says with one tap that she is still available.
	worker.submit(`form[action="/candidates/` + candID + `/account"] button`)
	worker.wantText("Uw eigen pagina op Herstart", "Voor Sanne")
	worker.check("invitation sheet (probation worker)", "candidate-invite")
	sheet, perr := url.Parse(worker.text(".print-sheet .link-code"))
	login := worker.text(".print-sheet li:last-child code")
	if perr != nil || sheet.Query().Get("code") == "" || !strings.HasSuffix(login, "@kandidaat.invalid") {
		t.Fatalf("the sheet shows link %q and login %q", worker.text(".print-sheet .link-code"), login)
	}
	sanne := b.tab(t, "candidate")
	sanne.phone()
	sanne.open(sheet.RequestURI())
	sanne.wantText("Welkom, Sanne")
	sanne.typeInto(`input[name="password"]`, "sanne kiest een wachtwoord")
	sanne.typeInto(`input[name="password_again"]`, "sanne kiest een wachtwoord")
	sanne.submit(`form[action="/uitnodiging"] button`)
	sanne.wantText("Uw wachtwoord is ingesteld")
	sanne.typeInto(`input[name="email"]`, login)
	sanne.typeInto(`input[name="password"]`, "sanne kiest een wachtwoord")
	sanne.submit(`form[action="/signin"] button[type="submit"]`)
	sanne.wantText("Mijn pagina", "Dit zien werkgevers", "orderpicken", "Wie zag wat van u")
	if main := sanne.text("main"); strings.Contains(main, "de Vries") || strings.Contains(main, candID) {
		t.Fatalf("the candidate's own card shows her last name or her record id: %s", main)
	}
	sanne.check("own page (candidate)", "self")
	sanne.submit(`form[action="/mijn/beschikbaar"] button`)
	sanne.wantText("Dank u: werkgevers zien dat u nog beschikbaar bent")
	b.record("candidate: invited by a printed sheet, password chosen on a phone, own page read, availability confirmed with one tap")

	// A caseload import runs as work with its progress shown; a bad line
	// is reported by its number, the others go in.
	csvPath := filepath.Join(t.TempDir(), "caseload.csv")
	if err := os.WriteFile(csvPath, []byte("first_name,last_name,birth_date,skills,home_place\nIvo,Jansen,1991-02-03,metselen,Utrecht\nLina,Bos,1996-07-08,schoonmaken|strijken,Amersfoort\nPiet,Fout,1990-13-45,metselen,Utrecht\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	worker.open("/candidates/import")
	worker.check("caseload import", "")
	worker.do(chromedp.SetUploadFiles(chromedp.CSS(`input[type="file"]`), []string{csvPath}))
	worker.submit(`form[action="/candidates/import"] button`)
	worker.waitText("main", "2 van 3 kandidaten ingeschreven")
	worker.wantText("regel 4", "birth_date")
	if v := eval[string](worker, `document.querySelector('progress').value + ''`); v != "100" {
		t.Fatalf("the import's progress bar ends at %s", v)
	}
	worker.open("/caseload")
	worker.wantText("Ivo J.", "Lina B.")

	// An erasure on the candidate's request, on a phone: without the box
	// ticked the error stands at the box; ticked, the candidate is gone
	// from the caseload and their page answers "not found".
	ivo := eval[string](worker, `[...document.querySelectorAll('main a[href^="/candidates/"]')].find(a => a.textContent.includes("Ivo J.")).getAttribute("href")`)
	worker.phone()
	worker.open(ivo)
	worker.do(chromedp.Click(chromedp.CSS(`#erase summary`)))
	worker.submit(`form[action$="/erase"] button`)
	if msg := worker.text(`#f-confirm-error`); !strings.Contains(msg, "vink het vakje aan") {
		t.Fatalf("an erasure without the box ticked: no error at the box; the page says:\n%s", worker.text("main"))
	}
	if !eval[bool](worker, `!!document.querySelector('#error-summary a[href="#f-confirm"]') && document.querySelector('#erase details').open`) {
		t.Fatalf("an erasure without the box ticked: the summary does not lead to the box, or the form is folded away:\n%s", worker.text("main"))
	}
	worker.screenshot("erase-unticked-phone")
	worker.do(chromedp.Click(chromedp.CSS(`#f-confirm`)))
	worker.submit(`form[action$="/erase"] button`)
	worker.wantText("De kandidaat is gewist")
	b.record("erasure on request: unticked, the error stands at the box; ticked, the caseload says " + strconv.Quote(strings.Join(strings.Fields(worker.text(".utrecht-alert")), " ")))
	if strings.Contains(worker.text("main"), "Ivo J.") {
		t.Fatal("the erased candidate is still in the caseload")
	}
	worker.screenshot("erased-caseload-phone")
	worker.desktop()
	worker.open(ivo)
	if strings.Contains(worker.text("main"), "Ivo") {
		t.Fatalf("the erased candidate's page still shows them:\n%s", worker.text("main"))
	}

	// The employer searches as they type, finds the card with its reasons,
	// and marks interest.
	employer := b.tab(t, "employer")
	employer.signIn(demoEmployerEmail)
	employer.wantText("Bouwbedrijf De Nieuwe Start")
	employer.check("employer overview", "employer")
	// A new vacancy, sent twice at once: one vacancy.
	const vacTitle = "Heftruckchauffeur (browsertest)"
	countVacancies := func() int {
		employer.open("/employer")
		return eval[int](employer, `[...document.querySelectorAll('main .cards li strong')].filter(e => e.textContent === `+strconv.Quote(vacTitle)+`).length`)
	}
	vacBefore := countVacancies()
	employer.open("/vacancies/new")
	employer.typeInto(`input[name="title"]`, vacTitle)
	employer.typeInto(`input[name="required_skills"]`, "heftruck rijden")
	employer.typeInto(`input[name="place"]`, "Utrecht")
	employer.set(`input[name="hours_per_week"]`, "32")
	employer.set(`input[name="start_date"]`, time.Now().AddDate(0, 1, 0).Format(time.DateOnly))
	if got := employer.sendTwice(`form[action="/vacancies/new"]`); len(got) != 2 || got[0] != got[1] {
		t.Fatalf("the vacancy form sent twice: %v", got)
	}
	if n := countVacancies() - vacBefore; n != 1 {
		t.Fatalf("the vacancy form sent twice made %d vacancies; want 1", n)
	}
	b.record("double submit: the vacancy form sent twice at once made one vacancy")
	employer.open("/search")
	employer.typeInto(`#f-place`, "Utrecht")
	employer.typeInto(`#f-q`, "orderpicken")
	// As you type: the results follow, and the address keeps the query.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(employer.location(), "q=orderpicken"); {
		if time.Now().After(deadline) {
			t.Fatalf("the search as you type did not keep the query in the address: %s", employer.location())
		}
		time.Sleep(100 * time.Millisecond)
	}
	employer.waitText("#results", "browsertest")
	employer.wantText("Waarom deze kaart")
	if strings.Contains(employer.text("#results"), "Sanne") {
		t.Fatal("the search card shows the candidate's name")
	}
	// A misspelled place, as you type: the results give way to the problem
	// and the places it may have meant, and the address never becomes the
	// place picker's /places.
	employer.set(`#f-place`, "Utrect")
	employer.waitText("#results", "Bedoelt u")
	if got := employer.text("#results"); !strings.Contains(got, "Plaats:") || !strings.Contains(got, "Utrecht (Utrecht)") || strings.Contains(got, "Waarom deze kaart") {
		t.Fatalf("a misspelled place as you type: the results say %q; want the place's problem, Utrecht offered, no old cards", got)
	}
	if strings.Contains(employer.location(), "/places") {
		t.Fatalf("the address became the place picker's: %s", employer.location())
	}
	b.record("search as you type, place \"Utrect\": " + strings.Join(strings.Fields(employer.text("#results")), " "))
	employer.screenshot("search-misspelled-place-desktop")
	employer.open(eval[string](employer, `document.querySelector('#results a[href*="place=Utrecht"]').getAttribute("href")`))
	employer.waitText("#results", "Waarom deze kaart")
	employer.open(strings.TrimPrefix(employer.location(), base)) // a fresh load: leaving a changed field by Tab searches again
	employer.check("candidate search (employer)", "search")
	// A trade in a candidate's own words: the title finds him, and his card
	// says which of the trade's core words his skills have.
	employer.open("/search?q=asbestsaneerder")
	employer.waitText("#results", "kernwoorden van asbestverwijderaar") // ESCO's name of the trade
	if got := employer.text("#results"); !strings.Contains(got, "asbest verwijderen") || strings.Contains(got, "Milan") {
		t.Fatalf("search by a trade's title: %q; want the card with his own words and without his name", got)
	}
	b.record("search by a trade's title (asbestsaneerder), found by the candidate's own words: " + strings.Join(strings.Fields(eval[string](employer, `document.querySelector('#results .reasons').textContent`)), " "))
	employer.check("candidate search by a trade's title (employer)", "search-trade")
	employer.open("/cards/" + candID)
	employer.wantText("Geanonimiseerde kandidaat", "Openheidsniveau 0")
	if strings.Contains(employer.text("main"), "Sanne") || strings.Contains(employer.text("main"), "23:00") {
		t.Fatal("the level-0 card shows the name or the curfew")
	}
	employer.check("candidate card (employer)", "")
	employer.submit(`form[action$="/interest"] button`)
	employer.wantText("werkgever geïnteresseerd")

	// The worker sees the introduction and records the candidate's consent.
	worker.open("/introductions")
	worker.check("introductions board", "introductions")
	worker.submit(`a.board__card[href^="/introductions/"]`)
	if main := worker.text("main"); !strings.Contains(main, "Sanne d.") || !strings.Contains(main, "Bouwbedrijf De Nieuwe Start") {
		t.Fatalf("the first introduction on the board is not the new one, or does not name its candidate and employer: %s", main)
	}
	// The board and the introduction name people and vacancies, never by
	// record id.
	if ids := regexp.MustCompile(`\b[a-z]_[a-z0-9]{16}\b`).FindAllString(worker.text("main"), -1); len(ids) > 0 {
		t.Fatalf("the introduction shows record ids %v", ids)
	}
	// Sanne answers herself, on her phone: yes, she would like to meet them.
	// (The worker's consent step stays for those without a page.)
	sanne.open("/mijn")
	sanne.wantText("Bouwbedrijf De Nieuwe Start wil graag met u kennismaken")
	sanne.check("own page with a question (candidate)", "self-question")
	sanne.submit(`form[action$="/ja"] button`)
	sanne.wantText("Dank u: de werkgever ziet nu uw voornaam", "door u gegeven")

	// The employer's view changes: the first name and curfew, not the last name.
	employer.open("/cards/" + candID)
	employer.wantText("Sanne", "Openheidsniveau 1", "23:00")
	if strings.Contains(employer.text("main"), "de Vries") {
		t.Fatal("level 1 shows the last name")
	}
	// She takes her permission back: the very next read is the card again.
	sanne.open("/mijn")
	sanne.submit(`button[aria-label="Mijn toestemming voor Bouwbedrijf De Nieuwe Start intrekken"]`)
	sanne.wantText("Uw toestemming is ingetrokken")
	employer.open("/cards/" + candID)
	employer.wantText("Geanonimiseerde kandidaat", "Openheidsniveau 0")
	if strings.Contains(employer.text("main"), "Sanne") {
		t.Fatal("after the withdrawal the card still shows the first name")
	}
	// Her log, as she reads it: who saw what, in words.
	sanne.open("/mijn")
	sanne.wantText("Bouwbedrijf De Nieuwe Start zag op", "voornaam, werkervaring, avondklok", "toestemming ingetrokken")
	if !regexp.MustCompile(`zag op \d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december) \d{4}`).MatchString(sanne.text("main")) {
		t.Fatalf("the candidate's log does not write its dates in words: %s", sanne.text("#h-log + ul"))
	}
	b.record("candidate's log: " + strings.Join(strings.Fields(sanne.text("#h-log + ul")), " "))
	sanne.check("own page after a withdrawal (candidate)", "self-log")
	// The worker's disclosure log records both reads, with the level.
	// It reads as plain Dutch: the employer and the reader by name, what
	// was shown in words, no record id.
	worker.open("/candidates/" + candID + "/disclosures")
	worker.wantText("gezien door de werkgever", "toestemming gegeven", "Bouwbedrijf De Nieuwe Start", "voornaam, werkervaring, avondklok", "kennismaking: werkgever geïnteresseerd")
	if ids := regexp.MustCompile(`\b[a-z]_[a-z0-9]{16}\b`).FindAllString(worker.text("main"), -1); len(ids) > 0 {
		t.Fatalf("the disclosure log shows record ids %v:\n%s", ids, worker.text("main"))
	}
	worker.check("disclosure log", "disclosures")
	// Everything held about the candidate, for their right of access: a
	// page in plain Dutch (and the same as a file).
	worker.open("/candidates/" + candID + "/export")
	worker.wantText("Alles wat wij bewaren over Sanne de Vries", "Identiteit", "Toestemmingen", "Bouwbedrijf De Nieuwe Start", "Wie zag wat, en wanneer", "Nieuwegein")
	worker.check("subject access (probation worker)", "subject-access")
	// The worker's escalations name the candidate and the mentor.
	worker.open("/escalations")
	if ids := regexp.MustCompile(`\b[a-z]_[a-z0-9]{16}\b`).FindAllString(worker.text("main"), -1); len(ids) > 0 {
		t.Fatalf("the escalations show record ids %v:\n%s", ids, worker.text("main"))
	}
	b.record("escalations (probation worker): " + strings.Join(strings.Fields(worker.text("main .card")), " "))
	worker.check("escalations (probation worker)", "escalations")

	// The mentor logs a check-in on a phone.
	mentor := b.tab(t, "mentor")
	mentor.phone()
	mentor.signIn("mentor@demo.herstart.nl")
	mentor.wantText("Check-ins")
	mentor.noIDs("check-ins (mentor)")
	if eval[int](mentor, `document.querySelectorAll('.due-card').length`) > 0 {
		if n := eval[int](mentor, `document.querySelectorAll('.due-card a[href^="tel:"]').length`); n == 0 {
			t.Fatalf("the mentor's agenda offers no number to call:\n%s", mentor.text("main"))
		}
		b.record("agenda (mentor): " + strings.Join(strings.Fields(mentor.text(".due-card")), " "))
	}
	mentor.screenshot("mentor-phone")
	mentor.axe("check-ins (mentor, phone)")
	mentor.desktop()
	mentor.screenshot("mentor-desktop")
	mentor.phone()
	link := eval[string](mentor, `(document.querySelector('a.due-card__link') || {}).getAttribute ? document.querySelector('a.due-card__link').getAttribute('href') : ''`)
	if link == "" {
		mentor.open("/placements")
		link = eval[string](mentor, `document.querySelector('main table a').getAttribute('href') + '/checkin'`)
	}
	placementPath := strings.TrimSuffix(link, "/checkin")
	today := time.Now().Format(time.DateOnly)
	countToday := func() int {
		mentor.open(placementPath)
		return eval[int](mentor, `document.querySelectorAll('ol.cards > li.card > strong > time[datetime=`+strconv.Quote(today)+`]').length`)
	}
	before := countToday()
	mentor.open(link)
	mentor.check("check-in form (mentor, phone)", "checkin")
	mentor.phone()
	width := eval[int](mentor, `document.documentElement.scrollWidth`)
	if width > 390 {
		t.Errorf("the check-in form is %d px wide on a 390 px phone: it scrolls sideways", width)
	}
	// The form names whom it is about, never by record id.
	if head := mentor.text(".phone-form > p.utrecht-paragraph:nth-of-type(2)"); head == "" || strings.HasPrefix(head, "Kandidaat ") {
		t.Fatalf("the check-in form does not name the candidate: %q", head)
	}
	mentor.do(chromedp.Click(chromedp.CSS(`label.choice input[name="mode"][value="phone"] + span`)))
	mentor.do(chromedp.Click(chromedp.CSS(`label.choice input[name="wellbeing"][value="4"] + span`)))
	mentor.do(chromedp.Click(chromedp.CSS(`label.choice input[name="work"][value="5"] + span`)))
	mentor.typeInto(`textarea[name="concerns"]`, "Gaat goed, wil meer uren.")
	// An agreed action without its due date: the summary takes the focus
	// and the due-date field is marked (the service names it
	// actions[0].due_date; the page's field is action_due).
	mentor.typeInto(`input[name="action_text"]`, "Werkgever bellen over meer uren")
	mentor.submit(`.phone-form button[type="submit"]`)
	if id := eval[string](mentor, `document.activeElement ? document.activeElement.id : ""`); id != "error-summary" {
		t.Fatalf("a check-in action without a due date: the focus is on %q; want the error summary; page:\n%s", id, mentor.text("main"))
	}
	if !eval[bool](mentor, `document.querySelector('#f-action_due').getAttribute('aria-invalid') === 'true' && !!document.querySelector('#error-summary a[href="#f-action_due"]')`) {
		t.Fatalf("a check-in action without a due date: the due-date field is not marked or linked:\n%s", mentor.text("main"))
	}
	b.record("error summary: a check-in action without a due date marks " + strconv.Quote(eval[string](mentor, `document.querySelector('#error-summary a').textContent`)))
	mentor.screenshot("checkin-errors-phone")
	if v := eval[string](mentor, `document.querySelector('textarea[name=concerns]').value`); v != "Gaat goed, wil meer uren." {
		t.Fatalf("the check-in form lost its notes: %q", v)
	}
	mentor.set(`input[name="action_due"]`, time.Now().AddDate(0, 0, 7).Format(time.DateOnly))
	// Sent twice at once: one check-in.
	checkInForm := eval[string](mentor, `location.pathname`)
	twiceCheckIn := mentor.sendTwice(`.phone-form form`)
	if len(twiceCheckIn) != 2 || twiceCheckIn[0] != twiceCheckIn[1] || !strings.HasSuffix(twiceCheckIn[0], "/agenda") {
		t.Fatalf("the check-in sent twice: %v (from %s); want both answers on the agenda", twiceCheckIn, checkInForm)
	}
	if after := countToday(); after != before+1 {
		t.Fatalf("the check-in sent twice made %d check-ins today; want 1", after-before)
	}
	b.record("double submit: the check-in form sent twice at once made one check-in")
	mentor.check("placement (mentor)", "placement-mentor")
	mentor.open("/placements")
	mentor.check("placements (mentor)", "")

	// Two coordinators approve the new employer (four eyes).
	coord := b.tab(t, "coordinator")
	coord.signIn("coordinator@demo.herstart.nl")
	coord.wantText("Dashboard")
	if n := eval[int](coord, `document.querySelectorAll('canvas[data-chart]').length`); n != 4 {
		t.Fatalf("the dashboard has %d charts; want 4", n)
	}
	coord.waitText("body", "") // charts draw on DOMContentLoaded
	drawn := eval[int](coord, `new Promise(r => setTimeout(() => r(document.querySelectorAll('canvas[data-drawn]').length), 300))`)
	if drawn != 4 {
		t.Fatalf("Chart.js drew %d of 4 charts", drawn)
	}
	coord.check("dashboard (coordinator)", "coordinator")
	coord.open("/vetting")
	coord.wantText("Goedkeuringen: 0 van 2 · 5 controles te doen")
	coord.check("vetting queue", "vetting")
	coord.submit(`a[href^="/vetting/e_"]`) // pending first
	coord.wantText("Schoonmaakbedrijf Frisse Start")
	coord.check("vetting an employer", "")
	for _, f := range []string{"kvk_checked", "site_visit_or_call", "references", "integrity_questions", "code_of_conduct_signed"} {
		if !eval[bool](coord, fmt.Sprintf(`document.querySelector('input[name=%s]').checked`, f)) {
			coord.do(chromedp.Click(chromedp.CSS(`input[name="` + f + `"]`)))
		}
	}
	coord.submit(`form[action$="/checklist"] button`)
	coord.submit(`form[action$="/approve"] button`)
	coord.wantText("Goedkeuringen: 1 van 2", "tweede coördinator")
	vetURL := coord.location()
	if i := strings.Index(vetURL, "?"); i > 0 {
		vetURL = vetURL[:i]
	}
	coord2 := b.tab(t, "second coordinator")
	coord2.signIn("coordinator2@demo.herstart.nl")
	coord2.do(chromedp.Navigate(vetURL), chromedp.WaitReady(chromedp.CSS("footer")))
	// By keyboard: Tab to the approve button, Enter.
	coord2.tabTo(`form[action$="/approve"] button`)
	coord2.do(chromedp.KeyEvent(kb.Enter))
	coord2.waitText("main", "goedgekeurd")
	if n := strings.Count(coord2.text("main"), "· goedkeuring ·"); n != 2 {
		t.Fatalf("the decisions list %d approvals; want 2:\n%s", n, coord2.text("main"))
	}
	coord2.open("/payouts")
	coord2.check("payouts (coordinator)", "payouts")
	coord2.open("/audit?subject=candidate:" + candID)
	coord2.wantText("candidate.disclosed")
	coord2.check("audit log", "")
	// The audit log found by a name, not a typed record.
	coord2.open("/audit?subject=" + url.QueryEscape("frisse start"))
	coord2.wantText("employer.")
	b.record("audit log by name \"frisse start\": " + strconv.Itoa(eval[int](coord2, `document.querySelectorAll('main tbody tr').length`)) + " events of Schoonmaakbedrijf Frisse Start")
	coord2.open("/vetting")
	coord2.check("vetting queue (after)", "")
	coord2.open(strings.TrimPrefix(vetURL, base))
	coord2.check("vetting an employer (decided)", "vetting-decided")
	coord2.open("/placements")
	coord2.check("placements (coordinator)", "placements-coordinator")
	coord2.open(eval[string](coord2, `document.querySelector('main table a').getAttribute('href')`))
	coord2.check("placement (coordinator)", "placement-coordinator")

	// A subsidy scheme and a vetting concern, each sent twice at once: one.
	const schemeName = "Proefplaatsing gemeente (browsertest)"
	countSchemes := func() int {
		coord2.open("/schemes")
		return strings.Count(coord2.text("main"), schemeName)
	}
	schemesBefore := countSchemes()
	coord2.set(`form[action="/schemes"] input[name="name"]`, schemeName)
	coord2.set(`form[action="/schemes"] input[name="budget"]`, "10000")
	coord2.set(`form[action="/schemes"] input[name="amount"]`, "250")
	coord2.set(`form[action="/schemes"] input[name="months"]`, "6")
	eval[bool](coord2, `document.querySelector('form[action="/schemes"] input[name="kind"][value="monthly"]').checked = true`)
	if got := coord2.sendTwice(`form[action="/schemes"]`); len(got) != 2 || got[0] != got[1] {
		t.Fatalf("the scheme form sent twice: %v", got)
	}
	if n := countSchemes() - schemesBefore; n != 1 {
		t.Fatalf("the scheme form sent twice made %d schemes; want 1:\n%s", n, coord2.text("main"))
	}
	b.record("double submit: the scheme form sent twice at once made one scheme")
	const concern = "Melding van de buren over geluidsoverlast (browsertest)."
	coord2.open(strings.TrimPrefix(vetURL, base))
	coord2.typeInto(`form[action$="/concerns"] textarea[name="text"]`, concern)
	if got := coord2.sendTwice(`form[action$="/concerns"]`); len(got) != 2 || got[0] != got[1] {
		t.Fatalf("the concern form sent twice: %v", got)
	}
	coord2.open(strings.TrimPrefix(vetURL, base))
	if n := strings.Count(coord2.text("main"), concern); n != 1 {
		t.Fatalf("the concern form sent twice recorded %d concerns; want 1", n)
	}
	b.record("double submit: the vetting concern sent twice at once recorded one concern")

	// Accounts: a new mentor, created with a double click (one account)
	// and invited by a link handed over in person (no mail server here);
	// she chooses her password on her phone; deactivated and active again,
	// given a new password.
	coord2.open("/accounts")
	coord2.typeInto(`input[name="name"]`, "Mira Mentor")
	coord2.typeInto(`input[name="email"]`, "mira.mentor@demo.herstart.nl")
	coord2.do(chromedp.Click(chromedp.CSS(`input[name="role"][value="mentor"]`)))
	if got := coord2.sendTwice(`form[action="/accounts"][method="post"]`); len(got) != 2 || got[0] != got[1] {
		t.Fatalf("the account form sent twice: %v", got)
	}
	coord2.open("/accounts")
	if n := eval[int](coord2, `[...document.querySelectorAll('main tbody tr')].filter(r => r.textContent.includes("mira.mentor@demo.herstart.nl")).length`); n != 1 {
		t.Fatalf("the account form sent twice made %d accounts; want 1", n)
	}
	b.record("double submit: the account form sent twice at once made one account")
	coord2.wantText("uitgenodigd")
	coord2.submit(`button[aria-label="Een nieuwe uitnodigingslink voor Mira Mentor"]`)
	coord2.wantText("De uitnodigingslink van Mira Mentor")
	invitation, perr := url.Parse(coord2.text("#invitation-link code"))
	if perr != nil || invitation.Query().Get("code") == "" {
		t.Fatalf("the accounts page shows %q as the invitation link", coord2.text("#invitation-link code"))
	}
	coord2.check("accounts (coordinator)", "accounts")
	coord2.open("/mail")
	coord2.check("outgoing mail (coordinator)", "mail")

	// Partners around Sanne: her worker invites the demo's housing
	// corporation for housing, with her consent; the corporation accepts
	// and sees exactly its slice; it completes an action of the joint
	// plan; Sanne withdraws her permission on her phone, and the
	// corporation's next look finds nothing; her log names each look.
	coord2.open("/partners")
	coord2.wantText("Woonstichting De Linde", "GGZ Midden", "goedgekeurd")
	coord2.check("partner organisations (coordinator)", "partners")
	worker.open("/kringen/" + candID)
	worker.wantText("De kring rond Sanne de Vries", "Er zit nog geen partner in deze kring")
	worker.do(chromedp.Click(chromedp.CSS(`#members details.panel > summary`)))
	worker.set(`select[name="partner_id"]`, eval[string](worker, `[...document.querySelectorAll('select[name=partner_id] option')].find(o => o.textContent.includes("De Linde")).value`))
	worker.set(`select[name="purpose"]`, "housing")
	worker.do(chromedp.Click(chromedp.CSS(`input[name="consent"]`)))
	worker.typeInto(`textarea[name="need"]`, "Zoekt een kamer in Nieuwegein of Utrecht, huur tot 650 euro.")
	if got := worker.sendTwice(`form[action="/kringen/` + candID + `/deelnames"]`); len(got) != 2 || got[0] != got[1] {
		t.Fatalf("the invitation form sent twice: %v", got)
	}
	worker.open("/kringen/" + candID)
	if n := eval[int](worker, `document.querySelectorAll('#members tbody tr').length`); n != 1 {
		t.Fatalf("the invitation sent twice made %d memberships; want 1", n)
	}
	worker.wantText("Woonstichting De Linde", "uitgenodigd", "door u vastgelegd")
	worker.check("circle (probation worker)", "circle-worker")
	b.record("double submit: the invitation into a circle sent twice at once made one membership")

	housing := b.tab(t, "housing corporation")
	housing.signIn("wonen@demo.herstart.nl")
	housing.wantText("Kringen", "Nieuwe uitnodiging")
	housing.open("/kringen/" + candID)
	housing.wantText("Uitnodiging voor huisvesting", "Zoekt een kamer in Nieuwegein")
	if strings.Contains(housing.text("main"), "Sanne") {
		t.Fatalf("an invited partner sees the candidate's name before accepting:\n%s", housing.text("main"))
	}
	housing.submit(`form[action$="/accept"] button`)
	housing.wantText("U zit nu in de kring", "Sanne de Vries", "Zoekt een kamer in Nieuwegein", "Wat u ziet, voor huisvesting")
	slice := housing.text("#slice dl")
	for _, never := range []string{"orderpicken", "23:00", "Welzijn", "Risico"} {
		if strings.Contains(slice, never) {
			t.Fatalf("the housing corporation's slice shows %q:\n%s", never, slice)
		}
	}
	b.record("the housing corporation's slice: " + strings.Join(strings.Fields(slice), " "))
	housing.check("circle (housing partner)", "circle-partner")

	worker.open("/kringen/" + candID)
	worker.do(chromedp.Click(chromedp.CSS(`#plan details.panel > summary`)))
	worker.typeInto(`#plan input[name="title"]`, "Kamer aanbieden via urgentieregeling")
	worker.set(`#plan select[name="owner"]`, eval[string](worker, `[...document.querySelectorAll('#plan select[name=owner] option')].find(o => o.textContent.includes("De Linde")).value`))
	worker.set(`#plan input[name="due_date"]`, time.Now().AddDate(0, 0, 14).Format(time.DateOnly))
	worker.submit(`form[action="/kringen/` + candID + `/acties"] button`)
	worker.wantText("De actie staat in het plan", "Kamer aanbieden via urgentieregeling", "Woonstichting De Linde")
	housing.open("/kringen/" + candID)
	housing.submit(`button[aria-label="Klaar: Kamer aanbieden via urgentieregeling"]`)
	housing.wantText("De actie is bijgewerkt", "afgerond")

	sanne.open("/mijn")
	sanne.wantText("Wie helpt u nog meer", "Woonstichting De Linde")
	sanne.submit(`button[aria-label="Mijn toestemming voor Woonstichting De Linde intrekken"]`)
	sanne.wantText("Uw toestemming is ingetrokken", "Woonstichting De Linde zag op")
	sanne.check("own page after withdrawing a partner (candidate)", "self-circle")
	housing.open("/kringen/" + candID)
	if main := housing.text("main"); !strings.Contains(strings.ToLower(main), "niet gevonden") || strings.Contains(main, "Sanne") {
		t.Fatalf("after the withdrawal the housing corporation's look says:\n%s", main)
	}
	housing.open("/kringen")
	housing.wantText("Nog geen kringen")
	b.record("after Sanne withdrew her permission the housing corporation's next look at her circle: " + strings.Join(strings.Fields(housing.text("main h1")), " "))
	worker.open("/candidates/" + candID + "/disclosures")
	worker.wantText("getoond aan een partner in de kring", "Woonstichting De Linde", "wat er nodig is")

	// Sanne wants out of her family's network: her worker opens an exit
	// trajectory, records a firm of the network with its source, sets the
	// destination (the employer's card then shows it, never her home), and
	// hands the case to a colleague in the destination region, who takes it
	// on; the old worker loses access.
	worker.open("/trajecten/" + candID)
	worker.submit(`form[action$="/openen"] button`)
	worker.wantText("Het uitsteptraject is geopend", "Fase: besluit")
	worker.do(chromedp.Click(chromedp.CSS(`#network details.panel > summary`)))
	worker.do(chromedp.Click(chromedp.CSS(`#network input[name="kind"][value="firm"]`)))
	worker.typeInto(`#network input[name="name"]`, "Sloopbedrijf Vlaskamp")
	worker.typeInto(`#network input[name="kvk"]`, "66600777")
	worker.typeInto(`#network input[name="source"]`, "Eigen verklaring van Sanne")
	worker.submit(`form[action$="/netwerk"] button`)
	worker.wantText("Sloopbedrijf Vlaskamp", "Eigen verklaring van Sanne")
	worker.do(chromedp.Click(chromedp.CSS(`#destination details.panel > summary`)))
	worker.typeInto(`#destination input[name="destination"]`, "Zwolle")
	worker.typeInto(`#destination input[name="radius_km"]`, "40")
	worker.submit(`form[action$="/bestemming"] button`)
	worker.wantText("40 km rond Zwolle (Overijssel)", "Herkomst (alleen hier)")
	worker.check("exit trajectory (probation worker)", "trajectory")
	employer.open("/cards/" + candID)
	if card := employer.text("main"); !strings.Contains(card, "Zwolle") || strings.Contains(card, "Nieuwegein") || strings.Contains(card, "Vlaskamp") {
		t.Fatalf("the employer's card after the destination:\n%s", card)
	}
	b.record("the employer's card after the destination: " + strings.Join(strings.Fields(employer.text("main dl.facts")), " "))
	worker.open("/trajecten/" + candID)
	worker.do(chromedp.Click(chromedp.CSS(`#transfer details.panel > summary`)))
	worker.set(`#transfer select[name="to_worker_id"]`, eval[string](worker, `[...document.querySelectorAll('#transfer select[name=to_worker_id] option')].find(o => o.textContent.includes("Fatima")).value`))
	worker.submit(`form[action$="/overdracht"] button`)
	worker.wantText("De zaak is aangeboden")
	fatima := b.tab(t, "receiving worker")
	fatima.signIn("reclassering.bakker@demo.herstart.nl")
	fatima.open("/trajecten")
	fatima.wantText("Zaken die aan u worden overgedragen", "Sanne d.", "Zwolle")
	fatima.check("exit trajectories (receiving worker)", "trajectories-incoming")
	fatima.submit(`button[aria-label="De zaak overnemen: Sanne d."]`)
	fatima.wantText("De zaak is nu van u", "Uitsteptraject van Sanne de Vries", "Sloopbedrijf Vlaskamp")
	worker.open("/candidates/" + candID)
	if main := worker.text("main"); !strings.Contains(strings.ToLower(main), "niet gevonden") || strings.Contains(main, "Sanne") {
		t.Fatalf("after the handover the old worker's look at Sanne says:\n%s", main)
	}
	b.record("exit trajectory: handed to Fatima Bakker, who took it on; Pieter Jansen's next look at Sanne: " + strings.Join(strings.Fields(worker.text("main h1")), " "))
	newMentor := b.tab(t, "new mentor")
	newMentor.phone()
	newMentor.open(invitation.RequestURI())
	newMentor.wantText("Welkom, Mira Mentor")
	newMentor.check("invitation (new mentor)", "invitation")
	newMentor.typeInto(`input[name="password"]`, "mira kiest haar eigen wachtwoord")
	newMentor.typeInto(`input[name="password_again"]`, "mira kiest haar eigen wachtwoord")
	newMentor.submit(`form[action="/uitnodiging"] button`)
	newMentor.wantText("Uw wachtwoord is ingesteld")
	newMentor.typeInto(`input[name="email"]`, "mira.mentor@demo.herstart.nl")
	newMentor.typeInto(`input[name="password"]`, "mira kiest haar eigen wachtwoord")
	newMentor.submit(`form[action="/signin"] button[type="submit"]`)
	newMentor.wantText("Check-ins")
	// The link worked once.
	gone := b.tab(t, "the same link again")
	gone.open(invitation.RequestURI())
	gone.wantText("Deze link werkt niet meer")
	coord2.open("/accounts")
	coord2.submit(`button[aria-label="Mira Mentor blokkeren"]`)
	coord2.wantText("geblokkeerd")
	coord2.submit(`button[aria-label="Mira Mentor weer toelaten"]`)
	coord2.submit(`button[aria-label="Nieuw wachtwoord voor Mira Mentor"]`)
	coord2.wantText("Het nieuwe wachtwoord van Mira Mentor")
	if pw := coord2.text("#reset-result strong"); len(pw) < 12 {
		t.Fatalf("the reset shows %q as the new password", pw)
	}
	// A forgotten password, asked for on a phone: the same answer for
	// every address.
	forgot := b.tab(t, "forgot password")
	forgot.phone()
	forgot.open("/")
	forgot.submit(`a[href="/wachtwoord-vergeten"]`)
	forgot.check("forgot password", "password-forgot")
	forgot.typeInto(`input[name="email"]`, "mentor@demo.herstart.nl")
	forgot.submit(`form[action="/wachtwoord-vergeten"] button`)
	forgot.wantText("Als er een account met dit adres is")

	// The employer's messages lead to what they are about.
	employer.open("/inbox")
	employer.check("messages (employer)", "inbox")
	employer.open("/placements")
	employer.check("placements (employer)", "")
	// A placement that holds: the candidate consented to level 2, so the
	// placement names the probation worker and the card gives the contact
	// details and the probation contact, and asks nothing more of them.
	employer.open(eval[string](employer, `[...document.querySelectorAll('main table tr')].find(r => r.textContent.includes('actief')).querySelector('a').getAttribute('href')`))
	employer.wantText("Reclasseringswerker")
	employer.check("placement (employer)", "placement-employer")
	employer.open(eval[string](employer, `document.querySelector('main a[href^="/cards/"]').getAttribute('href')`))
	employer.wantText("Openheidsniveau 2", "Telefoon", "Contactpersoon bij de reclassering", "@demo.herstart.nl")
	if n := eval[int](employer, `document.querySelectorAll('form[action$="/interest"]').length`); n != 0 {
		t.Fatalf("the card of a placed candidate offers to ask to meet them:\n%s", employer.text("main"))
	}
	b.record("card of a placed candidate (employer): " + strings.Join(strings.Fields(employer.text("main dl.facts")), " "))
	employer.check("card of a placed candidate (employer)", "card-placed")
	worker.open("/placements")
	worker.check("placements (probation worker)", "")
	worker.open(eval[string](worker, `document.querySelector('main table a').getAttribute('href')`))
	worker.check("placement (probation worker)", "placement-worker")

	// The same pages in English, for a person who chose English.
	worker.open("/caseload")
	worker.submit(`button[name="lang"][value="en"]`)
	worker.open("/caseload")
	if lang := eval[string](worker, `document.documentElement.lang`); lang != "en" {
		t.Fatalf("after choosing English: <html lang=%q>", lang)
	}
	worker.wantText("Caseload", "Register a candidate")
	worker.screenshot("probation-worker-english")
	t.Logf("browser tests took %s (with the demo's year of history)", time.Since(start).Round(time.Second))
}

// tabTo presses Tab until sel has the focus (at most 100 times).
func (tb *tab) tabTo(sel string) {
	tb.t.Helper()
	for i := 0; i < 100; i++ {
		tb.do(chromedp.KeyEvent(kb.Tab))
		if eval[bool](tb, fmt.Sprintf(`document.activeElement === document.querySelector(%q)`, sel)) {
			return
		}
	}
	tb.t.Fatalf("%s: Tab never reached %s on %s", tb.name, sel, tb.location())
}

// TestBrowser_FirstRun: on an empty installation serve prints a one-time
// setup link; the first coordinator is made in the browser, and the link
// then stops working.
func TestBrowser_FirstRun(t *testing.T) {
	if testing.Short() {
		t.Skip("drives chromium")
	}
	chromiumPath(t)
	if os.Getenv("HERSTART_TEST_POSTGRES_URL") != "" {
		t.Skip("browser tests run in the SQLite pass only")
	}
	env := testEnv(t, map[string]string{"HERSTART_ADDR": "127.0.0.1:0", "HERSTART_COOKIE_INSECURE": "true"})
	base, out, _ := startServe(t, env)
	m := regexp.MustCompile(`http://\S+/setup\?token=([0-9a-f]+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("serve printed no setup link:\n%s", out.String())
	}
	b := newBrowser(t, base)
	tb := b.tab(t, "first coordinator")
	tb.open("/setup?token=" + m[1])
	tb.wantText("Herstart instellen")
	tb.check("first-run setup", "setup")
	tb.typeInto(`input[name="name"]`, "Eerste Beheerder")
	tb.typeInto(`input[name="email"]`, "beheer@example.nl")
	tb.typeInto(`input[name="password"]`, "een heel lang wachtwoord")
	tb.typeInto(`input[name="password_again"]`, "een ander lang wachtwoord")
	tb.submit(`form[action="/setup"] button`)
	tb.wantText("niet hetzelfde")
	tb.set(`input[name="password"]`, "een heel lang wachtwoord")
	tb.set(`input[name="password_again"]`, "een heel lang wachtwoord")
	tb.submit(`form[action="/setup"] button`)
	tb.wantText("Dashboard", "eerste coördinator")
	// The link is spent.
	other := b.tab(t, "late visitor")
	other.open("/setup?token=" + m[1])
	other.wantText("niet (meer) geldig")
	b.writeResults(t, "browser-checks-first-run.txt")
}

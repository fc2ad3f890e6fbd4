package frontend

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/circles"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/exits"
	"github.com/herstart/herstart/inbox"
	"github.com/herstart/herstart/jobs"
	"github.com/herstart/herstart/mail"
	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/payments"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/taxonomy"
	"github.com/herstart/herstart/users"
	"github.com/herstart/herstart/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// static holds the project's own stylesheet and script, and vendor/: the
// npm packages' files that scripts/assets.sh copies there (not committed).
//
//go:embed static
var staticFS embed.FS

// Config wires the pages to the domain services (the same ones the API
// calls, so both answer to the same authorisation).
type Config struct {
	Users      *users.Service
	Candidates *candidates.Service
	Employers  *employers.Service
	Matching   *matching.Service
	Audit      *audit.Recorder
	Inbox      *inbox.Service
	Placements *placements.Service
	Payments   *payments.Service
	Mail       *mail.Service // the outbox view; invitations (nil in tests of pages that need no mail)
	Circles    *circles.Service
	Exits      *exits.Service
	Places     *places.Table
	Taxonomy   *taxonomy.Taxonomy // names skill codes (nil: codes shown as they are)
	Jobs       *jobs.Service      // long work with its progress (import, reindex, SEPA export)
	Logger     *slog.Logger
	// Setup is the first run's one-time setup link (nil: none).
	Setup *Setup
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Pages is the pages' face of the platform.
type Pages struct {
	cfg   Config
	web   *web.Web
	log   *slog.Logger
	pages map[string]*template.Template
}

// skillNames names skill codes on the pages (one taxonomy per process).
var skillNames *taxonomy.Taxonomy

// LangCookie remembers the language someone not signed in chose.
const LangCookie = "herstart_lang"

// preCookie carries the sign-in form's CSRF token before there is a session
// (double submit: the form field must equal the cookie).
const preCookie = "herstart_pre"

// Mount adds the pages at / of the shared app, with their static files
// under /static/, and makes page errors answer in HTML.
func Mount(w *web.Web, cfg Config) error {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := &Pages{cfg: cfg, web: w, log: cfg.Logger}
	p.registerJobs()
	if cfg.Taxonomy != nil {
		skillNames = cfg.Taxonomy
	}
	if err := p.parse(); err != nil {
		return err
	}
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return err
	}
	app := w.App()
	app.Use("/static", func(c *fiber.Ctx) error {
		err := c.Next()
		if c.Response().StatusCode() == fiber.StatusOK {
			c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
			c.Response().Header.Del(fiber.HeaderPragma)
		}
		return err
	}, filesystem.New(filesystem.Config{Root: http.FS(sub)}))
	w.SetPageErrors(p.renderError)
	p.routes(app)
	return nil
}

// Page is what every template gets: who is asking, in which language,
// the form's values and problems, and the page's own data.
type Page struct {
	Lang   string
	Title  string
	Path   string
	User   *users.User
	CSRF   string
	Nav    []NavItem
	Flash  string
	Form   url.Values
	Errors map[string]string
	Data   any
	Unread int
	Now    time.Time
}

// N is T for a count: one when n is 1, else many (each an English format
// with %d, translated as T does), so a page never says "1 kandidaten".
func (p *Page) N(one, many string, n int) string {
	if n == 1 {
		return p.T(one, n)
	}
	return p.T(many, n)
}

// FieldError is one line of a form's error summary.
type FieldError struct{ Name, Message string }

// ErrorList is the form's problems in a steady order, for the error
// summary at the top of the page (each a link to its field; app.js puts
// the field's label before it and moves the focus to the summary).
func (p *Page) ErrorList() []FieldError {
	out := make([]FieldError, 0, len(p.Errors))
	for k, v := range p.Errors {
		out = append(out, FieldError{Name: k, Message: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// NavItem is a link of the role's menu.
type NavItem struct {
	Href, Label string
	Current     bool
}

// T translates an English text of the pages into the page's language; with
// args it is a format (its %s and %d filled in after translation).
func (p *Page) T(msg string, args ...any) string {
	if len(args) == 0 {
		return web.Translate(p.Lang, msg)
	}
	return fmt.Sprintf(web.TranslateFormat(p.Lang, msg), args...)
}

// Value is the form's value of field, as the person typed it.
func (p *Page) Value(field string) string { return p.Form.Get(field) }

// Err is the problem with field (or with one of its entries, field[i] or
// field.sub), translated; "" when there is none.
func (p *Page) Err(field string) string {
	if msg, ok := p.Errors[field]; ok {
		return msg
	}
	keys := make([]string, 0, len(p.Errors))
	for k := range p.Errors {
		if strings.HasPrefix(k, field+"[") || strings.HasPrefix(k, field+".") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+": "+p.Errors[k])
	}
	return strings.Join(parts, "; ")
}

// L is the label of a code (a role, a state, a sector…) in the page's
// language: kind says which list it is from.
func (p *Page) L(kind string, code any) string {
	c := fmt.Sprint(code)
	if en, ok := labels[kind+":"+c]; ok {
		return p.T(en)
	}
	switch kind {
	case "skills", "skill":
		if tx := skillNames; tx != nil {
			if sk, ok := tx.Skill(c); ok {
				if p.Lang == "nl" {
					return sk.NL
				}
				return sk.EN
			}
			if oc, ok := tx.Occupation(c); ok {
				if p.Lang == "nl" {
					return oc.NL
				}
				return oc.EN
			}
		}
	case "province":
		if n := places.ProvinceName(c); n != "" {
			return n
		}
	case "certificates":
		kind = "certificate"
	}
	for _, terms := range termLists[kind] {
		if terms.Code == c {
			if p.Lang == "nl" {
				return terms.NL
			}
			return terms.EN
		}
	}
	return strings.ReplaceAll(c, "_", " ")
}

// Who is the name of the account id in names (Pages.userNames), or words
// for the system and for an account that is gone: never the id.
func (p *Page) Who(names map[string]string, id string) string {
	if n, ok := names[id]; ok && n != "" {
		return n
	}
	if id == "" || id == "system" {
		return p.T("Herstart (automatically)")
	}
	return p.T("a former account")
}

// dutchMonths name the months as a Dutch reader writes them.
var dutchMonths = [...]string{"januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"}

// Day is a date as a person reads it in the page's language: "6 januari
// 2027", "6 January 2027" (the candidate's page, in plain words).
func (p *Page) Day(t time.Time) string {
	if p.Lang == "en" {
		return t.Format("2 January 2006")
	}
	return fmt.Sprintf("%d %s %d", t.Day(), dutchMonths[t.Month()-1], t.Year())
}

// DayOf is Day of a date written YYYY-MM-DD (shown as it is when it is
// not one).
func (p *Page) DayOf(s string) string {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return p.Day(t)
}

// Is reports whether the signed-in user has the role.
func (p *Page) Is(role string) bool { return p.User != nil && string(p.User.Role) == role }

// Checked reports whether a checkbox or option value is in the form.
func (p *Page) Checked(field, value string) bool {
	for _, v := range p.Form[field] {
		if v == value {
			return true
		}
	}
	return false
}

var funcs = template.FuncMap{
	// once is a fresh one-use token for each form (web.OnceField): a form
	// sent twice makes one record.
	"once":   randomToken,
	"euro":   euro,
	"date":   func(t time.Time) string { return t.Format("2006-01-02") },
	"when":   func(t time.Time) string { return t.Local().Format("2006-01-02 15:04") },
	"join":   strings.Join,
	"json":   toJSON,
	"pct":    func(f float64) string { return fmt.Sprintf("%.1f", f*100) },
	"add64":  func(a, b int64) int64 { return a + b },
	"derefd": func(t *time.Time) string { return derefDate(t) },
	"dict":   dict,
	"seq": func(a, b int) []int {
		var s []int
		for i := a; i <= b; i++ {
			s = append(s, i)
		}
		return s
	},
	"strs": func(s ...string) []string { return s },
	// subjectLink leads from a message to what it is about
	// ("introduction:i_…" to that introduction's page).
	"subjectLink": subjectLink,
	// maxlen is an input's maxlength: the server's limit for the field
	// (fieldMax), an explicit one, or the default for its kind.
	"maxlen": maxlen,
	// bodyLimit is the largest form the server takes (web.BodyLimit); the
	// page checks it before sending, so a too-large form keeps its input.
	"bodyLimit": func() int { return web.BodyLimit },
	// tel is a phone number as a tel: link dials it (digits and a
	// leading +).
	"tel": func(s string) string {
		return strings.Map(func(r rune) rune {
			if r == '+' || (r >= '0' && r <= '9') {
				return r
			}
			return -1
		}, s)
	},
	"deref": func(f *float64) float64 { return *f },
	"fieldID": func(name string) string {
		return "f-" + strings.NewReplacer(".", "-", "[", "-", "]", "").Replace(name)
	},
}

// fieldMax is the server's length limit of a form field, where it is
// shorter than the default (apperr.Fields.Text's max in each service).
var fieldMax = map[string]int{
	"identity.first_name": 100, "identity.last_name": 100, "identity.address": 200, "identity.postcode": 10, "identity.phone": 20,
	"identity.email": 254, "email": 254, "contact.email": 254, "contact.name": 100, "contact.phone": 20,
	"name": 100, "title": 120, "purpose": 300, "reason": 300, "place": 200, "home_place": 200, "address": 200, "source": 200,
	"holder": 70, "bank_reference": 140, "iban": 42, "kvk": 12, "subject": 100, "password": 128, "password_again": 128,
	"totp": 10, "concerns": 500, "action_text": 1000, "text": 2000, "description": 2000, "motivation": 500,
}

// maxlen is the maxlength of a form field: explicit (a template's "Max"),
// the field's server limit, or 2000 for a text area and 200 for a line.
func maxlen(name string, typ, explicit any) int {
	if n, ok := explicit.(int); ok && n > 0 {
		return n
	}
	if n, ok := fieldMax[name]; ok {
		return n
	}
	if t, _ := typ.(string); t == "textarea" {
		return 2000
	}
	return 200
}

// link is a link's target and its (translated) words.
type link struct{ Href, Label string }

// subjectLink is the page a message's subject names, or nil for none.
func subjectLink(subject string) *link {
	kind, id, ok := strings.Cut(subject, ":")
	if !ok || id == "" || strings.ContainsAny(id, "/?#") {
		return nil
	}
	switch kind {
	case "introduction":
		return &link{"/introductions/" + id, "Open the introduction"}
	case "placement":
		return &link{"/placements/" + id, "Open the placement"}
	case "self":
		if id == "contact" {
			return &link{"/mijn#h-consents", "Open my page"}
		}
		return &link{"/mijn#h-intros", "Open my page"}
	}
	return nil
}

// dict makes a map of key, value pairs, for passing several values to a
// partial template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, errors.New("dict: keys must be strings")
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

func derefDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format("2006-01-02")
}

func euro(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	whole, frac := cents/100, cents%100
	s := fmt.Sprint(whole)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	out := fmt.Sprintf("€ %s,%02d", b.String(), frac)
	if neg {
		out = "-" + out
	}
	return out
}

// parse reads every page template with the shared layout and partials.
func (p *Pages) parse() error {
	base, err := template.New("base").Funcs(funcs).ParseFS(templateFS, "templates/_*.html")
	if err != nil {
		return err
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return err
	}
	p.pages = map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if strings.HasPrefix(name, "_") {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return err
		}
		p.pages[name] = t
	}
	return nil
}

// page builds the Page of a request: its user (nil signed out), language
// and menu.
func (p *Pages) page(c *fiber.Ctx, title string) (*Page, error) {
	pg := &Page{Title: title, Path: c.Path(), CSRF: web.CSRF(c), Form: url.Values{}, Errors: map[string]string{}, Now: p.cfg.Now()}
	if a, err := users.ActorFrom(c.UserContext()); err == nil {
		u, err := p.cfg.Users.Me(c.UserContext())
		if err != nil {
			return nil, err
		}
		pg.User = &u
		pg.Nav = navFor(a.Role, c.Path())
		// The unread count is for the menu: not read for an htmx swap of a
		// part (a keystroke in the search, a place picker, progress).
		if p.cfg.Inbox != nil && !partialRequest(c) {
			if box, err := p.cfg.Inbox.List(c.UserContext()); err == nil {
				pg.Unread = box.Unread
			}
		}
	}
	pg.Lang = p.langOf(c, pg.User)
	c.Locals("lang", pg.Lang)
	return pg, nil
}

// langOf is the user's chosen language, else the language cookie of
// someone signed out, else the browser's (Dutch when it names neither).
func (p *Pages) langOf(c *fiber.Ctx, u *users.User) string {
	if u != nil && (u.Lang == "nl" || u.Lang == "en") {
		return u.Lang
	}
	if l := c.Cookies(LangCookie); l == "nl" || l == "en" {
		return l
	}
	return web.Lang(c.Get(fiber.HeaderAcceptLanguage))
}

func navFor(role users.Role, path string) []NavItem {
	var items []NavItem
	switch role {
	case users.ProbationWorker:
		items = []NavItem{{Href: "/caseload", Label: "Caseload"}, {Href: "/candidates/new", Label: "Register a candidate"},
			{Href: "/introductions", Label: "Introductions"}, {Href: "/kringen", Label: "Circles"}, {Href: "/trajecten", Label: "Exit trajectories"}, {Href: "/escalations", Label: "Escalations"}, {Href: "/inbox", Label: "Messages"}}
	case users.Partner:
		items = []NavItem{{Href: "/kringen", Label: "Circles"}, {Href: "/inbox", Label: "Messages"}}
	case users.Employer:
		items = []NavItem{{Href: "/employer", Label: "Overview"}, {Href: "/search", Label: "Find candidates"},
			{Href: "/introductions", Label: "Introductions"}, {Href: "/placements", Label: "Placements"}, {Href: "/inbox", Label: "Messages"}}
	case users.Candidate:
		items = []NavItem{{Href: "/mijn", Label: "My page"}, {Href: "/inbox", Label: "Messages"}}
	case users.Mentor:
		items = []NavItem{{Href: "/agenda", Label: "Check-ins"}, {Href: "/placements", Label: "Placements"}, {Href: "/inbox", Label: "Messages"}}
	case users.Coordinator:
		items = []NavItem{{Href: "/dashboard", Label: "Dashboard"}, {Href: "/vetting", Label: "Vetting"}, {Href: "/payouts", Label: "Payouts"},
			{Href: "/schemes", Label: "Schemes"}, {Href: "/placements", Label: "Placements"}, {Href: "/audit", Label: "Audit log"},
			{Href: "/partners", Label: "Partners"}, {Href: "/accounts", Label: "Accounts"}, {Href: "/inbox", Label: "Messages"}}
	}
	for i := range items {
		items[i].Current = path == items[i].Href || strings.HasPrefix(path, items[i].Href+"/")
	}
	return items
}

// startPage is where a role lands after signing in.
func startPage(role users.Role) string {
	switch role {
	case users.ProbationWorker:
		return "/caseload"
	case users.Employer:
		return "/employer"
	case users.Mentor:
		return "/agenda"
	case users.Coordinator:
		return "/dashboard"
	case users.Candidate:
		return "/mijn"
	case users.Partner:
		return "/kringen"
	}
	return "/"
}

// render writes the page template name with pg.
func (p *Pages) render(c *fiber.Ctx, status int, name string, pg *Page) error {
	t, ok := p.pages[name]
	if !ok {
		return fmt.Errorf("frontend: no template %q", name)
	}
	layout := "layout"
	if partialRequest(c) && t.Lookup("partial") != nil {
		layout = "partial" // htmx asks for the part it swaps
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, layout, pg); err != nil {
		return fmt.Errorf("frontend: render %s: %w", name, err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderContentLanguage, pg.Lang)
	c.Set("Vary", "HX-Request, Accept-Language")
	return c.Status(status).Send(buf.Bytes())
}

// partialRequest reports whether htmx asks for a part of a page to swap
// into its target (no layout).
func partialRequest(c *fiber.Ctx) bool {
	return c.Get("HX-Request") == "true" && c.Get("HX-Target") != ""
}

// renderError answers an error on a page in HTML: someone signed out who
// needs to sign in is sent to the sign-in page; any other error is a page
// that says what went wrong, in the person's language.
func (p *Pages) renderError(c *fiber.Ctx, status int, d web.ErrorDetail) error {
	if status == fiber.StatusUnauthorized && c.Method() == fiber.MethodGet {
		return c.Redirect("/?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
	}
	pg, err := p.page(c, "Something went wrong")
	if err != nil { // not even the page could be built: the plainest answer
		pg = &Page{Lang: web.LangOf(c), Form: url.Values{}, Errors: map[string]string{}}
	}
	pg.Title = d.Message
	pg.Data = struct {
		Status    int
		Detail    web.ErrorDetail
		RequestID string
	}{status, d, d.RequestID}
	return p.render(c, status, "error", pg)
}

// handler wraps a page handler with its Page; an error it returns goes to
// renderError (a handler shows its own form again with invalid).
func (p *Pages) handler(title string, h func(c *fiber.Ctx, pg *Page) error) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pg, err := p.page(c, title)
		if err != nil {
			return err
		}
		return h(c, pg)
	}
}

// signedIn requires an actor of one of roles.
func signedIn(c *fiber.Ctx, roles ...users.Role) (users.Actor, error) {
	if len(roles) == 0 {
		return users.ActorFrom(c.UserContext())
	}
	return users.RequireRole(c.UserContext(), roles...)
}

// formOf is the request's form (url-encoded or multipart) as url.Values.
func formOf(c *fiber.Ctx) url.Values {
	v := url.Values{}
	c.Request().PostArgs().VisitAll(func(k, val []byte) { v.Add(string(k), string(val)) })
	if mf, err := c.MultipartForm(); err == nil && mf != nil {
		for k, vals := range mf.Value {
			v[k] = append(v[k], vals...)
		}
	}
	v.Del(web.CSRFField)
	return v
}

// invalid shows the form page again with the input kept and each field's
// problem beside it, when err is about fields; otherwise it returns err.
func (p *Pages) invalid(c *fiber.Ctx, err error, name string, pg *Page) error {
	if !aboutTheForm(err) {
		return err
	}
	status, d := web.Describe(err, pg.Lang)
	pg.Flash = d.Message
	for k, v := range d.Fields {
		pg.Errors[k] = v
	}
	return p.render(c, status, name, pg)
}

// aboutTheForm reports whether err is one the person can correct in the
// form (bad input, or a conflict with the record's state).
func aboutTheForm(err error) bool {
	var ae *apperr.Error
	return errors.As(err, &ae) && (ae.Code == apperr.Invalid || ae.Code == apperr.BadRequest || ae.Code == apperr.Conflict)
}

// asFields names a service's field paths by the form's own fields
// (actions[0].due_date is the check-in form's action_due), so the summary
// links to and marks the field the person filled in.
func asFields(err error, names map[string]string) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) || len(ae.Fields) == 0 {
		return err
	}
	out := *ae
	out.Fields = make(map[string]string, len(ae.Fields))
	for k, v := range ae.Fields {
		if n, ok := names[k]; ok {
			k = n
		}
		out.Fields[k] = v
	}
	return &out
}

// invalidAgain is invalid for a page that shows a record beside its form:
// the record is read again (load) only when the form is shown again.
func (p *Pages) invalidAgain(c *fiber.Ctx, err error, name string, pg *Page, load func() (any, error)) error {
	if !aboutTheForm(err) {
		return err
	}
	data, lerr := load()
	if lerr != nil {
		return err
	}
	pg.Data = data
	return p.invalid(c, err, name, pg)
}

// rank is k's place in order, after every listed key when it is not one.
func rank[K comparable](order map[K]int, k K) int {
	if r, ok := order[k]; ok {
		return r
	}
	return len(order)
}

// back redirects after a successful form (POST, then GET), with a message.
func back(c *fiber.Ctx, to, flash string) error {
	if flash != "" {
		path, frag, _ := strings.Cut(to, "#")
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		to = path + sep + "done=" + url.QueryEscape(flash)
		if frag != "" {
			to += "#" + frag
		}
	}
	return c.Redirect(to, fiber.StatusSeeOther)
}

// flashOf is the message a redirect carried, when it is one of ours (a
// catalogue entry: nobody can make the page say what they like).
func flashOf(c *fiber.Ctx, pg *Page) {
	if d := c.Query("done"); d != "" && web.Known(d) {
		pg.Flash = pg.T(d)
	}
}

// Setup is the one-time link that creates the first coordinator on an
// empty installation: serve prints it, the first person to use it becomes
// the coordinator, and then it stops working.
type Setup struct {
	mu    sync.Mutex
	token string
	used  bool
}

// NewSetup returns a setup link's token, random.
func NewSetup() *Setup {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return &Setup{token: hex.EncodeToString(b)}
}

// Token is the token to print in the link.
func (s *Setup) Token() string { return s.token }

// valid reports whether tok is the unused token.
func (s *Setup) valid(tok string) bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.used && subtle.ConstantTimeCompare([]byte(tok), []byte(s.token)) == 1
}

// use spends the token; false when it was spent already or is wrong.
func (s *Setup) use(tok string) bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.used || subtle.ConstantTimeCompare([]byte(tok), []byte(s.token)) != 1 {
		return false
	}
	s.used = true
	return true
}

// release gives the token back when creating the coordinator failed on
// the form's input (so the person can correct it).
func (s *Setup) release() {
	s.mu.Lock()
	s.used = false
	s.mu.Unlock()
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ctxAs is the request's context (with its actor).
func ctxAs(c *fiber.Ctx) context.Context { return c.UserContext() }

// renderPart writes one named part of a page template (an htmx swap).
func (p *Pages) renderPart(c *fiber.Ctx, name, part string, pg *Page, data any) error {
	t, ok := p.pages[name]
	if !ok || t.Lookup(part) == nil {
		return fmt.Errorf("frontend: no part %q of %q", part, name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, part, data); err != nil {
		return fmt.Errorf("frontend: render %s/%s: %w", name, part, err)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderContentLanguage, pg.Lang)
	return c.Send(buf.Bytes())
}

func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

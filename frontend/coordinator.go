package frontend

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/jobs"
	"github.com/herstart/herstart/mail"
	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/payments"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/users"
)

// chart is what static/app.js draws with Chart.js: the page carries it in
// a data attribute (no inline script under the Content-Security-Policy),
// and a table of the same figures beside it.
type chart struct {
	Type     string         `json:"type"`
	Labels   []string       `json:"labels"`
	Datasets []chartDataset `json:"datasets"`
	YMax     float64        `json:"y_max,omitempty"`
	Stacked  bool           `json:"stacked,omitempty"`
	Step     bool           `json:"step,omitempty"`
	Horiz    bool           `json:"horizontal,omitempty"`
	LinearX  bool           `json:"linear_x,omitempty"` // labels are numbers on a linear axis
	XTitle   string         `json:"x_title,omitempty"`
	YTitle   string         `json:"y_title,omitempty"`
}

type chartDataset struct {
	Label string    `json:"label"`
	Data  []float64 `json:"data"`
	Color string    `json:"color"`
}

type dashboardData struct {
	Report     placements.Report
	Schemes    []payments.SchemeView
	Starts     chart
	Survival   chart
	Compliance chart
	Budget     chart
	StartRows  [][2]string
	Pending    int
	Due        int
}

func (p *Pages) dashboard(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Coordinator); err != nil {
		return err
	}
	ctx := ctxAs(c)
	rep, err := p.cfg.Placements.Report(ctx)
	if err != nil {
		return err
	}
	list, err := p.cfg.Placements.ListPlacements(ctx)
	if err != nil {
		return err
	}
	schemes, err := p.cfg.Payments.Schemes(ctx)
	if err != nil {
		return err
	}
	emps, err := p.cfg.Employers.List(ctx, employers.Pending)
	if err != nil {
		return err
	}
	pays, err := p.cfg.Payments.Payouts(ctx)
	if err != nil {
		return err
	}
	d := dashboardData{Report: rep, Schemes: schemes, Pending: len(emps)}
	for _, py := range pays {
		if py.State == payments.Due {
			d.Due++
		}
	}
	// Placements started per month, the last 12 months.
	months := map[string]int{}
	for _, pl := range list {
		if len(pl.StartDate) >= 7 {
			months[pl.StartDate[:7]]++
		}
	}
	d.Starts = chart{Type: "bar", Datasets: []chartDataset{{Label: pg.T("Placements started"), Color: "#0b71a1"}}}
	first := time.Date(pg.Now.Year(), pg.Now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -11, 0)
	for i := 0; i < 12; i++ {
		m := first.AddDate(0, i, 0).Format("2006-01")
		d.Starts.Labels = append(d.Starts.Labels, m)
		d.Starts.Datasets[0].Data = append(d.Starts.Datasets[0].Data, float64(months[m]))
		d.StartRows = append(d.StartRows, [2]string{m, strconv.Itoa(months[m])})
	}
	d.Starts.YTitle = pg.T("Placements started")
	d.Survival = chart{Type: "line", Step: true, YMax: 100, LinearX: true, XTitle: pg.T("Days since the start"), YTitle: pg.T("Still in work (%)"), Datasets: []chartDataset{{Label: pg.T("Still in work (%)"), Color: "#1b7e3c"}}}
	d.Survival.Labels = append(d.Survival.Labels, "0")
	d.Survival.Datasets[0].Data = append(d.Survival.Datasets[0].Data, 100)
	for _, s := range rep.Curve {
		d.Survival.Labels = append(d.Survival.Labels, strconv.Itoa(s.Day))
		d.Survival.Datasets[0].Data = append(d.Survival.Datasets[0].Data, round1(s.Survival*100))
	}
	cp := rep.Compliance
	d.Compliance = chart{Type: "doughnut", Labels: []string{pg.T("On time"), pg.T("Late"), pg.T("Missed")},
		Datasets: []chartDataset{{Label: pg.T("Check-ins"), Data: []float64{float64(cp.OnTime), float64(cp.Late), float64(cp.Missed)}, Color: "#1b7e3c,#c76d00,#c0392b"}}}
	d.Budget = chart{Type: "bar", Stacked: true, Horiz: true, Datasets: []chartDataset{
		{Label: pg.T("Paid"), Color: "#1b7e3c"}, {Label: pg.T("Committed"), Color: "#0b71a1"}, {Label: pg.T("Remaining"), Color: "#b8c4cc"}}}
	for _, s := range schemes {
		d.Budget.Labels = append(d.Budget.Labels, s.Name)
		d.Budget.Datasets[0].Data = append(d.Budget.Datasets[0].Data, float64(s.PaidCents)/100)
		d.Budget.Datasets[1].Data = append(d.Budget.Datasets[1].Data, float64(s.CommittedCents)/100)
		d.Budget.Datasets[2].Data = append(d.Budget.Datasets[2].Data, float64(s.RemainingCents)/100)
	}
	flashOf(c, pg)
	pg.Data = d
	return p.render(c, fiber.StatusOK, "dashboard", pg)
}

func round1(f float64) float64 { return float64(int(f*10+0.5)) / 10 }

// vettingQueue lists every employer, the applications first.
func (p *Pages) vettingQueue(c *fiber.Ctx, pg *Page) error {
	list, err := p.cfg.Employers.List(ctxAs(c), "")
	if err != nil {
		return err
	}
	order := map[employers.Status]int{employers.Pending: 0, employers.Suspended: 1, employers.Approved: 2}
	sort.SliceStable(list, func(i, j int) bool { return rank(order, list[i].Status) < rank(order, list[j].Status) })
	// The four-eyes state of each application (one read each; the
	// pending are few, and the first 50 are shown with it).
	type row struct {
		employers.Summary
		Approvals int
		Missing   int
		Concerns  int
	}
	rows := make([]row, len(list))
	looked := 0
	for i, e := range list {
		rows[i] = row{Summary: e, Approvals: -1}
		if e.Status == employers.Pending && looked < 50 {
			looked++
			v, err := p.cfg.Employers.Get(ctxAs(c), e.ID)
			if err != nil {
				return err
			}
			if v.Vetting != nil {
				rows[i].Approvals, rows[i].Missing, rows[i].Concerns = len(v.Vetting.Approvals), len(v.Vetting.Missing), len(v.Vetting.Concerns)
			}
		}
	}
	flashOf(c, pg)
	pg.Data = rows
	return p.render(c, fiber.StatusOK, "vetting_queue", pg)
}

type vettingData struct {
	E      employers.View
	Checks []checkItem
	Me     string
	Signed bool              // the signed-in coordinator approved already
	Names  map[string]string // the coordinators who approved or decided, by name
}

type checkItem struct {
	Field, Label string
	Done         bool
}

func (p *Pages) vettingData(c *fiber.Ctx) (vettingData, error) {
	a, err := signedIn(c, users.Coordinator)
	if err != nil {
		return vettingData{}, err
	}
	v, err := p.cfg.Employers.Get(ctxAs(c), employers.ID(c.Params("id")))
	if err != nil {
		return vettingData{}, err
	}
	d := vettingData{E: v, Me: string(a.UserID)}
	if v.Vetting != nil {
		cl := v.Vetting.Checklist
		d.Checks = []checkItem{{"kvk_checked", "KvK registration checked", cl.KvKChecked}, {"site_visit_or_call", "Site visit or call", cl.SiteVisitOrCall},
			{"references", "References checked", cl.References}, {"integrity_questions", "Integrity questions answered", cl.IntegrityQuestions},
			{"code_of_conduct_signed", "Code of conduct signed", cl.CodeOfConductSigned}}
		var who []string
		for _, ap := range v.Vetting.Approvals {
			if ap == d.Me {
				d.Signed = true
			}
			who = append(who, ap)
		}
		for _, x := range v.Vetting.Decisions {
			who = append(who, x.By)
		}
		if d.Names, err = p.userNames(c, who...); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (p *Pages) vettingPage(c *fiber.Ctx, pg *Page) error {
	d, err := p.vettingData(c)
	if err != nil {
		return err
	}
	flashOf(c, pg)
	pg.Data = d
	pg.Title = d.E.Name
	return p.render(c, fiber.StatusOK, "vetting", pg)
}

func (p *Pages) vettingChecklist(c *fiber.Ctx, pg *Page) error {
	id := employers.ID(c.Params("id"))
	f := formOf(c)
	b := func(k string) *bool { v := f.Get(k) == "yes"; return &v }
	_, err := p.cfg.Employers.UpdateChecklist(ctxAs(c), id, employers.ChecklistUpdate{KvKChecked: b("kvk_checked"), SiteVisitOrCall: b("site_visit_or_call"),
		References: b("references"), IntegrityQuestions: b("integrity_questions"), CodeOfConductSigned: b("code_of_conduct_signed")})
	if err != nil {
		return err
	}
	return back(c, "/vetting/"+string(id), "Checklist saved.")
}

func (p *Pages) vettingConcern(c *fiber.Ctx, pg *Page) error {
	id := employers.ID(c.Params("id"))
	pg.Form = formOf(c)
	if _, err := p.cfg.Employers.AddConcern(ctxAs(c), id, employers.ConcernInput{Text: pg.Form.Get("text"), Source: pg.Form.Get("source")}); err != nil {
		return p.vettingError(c, pg, err)
	}
	return back(c, "/vetting/"+string(id), "Concern recorded.")
}

func (p *Pages) vettingError(c *fiber.Ctx, pg *Page, err error) error {
	return p.invalidAgain(c, err, "vetting", pg, func() (any, error) { return p.vettingData(c) })
}

// vettingStep approves (the first or second of four eyes), rejects,
// suspends or reinstates an employer.
func (p *Pages) vettingStep(c *fiber.Ctx, pg *Page) error {
	id := employers.ID(c.Params("id"))
	pg.Form = formOf(c)
	r := employers.Reasoned{Reason: pg.Form.Get("reason")}
	var err error
	switch c.Params("action") {
	case "approve":
		_, err = p.cfg.Employers.Approve(ctxAs(c), id)
	case "reject":
		_, err = p.cfg.Employers.Reject(ctxAs(c), id, r)
	case "suspend":
		_, err = p.cfg.Employers.Suspend(ctxAs(c), id, r)
	case "reinstate":
		_, err = p.cfg.Employers.Reinstate(ctxAs(c), id)
	default:
		return apperr.Errorf(apperr.NotFound, "No such route.")
	}
	if err != nil {
		return p.vettingError(c, pg, err)
	}
	return back(c, "/vetting/"+string(id), "Decision recorded.")
}

func (p *Pages) payouts(c *fiber.Ctx, pg *Page) error {
	a, err := signedIn(c, users.Coordinator)
	if err != nil {
		return err
	}
	list, err := p.cfg.Payments.Payouts(ctxAs(c))
	if err != nil {
		return err
	}
	states := map[payments.State]int{}
	for _, py := range list {
		states[py.State]++
	}
	order := map[payments.State]int{payments.Due: 0, payments.Approved: 1, payments.Scheduled: 2}
	sort.SliceStable(list, func(i, j int) bool {
		if oi, oj := rank(order, list[i].State), rank(order, list[j].State); oi != oj {
			return oi < oj
		}
		return list[i].DueDate < list[j].DueDate
	})
	// The placements by vacancy and employer (a coordinator's list names
	// them; the candidate is not theirs to know).
	pls, err := p.cfg.Placements.ListPlacements(ctxAs(c))
	if err != nil {
		return err
	}
	named := make(map[string]placements.PlacementSummary, len(pls))
	for _, pl := range pls {
		named[pl.ID] = pl
	}
	flashOf(c, pg)
	pg.Data = struct {
		Items      []payments.PayoutSummary
		States     map[payments.State]int
		Me         string
		Export     string
		Placements map[string]placements.PlacementSummary
	}{list, states, string(a.UserID), c.Query("export"), named}
	return p.render(c, fiber.StatusOK, "payouts", pg)
}

func (p *Pages) payoutApprove(c *fiber.Ctx, pg *Page) error {
	if _, err := p.cfg.Payments.Approve(ctxAs(c), c.Params("id")); err != nil {
		return err
	}
	return back(c, "/payouts", "Payout approved.")
}

// exportCreate makes the SEPA file as a job whose progress the person sees.
func (p *Pages) exportCreate(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Coordinator); err != nil {
		return err
	}
	return p.startJob(c, jobExport, "SEPA export", nil)
}

// exportJob is the SEPA export's work.
func (p *Pages) exportJob(ctx context.Context, r *jobs.JobRun) error {
	r.Set("Collecting approved payouts", 0, 1)
	v, err := p.cfg.Payments.Export(ctx)
	if err != nil {
		return err
	}
	r.Set(fmt.Sprintf("%d payouts, %s", len(v.Payouts), euro(v.TotalCents)), 1, 1)
	r.SetResult("/sepa-exports/" + v.ID)
	return nil
}

func (p *Pages) exportFile(c *fiber.Ctx, pg *Page) error {
	b, err := p.cfg.Payments.ExportFile(ctxAs(c), c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/xml")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+c.Params("id")+`.xml"`)
	return c.Send(b)
}

func (p *Pages) schemes(c *fiber.Ctx, pg *Page) error {
	list, err := p.cfg.Payments.Schemes(ctxAs(c))
	if err != nil {
		return err
	}
	flashOf(c, pg)
	if pg.Form.Get("kind") == "" {
		pg.Form.Set("kind", "monthly")
		pg.Form.Set("months", "6")
	}
	pg.Data = list
	return p.render(c, fiber.StatusOK, "schemes", pg)
}

func (p *Pages) schemeCreate(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Coordinator); err != nil {
		return err
	}
	pg.Form = formOf(c)
	f := pg.Form
	var fl apperr.Fields
	in := payments.SchemeInput{Name: f.Get("name"), Kind: f.Get("kind"), BudgetCents: parseEuro(&fl, "budget", f.Get("budget"))}
	if in.Kind != "claims" {
		in.AmountCents = parseEuro(&fl, "amount", f.Get("amount"))
	}
	if in.Kind == "monthly" {
		in.Months = number(&fl, f, "months")
	}
	if in.Kind == "milestone" {
		for _, m := range list(f.Get("milestones")) {
			n, err := strconv.Atoi(m)
			if err != nil {
				fl.Add("milestones", "must be months, such as 3, 6")
				break
			}
			in.Milestones = append(in.Milestones, n)
		}
	}
	err := fl.Err()
	if err == nil {
		_, err = p.cfg.Payments.CreateScheme(ctxAs(c), in)
	}
	if err != nil {
		return p.invalidAgain(c, err, "schemes", pg, func() (any, error) { return p.cfg.Payments.Schemes(ctxAs(c)) })
	}
	return back(c, "/schemes", "Scheme created.")
}

func (p *Pages) auditLog(c *fiber.Ctx, pg *Page) error {
	a, err := signedIn(c, users.Coordinator)
	if err != nil {
		return err
	}
	subject := strings.TrimSpace(c.Query("subject"))
	pg.Form.Set("subject", subject)
	var events []audit.Event
	var matches []auditMatch
	next := int64(0)
	if subject != "" && len(subject) <= 100 && !recordRef.MatchString(subject) {
		// A name: the employers and accounts it names, to pick from
		// (one match is taken at once).
		if matches, err = p.auditMatches(c, subject); err != nil {
			return err
		}
		if len(matches) != 1 {
			if len(matches) == 0 {
				pg.Errors["subject"] = pg.T("no employer or account has this name")
			}
			subject = ""
		} else {
			subject = matches[0].Subject
			pg.Form.Set("subject", matches[0].Name)
		}
	}
	if subject != "" {
		if len(subject) > 100 {
			pg.Errors["subject"] = pg.T("at most 100 characters")
		} else {
			before, _ := strconv.ParseInt(c.Query("before"), 10, 64)
			if events, err = p.cfg.Audit.BySubject(ctxAs(c), subject, before, 50); err != nil {
				return err
			}
			if err := p.cfg.Audit.Record(ctxAs(c), audit.Entry{ActorID: string(a.UserID), Role: string(a.Role), Action: audit.ActionAuditRead, Subject: "audit:" + subject}); err != nil {
				return err
			}
			if len(events) == 50 {
				next = events[len(events)-1].Seq
			}
		}
	}
	var who []string
	for _, ev := range events {
		who = append(who, ev.ActorID)
	}
	names, err := p.userNames(c, who...)
	if err != nil {
		return err
	}
	pg.Data = struct {
		Events  []audit.Event
		Next    int64
		Subject string
		Matches []auditMatch
		Names   map[string]string
	}{events, next, subject, matches, names}
	return p.render(c, fiber.StatusOK, "audit", pg)
}

// recordRef is a typed audit subject, such as "employer:e_…".
var recordRef = regexp.MustCompile(`^[a-z_]+:[a-z]_[a-z0-9]{4,40}$`)

// auditMatch is an employer or account whose events the audit page can show.
type auditMatch struct {
	Name, Kind, Subject string
}

// auditMatches finds the employers and accounts whose name holds q (case
// and accents aside); a coordinator may see both lists anyway.
func (p *Pages) auditMatches(c *fiber.Ctx, q string) ([]auditMatch, error) {
	q = places.Normalize(q)
	var out []auditMatch
	emps, err := p.cfg.Employers.List(ctxAs(c), "")
	if err != nil {
		return nil, err
	}
	for _, e := range emps {
		if strings.Contains(places.Normalize(e.Name), q) || e.KvK == q {
			out = append(out, auditMatch{e.Name, "employer", "employer:" + string(e.ID)})
		}
	}
	accts, err := p.cfg.Users.List(ctxAs(c))
	if err != nil {
		return nil, err
	}
	for _, u := range accts {
		if strings.Contains(places.Normalize(u.Name), q) || strings.EqualFold(u.Email, q) {
			out = append(out, auditMatch{u.Name, string(u.Role), "user:" + string(u.ID)})
		}
	}
	if len(out) > 20 {
		out = out[:20]
	}
	return out, nil
}

// accountsData is the accounts page: the form's roles and the accounts.
type accountsData struct {
	Roles    []users.Role // of the accounts a coordinator creates
	Filters  []users.Role // of the list's filter
	Role     string       // the filter chosen ("": the platform's own staff)
	Accounts []users.User
	Me       users.ID
	Reset    *accountReset // a password just reset, shown once
	Link     *accountLink  // an invitation link just made, shown once
	Mail     bool          // mail goes out (else invitations are links handed over)
}

type accountReset struct {
	Name, Password string
}

type accountLink struct {
	Name, Link string
	Until      time.Time
}

func (p *Pages) accountsData(c *fiber.Ctx) (accountsData, error) {
	a, err := signedIn(c, users.Coordinator)
	if err != nil {
		return accountsData{}, err
	}
	role := c.Query("role")
	var list []users.User
	if role == "" {
		list, err = p.cfg.Users.List(ctxAs(c))
	} else {
		list, err = p.cfg.Users.Accounts(ctxAs(c), users.Role(role), "")
	}
	if err != nil {
		return accountsData{}, err
	}
	return accountsData{Roles: []users.Role{users.ProbationWorker, users.Mentor, users.Coordinator}, Filters: users.Roles, Role: role,
		Accounts: list, Me: a.UserID, Mail: p.cfg.Mail != nil && p.cfg.Mail.Configured()}, nil
}

// accounts lists the accounts (the platform's own staff, or those of one
// role) with what a coordinator does to them, and the form to create one.
func (p *Pages) accounts(c *fiber.Ctx, pg *Page) error {
	d, err := p.accountsData(c)
	if err != nil {
		return err
	}
	flashOf(c, pg)
	if pg.Form.Get("role") == "" {
		pg.Form.Set("role", string(users.ProbationWorker))
	}
	pg.Data = d
	return p.render(c, fiber.StatusOK, "accounts", pg)
}

// accountCreate makes an account and invites its person: by mail, or
// where no mail goes out, by a link the coordinator makes from the list
// and hands over in person.
func (p *Pages) accountCreate(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Coordinator); err != nil {
		return err
	}
	pg.Form = formOf(c)
	f := pg.Form
	if _, err := p.cfg.Users.Create(ctxAs(c), users.NewUser{Email: f.Get("email"), Name: f.Get("name"), Role: users.Role(f.Get("role"))}); err != nil {
		return p.invalidAgain(c, err, "accounts", pg, func() (any, error) { return p.accountsData(c) })
	}
	// A redirect (a form sent twice is answered once, web/once.go); the
	// link, where no mail goes out, is made from the account's row.
	if p.cfg.Mail != nil && p.cfg.Mail.Configured() {
		return back(c, "/accounts", "Account created. The invitation is on its way by mail.")
	}
	return back(c, "/accounts", "Account created. Make its invitation link in the list and hand it over in person.")
}

// showLink makes an invitation link for id and shows it once.
func (p *Pages) showLink(c *fiber.Ctx, pg *Page, id users.ID) error {
	link, until, err := p.cfg.Users.InvitationLink(ctxAs(c), id)
	if err != nil {
		return p.invalidAgain(c, err, "accounts", pg, func() (any, error) { return p.accountsData(c) })
	}
	d, err := p.accountsData(c)
	if err != nil {
		return err
	}
	u, err := p.cfg.Users.Load(ctxAs(c), id)
	if err != nil {
		return err
	}
	// The address the coordinator reached the platform on.
	d.Link = &accountLink{Name: u.Name, Link: c.BaseURL() + link, Until: until}
	pg.Form = url.Values{"role": {string(users.ProbationWorker)}}
	pg.Data = d
	c.Set(fiber.HeaderCacheControl, "no-store")
	return p.render(c, fiber.StatusOK, "accounts", pg)
}

// accountInvite invites an account that has not chosen its password
// again: by mail, or by a link shown once.
func (p *Pages) accountInvite(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Coordinator); err != nil {
		return err
	}
	id := users.ID(c.Params("id"))
	if c.FormValue("by") == "link" {
		return p.showLink(c, pg, id)
	}
	if err := p.cfg.Users.Invite(ctxAs(c), id); err != nil {
		return p.invalidAgain(c, err, "accounts", pg, func() (any, error) { return p.accountsData(c) })
	}
	return back(c, "/accounts", "A new invitation is on its way by mail.")
}

// accountTOTPReset removes an account's second factor (a lost phone).
func (p *Pages) accountTOTPReset(c *fiber.Ctx, pg *Page) error {
	if _, err := p.cfg.Users.ResetTOTP(ctxAs(c), users.ID(c.Params("id"))); err != nil {
		return p.invalidAgain(c, err, "accounts", pg, func() (any, error) { return p.accountsData(c) })
	}
	return back(c, "/accounts", "The second factor is removed; the person sets it up again after signing in.")
}

// accountActive deactivates an account (its sessions end at once) or
// activates it again.
func (p *Pages) accountActive(c *fiber.Ctx, pg *Page) error {
	disable := c.FormValue("active") == "no"
	if _, err := p.cfg.Users.SetDisabled(ctxAs(c), users.ID(c.Params("id")), disable); err != nil {
		return p.invalidAgain(c, err, "accounts", pg, func() (any, error) { return p.accountsData(c) })
	}
	if disable {
		return back(c, "/accounts", "The account is deactivated: it can no longer sign in.")
	}
	return back(c, "/accounts", "The account is active again.")
}

// accountReset gives an account a new password and shows it once, on this
// answer only (it is not kept anywhere to show again).
func (p *Pages) accountReset(c *fiber.Ctx, pg *Page) error {
	id := users.ID(c.Params("id"))
	pw, err := p.cfg.Users.ResetPassword(ctxAs(c), id)
	if err != nil {
		return err
	}
	d, err := p.accountsData(c)
	if err != nil {
		return err
	}
	for _, u := range d.Accounts {
		if u.ID == id {
			d.Reset = &accountReset{Name: u.Name, Password: pw}
		}
	}
	pg.Form.Set("role", string(users.ProbationWorker))
	pg.Data = d
	c.Set(fiber.HeaderCacheControl, "no-store")
	return p.render(c, fiber.StatusOK, "accounts", pg)
}

// mailOutbox shows the outgoing mail (never its text): what waits, what
// went, what failed.
func (p *Pages) mailOutbox(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Coordinator); err != nil {
		return err
	}
	list, err := p.cfg.Mail.List(ctxAs(c), 200)
	if err != nil {
		return err
	}
	pg.Data = struct {
		Configured bool
		Mails      []mail.View
	}{p.cfg.Mail.Configured(), list}
	return p.render(c, fiber.StatusOK, "mail", pg)
}

// reindexStart rebuilds the search index as a job with its progress shown.
func (p *Pages) reindexStart(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Coordinator); err != nil {
		return err
	}
	return p.startJob(c, jobReindex, "Rebuild the search index", nil)
}

// reindexJob is the rebuild's work (taken up again, it starts over:
// indexing a candidate twice is harmless).
func (p *Pages) reindexJob(ctx context.Context, r *jobs.JobRun) error {
	return p.cfg.Matching.Reindex(ctx, func(pr matching.Progress) { r.Set(pr.Kind, pr.Read, pr.Total) })
}

// The kinds of page job.
const (
	jobImport  = "candidates.import"
	jobReindex = "matching.reindex"
	jobExport  = "payments.sepa_export"
)

// registerJobs tells the jobs service the work of each kind of page job.
func (p *Pages) registerJobs() {
	p.cfg.Jobs.Register(jobImport, p.importJob)
	p.cfg.Jobs.Register(jobReindex, p.reindexJob)
	p.cfg.Jobs.Register(jobExport, p.exportJob)
}

// startJob starts a job as the signed-in person and sends them to its
// progress page.
func (p *Pages) startJob(c *fiber.Ctx, kind, title string, input []byte) error {
	j, err := p.cfg.Jobs.Start(context.WithoutCancel(ctxAs(c)), kind, title, input)
	if err != nil {
		return err
	}
	return c.Redirect("/jobs/"+j.ID, fiber.StatusSeeOther)
}

func (p *Pages) jobPage(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c); err != nil {
		return err
	}
	j, err := p.cfg.Jobs.Get(ctxAs(c), c.Params("id"))
	if err != nil {
		return err
	}
	pg.Data = jobView(j, time.Now())
	return p.render(c, fiber.StatusOK, "job", pg)
}

// JobView is a job as its page shows it.
type JobView struct {
	ID, Title, Step, Result, Error string
	Done, Total, Percent           int
	Ended                          bool
	Seconds                        int
	Problems                       []string
}

func jobView(j jobs.Job, now time.Time) JobView {
	end := now
	if j.Ended {
		end = j.Updated
	}
	return JobView{ID: j.ID, Title: j.Title, Step: j.Step, Result: j.Result, Error: j.Error, Done: j.Done, Total: j.Total, Percent: j.Percent(),
		Ended: j.Ended, Seconds: int(end.Sub(j.Started).Seconds()), Problems: j.Problems}
}

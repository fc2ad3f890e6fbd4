package frontend

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/circles"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/users"
)

// The candidate's own page (phone first, plain Dutch) and the worker's
// invitation of the candidate to it.

// candidateInvite invites the candidate to their own page: by mail, or
// without an address a sheet to print with the login and the link.
func (p *Pages) candidateInvite(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.ProbationWorker); err != nil {
		return err
	}
	pg.Form = formOf(c)
	id := candidates.ID(c.Params("id"))
	in, err := p.cfg.Candidates.Invite(ctxAs(c), id, candidates.InviteInput{Email: pg.Form.Get("account_email")})
	if err != nil {
		return p.candidateFormError(c, pg, err)
	}
	if in.ByMail {
		return back(c, "/candidates/"+string(id)+"#own-page", "The invitation to their own page is on its way by mail.")
	}
	rec, err := p.cfg.Candidates.Get(ctxAs(c), id)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	pg.Data = struct {
		ID      candidates.ID
		Name    string
		Login   string
		Link    string
		Until   time.Time
		Address string
	}{id, rec.Identity.FirstName, in.Login, c.BaseURL() + in.Link, in.Until, c.BaseURL()}
	return p.render(c, fiber.StatusOK, "candidate_invite", pg)
}

// selfSentence is one line of the candidate's disclosure log, in words:
// Times reads of the same by the same party on one day are one line.
type selfSentence struct {
	At                     time.Time
	Who, What, Shown, Kind string
	Times                  int
}

// selfLogLines is how many lines of the log the page shows before "show
// everything".
const selfLogLines = 30

// selfLog is the candidate's disclosure log in sentences, newest first:
// the same reads by the same party on one day make one line, and without
// all only the newest selfLogLines lines are given (more: there are more).
// kinds[i] is rows[i]'s kind (disclosed, consent_granted, …).
func selfLog(pg *Page, rows []disclosureRow, kinds []string, all bool) (log []selfSentence, more bool) {
	log = make([]selfSentence, 0, len(rows))
	for i, r := range rows {
		who := r.Employer
		if who == "" {
			who = r.By
		}
		line := selfSentence{At: r.At, Who: who, What: r.What, Shown: r.Shown, Kind: kinds[i], Times: 1}
		if n := len(log); n > 0 {
			if last := &log[n-1]; last.Who == line.Who && last.What == line.What && last.Shown == line.Shown && last.Kind == line.Kind && pg.Day(last.At) == pg.Day(line.At) {
				last.Times++ // the newest of the day's reads stays the line's time
				continue
			}
		}
		log = append(log, line)
	}
	if more = len(log) > selfLogLines && !all; more {
		log = log[:selfLogLines]
	}
	return log, more
}

// selfPage is the candidate's own page.
func (p *Pages) selfPage(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Candidate); err != nil {
		return err
	}
	v, err := p.cfg.Candidates.Self(ctxAs(c))
	if err != nil {
		return err
	}
	m, err := p.cfg.Placements.Mine(ctxAs(c))
	if err != nil {
		return err
	}
	rows, err := p.disclosureRowsOf(c, pg, v.Disclosures)
	if err != nil {
		return err
	}
	kinds := make([]string, len(v.Disclosures))
	for i, d := range v.Disclosures {
		kinds[i] = d.What
	}
	log, more := selfLog(pg, rows, kinds, c.Query("log") == "all")
	names := map[string]string{}
	for _, in := range m.Introductions {
		names[in.EmployerID] = in.Employer
	}
	for _, k := range v.Consents {
		if names[k.EmployerID] == "" {
			if e, err := p.cfg.Employers.Load(ctxAs(c), employers.ID(k.EmployerID)); err == nil {
				names[k.EmployerID] = e.Name
			}
		}
	}
	// The employer of the placement that holds may see level 2 once the
	// candidate says so here (or the worker records it for them).
	ask := m.Placement
	for _, k := range v.Consents {
		if ask != nil && k.EmployerID == ask.EmployerID && k.Level == 2 {
			ask = nil
		}
	}
	circle, err := p.cfg.Circles.Self(ctxAs(c))
	if err != nil {
		return err
	}
	flashOf(c, pg)
	pg.Data = struct {
		Circle  []circles.SelfMember
		Names   map[string]string
		Self    candidates.SelfView
		Mine    placements.Mine
		Log     []selfSentence
		More    bool
		Ask     *placements.MinePlacement
		Stale   bool
		Soon    bool
		CanSay  bool
		Levels  [][]string
		Confirm time.Time
	}{circle, names, v, m, log, more, ask, v.StaleOn != nil && pg.Now.After(*v.StaleOn), v.StaleOn != nil && pg.Now.Add(7*24*time.Hour).After(*v.StaleOn),
		v.Status == candidates.Available, [][]string{v.Levels[1], v.Levels[2]}, pg.Now}
	return p.render(c, fiber.StatusOK, "self", pg)
}

// selfConfirm is the candidate's one tap "I am still available".
func (p *Pages) selfConfirm(c *fiber.Ctx, pg *Page) error {
	if _, err := p.cfg.Candidates.ConfirmSelf(ctxAs(c)); err != nil {
		return err
	}
	return back(c, "/mijn", "Thank you: employers see that you are still available.")
}

// selfIntroduction is the candidate's answer to an employer who would like
// to meet them: yes (their consent, level 1) or rather not (withdrawn).
func (p *Pages) selfIntroduction(c *fiber.Ctx, pg *Page) error {
	if _, err := signedIn(c, users.Candidate); err != nil {
		return err // the worker's and employer's steps have their own pages
	}
	action, done := placements.ActConsent, "Thank you: the employer now sees your first name and work history, and your probation worker plans the meeting."
	if c.Params("answer") != "ja" {
		action, done = placements.ActWithdraw, "The introduction is stopped. The employer sees only your card."
	}
	if _, err := p.cfg.Placements.Transition(ctxAs(c), c.Params("id"), action, placements.TransitionInput{}); err != nil {
		return err
	}
	return back(c, "/mijn#h-intros", done)
}

// selfShareContact is the candidate's yes: the employer of their placement
// may see their contact details and probation contact.
func (p *Pages) selfShareContact(c *fiber.Ctx, pg *Page) error {
	if _, err := p.cfg.Placements.ShareContact(ctxAs(c), c.Params("id")); err != nil {
		return err
	}
	return back(c, "/mijn#h-consents", "Thank you: your employer now sees how to reach you and your probation contact.")
}

// selfWithdraw withdraws one of the candidate's consents.
func (p *Pages) selfWithdraw(c *fiber.Ctx, pg *Page) error {
	if _, err := p.cfg.Candidates.WithdrawOwn(ctxAs(c), c.Params("cid")); err != nil {
		return err
	}
	return back(c, "/mijn#h-consents", "Your permission is withdrawn: the employer sees only your card again.")
}

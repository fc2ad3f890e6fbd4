package frontend

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/subjectaccess"
)

func (p *Pages) export(c *fiber.Ctx) (subjectaccess.Export, error) {
	return subjectaccess.Of(ctxAs(c), subjectaccess.Services{Candidates: p.cfg.Candidates, Placements: p.cfg.Placements, Payments: p.cfg.Payments, Circles: p.cfg.Circles, Audit: p.cfg.Audit},
		candidates.ID(c.Params("id")))
}

// subjectExport is everything held about a candidate (GDPR art. 15) as a
// page in plain words, for the worker to print or hand over: names, not
// record ids; the disclosure log as its own page reads.
func (p *Pages) subjectExport(c *fiber.Ctx, pg *Page) error {
	x, err := p.export(c)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, in := range x.Introductions {
		if _, ok := names[in.VacancyID]; ok {
			continue
		}
		if v, e, err := p.cfg.Employers.LoadVacancy(ctxAs(c), employers.VacancyID(in.VacancyID)); err == nil {
			names[in.VacancyID], names[in.EmployerID] = v.Title, e.Name
		}
	}
	for _, k := range x.Candidate.Consents {
		if _, ok := names[k.EmployerID]; !ok {
			if e, err := p.cfg.Employers.Load(ctxAs(c), employers.ID(k.EmployerID)); err == nil {
				names[k.EmployerID] = e.Name
			}
		}
	}
	placed := map[string]string{}
	for _, pl := range x.Placements {
		pt := x.Parties[pl.ID]
		placed[pl.ID] = pt.Workplace.Vacancy + " · " + pt.Workplace.Employer
	}
	var who []string
	for _, in := range x.Introductions {
		for _, st := range in.History {
			who = append(who, string(st.By))
		}
	}
	users, err := p.userNames(c, who...)
	if err != nil {
		return err
	}
	rows, err := p.disclosureRowsOf(c, pg, x.Disclosures) // the export read the log already
	if err != nil {
		return err
	}
	pg.Data = struct {
		X           subjectaccess.Export
		Names       map[string]string
		Users       map[string]string
		Placed      map[string]string
		Disclosures []disclosureRow
	}{x, names, users, placed, rows}
	return p.render(c, fiber.StatusOK, "export", pg)
}

// subjectExportJSON is the same export as a file, for machines.
func (p *Pages) subjectExportJSON(c *fiber.Ctx, pg *Page) error {
	x, err := p.export(c)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="inzage-`+string(x.Candidate.ID)+`.json"`)
	return c.Send(b)
}

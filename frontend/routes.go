package frontend

import "github.com/gofiber/fiber/v2"

func (p *Pages) routes(app *fiber.App) {
	app.Get("/", p.handler("Sign in", p.home))
	// Where people look for the sign-in page (and links from elsewhere go).
	app.Get("/login", func(c *fiber.Ctx) error { return c.Redirect("/", fiber.StatusSeeOther) })
	app.Post("/signin", p.handler("Sign in", p.signIn))
	app.Post("/signout", p.signOut)
	app.Post("/lang", p.handler("", p.setLang))
	app.Get("/setup", p.handler("Set up Herstart", p.setupForm))
	app.Post("/setup", p.handler("Set up Herstart", p.setupCreate))
	app.Get("/apply", p.handler("Apply as an employer", p.applyForm))
	app.Post("/apply", p.handler("Apply as an employer", p.applyCreate))
	app.Get("/inbox", p.handler("Messages", p.inboxPage))
	app.Post("/inbox/read", p.handler("Messages", p.inboxRead))
	app.Get("/places", p.handler("", p.placeOptions))

	// Probation worker.
	app.Get("/caseload", p.handler("Caseload", p.caseload))
	app.Get("/candidates/new", p.handler("Register a candidate", p.candidateNew))
	app.Get("/candidates/import", p.handler("Import candidates", p.importForm))
	app.Post("/candidates/import", p.handler("Import candidates", p.importStart))
	app.Post("/candidates/new", p.handler("Register a candidate", p.candidateCreate))
	app.Get("/candidates/:id", p.handler("Candidate", p.candidatePage))
	app.Get("/candidates/:id/edit", p.handler("Edit candidate", p.candidateEdit))
	app.Post("/candidates/:id/edit", p.handler("Edit candidate", p.candidateUpdate))
	app.Post("/candidates/:id/confirm", p.handler("Caseload", p.candidateConfirm))
	app.Post("/candidates/:id/available", p.handler("Candidate", p.candidateAvailable))
	app.Post("/candidates/:id/consents", p.handler("Candidate", p.consentCreate))
	app.Post("/candidates/:id/consents/:cid/withdraw", p.handler("Candidate", p.consentWithdraw))
	app.Post("/candidates/:id/conflicts", p.handler("Candidate", p.conflictAdd))
	app.Post("/candidates/:id/conflicts/:cid/remove", p.handler("Candidate", p.conflictRemove))
	app.Post("/candidates/:id/erase", p.handler("Candidate", p.candidateErase))
	app.Get("/candidates/:id/vacancies", p.handler("Vacancies for this candidate", p.candidateVacancies))
	app.Post("/candidates/:id/propose", p.handler("Vacancies for this candidate", p.propose))
	app.Get("/candidates/:id/disclosures", p.handler("Disclosure log", p.disclosures))
	app.Get("/candidates/:id/disclosures.csv", p.handler("Disclosure log", p.disclosuresCSV))
	app.Get("/candidates/:id/export", p.handler("Everything we hold", p.subjectExport))
	app.Get("/candidates/:id/export.json", p.handler("Everything we hold", p.subjectExportJSON))
	app.Get("/escalations", p.handler("Escalations", p.escalations))
	app.Post("/escalations/:pid/:n/:action", p.handler("Escalations", p.escalationStep))

	// Shared by the roles of an introduction.
	app.Get("/introductions", p.handler("Introductions", p.introductions))
	app.Get("/introductions/:id", p.handler("Introduction", p.introduction))
	app.Post("/introductions/:id/:action", p.handler("Introduction", p.introductionStep))

	// Employer.
	app.Get("/employer", p.handler("Overview", p.employerHome))
	app.Get("/vacancies/new", p.handler("New vacancy", p.vacancyNew))
	app.Post("/vacancies/new", p.handler("New vacancy", p.vacancyCreate))
	app.Post("/vacancies/:id/close", p.handler("Overview", p.vacancyClose))
	app.Get("/search", p.handler("Find candidates", p.search))
	app.Get("/cards/:id", p.handler("Candidate", p.card))
	app.Post("/cards/:id/interest", p.handler("Candidate", p.interest))
	app.Post("/payout-account", p.handler("Overview", p.payoutAccount))

	// Placements: employer, mentor, worker and coordinator, each their part.
	app.Get("/placements", p.handler("Placements", p.placementsList))
	app.Get("/placements/:id", p.handler("Placement", p.placementPage))
	app.Get("/placements/:id/checkin", p.handler("Log a check-in", p.checkInForm))
	app.Post("/placements/:id/checkin", p.handler("Log a check-in", p.checkInCreate))
	app.Post("/placements/:id/notes", p.handler("Placement", p.noteCreate))
	app.Post("/placements/:id/claims", p.handler("Placement", p.claimCreate))
	app.Post("/placements/:id/mentor", p.handler("Placement", p.mentorAssign))
	app.Post("/placements/:id/guarantees", p.handler("Placement", p.guaranteeCreate))
	app.Post("/placements/:id/schemes", p.handler("Placement", p.schemeAttach))
	app.Post("/placements/:id/end", p.handler("Placement", p.placementEnd))
	app.Post("/placements/:id/claims/:g/:n/:action", p.handler("Placement", p.claimDecide))

	// Mentor.
	app.Get("/agenda", p.handler("Check-ins", p.agenda))

	// Coordinator.
	app.Get("/dashboard", p.handler("Dashboard", p.dashboard))
	app.Get("/vetting", p.handler("Vetting", p.vettingQueue))
	app.Get("/vetting/:id", p.handler("Vetting", p.vettingPage))
	app.Post("/vetting/:id/checklist", p.handler("Vetting", p.vettingChecklist))
	app.Post("/vetting/:id/concerns", p.handler("Vetting", p.vettingConcern))
	app.Post("/vetting/:id/:action", p.handler("Vetting", p.vettingStep))
	app.Get("/payouts", p.handler("Payouts", p.payouts))
	app.Post("/payouts/:id/approve", p.handler("Payouts", p.payoutApprove))
	app.Post("/sepa-exports", p.handler("Payouts", p.exportCreate))
	app.Get("/sepa-exports/:id", p.handler("Payouts", p.exportFile))
	app.Get("/schemes", p.handler("Schemes", p.schemes))
	app.Post("/schemes", p.handler("Schemes", p.schemeCreate))
	app.Get("/audit", p.handler("Audit log", p.auditLog))
	app.Get("/accounts", p.handler("Accounts", p.accounts))
	app.Post("/accounts", p.handler("Accounts", p.accountCreate))
	app.Post("/accounts/:id/active", p.handler("Accounts", p.accountActive))
	app.Post("/accounts/:id/reset", p.handler("Accounts", p.accountReset))
	app.Post("/reindex", p.handler("Dashboard", p.reindexStart))
	app.Get("/jobs/:id", p.handler("Work in progress", p.jobPage))
}

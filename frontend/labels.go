package frontend

import "github.com/herstart/herstart/taxonomy"

// labels name the codes the pages show, in English (the catalogue has
// their Dutch): kind:code.
var labels = map[string]string{
	"facet:skills":        "Skills",
	"facet:province":      "Province",
	"facet:hours":         "Hours per week",
	"facet:certificates":  "Certificates",
	"facet:sector":        "Sector",
	"mail:invitation":     "invitation",
	"mail:password_reset": "password reset",
	"mail:digest":         "digest",
	"mail_state:waiting":  "waiting",
	"mail_state:sending":  "being sent",
	"mail_state:sent":     "sent",
	"mail_state:failed":   "failed",
	"vacancy:open":        "open",
	"vacancy:closed":      "closed",
	"vacancy:filled":      "filled",

	"decision:employer.approve":   "approval",
	"decision:employer.reject":    "rejection",
	"decision:employer.suspend":   "suspension",
	"decision:employer.reinstate": "reinstatement",
	"decision:employer.expire":    "expiry",

	"end:contract_ended": "the contract ended",
	"end:resigned":       "the candidate resigned",
	"end:dismissed":      "dismissed",
	"end:relapse":        "relapse",
	"end:moved":          "moved away",

	"check:kvk_checked":            "KvK registration checked",
	"check:site_visit_or_call":     "Site visit or call",
	"check:references":             "References checked",
	"check:integrity_questions":    "Integrity questions answered",
	"check:code_of_conduct_signed": "Code of conduct signed",

	"disclosure:disclosed":         "seen by the employer",
	"disclosure:consent_granted":   "consent given",
	"disclosure:consent_withdrawn": "consent withdrawn",

	"shown:card":         "the anonymised card",
	"shown:first_name":   "first name",
	"shown:work_history": "work history",
	"shown:curfew":       "curfew",
	"shown:last_name":    "last name",
	"shown:email":        "e-mail address",
	"shown:phone":        "phone number",

	"role:probation_worker":   "probation worker",
	"role:employer":           "employer",
	"role:mentor":             "mentor",
	"role:coordinator":        "coordinator",
	"role:candidate":          "candidate",
	"shown:probation_contact": "probation contact",

	"candidate:registered": "registered",
	"candidate:available":  "available",
	"candidate:introduced": "introduced",
	"candidate:placed":     "placed",
	"candidate:exited":     "left the programme",

	"intro:proposed":            "proposed",
	"intro:employer_interested": "employer interested",
	"intro:candidate_consented": "candidate consented",
	"intro:interview":           "interview",
	"intro:placed":              "placed",
	"intro:declined":            "declined",
	"intro:withdrawn":           "withdrawn",

	"action:interested": "Show interest",
	"action:consent":    "The candidate consents",
	"action:interview":  "Plan the interview",
	"action:place":      "Hire",
	"action:decline":    "Decline",
	"action:withdraw":   "Withdraw",

	"employer:pending":   "application pending",
	"employer:approved":  "approved",
	"employer:rejected":  "rejected",
	"employer:suspended": "suspended",
	"employer:expired":   "expired",

	"placement:active": "active",
	"placement:ended":  "ended",

	"payout:scheduled": "scheduled",
	"payout:due":       "due",
	"payout:approved":  "approved",
	"payout:submitted": "submitted",
	"payout:exported":  "in a SEPA file",
	"payout:paid":      "paid",
	"payout:failed":    "failed",
	"payout:cancelled": "cancelled",

	"mode:visit":   "visit",
	"mode:phone":   "phone",
	"mode:video":   "video",
	"mode:at_work": "at work",

	"flag:contact_old_network": "contact with old network",
	"flag:debts":               "debts",
	"flag:substance_use":       "substance use",
	"flag:housing":             "housing",
	"flag:conflict_at_work":    "conflict at work",
	"flag:threats":             "threats",

	"rating:good":      "good",
	"rating:irregular": "irregular",
	"rating:poor":      "poor",

	"contract:permanent":  "permanent",
	"contract:fixed_term": "fixed term",
	"contract:temporary":  "temporary",
	"contract:on_call":    "on call",

	"escalation:missed_checkin": "missed check-in",
	"escalation:low_wellbeing":  "low wellbeing",
	"escalation:risk_flag":      "risk flag",
	"escalation:no_mentor":      "no mentor before the start",
	"escalation:open":           "open",
	"escalation:acknowledged":   "acknowledged",
	"escalation:closed":         "closed",
	"due:open":                  "to do",
	"due:on_time":               "on time",
	"due:late":                  "late",
	"due:missed":                "missed",
	"scheme:monthly":            "monthly",
	"scheme:milestone":          "at milestones",
	"scheme:claims":             "guarantee claims",
	"guarantee:fidelity":        "fidelity guarantee",
	"guarantee:sick_pay":        "sick pay guarantee",
	"claim:filed":               "filed",
	"claim:approved":            "approved",
	"claim:rejected":            "rejected",
	"milestone:overdue_checkin": "not reached: a check-in was overdue",
}

// termLists are the taxonomy's lists, which carry their own Dutch.
var termLists = map[string][]taxonomy.Term{
	"sector":      taxonomy.Sectors,
	"risk":        taxonomy.RiskAreas,
	"certificate": taxonomy.Certificates,
	"language":    taxonomy.Languages,
}

// Package api is the JSON API under /api/v1, plus the health, readiness and
// metrics endpoints. Handlers are thin: decode, call a domain service (which
// decides authorisation), respond. api/openapi.yaml documents every route, and
// a test keeps the two in step.
package api

import (
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/circles"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/exits"
	"github.com/herstart/herstart/inbox"
	"github.com/herstart/herstart/mail"
	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/payments"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/users"
	"github.com/herstart/herstart/web"
)

// Config wires the API to the domain services.
type Config struct {
	Users      *users.Service
	Candidates *candidates.Service
	Employers  *employers.Service
	Matching   *matching.Service
	Audit      *audit.Recorder
	Inbox      *inbox.Service
	Placements *placements.Service
	Payments   *payments.Service
	Mail       *mail.Service
	Circles    *circles.Service
	Exits      *exits.Service
	Logger     *slog.Logger
}

// Server holds the API's dependencies.
type Server struct {
	cfg Config
	web *web.Web
	log *slog.Logger
}

// New returns a whole app with the API alone on the shared web layer, for
// tests and tools; serve composes web, api and frontend itself.
func New(cfg Config, wc web.Config) *fiber.App {
	if wc.Users == nil {
		wc.Users = cfg.Users
	}
	if wc.Logger == nil {
		wc.Logger = cfg.Logger
	}
	w := web.New(wc)
	Mount(w, cfg)
	return w.Finish()
}

// Mount adds every route of the JSON API under /api/v1 of the shared app.
func Mount(w *web.Web, cfg Config) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, web: w, log: cfg.Logger}
	app := w.App()
	v1 := app.Group("/api/v1")
	v1.Post("/auth/token", s.handleTokenCreate)
	v1.Delete("/auth/token", s.handleTokenRevoke)
	v1.Post("/auth/session", s.handleSessionCreate)
	v1.Delete("/auth/session", s.handleSessionDelete)
	v1.Post("/auth/totp", s.handleTOTPBegin)
	v1.Post("/auth/totp/confirm", s.handleTOTPConfirm)
	v1.Post("/auth/invitation", s.handleInvitationAccept)
	v1.Post("/auth/password-reset", s.handleResetRequest)
	v1.Post("/auth/password-reset/confirm", s.handleResetConfirm)
	v1.Get("/users/me", s.handleMe)
	v1.Post("/users", s.handleUserCreate)
	v1.Get("/users", s.handleUserList)
	v1.Post("/users/:id/invitation", s.handleUserInvite)
	v1.Post("/users/:id/active", s.handleUserActive)
	v1.Post("/users/:id/totp-reset", s.handleUserTOTPReset)
	v1.Get("/mail", s.handleMailList)

	v1.Post("/candidates", s.handleCandidateCreate)
	v1.Get("/candidates", s.handleCandidateList)
	v1.Get("/candidates/:id", s.handleCandidateGet)
	v1.Patch("/candidates/:id", s.handleCandidateUpdate)
	v1.Delete("/candidates/:id", s.handleCandidateErase)
	v1.Post("/candidates/:id/confirm-availability", s.handleCandidateConfirm)
	v1.Post("/candidates/:id/consents", s.handleConsentCreate)
	v1.Delete("/candidates/:id/consents/:cid", s.handleConsentDelete)
	v1.Post("/candidates/:id/conflicts", s.handleConflictAdd)
	v1.Delete("/candidates/:id/conflicts/:cid", s.handleConflictRemove)
	v1.Get("/candidates/:id/disclosures", s.handleDisclosureLog)
	v1.Get("/candidates/:id/export", s.handleCandidateExport)
	v1.Get("/cards/:id", s.handleCardGet)
	v1.Post("/candidates/:id/account", s.handleCandidateInvite)
	v1.Get("/self", s.handleSelf)
	v1.Post("/self/confirm-availability", s.handleSelfConfirm)
	v1.Post("/self/consents/:cid/withdraw", s.handleSelfWithdraw)
	v1.Post("/self/placements/:id/share-contact", s.handleSelfShareContact)
	v1.Post("/self/circle/:n/:action", s.handleSelfCircleStep)

	v1.Post("/partners", s.handlePartnerRegister)
	v1.Get("/partners", s.handlePartnerList)
	v1.Get("/partners/:id", s.handlePartnerGet)
	v1.Post("/partners/:id/vetting/:action", s.handlePartnerVet)
	v1.Post("/partners/:id/users", s.handlePartnerUser)
	v1.Get("/circles", s.handleCircleList)
	v1.Get("/circles/:id", s.handleCircleGet)
	v1.Post("/circles/:id/members", s.handleMemberAdd)
	v1.Post("/circles/:id/members/:n/:action", s.handleMemberStep)
	v1.Post("/circles/:id/level", s.handleCircleLevel)
	v1.Post("/circles/:id/close", s.handleCircleClose)
	v1.Post("/circles/:id/actions", s.handleActionAdd)
	v1.Post("/circles/:id/actions/:n", s.handleActionUpdate)
	v1.Post("/circles/:id/conferences", s.handleConferenceAdd)
	v1.Get("/reports/partner-actions", s.handlePartnerReport)
	v1.Get("/candidates/:id/trajectory", s.handleTrajectoryGet)
	v1.Post("/candidates/:id/trajectory", s.handleTrajectoryOpen)
	v1.Post("/candidates/:id/trajectory/phase", s.handleTrajectoryPhase)
	v1.Post("/candidates/:id/trajectory/reviews", s.handleTrajectoryReview)
	v1.Post("/candidates/:id/trajectory/network", s.handleTrajectoryEntry)
	v1.Delete("/candidates/:id/trajectory/network/:n", s.handleTrajectoryEntryRemove)
	v1.Put("/candidates/:id/trajectory/destination", s.handleTrajectoryDestination)
	v1.Put("/candidates/:id/trajectory/safety", s.handleTrajectorySafety)
	v1.Put("/candidates/:id/trajectory/exploitation", s.handleTrajectoryExploitation)
	v1.Post("/candidates/:id/trajectory/relatives", s.handleTrajectoryRelative)
	v1.Post("/candidates/:id/trajectory/transfer", s.handleTrajectoryTransfer)
	v1.Post("/candidates/:id/trajectory/transfer/accept", s.handleTrajectoryAccept)
	v1.Post("/candidates/:id/trajectory/close", s.handleTrajectoryClose)
	v1.Get("/trajectories", s.handleTrajectoryList)
	v1.Get("/reports/trajectories", s.handleTrajectoryReport)

	v1.Post("/employers", s.handleEmployerRegister)
	v1.Get("/employers", s.handleEmployerList)
	v1.Get("/employers/:id", s.handleEmployerGet)
	v1.Patch("/employers/:id/vetting/checklist", s.handleChecklist)
	v1.Post("/employers/:id/vetting/:action", s.handleVetting)
	v1.Post("/employers/:id/concerns", s.handleConcern)
	v1.Post("/employers/:id/users", s.handleEmployerUserAdd)
	v1.Post("/employers/:id/vacancies", s.handleVacancyCreate)
	v1.Get("/employers/:id/vacancies", s.handleVacancyList)
	v1.Get("/vacancies/:id", s.handleVacancyGet)
	v1.Patch("/vacancies/:id", s.handleVacancyUpdate)
	v1.Post("/vacancies/:id/close", s.handleVacancyClose)

	v1.Get("/search/candidates", s.handleSearchCandidates)
	v1.Get("/search/vacancies", s.handleSearchVacancies)
	v1.Get("/candidates/:id/matches", s.handleCandidateMatches)
	v1.Get("/vacancies/:id/matches", s.handleVacancyMatches)

	v1.Get("/audit", s.handleAuditList)

	v1.Post("/introductions", s.handleIntroductionCreate)
	v1.Get("/introductions", s.handleIntroductionList)
	v1.Get("/introductions/:id", s.handleIntroductionGet)
	v1.Post("/introductions/:id/:action", s.handleIntroductionStep)
	v1.Get("/placements", s.handlePlacementList)
	v1.Get("/placements/:id", s.handlePlacementGet)
	v1.Get("/placements/:id/parties", s.handlePlacementParties)
	v1.Post("/placements/:id/mentor", s.handlePlacementMentor)
	v1.Post("/placements/:id/end", s.handlePlacementEnd)
	v1.Post("/placements/:id/checkins", s.handleCheckIn)
	v1.Put("/placements/:id/checkins/:n", s.handleCheckInEdit)
	v1.Post("/placements/:id/workplace-notes", s.handleNote)
	v1.Post("/placements/:id/escalations/:n/:action", s.handleEscalationStep)
	v1.Post("/placements/:id/guarantees", s.handleGuarantee)
	v1.Post("/placements/:id/guarantees/:g/claims", s.handleClaim)
	v1.Post("/placements/:id/guarantees/:g/claims/:n/:action", s.handleClaimDecision)
	v1.Get("/escalations", s.handleEscalations)
	v1.Get("/agenda", s.handleAgenda)
	v1.Get("/reports/placements", s.handleReport)
	v1.Get("/checkin-templates/:name", s.handleTemplateGet)
	v1.Put("/checkin-templates/:name", s.handleTemplatePut)

	v1.Post("/schemes", s.handleSchemeCreate)
	v1.Get("/schemes", s.handleSchemeList)
	v1.Get("/schemes/:id", s.handleSchemeGet)
	v1.Get("/schemes/:id/balance", s.handleSchemeBalance)
	v1.Get("/schemes/:id/ledger", s.handleSchemeLedger)
	v1.Post("/placements/:id/schemes", s.handleAttach)
	v1.Get("/payouts", s.handlePayoutList)
	v1.Get("/payouts/:id", s.handlePayoutGet)
	v1.Post("/payouts/:id/:action", s.handlePayoutStep)
	v1.Post("/sepa-exports", s.handleExportCreate)
	v1.Get("/sepa-exports/:id", s.handleExportFile)
	v1.Post("/employers/:id/payout-account", s.handlePayoutAccount)
	v1.Put("/employers/:id/bank-account", s.handleBankAccount)
	v1.Get("/employers/:id/ledger", s.handleEmployerLedger)
	v1.Post("/webhooks/stripe", s.handleStripeWebhook)

	v1.Get("/inbox", s.handleInbox)
	v1.Post("/inbox/read", s.handleInboxRead)
	v1.Post("/inbox/:id/read", s.handleInboxRead)

}

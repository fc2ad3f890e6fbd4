package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/payments"
)

// handleSchemeCreate handles POST /api/v1/schemes (coordinators).
func (s *Server) handleSchemeCreate(c *fiber.Ctx) error {
	var req payments.SchemeInput
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	v, err := s.cfg.Payments.CreateScheme(c.UserContext(), req)
	return respond(c, fiber.StatusCreated, v, err)
}

type schemeListResponse struct {
	Items []payments.SchemeView `json:"items"`
	Total int                   `json:"total"`
}

// handleSchemeList handles GET /api/v1/schemes.
func (s *Server) handleSchemeList(c *fiber.Ctx) error {
	l, err := s.cfg.Payments.Schemes(c.UserContext())
	return respond(c, fiber.StatusOK, schemeListResponse{Items: l, Total: len(l)}, err)
}

// handleSchemeGet handles GET /api/v1/schemes/{id}.
func (s *Server) handleSchemeGet(c *fiber.Ctx) error {
	v, err := s.cfg.Payments.Scheme(c.UserContext(), c.Params("id"))
	return respond(c, fiber.StatusOK, v, err)
}

// handleSchemeBalance handles GET /api/v1/schemes/{id}/balance.
func (s *Server) handleSchemeBalance(c *fiber.Ctx) error {
	if _, err := s.cfg.Payments.Scheme(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	v, err := s.cfg.Payments.Balance(c.UserContext(), c.Params("id"))
	return respond(c, fiber.StatusOK, v, err)
}

// ledger answers a ledger as a CSV file.
func (s *Server) ledger(c *fiber.Ctx, owner, name string) error {
	b, err := s.cfg.Payments.LedgerCSV(c.UserContext(), owner)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="ledger-`+name+`.csv"`)
	return c.Send(b)
}

// handleSchemeLedger handles GET /api/v1/schemes/{id}/ledger (CSV).
func (s *Server) handleSchemeLedger(c *fiber.Ctx) error {
	if _, err := s.cfg.Payments.Scheme(c.UserContext(), c.Params("id")); err != nil {
		return err
	}
	return s.ledger(c, "scheme:"+c.Params("id"), c.Params("id"))
}

// handleEmployerLedger handles GET /api/v1/employers/{id}/ledger (CSV).
func (s *Server) handleEmployerLedger(c *fiber.Ctx) error {
	return s.ledger(c, "employer:"+c.Params("id"), c.Params("id"))
}

// handleAttach handles POST /api/v1/placements/{id}/schemes (coordinators).
func (s *Server) handleAttach(c *fiber.Ctx) error {
	var req payments.AttachInput
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	v, err := s.cfg.Payments.Attach(c.UserContext(), c.Params("id"), req)
	return respond(c, fiber.StatusCreated, v, err)
}

type payoutListResponse struct {
	Items []payments.PayoutSummary `json:"items"`
	Total int                      `json:"total"`
}

// handlePayoutList handles GET /api/v1/payouts.
func (s *Server) handlePayoutList(c *fiber.Ctx) error {
	l, err := s.cfg.Payments.Payouts(c.UserContext())
	return respond(c, fiber.StatusOK, payoutListResponse{Items: l, Total: len(l)}, err)
}

// handlePayoutGet handles GET /api/v1/payouts/{id}.
func (s *Server) handlePayoutGet(c *fiber.Ctx) error {
	v, err := s.cfg.Payments.Payout(c.UserContext(), c.Params("id"))
	return respond(c, fiber.StatusOK, v, err)
}

// handlePayoutStep handles POST /api/v1/payouts/{id}/{approve|retry|paid}.
func (s *Server) handlePayoutStep(c *fiber.Ctx) error {
	ctx, id := c.UserContext(), c.Params("id")
	switch c.Params("action") {
	case "approve":
		v, err := s.cfg.Payments.Approve(ctx, id)
		return respond(c, fiber.StatusOK, v, err)
	case "retry":
		v, err := s.cfg.Payments.Retry(ctx, id)
		return respond(c, fiber.StatusOK, v, err)
	case "paid":
		var req payments.PaidInput
		if err := decodeStrict(c, &req); err != nil {
			return err
		}
		v, err := s.cfg.Payments.MarkPaid(ctx, id, req)
		return respond(c, fiber.StatusOK, v, err)
	}
	return apperr.Errorf(apperr.NotFound, "Not found.")
}

// handleExportCreate handles POST /api/v1/sepa-exports (coordinators).
func (s *Server) handleExportCreate(c *fiber.Ctx) error {
	v, err := s.cfg.Payments.Export(c.UserContext())
	return respond(c, fiber.StatusCreated, v, err)
}

// handleExportFile handles GET /api/v1/sepa-exports/{id} (the XML file).
func (s *Server) handleExportFile(c *fiber.Ctx) error {
	b, err := s.cfg.Payments.ExportFile(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/xml; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+c.Params("id")+`.xml"`)
	return c.Send(b)
}

type payoutAccountRequest struct {
	Email string `json:"email"`
}

// handlePayoutAccount handles POST /api/v1/employers/{id}/payout-account:
// the Stripe account and its onboarding link.
func (s *Server) handlePayoutAccount(c *fiber.Ctx) error {
	var req payoutAccountRequest
	if len(c.Body()) > 0 {
		if err := decodeStrict(c, &req); err != nil {
			return err
		}
	}
	v, err := s.cfg.Payments.SetupStripe(c.UserContext(), c.Params("id"), req.Email)
	return respond(c, fiber.StatusOK, v, err)
}

// handleBankAccount handles PUT /api/v1/employers/{id}/bank-account.
func (s *Server) handleBankAccount(c *fiber.Ctx) error {
	var req payments.BankInput
	if err := decodeStrict(c, &req); err != nil {
		return err
	}
	v, err := s.cfg.Payments.SetBank(c.UserContext(), c.Params("id"), req)
	return respond(c, fiber.StatusOK, v, err)
}

// handleStripeWebhook handles POST /api/v1/webhooks/stripe: the raw body
// is copied before anything reads it (Fiber reuses its buffers), then
// verified by the service.
func (s *Server) handleStripeWebhook(c *fiber.Ctx) error {
	body := append([]byte(nil), c.Body()...)
	if err := s.cfg.Payments.Webhook(c.UserContext(), body, c.Get("Stripe-Signature")); err != nil {
		return err
	}
	return c.JSON(fiber.Map{"received": true})
}

package api

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/users"
)

type auditResponse struct {
	Items []audit.Event `json:"items"`
	Next  int64         `json:"next_before,omitempty"` // pass as ?before= for the next page
}

// handleAuditList handles GET /api/v1/audit?subject=&before=&limit= for
// coordinators. Reading the audit log is itself audited.
func (s *Server) handleAuditList(c *fiber.Ctx) error {
	actor, err := users.RequireRole(c.UserContext(), users.Coordinator)
	if err != nil {
		return err
	}
	subject := strings.TrimSpace(c.Query("subject"))
	if subject == "" || len(subject) > 100 {
		return &apperr.Error{Code: apperr.BadRequest, Message: "Say whose events to show.", Fields: map[string]string{"subject": "is required, such as candidate:c_… or user:u_… (at most 100 characters)"}}
	}
	limit, err := queryInt(c, "limit", 50, 1, 200)
	if err != nil {
		return err
	}
	before, err := queryInt(c, "before", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	events, err := s.cfg.Audit.BySubject(c.UserContext(), subject, int64(before), limit)
	if err != nil {
		return err
	}
	err = s.cfg.Audit.Record(c.UserContext(), audit.Entry{ActorID: string(actor.UserID), Role: string(actor.Role), Action: audit.ActionAuditRead, Subject: "audit:" + subject})
	if err != nil {
		return err
	}
	resp := auditResponse{Items: events}
	if len(events) == limit {
		resp.Next = events[len(events)-1].Seq
	}
	return c.JSON(resp)
}

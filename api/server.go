// Package api is the JSON API under /api/v1, plus the health, readiness and
// metrics endpoints. Handlers are thin: decode, call a domain service (which
// decides authorisation), respond. api/openapi.yaml documents every route, and
// a test keeps the two in step.
package api

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/matching"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/users"
)

// Config wires the API to the domain services.
type Config struct {
	Users      *users.Service
	Candidates *candidates.Service
	Employers  *employers.Service
	Matching   *matching.Service
	Audit      *audit.Recorder
	Ready      func(ctx context.Context) error // nil error: the database answers
	Logger     *slog.Logger

	// CookieSecure marks the session cookie Secure (only sent over HTTPS;
	// browsers treat http://localhost as secure too). Default true.
	CookieInsecure bool
	// Proxies says whose client-address header to believe (X-Forwarded-For
	// from the load balancers); zero: the connection's address.
	Proxies Proxies
}

// Server holds the API's dependencies.
type Server struct {
	cfg     Config
	log     *slog.Logger
	metrics *metrics
}

// BodyLimit is the largest request body accepted.
const BodyLimit = 1 << 20

// New returns the Fiber app with every route mounted.
func New(cfg Config) *fiber.App {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, log: cfg.Logger, metrics: newMetrics()}
	app := fiber.New(fiber.Config{
		AppName:               "herstart",
		Immutable:             true, // values from the context outlive the handler safely
		BodyLimit:             BodyLimit,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           120 * time.Second,
		ErrorHandler:          s.handleError,
		DisableStartupMessage: true,
	})
	app.Use(s.requestContext)
	app.Use(recover.New()) // after requestContext, so a panic is logged and answered as a 500
	app.Use(helmet.New(helmet.Config{
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
		HSTSMaxAge:            63072000,
		HSTSExcludeSubdomains: false,
		ReferrerPolicy:        "no-referrer",
		XFrameOptions:         "DENY",
		PermissionPolicy:      "camera=(), microphone=(), geolocation=()",
	}))

	app.Get("/healthz", s.handleHealth)
	app.Get("/readyz", s.handleReady)
	app.Get("/metrics", adaptor.HTTPHandler(promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{})))

	v1 := app.Group("/api/v1", s.authenticate)
	v1.Post("/auth/token", s.handleTokenCreate)
	v1.Delete("/auth/token", s.handleTokenRevoke)
	v1.Post("/auth/session", s.handleSessionCreate)
	v1.Delete("/auth/session", s.handleSessionDelete)
	v1.Post("/auth/totp", s.handleTOTPBegin)
	v1.Post("/auth/totp/confirm", s.handleTOTPConfirm)
	v1.Get("/users/me", s.handleMe)
	v1.Post("/users", s.handleUserCreate)

	v1.Post("/candidates", s.handleCandidateCreate)
	v1.Get("/candidates", s.handleCandidateList)
	v1.Get("/candidates/:id", s.handleCandidateGet)
	v1.Patch("/candidates/:id", s.handleCandidateUpdate)
	v1.Post("/candidates/:id/confirm-availability", s.handleCandidateConfirm)
	v1.Post("/candidates/:id/consents", s.handleConsentCreate)
	v1.Delete("/candidates/:id/consents/:cid", s.handleConsentDelete)
	v1.Post("/candidates/:id/conflicts", s.handleConflictAdd)
	v1.Delete("/candidates/:id/conflicts/:cid", s.handleConflictRemove)

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

	app.Use(func(c *fiber.Ctx) error {
		return apperr.Errorf(apperr.NotFound, "No such route.")
	})
	return app
}

// requestContext gives each request an id (in the X-Request-ID header, the
// logs and every audit event), measures it and logs it without personal data:
// the route pattern, never the path with its ids or the query.
func (s *Server) requestContext(c *fiber.Ctx) error {
	start := time.Now()
	// Our own id always: a client-chosen one would become the audit
	// event's request id. The client's is logged beside it.
	rid := store.NewID("r")
	theirs := c.Get(fiber.HeaderXRequestID)
	if len(theirs) > 64 || strings.ContainsFunc(theirs, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		theirs = "(invalid)"
	}
	c.Set(fiber.HeaderXRequestID, rid)
	// Responses carry personal data (identity, disclosed profiles, audit
	// events): no browser or proxy cache keeps them.
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderPragma, "no-cache")
	// helmet sets HSTS only on requests it sees as HTTPS, which a TLS-
	// terminating load balancer hides; browsers ignore it over plain HTTP.
	c.Set(fiber.HeaderStrictTransportSecurity, "max-age=63072000; includeSubDomains")
	c.SetUserContext(audit.WithRequestID(context.Background(), rid))
	err := c.Next()
	if err != nil {
		if herr := s.handleError(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	route := c.Route().Path
	status := c.Response().StatusCode()
	s.metrics.observe(c.Method(), route, status, time.Since(start))
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	if route != "/healthz" && route != "/metrics" {
		attrs := []any{"id", rid, "method", c.Method(), "route", route, "status", status, "ms", time.Since(start).Milliseconds()}
		if theirs != "" {
			attrs = append(attrs, "client_request_id", theirs)
		}
		s.log.Log(c.UserContext(), level, "request", attrs...)
	}
	return nil
}

// sessionCookie is the name of the web session cookie.
const sessionCookie = "herstart_session"

// authenticate resolves a bearer token or session cookie into the actor in
// the request's context. Routes that need no actor (login) still pass: the
// services decide. A cookie session must send its CSRF token on every
// unsafe request.
func (s *Server) authenticate(c *fiber.Ctx) error {
	token, fromCookie := "", false
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		scheme, rest, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || rest == "" {
			return apperr.Errorf(apperr.Unauthenticated, "Send the token as: Authorization: Bearer <token>.")
		}
		token = strings.TrimSpace(rest)
	} else if v := c.Cookies(sessionCookie); v != "" {
		token, fromCookie = v, true
	}
	if token == "" {
		return c.Next()
	}
	auth, err := s.cfg.Users.Authenticate(c.UserContext(), token)
	if err != nil {
		if fromCookie && apperr.Is(err, apperr.Unauthenticated) {
			c.ClearCookie(sessionCookie)
		}
		return err
	}
	if fromCookie && auth.Session && !safeMethod(c.Method()) {
		if got := c.Get("X-CSRF-Token"); got == "" || got != auth.CSRF {
			return apperr.Errorf(apperr.Forbidden, "The form has expired. Reload the page and try again.")
		}
	}
	if fromCookie != auth.Session {
		return apperr.Errorf(apperr.Unauthenticated, "Sign in again.")
	}
	c.SetUserContext(users.WithActor(c.UserContext(), auth.Actor))
	c.Locals("token", token)
	return c.Next()
}

func safeMethod(m string) bool {
	return m == fiber.MethodGet || m == fiber.MethodHead || m == fiber.MethodOptions
}

// errorBody is the JSON shape of every error.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string            `json:"code"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

var statusOf = map[apperr.Code]int{
	apperr.BadRequest:      fiber.StatusBadRequest,
	apperr.Invalid:         fiber.StatusUnprocessableEntity,
	apperr.Unauthenticated: fiber.StatusUnauthorized,
	apperr.Forbidden:       fiber.StatusForbidden,
	apperr.NotFound:        fiber.StatusNotFound,
	apperr.Conflict:        fiber.StatusConflict,
	apperr.TooManyRequests: fiber.StatusTooManyRequests,
}

// handleError maps every error to the JSON error shape. An uncoded error is
// a 500 that says only "Internal error." and is logged with the request id.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	rid := c.GetRespHeader(fiber.HeaderXRequestID)
	body := errorDetail{RequestID: rid}
	status := fiber.StatusInternalServerError
	var ae *apperr.Error
	var fe *fiber.Error
	switch {
	case errors.As(err, &ae) && ae.Code != apperr.Internal:
		status = statusOf[ae.Code]
		body.Code, body.Message, body.Fields = string(ae.Code), ae.Message, ae.Fields
	case errors.As(err, &fe) && fe.Code < 500:
		status = fe.Code
		body.Code, body.Message = fiberCode(fe.Code), fiberMessage(fe.Code)
	default:
		body.Code, body.Message = string(apperr.Internal), "Internal error."
		s.log.ErrorContext(c.UserContext(), "internal error", "id", rid, "route", c.Route().Path, "err", err)
	}
	if status == fiber.StatusUnauthorized {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="herstart"`)
	}
	return c.Status(status).JSON(errorBody{Error: body})
}

func fiberCode(status int) string {
	switch status {
	case fiber.StatusNotFound:
		return string(apperr.NotFound)
	case fiber.StatusTooManyRequests:
		return string(apperr.TooManyRequests)
	default:
		return string(apperr.BadRequest)
	}
}

func fiberMessage(status int) string {
	switch status {
	case fiber.StatusRequestEntityTooLarge:
		return "The request body is too large (at most 1 MiB)."
	case fiber.StatusNotFound:
		return "No such route."
	case fiber.StatusMethodNotAllowed:
		return "This method is not allowed here."
	default:
		return "The request cannot be read."
	}
}

func (s *Server) handleHealth(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

func (s *Server) handleReady(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(ctx); err != nil {
			s.log.WarnContext(ctx, "not ready", "err", err)
			return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "database": "unreachable"})
		}
	}
	return c.JSON(fiber.Map{"status": "ready", "database": "ok"})
}

// metrics are the Prometheus metrics of one Server: its own registry, no
// global state.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "herstart_http_requests_total", Help: "HTTP requests by route pattern, method and status."}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "herstart_http_request_duration_seconds", Help: "HTTP request duration by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}, []string{"method", "route"}),
	}
	m.registry.MustRegister(m.requests, m.duration, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	if route == "" || route == "/" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(method, route, itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(d.Seconds())
}

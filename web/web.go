// Package web is what the platform's two faces share: the Fiber app with
// its middleware (request ids, security headers, metrics, recovery), the
// authentication of a bearer token or session cookie into a users.Actor,
// CSRF for cookie sessions, the mapping of apperr codes to HTTP statuses,
// and the message catalogue (Dutch first, English). The JSON API (api)
// mounts under /api/v1 and the pages (frontend) at /; neither imports the
// other.
package web

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
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
	"github.com/herstart/herstart/idempotency"
	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/users"
)

// Config is what the shared layer needs.
type Config struct {
	Users  *users.Service
	Ready  func(ctx context.Context) error // nil error: the database answers
	Logger *slog.Logger
	// CookieInsecure drops the session cookie's Secure flag (plain-HTTP
	// test set-ups only; browsers treat http://localhost as secure).
	CookieInsecure bool
	// Proxies says whose client-address header to believe.
	Proxies Proxies
	// Idempotency, when set, makes a POST with an Idempotency-Key (API) or
	// a one-use form token (pages) safe to send twice (once.go).
	Idempotency *idempotency.Service
	// Collectors are more metrics for /metrics (the database's commands).
	Collectors []prometheus.Collector
}

// Web is the shared app. Faces mount their routes on App (or a group of
// it), then Finish adds the catch-all.
type Web struct {
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	app     *fiber.App
	// pageError answers an error on a page (a path outside /api/ and the
	// operational endpoints) in HTML; nil: the JSON error shape everywhere.
	pageError func(c *fiber.Ctx, status int, d ErrorDetail) error
}

// SetPageErrors makes errors on pages (any path but /api/…, /healthz,
// /readyz and /metrics) answer through fn, in HTML, instead of the API's
// JSON shape: a page's own errors, the CSRF check, and the catch-all.
func (w *Web) SetPageErrors(fn func(c *fiber.Ctx, status int, d ErrorDetail) error) { w.pageError = fn }

// IsPage reports whether c asks for a page rather than the API or an
// operational endpoint.
func IsPage(c *fiber.Ctx) bool {
	p := c.Path()
	return !strings.HasPrefix(p, "/api/") && p != "/api" && p != "/healthz" && p != "/readyz" && p != "/metrics"
}

// BodyLimit is the largest request body accepted.
const BodyLimit = 1 << 20

// SessionCookie is the name of the web session cookie.
const SessionCookie = "herstart_session"

// CSRFField is the form field (or X-CSRF-Token header) a cookie session's
// unsafe requests carry.
const CSRFField = "_csrf"

// New returns the shared app with its middleware, /healthz, /readyz and
// /metrics.
func New(cfg Config) *Web {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	w := &Web{cfg: cfg, log: cfg.Logger, metrics: newMetrics(cfg.Collectors...)}
	w.app = fiber.New(fiber.Config{
		AppName:               "herstart",
		Immutable:             true, // values from the context outlive the handler safely
		BodyLimit:             BodyLimit,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           120 * time.Second,
		ErrorHandler:          w.handleError,
		DisableStartupMessage: true,
	})
	w.app.Use(w.requestContext)
	w.app.Use(recover.New()) // after requestContext, so a panic is logged and answered as a 500
	w.app.Use(helmet.New(helmet.Config{
		ContentSecurityPolicy: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
		HSTSMaxAge:            63072000,
		HSTSExcludeSubdomains: false,
		ReferrerPolicy:        "no-referrer",
		XFrameOptions:         "DENY",
		PermissionPolicy:      "camera=(), microphone=(), geolocation=()",
	}))
	w.app.Get("/healthz", w.handleHealth)
	w.app.Get("/readyz", w.handleReady)
	w.app.Get("/metrics", adaptor.HTTPHandler(promhttp.HandlerFor(w.metrics.registry, promhttp.HandlerOpts{})))
	w.app.Use(w.authenticate)
	w.app.Use(w.once)
	return w
}

// App is the Fiber app the faces mount on.
func (w *Web) App() *fiber.App { return w.app }

// Finish adds the catch-all "no such route" after every face has mounted.
func (w *Web) Finish() *fiber.App {
	w.app.Use(func(c *fiber.Ctx) error {
		return apperr.Errorf(apperr.NotFound, "No such route.")
	})
	return w.app
}

// CookieInsecure reports whether cookies go without their Secure flag
// (plain-HTTP test set-ups).
func (w *Web) CookieInsecure() bool { return w.cfg.CookieInsecure }

// ClientIP is the address per-IP limits count against (see Proxies).
func (w *Web) ClientIP(c *fiber.Ctx) string { return w.cfg.Proxies.ClientIP(c) }

// SetSession sets the session cookie: HttpOnly, Secure, SameSite=Strict.
func (w *Web) SetSession(c *fiber.Ctx, s users.Session) {
	c.Cookie(&fiber.Cookie{
		Name: SessionCookie, Value: s.Token, Path: "/", Expires: s.ExpiresAt,
		Secure: !w.cfg.CookieInsecure, HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode,
	})
}

// ClearSession removes the session cookie.
func ClearSession(c *fiber.Ctx) { c.ClearCookie(SessionCookie) }

// Token is the bearer token or session the request authenticated with, "".
func Token(c *fiber.Ctx) string {
	t, _ := c.Locals("token").(string)
	return t
}

// CSRF is the request's session CSRF token ("" for a bearer token), for
// pages to put in their forms.
func CSRF(c *fiber.Ctx) string {
	t, _ := c.Locals("csrf").(string)
	return t
}

// LangOf is the language to answer c in: Dutch unless the browser prefers
// English.
func LangOf(c *fiber.Ctx) string {
	if l, ok := c.Locals("lang").(string); ok && l != "" {
		return l
	}
	return Lang(c.Get(fiber.HeaderAcceptLanguage))
}

// requestContext gives each request an id of ours (in the X-Request-ID
// header, the logs and every audit event; a client's own is only logged
// beside it), marks every response as not to be cached (they carry
// personal data), measures the request and logs it without personal data:
// the route pattern, never the path with its ids or the query.
func (w *Web) requestContext(c *fiber.Ctx) error {
	start := time.Now()
	rid := ids.New("r")
	theirs := c.Get(fiber.HeaderXRequestID)
	if len(theirs) > 64 || strings.ContainsFunc(theirs, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
		theirs = "(invalid)"
	}
	c.Set(fiber.HeaderXRequestID, rid)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderPragma, "no-cache")
	// helmet sets HSTS only on requests it sees as HTTPS, which a TLS-
	// terminating load balancer hides; browsers ignore it over plain HTTP.
	c.Set(fiber.HeaderStrictTransportSecurity, "max-age=63072000; includeSubDomains")
	c.SetUserContext(audit.WithRequestID(context.Background(), rid))
	err := c.Next()
	if err != nil {
		if herr := w.handleError(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	route := c.Route().Path
	status := c.Response().StatusCode()
	w.metrics.observe(c.Method(), route, status, time.Since(start))
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	if route != "/healthz" && route != "/metrics" {
		attrs := []any{"id", rid, "method", c.Method(), "route", route, "status", status, "ms", time.Since(start).Milliseconds()}
		if theirs != "" {
			attrs = append(attrs, "client_request_id", theirs)
		}
		w.log.Log(c.UserContext(), level, "request", attrs...)
	}
	return nil
}

// authenticate resolves a bearer token or session cookie into the actor in
// the request's context. Requests without one pass: the services decide
// what an anonymous caller may do. A cookie session must send its CSRF
// token (header X-CSRF-Token or form field _csrf) on every unsafe request.
func (w *Web) authenticate(c *fiber.Ctx) error {
	token, fromCookie := "", false
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		scheme, rest, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || rest == "" {
			return apperr.Errorf(apperr.Unauthenticated, "Send the token as: Authorization: Bearer <token>.")
		}
		token = strings.TrimSpace(rest)
	} else if v := c.Cookies(SessionCookie); v != "" {
		token, fromCookie = v, true
	}
	if token == "" {
		return c.Next()
	}
	auth, err := w.cfg.Users.Authenticate(c.UserContext(), token)
	if err != nil {
		if fromCookie && apperr.Is(err, apperr.Unauthenticated) {
			ClearSession(c)
			if !strings.HasPrefix(c.Path(), "/api/") {
				return c.Next() // a page: shown as to someone signed out
			}
		}
		return err
	}
	if fromCookie && auth.Session && !safeMethod(c.Method()) {
		got := c.Get("X-CSRF-Token")
		if got == "" {
			got = c.FormValue(CSRFField)
		}
		if got == "" || got != auth.CSRF {
			return apperr.Errorf(apperr.Forbidden, "The form has expired. Reload the page and try again.")
		}
	}
	if fromCookie != auth.Session {
		return apperr.Errorf(apperr.Unauthenticated, "Sign in again.")
	}
	c.SetUserContext(users.WithActor(c.UserContext(), auth.Actor))
	c.Locals("token", token)
	c.Locals("csrf", auth.CSRF)
	return c.Next()
}

func safeMethod(m string) bool {
	return m == fiber.MethodGet || m == fiber.MethodHead || m == fiber.MethodOptions
}

// ErrorBody is the JSON shape of every API error.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is an error as the API shows it.
type ErrorDetail struct {
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

// Status is the HTTP status of an error code.
func Status(code apperr.Code) int {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return fiber.StatusInternalServerError
}

// Describe turns err into what the person is shown, in lang: the status,
// and the code, message and field problems. An uncoded error is a 500
// that says only "Internal error." (logged with the request id by the
// caller).
func Describe(err error, lang string) (int, ErrorDetail) {
	var ae *apperr.Error
	var fe *fiber.Error
	var d ErrorDetail
	status := fiber.StatusInternalServerError
	switch {
	case errors.As(err, &ae) && ae.Code != apperr.Internal:
		status = Status(ae.Code)
		d.Code, d.Message = string(ae.Code), ae.Message
		if len(ae.Fields) > 0 {
			d.Fields = map[string]string{}
			for k, v := range ae.Fields {
				d.Fields[k] = Translate(lang, v)
			}
		}
	case errors.As(err, &fe) && fe.Code < 500:
		status = fe.Code
		d.Code, d.Message = fiberCode(fe.Code), fiberMessage(fe.Code)
	default:
		d.Code, d.Message = string(apperr.Internal), "Internal error."
	}
	d.Message = Translate(lang, d.Message)
	return status, d
}

// handleError answers every error: the JSON error shape, or on a page the
// page layer's HTML (SetPageErrors).
func (w *Web) handleError(c *fiber.Ctx, err error) error {
	status, d := Describe(err, LangOf(c))
	d.RequestID = c.GetRespHeader(fiber.HeaderXRequestID)
	if status >= 500 {
		w.log.ErrorContext(c.UserContext(), "internal error", "id", d.RequestID, "route", c.Route().Path, "err", err)
	}
	if status == fiber.StatusUnauthorized {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="herstart"`)
	}
	c.Set(fiber.HeaderContentLanguage, LangOf(c))
	if w.pageError != nil && IsPage(c) {
		return w.pageError(c, status, d)
	}
	return c.Status(status).JSON(ErrorBody{Error: d})
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

func (w *Web) handleHealth(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

func (w *Web) handleReady(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	if w.cfg.Ready != nil {
		if err := w.cfg.Ready(ctx); err != nil {
			w.log.WarnContext(ctx, "not ready", "err", err)
			return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "database": "unreachable"})
		}
	}
	return c.JSON(fiber.Map{"status": "ready", "database": "ok"})
}

// metrics are the Prometheus metrics of one app: its own registry, no
// global state.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(more ...prometheus.Collector) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "herstart_http_requests_total", Help: "HTTP requests by route pattern, method and status."}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "herstart_http_request_duration_seconds", Help: "HTTP request duration by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}, []string{"method", "route"}),
	}
	m.registry.MustRegister(m.requests, m.duration, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.registry.MustRegister(more...)
	return m
}

func (m *metrics) observe(method, route string, status int, d time.Duration) {
	if route == "" || route == "/" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(d.Seconds())
}

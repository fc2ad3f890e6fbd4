package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/herstart/herstart/api"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/mail"
	"github.com/herstart/herstart/matching"
	bleveindex "github.com/herstart/herstart/matching/bleve"
	"github.com/herstart/herstart/payments"
	stripegw "github.com/herstart/herstart/payments/stripe"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/platform"
	"github.com/herstart/herstart/store/storetest"
	"github.com/herstart/herstart/users"
	"github.com/herstart/herstart/web"
)

// env is one test's platform: the real services over a fresh database.
type env struct {
	t          *testing.T
	app        *fiber.App
	users      *users.Service
	candidates *candidates.Service
	employers  *employers.Service
	audit      *audit.Recorder
	db         interface{ Name() string }
	now        time.Time
	active     string // activeEmployer's id, once made
	placements *placements.Service
	payments   *payments.Service
	matching   *matching.Service
	clock      *testClock // the placements' and payments' clock
	mail       *mail.Service
	platform   *platform.Services
}

const testWebhookSecret = "whsec_api_test"

// testClock is real time shifted by an offset the test sets.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

// Set makes Now return t (and run on from there).
func (c *testClock) Set(t time.Time) { c.offset.Store(int64(time.Until(t))) }

// activeEmployer returns an approved employer, registering and approving
// one (by two coordinators of its own) the first time.
func (e *env) activeEmployer() string {
	e.t.Helper()
	if e.active == "" {
		_, c1 := e.user(users.Coordinator, "vetting1@example.nl")
		_, c2 := e.user(users.Coordinator, "vetting2@example.nl")
		id, _ := e.employer("goedgekeurd")
		e.approve(id, c1, c2)
		e.active = id
	}
	return e.active
}

// envIndexDir is where the next env keeps its Bleve index; "" in memory (a
// test that looks at the index files sets it; the package's tests do not
// run in parallel).
var envIndexDir string

func newEnv(t *testing.T, opts ...func(*web.Config)) *env {
	t.Helper()
	return newEnvOn(t, storetest.Open(t), opts...)
}

// newEnvOn is newEnv over db: a second instance of the platform on the
// same database (storetest.SecondInstance) is another newEnvOn.
func newEnvOn(t *testing.T, db *mongo.Database, opts ...func(*web.Config)) *env {
	t.Helper()
	ix, err := bleveindex.Open(envIndexDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ix.Close() })
	clock := &testClock{}
	p, err := platform.New(t.Context(), db, ix, platform.Options{Logger: slog.New(slog.DiscardHandler), Backend: storetest.Backend(), Now: clock.Now, TokenKey: []byte("test key for index tokens 123456"),
		Debtor: payments.Party{Name: "Stichting Herstart", IBAN: "NL91ABNA0417164300"}, ParseEvent: stripegw.ParseEvent(testWebhookSecret)})
	if err != nil {
		t.Fatal(err)
	}
	// As serve does at start (store.DB.IndexIDs): without it every read by
	// _id scans its table on the SQLite backend.
	storetest.IndexIDs(t, db, p.Collections()...)
	us, cs, es, rec, ib, ms, ps, pay := p.Users, p.Candidates, p.Employers, p.Audit, p.Inbox, p.Matching, p.Placements, p.Payments
	cfg := api.Config{Users: us, Candidates: cs, Employers: es, Matching: ms, Audit: rec, Inbox: ib, Placements: ps, Payments: pay, Mail: p.Mail, Circles: p.Circles, Exits: p.Exits, Logger: slog.New(slog.DiscardHandler)}
	wc := web.Config{Idempotency: p.Once}
	for _, o := range opts {
		o(&wc)
	}
	app := api.New(cfg, wc)
	return &env{t: t, app: app, users: us, candidates: cs, employers: es, audit: rec, db: db, now: time.Now(), placements: ps, payments: pay, matching: ms, clock: clock, mail: p.Mail, platform: p}
}

// user creates an account and returns a bearer token for it.
func (e *env) user(role users.Role, email string) (users.User, string) {
	e.t.Helper()
	n := users.NewUser{Email: email, Password: "correct horse battery", Role: role}
	if role == users.Employer {
		n.EmployerID = "e_test"
	}
	u, err := e.users.CreateUnchecked(e.t.Context(), n)
	if err != nil {
		e.t.Fatalf("create %s: %v", email, err)
	}
	status, body := e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": email, "password": "correct horse battery"})
	if status != 201 {
		e.t.Fatalf("login %s: %d %v", email, status, body)
	}
	return u, body["token"].(string)
}

// do sends a JSON request and decodes the JSON answer.
func (e *env) do(method, path, token string, body any, headers ...string) (int, map[string]any) {
	e.t.Helper()
	resp := e.raw(method, path, token, body, headers...)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	checkContract(e.t, method, path, resp.StatusCode, resp.Header, b)
	out := map[string]any{}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &out); err != nil {
			e.t.Fatalf("%s %s: answer is not a JSON object (%d): %s", method, path, resp.StatusCode, b)
		}
	}
	return resp.StatusCode, out
}

func (e *env) raw(method, path, token string, body any, headers ...string) *http.Response {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = bytes.NewBufferString(b)
	default:
		j, _ := json.Marshal(b)
		r = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.app.Test(req, 30_000)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// validCandidate is a complete, valid registration.
func validCandidate() map[string]any {
	return map[string]any{
		"identity": map[string]any{
			"first_name": "Sem", "last_name": "de Vries", "birth_date": "1995-04-12",
			"email": "sem@example.nl", "phone": "+31 6 12345678", "address": "Dorpsstraat 1", "postcode": "3511 AB",
		},
		"skills":              []string{"heftruck rijden", "orderpicken"},
		"desired_occupations": []string{"magazijnmedewerker"},
		"certificates":        []string{"forklift", "vca_basis"},
		"languages":           []string{"nl", "en"},
		"hours_per_week":      32,
		"available_from":      time.Now().AddDate(0, 0, 7).Format(time.DateOnly),
		"home_place":          "Utrecht",
		"travel_radius_km":    25,
		"motivation":          "Wil graag weer aan het werk.",
		"work_history":        []string{"Orderpicker bij een distributiecentrum, 2 jaar"},
		"restrictions": map[string]any{
			"area_bans":           []any{map[string]any{"place": "Amsterdam", "radius_km": 5}},
			"excluded_sectors":    []string{"childcare"},
			"risk_area_conflicts": []string{"money"},
			"curfew":              map[string]any{"from": "23:00", "to": "06:00"},
		},
	}
}

func fieldsOf(body map[string]any) map[string]any {
	e, _ := body["error"].(map[string]any)
	f, _ := e["fields"].(map[string]any)
	return f
}

// dbColl counts the documents of a collection of the test's database.
func (e *env) dbColl(name string) (int64, error) {
	return e.coll(name).CountDocuments(e.t.Context(), bson.M{})
}

// coll is a collection of the test's database.
func (e *env) coll(name string) *mongo.Collection {
	return e.db.(interface {
		Collection(string, ...*options.CollectionOptions) *mongo.Collection
	}).Collection(name)
}

func decodeJSON(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("decode: %v", err)
	}
}

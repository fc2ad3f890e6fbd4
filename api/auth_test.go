package api_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/herstart/herstart/users"
)

func TestLogin_GenericErrorsAndThrottle(t *testing.T) {
	e := newEnv(t)
	e.user(users.ProbationWorker, "w@example.nl")

	_, wrongPw := e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": "w@example.nl", "password": "wrong password!"})
	st, unknown := e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": "nobody@example.nl", "password": "wrong password!"})
	if st != 401 {
		t.Fatalf("unknown e-mail = %d; want 401", st)
	}
	msg := func(b map[string]any) any { return b["error"].(map[string]any)["message"] }
	if msg(wrongPw) != msg(unknown) {
		t.Fatalf("messages differ: %q vs %q (user enumeration)", msg(wrongPw), msg(unknown))
	}

	t.Run("BadInput", func(t *testing.T) {
		if st, b := e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": "", "password": ""}); st != 422 || fieldsOf(b)["email"] == nil {
			t.Fatalf("empty login = %d %v; want 422 naming email", st, b)
		}
		if st, b := e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": map[string]any{"$ne": ""}, "password": "x"}); st != 400 || fieldsOf(b)["email"] == nil {
			t.Fatalf("operator injection = %d %v; want 400 naming email", st, b)
		}
		if st, _ := e.do("POST", "/api/v1/auth/token", "", "email=a&password=b"); st != 400 {
			t.Fatalf("form body = %d; want 400", st)
		}
	})

	t.Run("AccountLocksAfterFiveFailures", func(t *testing.T) {
		// One failure above already; four more reach the limit.
		for i := 0; i < 4; i++ {
			e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": "w@example.nl", "password": "wrong password!"})
		}
		st, b := e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": "w@example.nl", "password": "correct horse battery"})
		if st != 429 {
			t.Fatalf("correct password on a locked account = %d %v; want 429", st, b)
		}
	})

	t.Run("IPLimited", func(t *testing.T) {
		var last int
		for i := 0; i < 25; i++ {
			last, _ = e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": "x" + strings.Repeat("y", i) + "@example.nl", "password": "whatever123456"})
		}
		if last != 429 {
			t.Fatalf("25th attempt from one IP = %d; want 429", last)
		}
	})
}

func TestBearer(t *testing.T) {
	e := newEnv(t)
	_, tok := e.user(users.Mentor, "m@example.nl")
	tests := []struct {
		name, header string
		want         int
	}{
		{"Valid", "Bearer " + tok, 200},
		{"WrongScheme", "Basic " + tok, 401},
		{"Garbage", "Bearer hst_nonsense", 401},
		{"Empty", "Bearer ", 401},
		{"Long", "Bearer " + strings.Repeat("a", 1000), 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, _ := e.do("GET", "/api/v1/users/me", "", nil, "Authorization", tc.header)
			if st != tc.want {
				t.Fatalf("status = %d; want %d", st, tc.want)
			}
		})
	}
	t.Run("RevokedTokenStops", func(t *testing.T) {
		if st, _ := e.do("DELETE", "/api/v1/auth/token", tok, nil); st != 204 {
			t.Fatalf("revoke = %d", st)
		}
		if st, _ := e.do("GET", "/api/v1/users/me", tok, nil); st != 401 {
			t.Fatalf("after revoke = %d; want 401", st)
		}
	})
}

func TestTOTP(t *testing.T) {
	e := newEnv(t)
	_, tok := e.user(users.Coordinator, "c@example.nl")
	st, b := e.do("POST", "/api/v1/auth/totp", tok, nil)
	if st != 201 {
		t.Fatalf("begin: %d %v", st, b)
	}
	secret := b["secret"].(string)
	if !strings.HasPrefix(b["otpauth_url"].(string), "otpauth://totp/Herstart") {
		t.Fatalf("otpauth url = %v", b["otpauth_url"])
	}
	if st, b := e.do("POST", "/api/v1/auth/totp/confirm", tok, map[string]any{"code": "000000"}); st != 422 || fieldsOf(b)["code"] == nil {
		t.Fatalf("wrong code = %d %v; want 422 naming code", st, b)
	}
	// Confirm with the previous step's code, so that the login below can use
	// the current one (each step is accepted once).
	prev, _ := totp.GenerateCode(secret, time.Now().Add(-30*time.Second))
	if st, b := e.do("POST", "/api/v1/auth/totp/confirm", tok, map[string]any{"code": prev}); st != 200 {
		t.Fatalf("confirm: %d %v", st, b)
	}
	login := func(code string) int {
		st, _ := e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": "c@example.nl", "password": "correct horse battery", "totp": code})
		return st
	}
	if st := login(""); st != 401 {
		t.Fatalf("login without code = %d; want 401", st)
	}
	code, _ := totp.GenerateCode(secret, time.Now())
	if st := login(code); st != 201 {
		t.Fatalf("login with code = %d; want 201", st)
	}
	if st := login(code); st != 401 {
		t.Fatalf("replayed code = %d; want 401", st)
	}
	if st, _ := e.do("POST", "/api/v1/auth/totp", tok, nil); st != 409 {
		t.Fatalf("second enrolment = %d; want 409", st)
	}
}

func TestSessionCookieAndCSRF(t *testing.T) {
	e := newEnv(t)
	e.user(users.Coordinator, "c@example.nl")
	resp := e.raw("POST", "/api/v1/auth/session", "", map[string]any{"email": "c@example.nl", "password": "correct horse battery"})
	if resp.StatusCode != 201 {
		t.Fatalf("session login = %d", resp.StatusCode)
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "herstart_session" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || !cookie.Secure || cookie.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie = %+v; want HttpOnly, Secure, SameSite=Strict", cookie)
	}
	var body struct {
		CSRF string `json:"csrf_token"`
	}
	decodeJSON(t, resp, &body)
	ck := "herstart_session=" + cookie.Value
	if st, _ := e.do("GET", "/api/v1/users/me", "", nil, "Cookie", ck); st != 200 {
		t.Fatalf("GET with cookie = %d; want 200", st)
	}
	newUser := map[string]any{"email": "new@example.nl", "password": "a long enough password", "role": "mentor"}
	if st, _ := e.do("POST", "/api/v1/users", "", newUser, "Cookie", ck); st != 403 {
		t.Fatalf("POST with cookie, no CSRF token = %d; want 403", st)
	}
	if st, _ := e.do("POST", "/api/v1/users", "", newUser, "Cookie", ck, "X-CSRF-Token", "forged"); st != 403 {
		t.Fatalf("POST with wrong CSRF token = %d; want 403", st)
	}
	if st, b := e.do("POST", "/api/v1/users", "", newUser, "Cookie", ck, "X-CSRF-Token", body.CSRF); st != 201 {
		t.Fatalf("POST with CSRF token = %d %v; want 201", st, b)
	}
	if st, _ := e.do("DELETE", "/api/v1/auth/session", "", nil, "Cookie", ck, "X-CSRF-Token", body.CSRF); st != 204 {
		t.Fatalf("logout = %d", st)
	}
	if st, _ := e.do("GET", "/api/v1/users/me", "", nil, "Cookie", ck); st != 401 {
		t.Fatalf("cookie after logout = %d; want 401", st)
	}
}

func TestUserCreate(t *testing.T) {
	e := newEnv(t)
	_, coord := e.user(users.Coordinator, "c@example.nl")
	_, worker := e.user(users.ProbationWorker, "w@example.nl")
	ok := map[string]any{"email": "Mentor@Example.nl", "password": "a long enough password", "role": "mentor", "name": "Mo"}
	if st, _ := e.do("POST", "/api/v1/users", worker, ok); st != 403 {
		t.Fatalf("worker creating a user = %d; want 403", st)
	}
	if st, _ := e.do("POST", "/api/v1/users", "", ok); st != 401 {
		t.Fatalf("anonymous creating a user = %d; want 401", st)
	}
	st, b := e.do("POST", "/api/v1/users", coord, ok)
	if st != 201 || b["email"] != "mentor@example.nl" {
		t.Fatalf("create = %d %v; want 201 with the e-mail lower-cased", st, b)
	}
	if st, b := e.do("POST", "/api/v1/users", coord, ok); st != 409 || fieldsOf(b)["email"] == nil {
		t.Fatalf("duplicate = %d %v; want 409 naming email", st, b)
	}
	tests := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"ShortPassword", map[string]any{"email": "a@example.nl", "password": "short", "role": "mentor"}, "password"},
		{"BadRole", map[string]any{"email": "a@example.nl", "password": "a long enough password", "role": "admin"}, "role"},
		{"BadEmail", map[string]any{"email": "not an address", "password": "a long enough password", "role": "mentor"}, "email"},
		{"EmployerWithoutOrg", map[string]any{"email": "a@example.nl", "password": "a long enough password", "role": "employer"}, "employer_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if st, b := e.do("POST", "/api/v1/users", coord, tc.body); st != 422 || fieldsOf(b)[tc.field] == nil {
				t.Fatalf("= %d %v; want 422 naming %s", st, b, tc.field)
			}
		})
	}
	t.Run("NewUserCanLogIn", func(t *testing.T) {
		st, b := e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": "MENTOR@example.nl", "password": "a long enough password"})
		if st != 201 || b["role"] != "mentor" {
			t.Fatalf("login = %d %v", st, b)
		}
	})
}

func TestHealthAndErrors(t *testing.T) {
	e := newEnv(t)
	resp := e.raw("GET", "/healthz", "", nil)
	if resp.StatusCode != 200 || resp.Header.Get("X-Request-Id") == "" || resp.Header.Get("Content-Security-Policy") == "" || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("healthz: %d headers %v", resp.StatusCode, resp.Header)
	}
	if st, _ := e.do("GET", "/readyz", "", nil); st != 200 {
		t.Fatalf("readyz = %d", st)
	}
	mresp := e.raw("GET", "/metrics", "", nil)
	var sb strings.Builder
	buf := make([]byte, 1<<16)
	for {
		n, err := mresp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if !strings.Contains(sb.String(), "herstart_http_requests_total") {
		t.Fatalf("metrics lack the request counter")
	}
	if st, b := e.do("GET", "/api/v1/nothing-here", "", nil); st != 404 || b["error"] == nil {
		t.Fatalf("unknown route = %d %v", st, b)
	}
	// The body limit acts while reading from the connection: use a real one.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = e.app.Listener(ln) }()
	t.Cleanup(func() { _ = e.app.Shutdown() })
	// Announce a 2 MiB body; the server answers before reading it.
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{", 2<<20)
	r, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 413 {
		t.Fatalf("2 MiB body = %d; want 413", r.StatusCode)
	}
}

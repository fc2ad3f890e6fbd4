package api_test

import (
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/herstart/herstart/mail/mailpittest"
	"github.com/herstart/herstart/mail/smtp"
	"github.com/herstart/herstart/users"
)

// mailpit sends the env's mail to Mailpit (cleared first: the package's
// tests run one at a time) and returns it.
func (e *env) mailpit() *mailpittest.Server {
	e.t.Helper()
	mp := mailpittest.Start(e.t)
	mp.Clear(e.t)
	tr, err := smtp.New(mp.URL(), "noreply@herstart.test")
	if err != nil {
		e.t.Fatal(err)
	}
	e.mail.Configure(tr, "https://herstart.test", time.Hour)
	return mp
}

// sendMail runs the mail job once, as serve does every few seconds.
func (e *env) sendMail() {
	e.t.Helper()
	if _, err := e.mail.Send(e.t.Context()); err != nil {
		e.t.Fatalf("send mail: %v", err)
	}
}

var linkRE = regexp.MustCompile(`https://herstart\.test/\S+`)

// codeOf returns the code of the one link in a mail's text.
func codeOf(t *testing.T, m mailpittest.Message) string {
	t.Helper()
	l := linkRE.FindString(m.Text)
	u, err := url.Parse(l)
	if err != nil || u.Query().Get("code") == "" {
		t.Fatalf("no link with a code in %q", m.Text)
	}
	return u.Query().Get("code")
}

// An account made without a password is invited by mail; the link sets
// the password once; of 20 parallel uses of a new link one wins.
func TestInvitation_LinkWorksOnce(t *testing.T) {
	e := newEnv(t)
	mp := e.mailpit()
	_, coord := e.user(users.Coordinator, "coord@example.nl")
	st, u := e.do("POST", "/api/v1/users", coord, map[string]any{"email": "nieuw@example.nl", "name": "Nina Nieuw", "role": "mentor"})
	if st != 201 || u["invited"] != true {
		t.Fatalf("create: %d %v", st, u)
	}
	e.sendMail()
	got := mp.Wait(t, "nieuw@example.nl", 1, 5*time.Second)
	if got[0].Subject != "Uw account op Herstart" || !strings.Contains(got[0].Text, "Beste Nina Nieuw") || !strings.Contains(got[0].Text, "https://herstart.test/uitnodiging?code=") {
		t.Fatalf("invitation: %q\n%s", got[0].Subject, got[0].Text)
	}
	code := codeOf(t, got[0])
	// No password yet: no sign-in, whatever is tried.
	if st, _ := e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": "nieuw@example.nl", "password": ""}); st != 422 {
		t.Errorf("empty password: %d", st)
	}
	if st, _ := e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": "nieuw@example.nl", "password": "whatever it is 123"}); st != 401 {
		t.Errorf("sign-in before the invitation is accepted: %d", st)
	}
	if st, b := e.do("POST", "/api/v1/auth/invitation", "", map[string]any{"code": code, "password": "kort"}); st != 422 || !hasField(b, "password") {
		t.Errorf("short password: %d %v", st, b)
	}
	if st, b := e.do("POST", "/api/v1/auth/invitation", "", map[string]any{"code": code, "password": "mijn eigen wachtwoord"}); st != 204 {
		t.Fatalf("accept: %d %v", st, b)
	}
	if st, b := e.do("POST", "/api/v1/auth/invitation", "", map[string]any{"code": code, "password": "nog een wachtwoord"}); st != 422 || !hasField(b, "code") {
		t.Errorf("second use: %d %v", st, b)
	}
	if st, _ := e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": "nieuw@example.nl", "password": "mijn eigen wachtwoord"}); st != 201 {
		t.Errorf("sign-in with the chosen password: %d", st)
	}
	// Accepted: no more invitations.
	if st, _ := e.do("POST", "/api/v1/users/"+u["id"].(string)+"/invitation", coord, map[string]any{"by": "mail"}); st != 409 {
		t.Errorf("re-invite after acceptance: %d", st)
	}

	// A second account, invited by a link handed over in person; a re-invite
	// ends the older link.
	_, u2 := e.do("POST", "/api/v1/users", coord, map[string]any{"email": "tweede@example.nl", "name": "Tweede", "role": "probation_worker"})
	id2 := u2["id"].(string)
	_, l1 := e.do("POST", "/api/v1/users/"+id2+"/invitation", coord, map[string]any{"by": "link"})
	st, l2 := e.do("POST", "/api/v1/users/"+id2+"/invitation", coord, map[string]any{"by": "link"})
	if st != 201 {
		t.Fatalf("link: %d %v", st, l2)
	}
	old, _ := url.Parse(l1["link"].(string))
	if st, _ := e.do("POST", "/api/v1/auth/invitation", "", map[string]any{"code": old.Query().Get("code"), "password": "mijn eigen wachtwoord"}); st != 422 {
		t.Errorf("the older link: %d, want 422", st)
	}
	cur, _ := url.Parse(l2["link"].(string))
	codes := parallel(20, func(int) int {
		st, _ := e.do("POST", "/api/v1/auth/invitation", "", map[string]any{"code": cur.Query().Get("code"), "password": "mijn eigen wachtwoord"})
		return st
	})
	if codes[204] != 1 || codes[422] != 19 {
		t.Errorf("20 parallel uses of one link: %v, want one 204", codes)
	}
	if st, b := e.do("POST", "/api/v1/users/"+id2+"/invitation", coord, map[string]any{"by": "fax"}); st != 422 || !hasField(b, "by") {
		t.Errorf("by fax: %d %v", st, b)
	}
}

// A reset by link: the same answer for a known and an unknown address, a
// mail only to the known one, and on use every session of the account
// ends.
func TestPasswordReset_RevokesSessionsAndTellsNobody(t *testing.T) {
	e := newEnv(t)
	mp := e.mailpit()
	_, tok := e.user(users.ProbationWorker, "bekend@example.nl")
	_, tok2 := e.user(users.ProbationWorker, "ander@example.nl")
	st1, b1 := e.do("POST", "/api/v1/auth/password-reset", "", map[string]any{"email": "bekend@example.nl"})
	st2, b2 := e.do("POST", "/api/v1/auth/password-reset", "", map[string]any{"email": "onbekend@example.nl"})
	if st1 != 202 || st2 != 202 || b1["message"] != b2["message"] {
		t.Fatalf("known %d %v, unknown %d %v: want the same 202", st1, b1, st2, b2)
	}
	if st, b := e.do("POST", "/api/v1/auth/password-reset", "", map[string]any{"email": "geen adres"}); st != 422 || !hasField(b, "email") {
		t.Errorf("malformed address: %d %v", st, b)
	}
	e.sendMail()
	got := mp.Wait(t, "bekend@example.nl", 1, 5*time.Second)
	if n := len(mp.To(t, "onbekend@example.nl")); n != 0 {
		t.Errorf("%d mails to an address without an account", n)
	}
	if got[0].Subject != "Nieuw wachtwoord voor Herstart" {
		t.Errorf("subject %q", got[0].Subject)
	}
	code := codeOf(t, got[0])
	// Nothing about the address lingers once the unknown one was dropped.
	if n := e.count("mails", map[string]any{"address": "onbekend@example.nl"}); n != 0 {
		t.Errorf("%d mails keep the unknown address", n)
	}
	if st, b := e.do("POST", "/api/v1/auth/password-reset/confirm", "", map[string]any{"code": code, "password": "een nieuw wachtwoord"}); st != 204 {
		t.Fatalf("confirm: %d %v", st, b)
	}
	if st, _ := e.do("GET", "/api/v1/users/me", tok, nil); st != 401 {
		t.Errorf("the old session after a reset: %d, want 401", st)
	}
	if st, _ := e.do("GET", "/api/v1/users/me", tok2, nil); st != 200 {
		t.Errorf("another account's session: %d", st)
	}
	if st, _ := e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": "bekend@example.nl", "password": "correct horse battery"}); st != 401 {
		t.Errorf("the old password: %d", st)
	}
	if st, _ := e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": "bekend@example.nl", "password": "een nieuw wachtwoord"}); st != 201 {
		t.Errorf("the new password: %d", st)
	}
	if st, _ := e.do("POST", "/api/v1/auth/password-reset/confirm", "", map[string]any{"code": code, "password": "nog een ander wachtwoord"}); st != 422 {
		t.Errorf("the link again: %d", st)
	}
	// An invitation's code is no reset code, nor a bearer token.
	if st, _ := e.do("GET", "/api/v1/users/me", code, nil); st != 401 {
		t.Errorf("a link's code as a token: %d", st)
	}
}

// An IP address asks at most 10 resets in 15 minutes; an address gets at
// most 3 mails an hour, with the same answer beyond.
func TestPasswordReset_Limits(t *testing.T) {
	e := newEnv(t)
	mp := e.mailpit()
	e.user(users.Mentor, "vaak@example.nl")
	codes := map[int]int{}
	for range 11 {
		st, _ := e.do("POST", "/api/v1/auth/password-reset", "", map[string]any{"email": "vaak@example.nl"})
		codes[st]++
	}
	if codes[202] != 10 || codes[429] != 1 {
		t.Errorf("11 asks from one address: %v", codes)
	}
	e.sendMail()
	time.Sleep(200 * time.Millisecond)
	if n := len(mp.To(t, "vaak@example.nl")); n != 3 {
		t.Errorf("%d reset mails, want 3", n)
	}
}

// The answer takes as long for an unknown address as for a known one: the
// request does the same steps for both (the mail job decides later).
// Medians over alternating asks, each from an address of its own.
func TestPasswordReset_SameTimeKnownOrNot(t *testing.T) {
	e := newEnv(t)
	e.user(users.Mentor, "tijd@example.nl")
	ctx := t.Context()
	var known, unknown []time.Duration
	for i := range 30 {
		for _, addr := range []string{"tijd@example.nl", "niemand@example.nl"} {
			start := time.Now()
			if err := e.users.RequestReset(ctx, addr, "192.0.2."+strings.Repeat("1", 1+i%3)+string(rune('0'+i%10))); err != nil {
				t.Fatal(err)
			}
			if addr == "tijd@example.nl" {
				known = append(known, time.Since(start))
			} else {
				unknown = append(unknown, time.Since(start))
			}
		}
	}
	mk, mu := median(known), median(unknown)
	t.Logf("reset request, median of 30: known address %v, unknown %v", mk, mu)
	if d := mk - mu; d > 3*time.Millisecond+mu/2 || -d > 3*time.Millisecond+mk/2 {
		t.Errorf("known %v, unknown %v: the time tells them apart", mk, mu)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

// Coordinators list accounts by role and organisation, and reset a lost
// second factor (audited, sessions ended).
func TestAccounts_ListAndTOTPReset(t *testing.T) {
	e := newEnv(t)
	_, coord := e.user(users.Coordinator, "coord@example.nl")
	m, mtok := e.user(users.Mentor, "m@example.nl")
	e.user(users.Employer, "werk@example.nl")
	st, b := e.do("GET", "/api/v1/users?role=mentor", coord, nil)
	if st != 200 || len(b["items"].([]any)) != 1 {
		t.Fatalf("mentors: %d %v", st, b)
	}
	st, b = e.do("GET", "/api/v1/users?employer_id=e_test", coord, nil)
	if st != 200 || len(b["items"].([]any)) != 1 || b["items"].([]any)[0].(map[string]any)["email"] != "werk@example.nl" {
		t.Fatalf("employer e_test: %d %v", st, b)
	}
	if st, b := e.do("GET", "/api/v1/users?role=baas", coord, nil); st != 422 || !hasField(b, "role") {
		t.Errorf("unknown role: %d %v", st, b)
	}
	if st, _ := e.do("GET", "/api/v1/users", mtok, nil); st != 403 {
		t.Errorf("a mentor lists accounts: %d", st)
	}
	if st, b := e.do("POST", "/api/v1/users/"+string(m.ID)+"/totp-reset", coord, nil); st != 200 {
		t.Fatalf("totp reset: %d %v", st, b)
	}
	if st, _ := e.do("GET", "/api/v1/users/me", mtok, nil); st != 401 {
		t.Errorf("the mentor's session after the reset: %d", st)
	}
	if n := e.count("audit_events", map[string]any{"action": users.ActionTOTPReset}); n != 1 {
		t.Errorf("%d audit events of the reset", n)
	}
}

func hasField(b map[string]any, name string) bool {
	_, ok := fieldsOf(b)[name]
	return ok
}

// Every kind of mail, as Mailpit received it: its subject and link, and
// not one detail of the candidate in any body.
func TestMail_EveryKindWithoutCandidateData(t *testing.T) {
	e := newPlacedEnv(t)
	mp := e.mailpit()
	ctx := t.Context()
	_, coord := e.user(users.Coordinator, "coord@example.nl")
	e.do("POST", "/api/v1/users", coord, map[string]any{"email": "uitgenodigd@example.nl", "name": "Uma", "role": "mentor"})
	e.do("POST", "/api/v1/auth/password-reset", "", map[string]any{"email": "mentor@example.nl"})
	// A check-in due tomorrow, for the mentor's reminder: the day before
	// the first one.
	_, pl := e.do("GET", "/api/v1/placements/"+e.pid, e.mentorTok, nil)
	first, _ := time.Parse(time.RFC3339, pl["schedule"].([]any)[0].(map[string]any)["due_date"].(string))
	e.on(first.AddDate(0, 0, -1))
	if _, err := e.platform.Reminders(ctx, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	e.sendMail()
	time.Sleep(300 * time.Millisecond)
	all := mp.Messages(t)
	kinds := map[string]bool{}
	for _, m := range all {
		link := linkRE.FindString(m.Text)
		t.Logf("to %s: %q, link %s", m.To[0].Address, m.Subject, link)
		if link == "" {
			t.Errorf("no link in %q", m.Subject)
		}
		for _, leak := range []string{"Sem", "de Vries", "sem@example.nl", "+31 6 12345678", "Dorpsstraat", "1995-04-12", e.cand} {
			if strings.Contains(m.Text, leak) || strings.Contains(m.Subject, leak) {
				t.Errorf("mail %q holds %q:\n%s", m.Subject, leak, m.Text)
			}
		}
		switch {
		case strings.HasPrefix(m.Subject, "Uw account"):
			kinds["invitation"] = true
		case strings.HasPrefix(m.Subject, "Nieuw wachtwoord"):
			kinds["reset"] = true
		case strings.Contains(m.Text, "check-in morgen"):
			kinds["reminder"] = true
		case strings.Contains(m.Text, "introductie"):
			kinds["introduction"] = true
		}
	}
	for _, k := range []string{"invitation", "reset", "reminder", "introduction"} {
		if !kinds[k] {
			t.Errorf("no %s mail among %d", k, len(all))
		}
	}
}

// The reminders job records each kind once, however often it runs: a
// mentor's overdue check-in, an employer waiting for vetting (to each
// coordinator), a candidate whose availability is on day 26 of 30 (to
// their worker).
func TestReminders_EachKindOnce(t *testing.T) {
	e := newPlacedEnv(t)
	ctx := t.Context()
	pending, _ := e.employer("wachtend")
	avail := e.candidate("Utrecht", 10, []string{"schoonmaken"}, nil)
	_, pl := e.do("GET", "/api/v1/placements/"+e.pid, e.mentorTok, nil)
	first, _ := time.Parse(time.RFC3339, pl["schedule"].([]any)[0].(map[string]any)["due_date"].(string))
	e.on(first.AddDate(0, 0, 2))
	for range 3 {
		if _, err := e.platform.Reminders(ctx, time.Now().Add(26*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	count := func(kind string) int { return e.count("mail_notices", map[string]any{"kind": kind}) }
	coordinators := e.count("users", map[string]any{"role": "coordinator"})
	if n := count("reminder.checkin_overdue"); n != 1 {
		t.Errorf("%d overdue check-in reminders, want 1", n)
	}
	if n := count("reminder.vetting"); n != coordinators || n == 0 {
		t.Errorf("%d vetting reminders for %d coordinators (employer %s)", n, coordinators, pending)
	}
	if n := count("reminder.availability"); n < 1 {
		t.Errorf("%d availability reminders, want one for %s", n, avail)
	}
	if n := e.count("mail_notices", map[string]any{"kind": "reminder.availability", "user": map[string]any{"$ne": ""}}); n != count("reminder.availability") {
		t.Errorf("availability reminders without a worker")
	}
}

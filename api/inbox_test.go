package api_test

import (
	"strings"
	"testing"

	"github.com/herstart/herstart/users"
)

// TestInbox: a registration with an existing account's address reaches
// that account's inbox (the applicant's answer does not tell); the owner
// reads it in their language and marks it read; nobody else can.
func TestInbox(t *testing.T) {
	e := newEnv(t)
	_, owner := e.user(users.ProbationWorker, "eigenaar@example.nl")
	_, other := e.user(users.Mentor, "ander@example.nl")
	if st, _ := e.do("POST", "/api/v1/employers", "", registration("91000001", "eigenaar@example.nl")); st != 201 {
		t.Fatalf("registration with a taken address = %d; want 201", st)
	}
	st, b := e.do("GET", "/api/v1/inbox", owner, nil)
	items, _ := b["items"].([]any)
	if st != 200 || b["unread"] != float64(1) || len(items) != 1 {
		t.Fatalf("owner's inbox = %d %v; want one unread message", st, b)
	}
	msg := items[0].(map[string]any)
	if msg["kind"] != "registration_email_taken" || !strings.Contains(msg["text"].(string), "e-mailadres") {
		t.Fatalf("message = %v; want the Dutch text", msg)
	}
	_, en := e.do("GET", "/api/v1/inbox", owner, nil, "Accept-Language", "en")
	if txt := en["items"].([]any)[0].(map[string]any)["text"].(string); !strings.Contains(txt, "e-mail address") {
		t.Fatalf("English text = %q", txt)
	}
	id := msg["id"].(string)
	if st, _ := e.do("POST", "/api/v1/inbox/"+id+"/read", other, nil); st != 404 {
		t.Fatalf("another user marking the message = %d; want 404", st)
	}
	if st, _ := e.do("GET", "/api/v1/inbox", "", nil); st != 401 {
		t.Fatalf("anonymous inbox = %d; want 401", st)
	}
	for _, bad := range []string{"m_nosuchmessage1", "x", "%24ne"} {
		if st, _ := e.do("POST", "/api/v1/inbox/"+bad+"/read", owner, nil); st != 404 {
			t.Fatalf("marking %q = %d; want 404", bad, st)
		}
	}
	if st, _ := e.do("POST", "/api/v1/inbox/"+id+"/read", owner, nil); st != 204 {
		t.Fatalf("owner marking the message = %d; want 204", st)
	}
	if _, b := e.do("GET", "/api/v1/inbox", owner, nil); b["unread"] != float64(0) || b["items"].([]any)[0].(map[string]any)["read_at"] == nil {
		t.Fatalf("after marking: %v", b)
	}
	if _, b := e.do("GET", "/api/v1/inbox", other, nil); b["unread"] != float64(0) || len(b["items"].([]any)) != 0 {
		t.Fatalf("the other user's inbox = %v; want empty", b)
	}
	if st, _ := e.do("POST", "/api/v1/inbox/read", other, nil); st != 204 {
		t.Fatalf("marking an empty inbox read = %d; want 204", st)
	}
}

package api_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/herstart/herstart/users"
)

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// A candidate invited by a printed code chooses a password, signs in with
// the login on the sheet and sees their own card, what each level adds,
// their introductions and who saw what; they confirm their availability.
// They reach nothing of anyone else.
func TestSelf_InvitedByCodeSeesOwnPage(t *testing.T) {
	e := newIntroEnv(t)
	// The employer reads the card once: the log shows it.
	if st, _ := e.do("GET", "/api/v1/cards/"+e.cand, e.empTok, nil); st != 200 {
		t.Fatalf("card: %d", st)
	}
	st, in := e.do("POST", "/api/v1/candidates/"+e.cand+"/account", e.worker, map[string]any{})
	if st != 201 || in["by_mail"] != false || !strings.HasSuffix(in["login"].(string), "@kandidaat.invalid") {
		t.Fatalf("invite: %d %v", st, in)
	}
	link, _ := url.Parse(in["link"].(string))
	if st, b := e.do("POST", "/api/v1/auth/invitation", "", map[string]any{"code": link.Query().Get("code"), "password": "mijn eigen wachtwoord"}); st != 204 {
		t.Fatalf("accept: %d %v", st, b)
	}
	st, tok := e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": in["login"], "password": "mijn eigen wachtwoord"})
	if st != 201 || tok["role"] != "candidate" {
		t.Fatalf("sign-in: %d %v", st, tok)
	}
	cand := tok["token"].(string)
	st, self := e.do("GET", "/api/v1/self", cand, nil)
	if st != 200 {
		t.Fatalf("self: %d %v", st, self)
	}
	card := self["card"].(map[string]any)
	if card["id"] != e.cand || card["place"] != "Utrecht" {
		t.Errorf("own card: %v", card)
	}
	raw := strings.Join(strings.Fields(strings.ReplaceAll(toJSON(self), "\"", " ")), " ")
	for _, leak := range []string{"de Vries", "sem@example.nl", "Dorpsstraat"} {
		if strings.Contains(raw, leak) {
			t.Errorf("the card shows %q, which employers do not see", leak)
		}
	}
	disclosed := 0
	for _, d := range self["disclosures"].([]any) {
		if d.(map[string]any)["what"] == "disclosed" {
			disclosed++
		}
	}
	if disclosed != 1 {
		t.Errorf("the log shows %d reads by the employer, want 1: %v", disclosed, self["disclosures"])
	}
	if lv := self["levels"].(map[string]any); len(lv) != 2 {
		t.Errorf("levels: %v", lv)
	}
	if st, b := e.do("POST", "/api/v1/self/confirm-availability", cand, nil); st != 200 || b["status"] != "available" {
		t.Errorf("confirm: %d %v", st, b)
	}
	// Nothing of anyone else, and no worker's step.
	for _, p := range []string{"/api/v1/candidates/" + e.cand, "/api/v1/candidates", "/api/v1/cards/" + e.cand, "/api/v1/introductions", "/api/v1/placements", "/api/v1/search/candidates?q=orderpicken", "/api/v1/agenda"} {
		if st, _ := e.do("GET", p, cand, nil); st != 403 {
			t.Errorf("GET %s as the candidate: %d, want 403", p, st)
		}
	}
	if st, _ := e.do("POST", "/api/v1/candidates/"+e.cand+"/confirm-availability", cand, nil); st != 403 {
		t.Errorf("the worker's confirm as the candidate: %d", st)
	}
	// Invited again after choosing a password: a reset, not a new account.
	if st, _ := e.do("POST", "/api/v1/candidates/"+e.cand+"/account", e.worker, map[string]any{}); st != 409 {
		t.Errorf("invite again: %d", st)
	}
	// Another worker's candidate is not theirs to invite.
	other := e.candidate("Utrecht", 10, []string{"schoonmaken"}, nil)
	_, w2 := e.user(users.ProbationWorker, "w2@example.nl")
	if st, _ := e.do("POST", "/api/v1/candidates/"+other+"/account", w2, map[string]any{}); st != 404 {
		t.Errorf("another worker invites: %d", st)
	}
}

// Twenty invitations of one candidate at once: one account.
func TestSelf_ParallelInvitesOneAccount(t *testing.T) {
	e := newIntroEnv(t)
	codes := parallel(20, func(int) int {
		st, _ := e.do("POST", "/api/v1/candidates/"+e.cand+"/account", e.worker, map[string]any{})
		return st
	})
	if n := e.count("users", map[string]any{"candidate_id": e.cand}); n != 1 {
		t.Errorf("%d accounts for one candidate (answers %v)", n, codes)
	}
	if codes[201] < 1 || codes[201]+codes[409] != 20 {
		t.Errorf("answers %v", codes)
	}
}

// ownPage invites the candidate to a page of their own, chooses their
// password and returns their token.
func (e *introEnv) ownPage() string {
	e.t.Helper()
	_, in := e.do("POST", "/api/v1/candidates/"+e.cand+"/account", e.worker, map[string]any{})
	link, _ := url.Parse(in["link"].(string))
	e.do("POST", "/api/v1/auth/invitation", "", map[string]any{"code": link.Query().Get("code"), "password": "mijn eigen wachtwoord"})
	_, tok := e.do("POST", "/api/v1/auth/token", "", map[string]any{"email": in["login"], "password": "mijn eigen wachtwoord"})
	return tok["token"].(string)
}

// The candidate's confirmation keeps their worker's caseload as it was:
// the entry still names them.
func TestSelf_ConfirmKeepsTheCaseloadName(t *testing.T) {
	e := newIntroEnv(t)
	if st, b := e.do("POST", "/api/v1/self/confirm-availability", e.ownPage(), nil); st != 200 {
		t.Fatalf("confirm: %d %v", st, b)
	}
	_, list := e.do("GET", "/api/v1/candidates", e.worker, nil)
	found := 0
	for _, it := range list["items"].([]any) {
		if m := it.(map[string]any); m["id"] == e.cand {
			found++
			if m["display_name"] != "Sem d." {
				t.Errorf("the caseload names the candidate %q after their own confirmation", m["display_name"])
			}
		}
	}
	if found != 1 {
		t.Errorf("the candidate is %d times in the caseload", found)
	}
}

// The candidate's walk: an employer would like to meet them; the candidate
// consents on their own page and the employer's card rises to level 1;
// they withdraw it and it falls to the card again; their disclosure log
// shows what the employer saw, with the consent given by themself.
func TestSelf_ConsentGivenAndWithdrawnByTheCandidate(t *testing.T) {
	e := newIntroEnv(t)
	cand := e.ownPage()
	st, intro := e.do("POST", "/api/v1/introductions", e.empTok, map[string]any{"candidate_id": e.cand, "vacancy_id": e.vacancy})
	if st != 201 {
		t.Fatalf("employer's request: %d %v", st, intro)
	}
	id := intro["id"].(string)
	// Told in their messages (and so in their next digest), without details.
	_, box := e.do("GET", "/api/v1/inbox", cand, nil)
	if items := box["items"].([]any); len(items) != 1 || items[0].(map[string]any)["subject"] != "self:introduction" {
		t.Errorf("the candidate's messages: %v", box)
	}
	_, self := e.do("GET", "/api/v1/self", cand, nil)
	ins := self["introductions"].([]any)
	if len(ins) != 1 || ins[0].(map[string]any)["state"] != "employer_interested" || ins[0].(map[string]any)["employer"] == "" {
		t.Fatalf("the candidate's introductions: %v", ins)
	}
	// Steps that are not theirs, and introductions not theirs.
	if st, _ := e.do("POST", "/api/v1/introductions/"+id+"/interview", cand, map[string]any{}); st != 403 {
		t.Errorf("the candidate plans an interview: %d", st)
	}
	if level, _ := e.cardLevel(); level != 0 {
		t.Fatalf("before consent: level %d", level)
	}
	if st, b := e.do("POST", "/api/v1/introductions/"+id+"/consent", cand, nil); st != 200 || b["state"] != "candidate_consented" {
		t.Fatalf("the candidate consents: %d %v", st, b)
	}
	if level, _ := e.cardLevel(); level != 1 {
		t.Fatalf("after the candidate's consent: level %d, want 1", level)
	}
	_, self = e.do("GET", "/api/v1/self", cand, nil)
	ks := self["consents"].([]any)
	if len(ks) != 1 || ks[0].(map[string]any)["by_candidate"] != true {
		t.Fatalf("the candidate's consents: %v", ks)
	}
	cid := ks[0].(map[string]any)["id"].(string)
	if st, b := e.do("POST", "/api/v1/self/consents/"+cid+"/withdraw", cand, nil); st != 200 || b["active"] != false {
		t.Fatalf("withdraw: %d %v", st, b)
	}
	if level, _ := e.cardLevel(); level != 0 {
		t.Fatalf("after the withdrawal: level %d, want 0", level)
	}
	if st, _ := e.do("POST", "/api/v1/self/consents/"+cid+"/withdraw", cand, nil); st != 409 {
		t.Errorf("withdraw twice: %d", st)
	}
	_, self = e.do("GET", "/api/v1/self", cand, nil)
	var kinds []string
	for _, d := range self["disclosures"].([]any) {
		m := d.(map[string]any)
		level, _ := m["level"].(string)
		kinds = append(kinds, m["what"].(string)+"/"+level)
	}
	log := strings.Join(kinds, " ")
	for _, want := range []string{"disclosed/1", "consent_withdrawn/", "disclosed/0", "introduction_candidate_consented/"} {
		if !strings.Contains(log, want) {
			t.Errorf("the candidate's log lacks %s: %s", want, log)
		}
	}
}

// An erased candidate's own account goes with them: no sign-in, no address
// kept.
func TestSelf_ErasureDeletesTheAccount(t *testing.T) {
	e := newIntroEnv(t)
	_, in := e.do("POST", "/api/v1/candidates/"+e.cand+"/account", e.worker, map[string]any{"email": "sem.eigen@example.nl"})
	if in["by_mail"] != true {
		t.Fatalf("invite by mail: %v", in)
	}
	if n := e.count("users", map[string]any{"email": "sem.eigen@example.nl"}); n != 1 {
		t.Fatalf("%d accounts", n)
	}
	if st, b := e.do("DELETE", "/api/v1/candidates/"+e.cand, e.worker, map[string]any{"confirm": true}); st != 200 {
		t.Fatalf("erase: %d %v", st, b)
	}
	if n := e.count("users", map[string]any{"email": "sem.eigen@example.nl"}); n != 0 {
		t.Errorf("%d accounts keep the erased candidate's address", n)
	}
	if n := e.count("user_candidates", map[string]any{"_id": e.cand}); n != 0 {
		t.Errorf("the candidate's account key is kept")
	}
}

// TestSelf_SharesContactWithTheirEmployer: a placed candidate lets their
// employer see level 2 on their own page; the card then names them and
// their probation contact. Twice is a conflict, a placement not theirs is
// not found, and after the placement ends there is nothing to share.
// Twenty at once (a double tap, twenty times) record one consent.
func TestSelf_SharesContactWithTheirEmployer(t *testing.T) {
	e := newIntroEnv(t)
	cand := e.ownPage()
	id := e.interview(e.empTok, e.vacancy)
	b := e.step(e.empTok, id, "place", placeBody(), 200)
	pid := b["placement_id"].(string)
	// Told in their messages that they may say so.
	_, box := e.do("GET", "/api/v1/inbox", cand, nil)
	asked := false
	for _, it := range box["items"].([]any) {
		asked = asked || it.(map[string]any)["subject"] == "self:contact"
	}
	if !asked {
		t.Errorf("the hired candidate's messages do not ask about level 2: %v", box)
	}
	_, self := e.do("GET", "/api/v1/self", cand, nil)
	if pl, _ := self["placement"].(map[string]any); pl["id"] != pid || pl["employer"] == "" {
		t.Fatalf("the candidate's own view of their placement: %v", self["placement"])
	}
	if level, _ := e.cardLevel(); level != 1 {
		t.Fatalf("placed, before the candidate shares: level %d; want 1", level)
	}
	if st, _ := e.do("POST", "/api/v1/self/placements/p_aaaaaaaaaaaaaaaa/share-contact", cand, nil); st != 404 {
		t.Errorf("a placement that is not theirs: %d; want 404", st)
	}
	if st, _ := e.do("POST", "/api/v1/self/placements/"+pid+"/share-contact", e.worker, nil); st != 403 {
		t.Errorf("the worker on the candidate's route: %d; want 403", st)
	}
	got := parallel(racers, func(int) int {
		st, _ := e.do("POST", "/api/v1/self/placements/"+pid+"/share-contact", cand, nil)
		return st
	})
	if got[201] != 1 || got[409] != racers-1 {
		t.Fatalf("20 parallel shares: %v; want one 201 and 19 409", got)
	}
	if n, _ := e.liveConsents(e.emp, 2); n != 1 {
		t.Fatalf("%d level-2 consents in force; want 1", n)
	}
	st, card := e.do("GET", "/api/v1/cards/"+e.cand, e.empTok, nil)
	view, _ := card["candidate"].(map[string]any)
	contact, _ := view["probation_contact"].(map[string]any)
	if st != 200 || card["level"] != float64(2) || view["last_name"] != "de Vries" || contact["email"] == nil {
		t.Fatalf("the employer's card after the candidate shared: %d %v", st, card)
	}
	if st, b := e.do("POST", "/api/v1/placements/"+pid+"/end", e.empTok, map[string]any{"reason": "resigned"}); st != 200 {
		t.Fatalf("end: %d %v", st, b)
	}
	if st, _ := e.do("POST", "/api/v1/self/placements/"+pid+"/share-contact", cand, nil); st != 404 {
		t.Errorf("an ended placement: %d; want 404", st)
	}
}

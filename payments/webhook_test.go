package payments_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/payments"
	stripegw "github.com/herstart/herstart/payments/stripe"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/store/storetest"
	"github.com/herstart/herstart/users"
)

const secret = "whsec_test_herstart"

func event(id, typ string, created int64, object map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"id": id, "object": "event", "type": typ, "created": created, "api_version": stripegw.APIVersion,
		"data": map[string]any{"object": object}})
	return b
}

func signed(payload []byte, key string) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: key}).Header
}

// TestWebhook: a bad signature is 400 and changes nothing; a replayed
// event changes nothing; events out of order do not move anything back.
func TestWebhook(t *testing.T) {
	db := storetest.Open(t)
	st := payments.NewStore(db)
	ctx := context.Background()
	scheme, err := payments.SeedApproved(ctx, st, "e_hook", "acct_hook", 2, 10_000)
	if err != nil {
		t.Fatal(err)
	}
	svc := payments.NewService(st, nil, audit.NewRecorder(db, nil), store.NewOutbox(db, nil), nil)
	svc.ParseEvent = stripegw.ParseEvent(secret)
	coord := users.WithActor(ctx, users.Actor{UserID: "u_c1", Role: users.Coordinator})
	acct := func() bool {
		v, err := svc.SetBank(coord, "e_hook", payments.BankInput{IBAN: "NL91ABNA0417164300", Holder: "Hook BV"})
		if err != nil {
			t.Fatal(err)
		}
		return v.PayoutsEnabled
	}
	updated := func(id string, created int64, enabled bool) []byte {
		return event(id, "account.updated", created, map[string]any{"id": "acct_hook", "object": "account", "payouts_enabled": enabled})
	}
	// Bad signatures: another secret, a tampered body, none at all.
	body := updated("evt_1", 100, false)
	for name, sig := range map[string]string{"other secret": signed(body, "whsec_other"), "none": "", "garbage": "t=1,v1=00"} {
		if err := svc.Webhook(ctx, body, sig); !apperr.Is(err, apperr.BadRequest) {
			t.Fatalf("%s: %v; want 400", name, err)
		}
	}
	// A correct signature whose timestamp lies an hour ahead: refused (the
	// tolerance holds both ways).
	future := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret, Timestamp: time.Now().Add(time.Hour)}).Header
	if err := svc.Webhook(ctx, body, future); !apperr.Is(err, apperr.BadRequest) {
		t.Fatalf("a timestamp an hour ahead: %v; want 400", err)
	}
	tampered := updated("evt_1", 100, true)
	if err := svc.Webhook(ctx, tampered, signed(body, secret)); !apperr.Is(err, apperr.BadRequest) {
		t.Fatalf("tampered body: %v", err)
	}
	if !acct() {
		t.Fatal("a refused webhook changed the account")
	}
	// In order: disabled at 100. Then an older one (enabled, at 50) arrives late: ignored.
	if err := svc.Webhook(ctx, body, signed(body, secret)); err != nil {
		t.Fatal(err)
	}
	if acct() {
		t.Fatal("account.updated (payouts disabled) not applied")
	}
	late := updated("evt_0", 50, true)
	if err := svc.Webhook(ctx, late, signed(late, secret)); err != nil {
		t.Fatal(err)
	}
	if acct() {
		t.Fatal("an older account.updated moved the account back")
	}
	newer := updated("evt_2", 200, true)
	if err := svc.Webhook(ctx, newer, signed(newer, secret)); err != nil || !acct() {
		t.Fatalf("a newer account.updated: %v", err)
	}
	// Another API version is refused (the endpoint is pinned to ours).
	var m map[string]any
	_ = json.Unmarshal(newer, &m)
	m["api_version"], m["id"] = "2025-01-27.acacia", "evt_v"
	other, _ := json.Marshal(m)
	if err := svc.Webhook(ctx, other, signed(other, secret)); !apperr.Is(err, apperr.BadRequest) {
		t.Fatalf("another API version: %v", err)
	}
	// Transfers out of order: the reversal arrives before the creation.
	list, _ := svc.Payouts(coord)
	var ids []string
	for _, p := range list {
		ids = append(ids, p.ID)
	}
	if len(ids) != 2 {
		t.Fatalf("payouts %v", list)
	}
	submit(t, svc, ids[0])
	tr := func(id, typ string, payout string) []byte {
		return event(id, typ, 300, map[string]any{"id": "tr_1", "object": "transfer", "amount": 10_000, "currency": "eur", "metadata": map[string]string{"payout_id": payout}})
	}
	rev := tr("evt_r", "transfer.reversed", ids[0])
	if err := svc.Webhook(ctx, rev, signed(rev, secret)); err != nil {
		t.Fatal(err)
	}
	created := tr("evt_c", "transfer.created", ids[0])
	if err := svc.Webhook(ctx, created, signed(created, secret)); err != nil {
		t.Fatal(err)
	}
	p, _ := svc.Payout(coord, ids[0])
	if p.State != payments.Failed {
		t.Fatalf("after a reversal then a late creation the payout is %s; want failed", p.State)
	}
	// A replay of the reversal after a retry changes nothing.
	if _, err := svc.Retry(coord, ids[0]); err != nil {
		t.Fatal(err)
	}
	if err := svc.Webhook(ctx, rev, signed(rev, secret)); err != nil {
		t.Fatal(err)
	}
	if p, _ := svc.Payout(coord, ids[0]); p.State != payments.Approved {
		t.Fatalf("a replayed event changed the payout: %s", p.State)
	}
	// The other payout: paid (its transfer.created), then reversed: the
	// money came back, and the ledger still balances with nothing paid.
	submit(t, svc, ids[1])
	c1 := tr("evt_c1", "transfer.created", ids[1])
	if err := svc.Webhook(ctx, c1, signed(c1, secret)); err != nil {
		t.Fatal(err)
	}
	if p, _ := svc.Payout(coord, ids[1]); p.State != payments.Paid {
		t.Fatalf("after transfer.created: %s", p.State)
	}
	if b, _ := svc.Balance(coord, scheme); !b.Balanced || b.PaidCents != 10_000 {
		t.Fatalf("balance after one paid: %+v", b)
	}
	r1 := tr("evt_r1", "transfer.reversed", ids[1])
	if err := svc.Webhook(ctx, r1, signed(r1, secret)); err != nil {
		t.Fatal(err)
	}
	bal, err := svc.Balance(coord, scheme)
	if err != nil || !bal.Balanced || bal.PaidCents != 0 || bal.CommittedCents != 20_000 {
		t.Fatalf("balance after the reversal %+v %v", bal, err)
	}
	t.Logf("ledger of %s: %d entries", ids[0], len(p.Ledger))
}

// submit moves an approved payout to submitted, as the worker does before
// its transfer (through a gateway that never answers).
func submit(t *testing.T, svc *payments.Service, id string) {
	t.Helper()
	svc.Gateway = stuck{}
	defer func() { svc.Gateway = nil }()
	if _, err := svc.Submit(context.Background()); err == nil {
		t.Fatal("the stuck gateway answered")
	}
	coord := users.WithActor(context.Background(), users.Actor{UserID: "u_c1", Role: users.Coordinator})
	if p, _ := svc.Payout(coord, id); p.State != payments.Submitted {
		t.Fatalf("payout %s is %s; want submitted", id, p.State)
	}
}

type stuck struct{}

func (stuck) CreateAccount(context.Context, string, string) (string, error) {
	return "", fmt.Errorf("down")
}
func (stuck) OnboardingLink(context.Context, string, string) (string, error) {
	return "", fmt.Errorf("down")
}
func (stuck) Transfer(context.Context, payments.Transfer) (string, error) {
	return "", fmt.Errorf("network down")
}
func (stuck) Transfers(context.Context) ([]payments.Transfer, error) { return nil, fmt.Errorf("down") }

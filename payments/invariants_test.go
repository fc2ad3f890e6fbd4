package payments_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/payments"
	stripegw "github.com/herstart/herstart/payments/stripe"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/store/storetest"
	"github.com/herstart/herstart/users"
)

// sepaService is a payments service over a fresh database with n approved
// payouts of €1,000 for one employer whose bank account is known.
func sepaService(t *testing.T, n int) (*payments.Service, *payments.Store, context.Context, string) {
	t.Helper()
	db := storetest.Open(t)
	st := payments.NewStore(db)
	ctx := context.Background()
	scheme, err := payments.SeedApproved(ctx, st, "e_sepa", "acct_sepa", n, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	svc := payments.NewService(st, nil, audit.NewRecorder(db, nil), store.NewOutbox(db, nil), nil)
	svc.ParseEvent = stripegw.ParseEvent(secret)
	svc.Debtor = payments.Party{Name: "Stichting Herstart", IBAN: "NL91ABNA0417164300"}
	coord := users.WithActor(ctx, users.Actor{UserID: "u_c1", Role: users.Coordinator})
	if _, err := svc.SetBank(coord, "e_sepa", payments.BankInput{IBAN: "NL20INGB0001234567", Holder: "Sepa BV"}); err != nil {
		t.Fatal(err)
	}
	return svc, st, coord, scheme
}

// TestInvariant_PayoutPaidOnce: a payout paid from a SEPA file receives a
// correctly signed transfer.reversed whose metadata names it (it never had
// a transfer). Nothing moves: it stays paid, cannot be retried, is in no
// second file, and the ledger balances. Before, the payout turned failed,
// was retried, exported again and marked paid again: two files paid
// €1,000 each while reconcile said "ledger balanced". Then a ledger that
// such a bug left (forged here) is reported: paid twice, in two files.
func TestInvariant_PayoutPaidOnce(t *testing.T) {
	svc, st, coord, scheme := sepaService(t, 1)
	x, err := svc.Export(coord)
	if err != nil || len(x.Payouts) != 1 {
		t.Fatalf("export: %+v %v", x, err)
	}
	id := x.Payouts[0]
	if _, err := svc.MarkPaid(coord, id, payments.PaidInput{BankReference: "NL-BANK-1"}); err != nil {
		t.Fatal(err)
	}
	rev := event("evt_forged", "transfer.reversed", time.Now().Unix(), map[string]any{"id": "tr_forged", "object": "transfer", "amount": 100_000, "currency": "eur",
		"metadata": map[string]string{"payout_id": id}})
	if err := svc.Webhook(context.Background(), rev, signed(rev, secret)); err != nil {
		t.Fatal(err)
	}
	p, _ := svc.Payout(coord, id)
	if p.State != payments.Paid {
		t.Fatalf("a reversal of a transfer the payout never had moved it to %s; want paid", p.State)
	}
	if _, err := svc.Retry(coord, id); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("retry of a paid payout: %v; want 409", err)
	}
	if _, err := svc.Export(coord); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a second export: %v; want 409 (nothing to export)", err)
	}
	if b, err := svc.Balance(coord, scheme); err != nil || !b.Balanced || b.PaidCents != 100_000 {
		t.Fatalf("balance: %+v %v", b, err)
	}
	// What the old code let happen, written by hand: the reconciliation
	// must not call it balanced.
	now := time.Now().UTC()
	err = payments.Forge(context.Background(), st, id, payments.Paid, "x_second0000000",
		payments.Entry{At: now, By: "stripe", State: payments.Failed, AmountCents: 100_000, Reference: "transfer reversed tr_forged"},
		payments.Entry{At: now, By: "u_c1", State: payments.Approved, AmountCents: 100_000, Reference: "retry"},
		payments.Entry{At: now, By: "u_c1", State: payments.Exported, AmountCents: 100_000, Reference: "SEPA file x_second0000000"},
		payments.Entry{At: now, By: "u_c1", State: payments.Paid, AmountCents: 100_000, Reference: "bank NL-BANK-2"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := svc.Balance(coord, scheme)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("balance of the forged ledger: %v", b.Problems)
	all := strings.Join(b.Problems, "; ")
	if b.Balanced || !strings.Contains(all, "paid twice") || !strings.Contains(all, "left in 2 SEPA files") {
		t.Fatalf("a payout paid twice from two files: %+v", b)
	}
}

// TestInvariant_OneExport: 20 parallel exports of 5 approved payouts. One
// file holds all five; the others are 409 and leave no file. Before, the
// other exports answered 201 with an empty file that was then 404, and
// concurrent ones could split the payouts over several files.
func TestInvariant_OneExport(t *testing.T) {
	svc, st, coord, _ := sepaService(t, 5)
	var mu sync.Mutex
	var files []payments.ExportView
	conflicts := 0
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			x, err := svc.Export(coord)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				files = append(files, x)
			case apperr.Is(err, apperr.Conflict):
				conflicts++
			default:
				t.Errorf("export: %v", err)
			}
		}()
	}
	close(start)
	wg.Wait()
	t.Logf("20 parallel exports: %d files, %d conflicts", len(files), conflicts)
	paid := 0
	for _, f := range files {
		if len(f.Payouts) == 0 {
			t.Errorf("an export answered with an empty file %s", f.ID)
		}
		paid += len(f.Payouts)
	}
	if paid != 5 || len(files) != 1 || conflicts != 19 {
		t.Fatalf("%d payouts in %d files, %d conflicts; want the 5 payouts in one file and 19 conflicts", paid, len(files), conflicts)
	}
	n, err := st.Exports().CountDocuments(context.Background(), bson.M{})
	if err != nil || int(n) != len(files) {
		t.Fatalf("%d export documents in the database for %d files (%v)", n, len(files), err)
	}
	for _, f := range files {
		if _, err := svc.ExportFile(coord, f.ID); err != nil {
			t.Fatalf("file %s: %v", f.ID, err)
		}
	}
}

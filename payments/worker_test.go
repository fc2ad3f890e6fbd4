package payments_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/payments"
	stripegw "github.com/herstart/herstart/payments/stripe"
	"github.com/herstart/herstart/payments/stripe/stripetest"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/store/storetest"
	"github.com/herstart/herstart/users"
)

// The payment worker of TestKill9_ExactlyOnce runs in a child process:
// this test binary again, with these variables set.
const (
	childEnv = "HERSTART_PAYMENT_CHILD"
	childURI = "HERSTART_PAYMENT_CHILD_URI"
	childDB  = "HERSTART_PAYMENT_CHILD_DB"
	childAPI = "HERSTART_PAYMENT_CHILD_STRIPE"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		if err := runChild(); err != nil {
			fmt.Fprintln(os.Stderr, "payment worker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runChild is a payment worker: it submits every approved payout, waiting
// a moment between Stripe's answer and recording it (the window a crash
// falls into), then finishes the follow-ups.
func runChild() error {
	ctx := context.Background()
	c, err := mongo.Connect(ctx, options.Client().ApplyURI(os.Getenv(childURI)))
	if err != nil {
		return err
	}
	db := c.Database(os.Getenv(childDB))
	ob := store.NewOutbox(db, nil)
	svc := payments.NewService(payments.NewStore(db), nil, audit.NewRecorder(db, nil), ob, nil)
	svc.Gateway = stripegw.New("sk_test_herstart", os.Getenv(childAPI))
	payments.AfterTransfer = func(string) { time.Sleep(30 * time.Millisecond) }
	for {
		n, err := svc.Submit(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	_, err = ob.Drain(ctx, time.Now().Add(time.Minute))
	return err
}

// TestKill9_ExactlyOnce: a payment worker (a child process) pays 100
// approved payouts through stripe-mock and is killed with SIGKILL right
// after Stripe made the 50th transfer, before it recorded it. A new worker
// finishes. Every payout is paid once; every transfer request for a payout
// carried that payout's key; Stripe made one transfer per payout; the
// scheme's ledger balances; reconcile finds no difference.
func TestKill9_ExactlyOnce(t *testing.T) {
	db := storetest.Open(t)
	st := payments.NewStore(db)
	storetest.IndexIDs(t, db, append(st.Collections(), "outbox", "version_claims", "audit_events", "audit_head", "audit_subjects")...)
	ctx := context.Background()
	scheme, err := payments.SeedApproved(ctx, st, "e_kill", "acct_kill", 100, 125_00)
	if err != nil {
		t.Fatal(err)
	}
	mock := stripetest.Start(t)
	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run", "^$")
		cmd.Env = append(os.Environ(), childEnv+"=1", childURI+"="+storetest.URI(), childDB+"="+db.Name(), childAPI+"="+mock.URL)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("worker output:\n%s", out.String())
			}
		})
		return cmd
	}
	first := start()
	var once sync.Once
	mock.OnRequest(func(_ string, n int) {
		if n == 50 {
			once.Do(func() { _ = first.Process.Kill() }) // SIGKILL
		}
	})
	err = first.Wait()
	t.Logf("first worker: %v", err)
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("the first worker was not killed: %v", err)
	}
	mock.OnRequest(nil)
	coord := users.WithActor(ctx, users.Actor{UserID: "u_c1", Role: users.Coordinator})
	svc := payments.NewService(st, nil, audit.NewRecorder(db, nil), store.NewOutbox(db, nil), nil)
	list, err := svc.Payouts(coord)
	if err != nil {
		t.Fatal(err)
	}
	states := map[payments.State]int{}
	for _, p := range list {
		states[p.State]++
	}
	t.Logf("after the kill: %v still open (of 100)", states)
	if states[payments.Submitted] == 0 {
		t.Fatalf("no payout was caught between the transfer and its record: %v", states)
	}
	second := start()
	if err := second.Wait(); err != nil {
		t.Fatalf("second worker: %v", err)
	}
	// Every payout paid once, with its own key.
	reqs := mock.Requests()
	made := mock.Made()
	paid, resent := 0, 0
	bal, err := svc.Balance(coord, scheme)
	if err != nil {
		t.Fatal(err)
	}
	all, err := svc.LedgerCSV(coord, "scheme:"+scheme)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(all), ",paid,"); n != 100 {
		t.Fatalf("the ledger has %d paid entries; want 100", n)
	}
	for k, n := range reqs {
		if !strings.HasPrefix(k, "po_") {
			t.Fatalf("a transfer request without a payout's key: %q", k)
		}
		if n > 1 {
			resent++
		}
		paid++
	}
	t.Logf("transfer requests: %d keys, %d sent again after the kill; transfers made: %d; ledger %+v", paid, resent, len(made), bal)
	if paid != 100 || len(made) != 100 || resent == 0 || !bal.Balanced || bal.PaidCents != 100*125_00 {
		t.Fatalf("keys %d, made %d, resent %d, balance %+v", paid, len(made), resent, bal)
	}
	for i := 1; i < len(made); i++ {
		if made[i] == made[i-1] {
			t.Fatalf("two transfers for key %s", made[i])
		}
	}
	svc.Gateway = stripegw.New("sk_test_herstart", mock.URL)
	diffs, checked, err := svc.Reconcile(ctx)
	if err != nil || len(diffs) != 0 || checked != 100 {
		t.Fatalf("reconcile: %d checked, %v, %v", checked, diffs, err)
	}
	// A transfer Stripe does not have is a difference.
	mock.Forget(made[7])
	diffs, _, _ = svc.Reconcile(ctx)
	if len(diffs) != 1 || diffs[0].PayoutID != made[7] {
		t.Fatalf("reconcile after Stripe lost one: %v", diffs)
	}
	t.Logf("reconcile: %s", diffs[0].Problem)
}

// TestSetupStripe: an employer's Express account is opened once, and each
// call gives an onboarding link (against stripe-mock).
func TestSetupStripe(t *testing.T) {
	db := storetest.Open(t)
	mock := stripetest.Start(t)
	svc := payments.NewService(payments.NewStore(db), nil, audit.NewRecorder(db, nil), store.NewOutbox(db, nil), nil)
	svc.Gateway = stripegw.New("sk_test_herstart", mock.URL)
	svc.ReturnURL = "https://herstart.example/"
	admin := users.WithActor(context.Background(), users.Actor{UserID: "u_e", Role: users.Employer, EmployerID: "e_stripe", Admin: true})
	v, err := svc.SetupStripe(admin, "e_stripe", "boekhouding@example.nl")
	if err != nil || !v.StripeAccount || !strings.HasPrefix(v.OnboardingURL, "https://") {
		t.Fatalf("setup: %+v %v", v, err)
	}
	again, err := svc.SetupStripe(admin, "e_stripe", "")
	if err != nil || again.OnboardingURL == "" {
		t.Fatalf("again: %+v %v", again, err)
	}
	staff := users.WithActor(context.Background(), users.Actor{UserID: "u_s", Role: users.Employer, EmployerID: "e_stripe"})
	if _, err := svc.SetupStripe(staff, "e_stripe", ""); err == nil {
		t.Fatal("a non-admin opened the account")
	}
	other := users.WithActor(context.Background(), users.Actor{UserID: "u_o", Role: users.Employer, EmployerID: "e_other", Admin: true})
	if _, err := svc.SetupStripe(other, "e_stripe", ""); err == nil {
		t.Fatal("another employer opened this one's account")
	}
}

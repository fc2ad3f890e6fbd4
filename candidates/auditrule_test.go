package candidates_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/places"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/store/storetest"
	"github.com/herstart/herstart/users"
)

// TestAuditRule_FailureAtEachStep injects a failure (as a crash) at each
// step of a consent withdrawal and checks the one audit rule: after the
// outbox has drained, the log holds exactly one event for the withdrawal if
// it took effect, and none if it did not.
func TestAuditRule_FailureAtEachStep(t *testing.T) {
	crash := errors.New("crash")
	for _, tc := range []struct {
		step      string
		takesHold bool // the withdrawal is written
	}{
		{"recorded", false},
		{"written", true},
		{"event", true},
		{"recorded-event", true},
		{"", true}, // no failure
	} {
		name := tc.step
		if name == "" {
			name = "none"
		}
		t.Run(name, func(t *testing.T) {
			db := storetest.Open(t)
			ob := store.NewOutbox(db, nil)
			rec := audit.NewRecorder(db, nil)
			svc := candidates.NewService(candidates.NewStore(db), rec, places.New(), ob, nil)
			ctx := users.WithActor(context.Background(), users.Actor{UserID: "u_w", Role: users.ProbationWorker})
			r, err := svc.Create(ctx, input())
			if err != nil {
				t.Fatal(err)
			}
			k, err := svc.GrantConsent(ctx, r.ID, candidates.ConsentInput{EmployerID: "e_x", Level: 1, Purpose: "kennismaking", ExpiresAt: time.Now().AddDate(0, 1, 0).Format(time.DateOnly)})
			if err != nil {
				t.Fatal(err)
			}
			svc.StopAt(func(step string) error {
				if step == tc.step {
					return crash
				}
				return nil
			})
			_, err = svc.WithdrawConsent(ctx, r.ID, k.ID)
			if tc.step == "recorded" || tc.step == "written" {
				if !errors.Is(err, crash) {
					t.Fatalf("withdrawal stopped at %s: %v", tc.step, err)
				}
			} else if err != nil {
				// The follow-up failing is logged and left to the outbox:
				// the withdrawal itself succeeded.
				t.Fatalf("withdrawal whose follow-up failed at %s: %v; want success", tc.step, err)
			}
			svc.StopAt(nil)
			if _, err := ob.Drain(ctx, time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if n, _ := ob.Pending(ctx); n != 0 {
				t.Fatalf("%d outbox tasks left after the drain", n)
			}
			c, err := svc.Get(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			withdrawn := c.Consents[0].WithdrawnAt != nil
			events, err := rec.BySubject(context.Background(), "candidate:"+string(r.ID), 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range events {
				if e.Action == audit.ActionConsentRevoke {
					n++
				}
			}
			want := 0
			if tc.takesHold {
				want = 1
			}
			if withdrawn != tc.takesHold || n != want {
				t.Fatalf("stopped at %q: withdrawn %v, %d withdrawal events; want withdrawn %v and %d", tc.step, withdrawn, n, tc.takesHold, want)
			}
			if v, err := rec.Verify(context.Background()); err != nil || !v.OK() {
				t.Fatalf("chain after the drain: %+v, %v", v, err)
			}
		})
	}
}

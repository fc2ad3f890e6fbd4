package employers_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/employers"
	"github.com/herstart/herstart/users"
)

func registration(kvk, email string) employers.Registration {
	return employers.Registration{
		Name: "Bouwbedrijf Stevig", KvK: kvk, Sectors: []string{"construction"},
		Locations: []employers.LocationInput{{Address: "Steigerweg 2", Place: "Utrecht"}},
		Contact:   employers.ContactInput{Name: "Piet", Email: email},
		Password:  "a long employer password", CodeOfConductAccepted: true,
	}
}

// TestRegister_HealsAfterAStopHalfway stops a registration after each of
// its writes, as a crash would, and shows that the next outbox drain
// leaves the organisation free to register again — the KvK number is not
// left claimed by an employer that does not exist — or, when the account
// was made, finishes the registration.
func TestRegister_HealsAfterAStopHalfway(t *testing.T) {
	crash := errors.New("crash")
	for _, step := range []string{"kvk", "employer", "account"} {
		t.Run(step, func(t *testing.T) {
			f := setup(t)
			ctx := context.Background()
			f.svc.StopAt(func(_ context.Context, at string) error {
				if at == step {
					return crash
				}
				return nil
			})
			if _, err := f.svc.Register(ctx, registration("87654321", "piet@stevig.example.nl"), "10.0.0.1"); !errors.Is(err, crash) {
				t.Fatalf("register stopped at %s: %v", step, err)
			}
			f.svc.StopAt(nil)
			n, err := f.outbox.Drain(ctx, time.Now().Add(time.Hour))
			if err != nil || n != 1 {
				t.Fatalf("drain = %d, %v; want the one registration task", n, err)
			}
			_, err = f.svc.Register(ctx, registration("87654321", "piet2@stevig.example.nl"), "10.0.0.1")
			if step == "account" {
				// The account existed: the registration was finished, so
				// the KvK number is rightly taken, and the applicant can
				// sign in and sees a pending organisation.
				if !apperr.Is(err, apperr.Conflict) {
					t.Fatalf("second registration after a finished one: %v; want Conflict (KvK taken)", err)
				}
				s, err := f.users.Login(ctx, users.Credentials{Email: "piet@stevig.example.nl", Password: "a long employer password", IP: "10.0.0.1"}, false)
				if err != nil || s.Role != users.Employer {
					t.Fatalf("login of the healed registration: %+v, %v", s, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("registering again after a stop at %s: %v; want success", step, err)
			}
		})
	}
}

// TestRegister_TakenEmailAnswersAlike: an application with an existing
// account's e-mail address gets the same answer as a new one (status,
// shape, a fresh id), stores nothing, and is recorded on the account.
func TestRegister_TakenEmailAnswersAlike(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	taken, err := f.svc.Register(ctx, registration("11112222", "joke@kwekerij.example.nl"), "10.0.0.2")
	if err != nil {
		t.Fatalf("taken address: %v; want the same success as a new one", err)
	}
	fresh, err := f.svc.Register(ctx, registration("33334444", "nieuw@stevig.example.nl"), "10.0.0.2")
	if err != nil {
		t.Fatal(err)
	}
	if taken.Employer.Status != fresh.Employer.Status || taken.User.Role != fresh.User.Role || taken.Employer.ID == f.emp.Employer.ID || taken.User.ID == f.emp.User.ID {
		t.Fatalf("answers differ: %+v / %+v", taken, fresh)
	}
	if _, err := f.svc.Get(f.c1, taken.Employer.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("the refused application was stored: %v", err)
	}
	// Its KvK number stays free.
	if _, err := f.svc.Register(ctx, registration("11112222", "ander@stevig.example.nl"), "10.0.0.2"); err != nil {
		t.Fatalf("the KvK number of the refused application: %v; want free", err)
	}
}

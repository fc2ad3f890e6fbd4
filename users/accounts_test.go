package users_test

import (
	"context"
	"testing"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/users"
)

func TestAccounts_ListDeactivateReset(t *testing.T) {
	s, _ := newService(t)
	bg := context.Background()
	coord, err := s.CreateUnchecked(bg, users.NewUser{Email: "c@example.nl", Name: "Cora", Password: "long enough pw", Role: users.Coordinator})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := s.CreateUnchecked(bg, users.NewUser{Email: "m@example.nl", Name: "Mo", Password: "long enough pw", Role: users.Mentor})
	s.CreateUnchecked(bg, users.NewUser{Email: "e@example.nl", Name: "Eva", Password: "long enough pw", Role: users.Employer, EmployerID: "e_x"})
	ctx := users.WithActor(bg, users.Actor{UserID: coord.ID, Role: users.Coordinator})

	all, err := s.List(ctx)
	if err != nil || len(all) != 2 {
		t.Fatalf("List = %d accounts, %v; want the coordinator and the mentor (no employer user)", len(all), err)
	}
	mentors, _ := s.List(ctx, users.Mentor)
	if len(mentors) != 1 || mentors[0].Name != "Mo" {
		t.Fatalf("List(mentor) = %+v", mentors)
	}
	if _, err := s.List(users.WithActor(bg, users.Actor{UserID: m.ID, Role: users.Mentor})); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("a mentor listing accounts: %v; want Forbidden", err)
	}

	sess, err := s.Login(bg, users.Credentials{Email: "m@example.nl", Password: "long enough pw"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetDisabled(ctx, coord.ID, true); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("deactivating oneself: %v; want Invalid", err)
	}
	if _, err := s.SetDisabled(ctx, m.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(bg, sess.Token); !apperr.Is(err, apperr.Unauthenticated) {
		t.Fatalf("a deactivated account's token: %v; want Unauthenticated", err)
	}
	if _, err := s.Login(bg, users.Credentials{Email: "m@example.nl", Password: "long enough pw"}, false); err == nil {
		t.Fatal("a deactivated account signed in")
	}
	if _, err := s.SetDisabled(ctx, m.ID, false); err != nil {
		t.Fatal(err)
	}
	pw, err := s.ResetPassword(ctx, m.ID)
	if err != nil || len(pw) < 12 {
		t.Fatalf("ResetPassword = %q, %v", pw, err)
	}
	if _, err := s.Login(bg, users.Credentials{Email: "m@example.nl", Password: "long enough pw"}, false); err == nil {
		t.Fatal("the old password still works after a reset")
	}
	if _, err := s.Login(bg, users.Credentials{Email: "m@example.nl", Password: pw}, false); err != nil {
		t.Fatalf("the new password: %v", err)
	}
	names, err := s.Names(bg, m.ID, "u_unknownunknown00")
	if err != nil || names[m.ID] != "Mo" || len(names) != 1 {
		t.Fatalf("Names = %v, %v", names, err)
	}
}

// TestCreateUncheckedSharing: generated accounts sharing the demo's public
// password share one hash of it, and each signs in with it; a wrong
// password is still refused.
func TestCreateUncheckedSharing(t *testing.T) {
	s, _ := newService(t)
	bg := context.Background()
	for _, e := range []string{"g1@example.nl", "g2@example.nl"} {
		if _, err := s.CreateUncheckedSharing(bg, users.NewUser{Email: e, Password: "shared demo password", Role: users.ProbationWorker}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Login(bg, users.Credentials{Email: e, Password: "shared demo password"}, false); err != nil {
			t.Fatalf("%s signs in: %v", e, err)
		}
		if _, err := s.Login(bg, users.Credentials{Email: e, Password: "another password!"}, false); err == nil {
			t.Fatalf("%s signs in with a wrong password", e)
		}
	}
}

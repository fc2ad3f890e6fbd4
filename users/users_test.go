package users_test

import (
	"context"
	"testing"
	"time"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/store"
	"github.com/herstart/herstart/store/storetest"
	"github.com/herstart/herstart/users"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newService(t *testing.T) (*users.Service, *clock) {
	db := storetest.Open(t)
	c := &clock{t: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)}
	return users.NewService(users.NewStore(db), audit.NewRecorder(db, c.now), store.NewOutbox(db, nil), c.now), c
}

func TestToken_Expires(t *testing.T) {
	s, c := newService(t)
	ctx := context.Background()
	if _, err := s.CreateUnchecked(ctx, users.NewUser{Email: "a@example.nl", Password: "long enough pw", Role: users.Mentor}); err != nil {
		t.Fatal(err)
	}
	sess, err := s.Login(ctx, users.Credentials{Email: "a@example.nl", Password: "long enough pw"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, sess.Token); err != nil {
		t.Fatalf("fresh token: %v", err)
	}
	c.t = c.t.Add(users.TokenTTL + time.Second)
	if _, err := s.Authenticate(ctx, sess.Token); !apperr.Is(err, apperr.Unauthenticated) {
		t.Fatalf("expired token: %v; want Unauthenticated", err)
	}
	if n, err := s.PruneTokens(ctx); err != nil || n != 1 {
		t.Fatalf("PruneTokens = %d, %v; want 1", n, err)
	}
}

func TestLogin_LockExpires(t *testing.T) {
	s, c := newService(t)
	ctx := context.Background()
	s.CreateUnchecked(ctx, users.NewUser{Email: "a@example.nl", Password: "long enough pw", Role: users.Mentor})
	for i := 0; i < 5; i++ {
		s.Login(ctx, users.Credentials{Email: "a@example.nl", Password: "wrong"}, false)
	}
	if _, err := s.Login(ctx, users.Credentials{Email: "a@example.nl", Password: "long enough pw"}, false); !apperr.Is(err, apperr.TooManyRequests) {
		t.Fatalf("locked login: %v; want TooManyRequests", err)
	}
	c.t = c.t.Add(16 * time.Minute)
	if _, err := s.Login(ctx, users.Credentials{Email: "a@example.nl", Password: "long enough pw"}, false); err != nil {
		t.Fatalf("login after the lock window: %v", err)
	}
}

func TestBootstrap_OnlyOnce(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	created, err := s.Bootstrap(ctx, "admin@example.nl", "long enough pw")
	if err != nil || !created {
		t.Fatalf("first bootstrap = %v, %v", created, err)
	}
	created, err = s.Bootstrap(ctx, "other@example.nl", "long enough pw")
	if err != nil || created {
		t.Fatalf("second bootstrap = %v, %v; want nothing created", created, err)
	}
	if _, err := s.Login(ctx, users.Credentials{Email: "other@example.nl", Password: "long enough pw"}, false); err == nil {
		t.Fatal("a second coordinator was bootstrapped")
	}
}

func TestCreate_RequiresCoordinator(t *testing.T) {
	s, _ := newService(t)
	ctx := users.WithActor(context.Background(), users.Actor{UserID: "u_x", Role: users.ProbationWorker})
	_, err := s.Create(ctx, users.NewUser{Email: "a@example.nl", Password: "long enough pw", Role: users.Mentor})
	if !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("worker creating a user: %v; want Forbidden", err)
	}
	if _, err := s.Create(context.Background(), users.NewUser{}); !apperr.Is(err, apperr.Unauthenticated) {
		t.Fatalf("no actor: %v; want Unauthenticated", err)
	}
}

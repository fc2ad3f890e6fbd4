package users_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/users"
)

// parallel runs n logins at once and counts the outcomes by error code
// ("" for a success).
func parallel(t *testing.T, s *users.Service, n int, c users.Credentials) map[apperr.Code]int {
	t.Helper()
	var mu sync.Mutex
	out := map[apperr.Code]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := s.Login(context.Background(), c, false)
			code := apperr.Code("")
			if err != nil {
				code = apperr.CodeOf(err)
			}
			mu.Lock()
			out[code]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// TestLogin_ParallelGuessesHoldTheLimit: twenty wrong passwords at once for
// one account; at most the limit (5) are checked, the rest are refused
// before the hash (the count used to be read before the hash and written
// after, and all twelve of a parallel burst were checked).
func TestLogin_ParallelGuessesHoldTheLimit(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	if _, err := s.CreateUnchecked(ctx, users.NewUser{Email: "a@example.nl", Password: "long enough pw", Role: users.Mentor}); err != nil {
		t.Fatal(err)
	}
	got := parallel(t, s, 20, users.Credentials{Email: "a@example.nl", Password: "wrong guess"})
	if got[apperr.Unauthenticated] != 5 || got[apperr.TooManyRequests] != 15 {
		t.Fatalf("20 parallel wrong passwords: %v; want 5 checked (Unauthenticated) and 15 TooManyRequests", got)
	}
	if _, err := s.Login(ctx, users.Credentials{Email: "a@example.nl", Password: "long enough pw"}, false); !apperr.Is(err, apperr.TooManyRequests) {
		t.Fatalf("the right password after the burst: %v; want TooManyRequests", err)
	}
}

// TestTOTP_ParallelReplayOnce: twenty parallel logins with the right
// password and one fresh code: exactly one succeeds.
func TestTOTP_ParallelReplayOnce(t *testing.T) {
	s, c := newService(t)
	ctx := context.Background()
	u, err := s.CreateUnchecked(ctx, users.NewUser{Email: "c@example.nl", Password: "long enough pw", Role: users.Coordinator})
	if err != nil {
		t.Fatal(err)
	}
	actx := users.WithActor(ctx, users.Actor{UserID: u.ID, Role: users.Coordinator})
	en, err := s.BeginTOTP(actx)
	if err != nil {
		t.Fatal(err)
	}
	prev, _ := totp.GenerateCode(en.Secret, c.t.Add(-30*time.Second))
	if err := s.ConfirmTOTP(actx, prev); err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCode(en.Secret, c.t)
	got := parallel(t, s, 20, users.Credentials{Email: "c@example.nl", Password: "long enough pw", TOTP: code})
	if got[""] != 1 {
		t.Fatalf("20 parallel logins with one code: %v; want exactly one success", got)
	}
}

package inbox_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/inbox"
	"github.com/herstart/herstart/store/storetest"
	"github.com/herstart/herstart/users"
)

// TestInbox_BoundedNewestFirst: an inbox keeps the newest 200 messages,
// lists them newest first, counts the unread, and marks all read at once.
func TestInbox_BoundedNewestFirst(t *testing.T) {
	s := inbox.NewService(storetest.Open(t), nil)
	ctx := users.WithActor(context.Background(), users.Actor{UserID: "u_a", Role: users.Mentor})
	for i := 0; i < 205; i++ {
		if err := s.Notify(ctx, "u_a", "test", fmt.Sprintf("message %d", i), ""); err != nil {
			t.Fatal(err)
		}
	}
	p, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 200 || p.Unread != 200 || p.Items[0].Text != "message 204" || p.Items[199].Text != "message 5" {
		t.Fatalf("inbox: %d items, %d unread, first %q, last %q", len(p.Items), p.Unread, p.Items[0].Text, p.Items[len(p.Items)-1].Text)
	}
	if err := s.MarkRead(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.List(ctx); p.Unread != 0 {
		t.Fatalf("unread after marking all = %d", p.Unread)
	}
	if err := s.MarkRead(context.Background(), ""); !apperr.Is(err, apperr.Unauthenticated) {
		t.Fatalf("marking without an actor: %v", err)
	}
	if err := s.Notify(ctx, "u_a", "test", "bad\x00text", ""); err == nil {
		t.Fatal("a control character in a text was accepted")
	}
}

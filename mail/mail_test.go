package mail_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/mongo"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/mail"
	"github.com/herstart/herstart/mail/mailpittest"
	"github.com/herstart/herstart/mail/smtp"
	"github.com/herstart/herstart/store/storetest"
)

// clock is real time shifted by what the test adds.
type clock struct{ off atomic.Int64 }

func (c *clock) Now() time.Time      { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *clock) Add(d time.Duration) { c.off.Add(int64(d)) }
func address(t *testing.T, n int) string {
	return fmt.Sprintf("%s-%d@ontvanger.test", strings.ToLower(ids.New("t")), n)
}

// setup is a mail service over a fresh database, sending to Mailpit; its
// recipients are the users of people (id → address).
func setup(t *testing.T, db *mongo.Database, holder string, c *clock, people map[string]string) (*mail.Service, *smtp.Transport, *mailpittest.Server) {
	t.Helper()
	mp := mailpittest.Start(t)
	tr, err := smtp.New(mp.URL(), "noreply@herstart.test")
	if err != nil {
		t.Fatal(err)
	}
	s := mail.NewService(db, holder, c.Now)
	s.Configure(tr, "https://herstart.test", time.Hour)
	s.Recipient = func(_ context.Context, user string) (mail.Recipient, error) {
		a, ok := people[user]
		if !ok {
			return mail.Recipient{}, apperr.Errorf(apperr.NotFound, "User not found.")
		}
		return mail.Recipient{Address: a, Name: "Mentor " + user, Lang: "nl", Active: true}, nil
	}
	s.Register("note", func(_ context.Context, m mail.Mail) (mail.Content, bool, error) {
		return mail.Content{Subject: "Bericht " + m.ID, Text: "Zie " + s.Link("/inbox")}, true, nil
	})
	return s, tr, mp
}

// A digest per person at most once an hour, naming kinds and links only;
// what comes in meanwhile waits for the next.
func TestDigest_OncePerHourWithoutDetails(t *testing.T) {
	db := storetest.Open(t)
	c := &clock{}
	to := address(t, 1)
	s, _, mp := setup(t, db, "h1", c, map[string]string{"u_mentor": to})
	ctx := t.Context()
	for i, kind := range []string{"reminder.checkin_tomorrow", "reminder.checkin_tomorrow", "placement.escalation"} {
		if err := s.Notify(ctx, "u_mentor", fmt.Sprint("k", i), kind, "/agenda"); err != nil {
			t.Fatal(err)
		}
	}
	// The same key again is the same notice.
	if err := s.Notify(ctx, "u_mentor", "k0", "reminder.checkin_tomorrow", "/agenda"); err != nil {
		t.Fatal(err)
	}
	res, err := s.Send(ctx)
	if err != nil || res.Digests != 1 || res.Sent != 1 {
		t.Fatalf("first pass: %+v, %v; want one digest sent", res, err)
	}
	got := mp.Wait(t, to, 1, 5*time.Second)
	m := got[0]
	if m.Subject != "Herstart: 3 nieuwe melding(en)" {
		t.Errorf("subject %q", m.Subject)
	}
	for _, want := range []string{"2 × check-in morgen: https://herstart.test/agenda", "1 × escalatie: https://herstart.test/agenda", "geen namen"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("digest lacks %q:\n%s", want, m.Text)
		}
	}
	// Within the hour: recorded, not sent.
	if err := s.Notify(ctx, "u_mentor", "k9", "introduction.proposed", "/inbox"); err != nil {
		t.Fatal(err)
	}
	if res, err := s.Send(ctx); err != nil || res.Sent != 0 {
		t.Fatalf("within the hour: %+v, %v; want nothing sent", res, err)
	}
	c.Add(61 * time.Minute)
	if res, err := s.Send(ctx); err != nil || res.Sent != 1 {
		t.Fatalf("after the hour: %+v, %v; want one", res, err)
	}
	got = mp.Wait(t, to, 2, 5*time.Second)
	if !strings.Contains(got[1].Text, "1 × introductie") || len(got) != 2 {
		t.Errorf("second digest: %d mails, %q", len(got), got[1].Text)
	}
}

// A connection cut in the middle of the message, and the sender gone
// before it wrote anything down: the server discards the half message,
// the claim lapses, and the mail goes once.
func TestSend_CrashMidSendSendsOnce(t *testing.T) {
	db := storetest.Open(t)
	c := &clock{}
	to := address(t, 1)
	s, tr, mp := setup(t, db, "h1", c, map[string]string{"u_a": to})
	ctx := t.Context()
	if err := s.Queue(ctx, "note", "u_a", "one"); err != nil {
		t.Fatal(err)
	}
	crash := errors.New("crash")
	s.SetFault(func(step string) error {
		if step == "handed" {
			return crash
		}
		return nil
	})
	tr.CutNext()
	if _, err := s.Send(ctx); !errors.Is(err, crash) {
		t.Fatalf("send: %v, want the crash", err)
	}
	s.SetFault(nil)
	// Another instance, before the claim lapses: leaves it.
	s2, _, _ := setup(t, db, "h2", c, map[string]string{"u_a": to})
	if res, err := s2.Send(ctx); err != nil || res.Sent != 0 {
		t.Fatalf("while claimed: %+v, %v", res, err)
	}
	c.Add(3 * time.Minute)
	if res, err := s2.Send(ctx); err != nil || res.Sent != 1 {
		t.Fatalf("after the claim lapsed: %+v, %v", res, err)
	}
	time.Sleep(300 * time.Millisecond)
	if got := mp.To(t, to); len(got) != 1 {
		t.Fatalf("%d messages received, want exactly 1", len(got))
	}
	// A sent mail is not sent again.
	c.Add(10 * time.Minute)
	if res, err := s.Send(ctx); err != nil || res.Sent != 0 {
		t.Fatalf("again: %+v, %v", res, err)
	}
}

// The window that remains: the server accepted the mail and the sender
// died before writing so. It goes again, with the same Message-ID, which
// the receiving mail system uses to drop the copy (docs/invariants.md).
func TestSend_CrashAfterAcceptKeepsMessageID(t *testing.T) {
	db := storetest.Open(t)
	c := &clock{}
	to := address(t, 1)
	s, _, mp := setup(t, db, "h1", c, map[string]string{"u_a": to})
	ctx := t.Context()
	if err := s.Queue(ctx, "note", "u_a", "one"); err != nil {
		t.Fatal(err)
	}
	s.SetFault(func(step string) error {
		if step == "handed" {
			return errors.New("crash")
		}
		return nil
	})
	_, _ = s.Send(ctx)
	s.SetFault(nil)
	c.Add(3 * time.Minute)
	if _, err := s.Send(ctx); err != nil {
		t.Fatal(err)
	}
	got := mp.Wait(t, to, 2, 5*time.Second)
	if got[0].MessageID == "" || got[0].MessageID != got[1].MessageID {
		t.Errorf("Message-IDs %q and %q, want one", got[0].MessageID, got[1].MessageID)
	}
}

// Twenty senders on two instances at once: every mail goes exactly once.
func TestSend_TwentyParallelSendersOnce(t *testing.T) {
	db := storetest.Open(t)
	c := &clock{}
	people := map[string]string{}
	for i := range 10 {
		people[fmt.Sprint("u_", i)] = address(t, i)
	}
	s1, _, mp := setup(t, db, "h1", c, people)
	s2, _, _ := setup(t, db, "h2", c, people)
	ctx := t.Context()
	for u := range people {
		if err := s1.Queue(ctx, "note", u, "k"); err != nil {
			t.Fatal(err)
		}
		if err := s1.Notify(ctx, u, "n1", "placement.escalation", "/inbox"); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	var sent, digests atomic.Int64
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := s1
			if i%2 == 1 {
				s = s2
			}
			res, err := s.Send(ctx)
			if err != nil {
				t.Error(err)
			}
			sent.Add(int64(res.Sent))
			digests.Add(int64(res.Digests))
		}()
	}
	wg.Wait()
	// A digest made after every sender had read its list waits for the
	// next pass.
	for _, s := range []*mail.Service{s1, s2} {
		res, err := s.Send(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sent.Add(int64(res.Sent))
		digests.Add(int64(res.Digests))
	}
	if sent.Load() != 20 || digests.Load() != 10 {
		t.Errorf("sent %d mails and made %d digests, want 20 and 10", sent.Load(), digests.Load())
	}
	for u, a := range people {
		if got := mp.Wait(t, a, 2, 5*time.Second); len(got) != 2 || got[0].MessageID == got[1].MessageID {
			t.Errorf("%s got %d mails, want 2 (a note and a digest)", u, len(got))
		}
	}
}

// Without a transport mail waits; coordinators see it without its text.
func TestWithoutTransport_MailWaits(t *testing.T) {
	db := storetest.Open(t)
	c := &clock{}
	s, _, _ := setup(t, db, "h1", c, map[string]string{"u_a": address(t, 1)})
	s.Configure(nil, "", 0)
	ctx := t.Context()
	if err := s.Queue(ctx, "note", "u_a", "x"); err != nil {
		t.Fatal(err)
	}
	if err := s.Notify(ctx, "u_a", "n", "placement.escalation", "/inbox"); err != nil {
		t.Fatal(err)
	}
	if res, err := s.Send(ctx); err != nil || res.Sent != 0 || res.Digests != 0 {
		t.Fatalf("%+v, %v", res, err)
	}
	if s.Configured() {
		t.Error("configured without a transport")
	}
	// A month later it is gone, the notice too.
	c.Add(31 * 24 * time.Hour)
	if n, err := s.Prune(ctx); err != nil || n != 2 {
		t.Errorf("pruned %d, %v; want the waiting mail and the notice", n, err)
	}
}

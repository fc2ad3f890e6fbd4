package mail

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/store"
)

// A digest gathers a person's notices into one mail, at most one per
// digestEvery: the per-user claim (mail_digests, written through
// store.Versions, so two instances cannot both make one) says when the
// last was made. A crash after the claim and before the mail leaves the
// notices for the next digest; a crash after the mail and before the
// notices name it is healed when the mail is built (it names them then).

type digestDoc struct {
	User    string    `bson:"_id"`
	Last    time.Time `bson:"last"`
	Mail    string    `bson:"mail"`
	Version int64     `bson:"version"`
}

var errNotDue = errors.New("digest not due")

// compose makes the digests that are due; it returns how many.
func (s *Service) compose(ctx context.Context) (int, error) {
	cur, err := s.notices.Find(ctx, bson.M{"mail": ""}, options.Find().SetLimit(20_000))
	if err != nil {
		return 0, fmt.Errorf("notices: %w", err)
	}
	var ns []Notice
	if err := cur.All(ctx, &ns); err != nil {
		return 0, fmt.Errorf("notices: %w", err)
	}
	byUser := map[string][]Notice{}
	for _, n := range ns {
		byUser[n.User] = append(byUser[n.User], n)
	}
	users := make([]string, 0, len(byUser))
	for u := range byUser {
		users = append(users, u)
	}
	sort.Strings(users)
	s.mu.RLock()
	every := s.digestEvery
	s.mu.RUnlock()
	made := 0
	var errs []error
	for _, u := range users {
		list := byUser[u]
		sort.Slice(list, func(i, j int) bool { return list[i].Created.Before(list[j].Created) })
		if len(list) > maxNotices {
			list = list[:maxNotices]
		}
		now := s.now().UTC().Truncate(time.Millisecond)
		id := ids.Derived("ml_", KindDigest+"\x00"+u+"\x00"+now.Format(time.RFC3339Nano))
		_, err := store.UpdateAs(ctx, s.versions, s.digests, u, func(d *digestDoc, exists bool) error {
			if exists && now.Before(d.Last.Add(every)) {
				return errNotDue
			}
			d.User, d.Last, d.Mail = u, now, id
			return nil
		})
		if errors.Is(err, errNotDue) || errors.Is(err, store.ErrStale) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ns := make([]string, len(list))
		for i, n := range list {
			ns[i] = n.ID
		}
		m := Mail{ID: id, Kind: KindDigest, User: u, Notices: ns, Count: len(ns), State: Waiting, Created: now, Due: now, Version: 1}
		if _, err := s.mails.InsertOne(ctx, m); err != nil {
			errs = append(errs, fmt.Errorf("digest %s: %w", u, err))
			continue
		}
		if err := s.attach(ctx, m); err != nil {
			errs = append(errs, err)
			continue
		}
		made++
	}
	return made, errors.Join(errs...)
}

// attach marks the digest's notices as told in it.
func (s *Service) attach(ctx context.Context, m Mail) error {
	_, err := s.notices.UpdateMany(ctx, bson.M{"_id": bson.M{"$in": m.Notices}, "mail": ""}, bson.M{"$set": bson.M{"mail": m.ID}})
	if err != nil {
		return fmt.Errorf("attach notices to %s: %w", m.ID, err)
	}
	return nil
}

// digest builds a digest: how many things of which kind wait, and where.
func (s *Service) digest(ctx context.Context, m Mail) (Content, bool, error) {
	if err := s.attach(ctx, m); err != nil {
		return Content{}, false, err
	}
	cur, err := s.notices.Find(ctx, bson.M{"_id": bson.M{"$in": m.Notices}})
	if err != nil {
		return Content{}, false, fmt.Errorf("digest notices: %w", err)
	}
	var ns []Notice
	if err := cur.All(ctx, &ns); err != nil {
		return Content{}, false, fmt.Errorf("digest notices: %w", err)
	}
	if len(ns) == 0 {
		return Content{}, false, nil
	}
	r, err := s.Recipient(ctx, m.User)
	if err != nil {
		return Content{}, false, err
	}
	return s.DigestText(r.Lang, r.Name, ns), true, nil
}

// DigestText is a digest's subject and text in lang ("en", or Dutch).
func (s *Service) DigestText(lang, name string, ns []Notice) Content {
	en := lang == "en"
	type line struct {
		label, path string
		n           int
	}
	var lines []*line
	seen := map[string]*line{}
	for _, n := range ns {
		l := label(n.Kind, en)
		k := l + "\x00" + n.Path
		if seen[k] == nil {
			seen[k] = &line{label: l, path: n.Path}
			lines = append(lines, seen[k])
		}
		seen[k].n++
	}
	var b strings.Builder
	subject := fmt.Sprintf("Herstart: %d nieuwe melding(en)", len(ns))
	hello, intro, outro := "Beste %s,", "Op Herstart wacht iets op u:", "Meld u aan om te zien waar het om gaat. In deze mail staan bewust geen namen of andere gegevens."
	if en {
		subject = fmt.Sprintf("Herstart: %d new notification(s)", len(ns))
		hello, intro, outro = "Dear %s,", "Something waits for you on Herstart:", "Sign in to see what it is about. This mail holds no names or other details, on purpose."
	}
	if name == "" {
		name = "Herstart-gebruiker"
		if en {
			name = "Herstart user"
		}
	}
	fmt.Fprintf(&b, hello+"\n\n%s\n\n", name, intro)
	for _, l := range lines {
		fmt.Fprintf(&b, "- %d × %s: %s\n", l.n, l.label, s.Link(l.path))
	}
	fmt.Fprintf(&b, "\n%s\n", outro)
	return Content{Subject: subject, Text: b.String()}
}

// labels name the kinds of notice in a digest, Dutch and English; a kind
// not listed is named by its prefix, else "message".
var labels = map[string][2]string{
	"introduction":               {"introductie", "introduction"},
	"placement.escalation":       {"escalatie", "escalation"},
	"placement.note":             {"notitie van de werkplek", "workplace note"},
	"placement.mentor":           {"nieuwe plaatsing om te begeleiden", "new placement to mentor"},
	"placement.milestone":        {"mijlpaal van een plaatsing", "placement milestone"},
	"placement":                  {"bericht over een plaatsing", "message about a placement"},
	"registration_email_taken":   {"registratie met uw e-mailadres", "registration with your e-mail address"},
	"reminder.checkin_tomorrow":  {"check-in morgen", "check-in tomorrow"},
	"reminder.checkin_overdue":   {"check-in te laat", "check-in overdue"},
	"reminder.vetting":           {"werkgever wacht op keuring", "employer waiting for vetting"},
	"reminder.payout_approval":   {"uitbetaling wacht op goedkeuring", "payout waiting for approval"},
	"reminder.availability":      {"beschikbaarheid bijna verlopen", "availability about to expire"},
	"reminder.introduction_step": {"introductie wacht op u", "introduction waiting for you"},
}

func label(kind string, en bool) string {
	i := 0
	if en {
		i = 1
	}
	for k := kind; k != ""; {
		if l, ok := labels[k]; ok {
			return l[i]
		}
		dot := strings.LastIndexByte(k, '.')
		if dot < 0 {
			break
		}
		k = k[:dot]
	}
	return [2]string{"bericht", "message"}[i]
}

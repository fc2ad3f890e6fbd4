package payments

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/store"
)

// Store keeps schemes, payouts, employers' payment accounts, SEPA exports
// and handled Stripe events, and list documents (every list is one _id
// read): "schemes", "open" (payouts not yet paid or cancelled),
// "employer:e_…" and "scheme:s_…".
type Store struct {
	schemes  *mongo.Collection
	payouts  *mongo.Collection
	accounts *mongo.Collection
	exports  *mongo.Collection
	events   *mongo.Collection
	lists    *mongo.Collection
	versions *store.Versions
	leases   *store.Leases // "sepa-export": one export at a time
	locks    store.Locks
}

// NewStore returns the Store over db.
func NewStore(db *mongo.Database) *Store {
	return &Store{schemes: db.Collection("schemes"), payouts: db.Collection("payouts"), accounts: db.Collection("payment_accounts"),
		exports: db.Collection("sepa_exports"), events: db.Collection("stripe_events"), lists: db.Collection("payment_lists"), versions: store.NewVersions(db),
		leases: store.NewLeases(db)}
}

// Collections names the collections the Store uses.
func (s *Store) Collections() []string {
	return []string{s.schemes.Name(), s.payouts.Name(), s.accounts.Name(), s.exports.Name(), s.events.Name(), s.lists.Name()}
}

type schemeDoc struct {
	ID          string           `bson:"_id"`
	Name        string           `bson:"name"`
	Kind        string           `bson:"kind"`
	AmountCents int64            `bson:"amount_cents"`
	Months      int              `bson:"months,omitempty"`
	Milestones  []int            `bson:"milestones,omitempty"`
	BudgetCents int64            `bson:"budget_cents"`
	Reserved    int64            `bson:"reserved"`
	Released    map[string]int64 `bson:"released"`
	Paid        map[string]int64 `bson:"paid"`
	Attached    map[string]int64 `bson:"attached"`
	CreatedBy   string           `bson:"created_by"`
	CreatedAt   time.Time        `bson:"created_at"`
	Version     int64            `bson:"version"`
}

func (d schemeDoc) toDomain() Scheme {
	s := Scheme{ID: d.ID, Name: d.Name, Kind: SchemeKind(d.Kind), AmountCents: d.AmountCents, Months: d.Months, Milestones: d.Milestones,
		BudgetCents: d.BudgetCents, Reserved: d.Reserved, Released: d.Released, Paid: d.Paid, Attached: d.Attached, CreatedBy: d.CreatedBy,
		CreatedAt: d.CreatedAt.UTC(), Version: d.Version}
	if s.Released == nil {
		s.Released = map[string]int64{}
	}
	if s.Paid == nil {
		s.Paid = map[string]int64{}
	}
	if s.Attached == nil {
		s.Attached = map[string]int64{}
	}
	return s
}

func toSchemeDoc(s Scheme) schemeDoc {
	return schemeDoc{s.ID, s.Name, string(s.Kind), s.AmountCents, s.Months, s.Milestones, s.BudgetCents, s.Reserved, s.Released, s.Paid, s.Attached,
		s.CreatedBy, s.CreatedAt, s.Version}
}

var errSchemeNotFound = apperr.Errorf(apperr.NotFound, "Scheme not found.")

func (s *Store) scheme(ctx context.Context, id string) (Scheme, error) {
	var d schemeDoc
	if err := find(ctx, s.schemes, id, &d, errSchemeNotFound); err != nil {
		return Scheme{}, err
	}
	return d.toDomain(), nil
}

// updateScheme applies fn to a fresh read of the scheme and saves it
// conditionally (re-applied after a clash).
func (s *Store) updateScheme(ctx context.Context, id string, fn func(sc *Scheme) error) (Scheme, error) {
	unlock := s.locks.Lock("scheme:" + id)
	defer unlock()
	var out Scheme
	_, err := store.UpdateAs(ctx, s.versions, s.schemes, id, func(d *schemeDoc, exists bool) error {
		if !exists {
			return errSchemeNotFound
		}
		sc := d.toDomain()
		if err := fn(&sc); err != nil {
			return err
		}
		sc.Version = d.Version + 1
		*d = toSchemeDoc(sc)
		out = sc
		return nil
	})
	return out, err
}

type payoutDoc struct {
	ID          string    `bson:"_id"`
	SchemeID    string    `bson:"scheme_id"`
	PlacementID string    `bson:"placement_id"`
	EmployerID  string    `bson:"employer_id"`
	N           int       `bson:"n"`
	AmountCents int64     `bson:"amount_cents"`
	DueDate     time.Time `bson:"due_date"`
	Condition   string    `bson:"condition"`
	Milestone   int       `bson:"milestone,omitempty"`
	ClaimKey    string    `bson:"claim_key,omitempty"`
	State       string    `bson:"state"`
	Held        string    `bson:"held,omitempty"`
	ScheduledBy string    `bson:"scheduled_by"`
	Approvals   []string  `bson:"approvals"`
	TransferID  string    `bson:"transfer_id,omitempty"`
	ExportID    string    `bson:"export_id,omitempty"`
	Ledger      []Entry   `bson:"ledger"`
	CreatedAt   time.Time `bson:"created_at"`
	UpdatedAt   time.Time `bson:"updated_at"`
	Version     int64     `bson:"version"`
	Writes      []string  `bson:"writes,omitempty"`
}

func toPayoutDoc(p Payout) payoutDoc {
	return payoutDoc{p.ID, p.SchemeID, p.PlacementID, p.EmployerID, p.N, p.AmountCents, p.DueDate, string(p.Condition), p.Milestone, p.ClaimKey,
		string(p.State), p.Held, p.ScheduledBy, p.Approvals, p.TransferID, p.ExportID, p.Ledger, p.CreatedAt, p.UpdatedAt, p.Version, p.writes}
}

func (d payoutDoc) toDomain() Payout {
	p := Payout{ID: d.ID, SchemeID: d.SchemeID, PlacementID: d.PlacementID, EmployerID: d.EmployerID, N: d.N, AmountCents: d.AmountCents,
		DueDate: d.DueDate.UTC(), Condition: Condition(d.Condition), Milestone: d.Milestone, ClaimKey: d.ClaimKey, State: State(d.State), Held: d.Held,
		ScheduledBy: d.ScheduledBy, Approvals: d.Approvals, TransferID: d.TransferID, ExportID: d.ExportID, Ledger: d.Ledger,
		CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), Version: d.Version, writes: d.Writes}
	for i := range p.Ledger {
		p.Ledger[i].At = p.Ledger[i].At.UTC()
	}
	return p
}

var errPayoutNotFound = apperr.Errorf(apperr.NotFound, "Payout not found.")

func (s *Store) payout(ctx context.Context, id string) (Payout, error) {
	var d payoutDoc
	if err := find(ctx, s.payouts, id, &d, errPayoutNotFound); err != nil {
		return Payout{}, err
	}
	return d.toDomain(), nil
}

// savePayout inserts (version 1; one that exists is left as it is) or
// replaces conditionally. Errors: store.ErrStale.
func (s *Store) savePayout(ctx context.Context, p Payout) error {
	if p.Version == 1 {
		if _, err := s.payouts.InsertOne(ctx, toPayoutDoc(p)); err != nil && !mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("insert payout %s: %w", p.ID, err)
		}
		return nil
	}
	return s.versions.Replace(ctx, s.payouts, p.ID, p.Version-1, toPayoutDoc(p))
}

func find(ctx context.Context, coll *mongo.Collection, id string, d any, notFound error) error {
	err := coll.FindOne(ctx, bson.M{"_id": id}).Decode(d)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return notFound
	case err != nil:
		return fmt.Errorf("find %s %s: %w", coll.Name(), id, err)
	}
	return nil
}

// A payout's list entry: "state|due|scheme|placement|employer|amount".
func payoutEntry(p Payout) string {
	notBy := strings.Join(append([]string{p.ScheduledBy}, p.Approvals...), ",")
	return strings.Join([]string{string(p.State), p.DueDate.Format(time.DateOnly), p.SchemeID, p.PlacementID, p.EmployerID, strconv.FormatInt(p.AmountCents, 10), notBy}, "|")
}

// PayoutSummary is one line of a payout list.
type PayoutSummary struct {
	ID          string `json:"id"`
	State       State  `json:"state"`
	DueDate     string `json:"due_date"`
	SchemeID    string `json:"scheme_id"`
	PlacementID string `json:"placement_id"`
	EmployerID  string `json:"employer_id"`
	AmountCents int64  `json:"amount_cents"`
	notBy       []string
}

func decodePayoutEntry(id, e string) PayoutSummary {
	f := strings.SplitN(e, "|", 7)
	for len(f) < 7 {
		f = append(f, "")
	}
	n, _ := strconv.ParseInt(f[5], 10, 64)
	var notBy []string
	if f[6] != "" {
		notBy = strings.Split(f[6], ",")
	}
	return PayoutSummary{ID: id, State: State(f[0]), DueDate: f[1], SchemeID: f[2], PlacementID: f[3], EmployerID: f[4], AmountCents: n, notBy: notBy}
}

// Approvals is how many coordinators approved the payout so far.
func (p PayoutSummary) Approvals() int { return max(len(p.notBy)-1, 0) }

// MayApprove reports whether coordinator user may approve the payout as
// far as its list entry knows: not the one who scheduled it, nor one who
// approved it already (the pages show the button only then; Approve
// decides).
func (p PayoutSummary) MayApprove(user string) bool { return !slices.Contains(p.notBy, user) }

// terminal states leave the open list.
func (st State) terminal() bool { return st == Paid || st == Cancelled }

// listPayout writes p's entry in the lists.
func (s *Store) listPayout(ctx context.Context, p Payout) error {
	e := payoutEntry(p)
	for _, owner := range []string{"employer:" + p.EmployerID, "scheme:" + p.SchemeID} {
		if err := s.setEntry(ctx, owner, p.ID, e); err != nil {
			return err
		}
	}
	if p.State.terminal() {
		return s.setEntry(ctx, "open", p.ID, "")
	}
	return s.setEntry(ctx, "open", p.ID, e)
}

// setEntry sets (or, with an empty value, removes) one entry of a list.
func (s *Store) setEntry(ctx context.Context, owner, key, value string) error {
	return store.SetListEntry(ctx, s.versions, &s.locks, s.lists, owner, key, value)
}

func (s *Store) entries(ctx context.Context, owner string) (map[string]string, error) {
	return store.ListEntries(ctx, s.lists, owner)
}

func (s *Store) payoutList(ctx context.Context, owner string) ([]PayoutSummary, error) {
	es, err := s.entries(ctx, owner)
	if err != nil {
		return nil, err
	}
	out := make([]PayoutSummary, 0, len(es))
	for id, e := range es {
		out = append(out, decodePayoutEntry(id, e))
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].DueDate != out[j].DueDate {
			return out[i].DueDate < out[j].DueDate
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// Account is an employer's way to be paid: a Stripe connected account, a
// bank account for SEPA files, or both.
type Account struct {
	EmployerID     string    `bson:"_id"`
	StripeAccount  string    `bson:"stripe_account,omitempty"`
	PayoutsEnabled bool      `bson:"payouts_enabled"`
	LastEvent      int64     `bson:"last_event,omitempty"` // created time of the newest account.updated applied
	IBAN           string    `bson:"iban,omitempty"`
	BIC            string    `bson:"bic,omitempty"`
	Holder         string    `bson:"holder,omitempty"`
	UpdatedAt      time.Time `bson:"updated_at"`
	Version        int64     `bson:"version"`
}

func (s *Store) account(ctx context.Context, employer string) (Account, bool, error) {
	var a Account
	err := s.accounts.FindOne(ctx, bson.M{"_id": employer}).Decode(&a)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return Account{EmployerID: employer}, false, nil
	case err != nil:
		return Account{}, false, fmt.Errorf("payment account %s: %w", employer, err)
	}
	return a, true, nil
}

func (s *Store) updateAccount(ctx context.Context, employer string, fn func(a *Account) error) (Account, error) {
	return store.UpdateAs(ctx, s.versions, s.accounts, employer, func(a *Account, _ bool) error {
		a.EmployerID = employer
		return fn(a)
	})
}

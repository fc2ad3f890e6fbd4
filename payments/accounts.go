package payments

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
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
	"github.com/herstart/herstart/ids"
	"github.com/herstart/herstart/payments/sepa"
	"github.com/herstart/herstart/users"
)

// AccountView is an employer's payment account as its users see it.
type AccountView struct {
	EmployerID     string `json:"employer_id"`
	StripeAccount  bool   `json:"stripe_account"`
	PayoutsEnabled bool   `json:"payouts_enabled"`
	OnboardingURL  string `json:"onboarding_url,omitempty"`
	IBAN           string `json:"iban,omitempty"` // masked but for the last 4
	Holder         string `json:"holder,omitempty"`
}

func accountView(a Account) AccountView {
	v := AccountView{EmployerID: a.EmployerID, StripeAccount: a.StripeAccount != "", PayoutsEnabled: a.PayoutsEnabled, Holder: a.Holder}
	if n := len(a.IBAN); n > 4 {
		v.IBAN = a.IBAN[:2] + strings.Repeat("•", n-6) + a.IBAN[n-4:]
	}
	return v
}

// ownEmployer lets an employer admin of employer, or a coordinator, act on
// its payment account. Errors: Unauthenticated, Forbidden, NotFound.
func ownEmployer(ctx context.Context, employer string) (users.Actor, error) {
	a, err := users.RequireRole(ctx, users.Employer, users.Coordinator)
	if err != nil {
		return a, err
	}
	if !ids.Valid(employer, "e_") || (a.Is(users.Employer) && a.EmployerID != employer) {
		return a, apperr.Errorf(apperr.NotFound, "Employer not found.")
	}
	if a.Is(users.Employer) && !a.Admin {
		return a, apperr.Errorf(apperr.Forbidden, "Only your organisation's administrator may do this.")
	}
	return a, nil
}

// known checks a coordinator's employer id against the registry (an
// employer's own id is known by its session).
func (s *Service) known(ctx context.Context, a users.Actor, employer string) error {
	if a.Is(users.Employer) || s.EmployerExists == nil {
		return nil
	}
	ok, err := s.EmployerExists(ctx, employer)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Errorf(apperr.NotFound, "Employer not found.")
	}
	return nil
}

// SetupStripe opens the employer's Stripe connected account (once) and
// returns the onboarding link (an employer's administrator, or a
// coordinator). Errors: Unauthenticated, Forbidden, NotFound, Conflict
// (no Stripe keys: payouts go by SEPA file).
func (s *Service) SetupStripe(ctx context.Context, employer, email string) (AccountView, error) {
	a, err := ownEmployer(ctx, employer)
	if err == nil {
		err = s.known(ctx, a, employer)
	}
	if err != nil {
		return AccountView{}, err
	}
	if s.Gateway == nil {
		return AccountView{}, apperr.Errorf(apperr.Conflict, "Stripe is not configured here; payouts go by SEPA file to the bank account.")
	}
	acct, _, err := s.store.account(ctx, employer)
	if err != nil {
		return AccountView{}, err
	}
	if acct.StripeAccount == "" {
		// The gateway's idempotency key is the employer: two calls open one account.
		id, err := s.Gateway.CreateAccount(ctx, employer, email)
		if err != nil {
			return AccountView{}, fmt.Errorf("stripe account: %w", err)
		}
		if err := s.store.setEntry(ctx, "stripe-accounts", id, employer); err != nil {
			return AccountView{}, err
		}
		acct, err = s.store.updateAccount(ctx, employer, func(a *Account) error {
			if a.StripeAccount == "" {
				a.StripeAccount = id
			}
			a.UpdatedAt = s.clock()
			return nil
		})
		if err != nil {
			return AccountView{}, err
		}
	}
	url, err := s.Gateway.OnboardingLink(ctx, acct.StripeAccount, s.ReturnURL)
	if err != nil {
		return AccountView{}, fmt.Errorf("stripe onboarding link: %w", err)
	}
	v := accountView(acct)
	v.OnboardingURL = url
	return v, nil
}

// BankInput is an employer's bank account for SEPA transfers.
type BankInput struct {
	IBAN   string `json:"iban"`
	BIC    string `json:"bic"`
	Holder string `json:"holder"`
}

// SetBank records the employer's bank account (its administrator, or a
// coordinator). Errors: Unauthenticated, Forbidden, NotFound, Invalid.
func (s *Service) SetBank(ctx context.Context, employer string, in BankInput) (AccountView, error) {
	a, err := ownEmployer(ctx, employer)
	if err == nil {
		err = s.known(ctx, a, employer)
	}
	if err != nil {
		return AccountView{}, err
	}
	var f apperr.Fields
	if p := sepa.CheckIBAN(in.IBAN); p != "" {
		f.Add("iban", p)
	}
	if p := sepa.CheckBIC(in.BIC); p != "" {
		f.Add("bic", p)
	}
	holder := f.Text("holder", in.Holder, 70, true)
	if err := f.Err(); err != nil {
		return AccountView{}, err
	}
	acct, err := s.store.updateAccount(ctx, employer, func(a *Account) error {
		a.IBAN, a.BIC, a.Holder, a.UpdatedAt = sepa.NormalizeIBAN(in.IBAN), strings.ToUpper(strings.TrimSpace(in.BIC)), holder, s.clock()
		return nil
	})
	if err != nil {
		return AccountView{}, err
	}
	return accountView(acct), nil
}

// Event is a Stripe webhook event, as the payments need it.
type Event struct {
	ID             string
	Type           string
	Created        int64
	AccountID      string // account.updated
	PayoutsEnabled bool   // account.updated
	TransferID     string // transfer.*
	PayoutID       string // transfer.*: the metadata's payout_id
}

// ErrBadSignature is a webhook that does not verify.
var ErrBadSignature = apperr.Errorf(apperr.BadRequest, "The webhook's signature does not verify.")

// Webhook applies a Stripe event: verified first (a bad signature is 400
// and changes nothing), an event handled before is ignored, and each
// change only moves forward (an older account.updated than the one
// applied, or a transfer.created after its reversal, changes nothing).
func (s *Service) Webhook(ctx context.Context, payload []byte, signature string) error {
	if s.ParseEvent == nil {
		return apperr.Errorf(apperr.NotFound, "Not found.")
	}
	ev, err := s.ParseEvent(payload, signature)
	if err != nil {
		return ErrBadSignature
	}
	var seen bson.M
	if err := s.store.events.FindOne(ctx, bson.M{"_id": ev.ID}).Decode(&seen); err == nil {
		return nil // handled before
	} else if !errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("stripe event %s: %w", ev.ID, err)
	}
	if err := s.apply(ctx, ev); err != nil {
		return err
	}
	if _, err := s.store.events.InsertOne(ctx, bson.M{"_id": ev.ID, "type": ev.Type, "at": s.clock()}); err != nil && !mongo.IsDuplicateKeyError(err) {
		return fmt.Errorf("stripe event %s: %w", ev.ID, err)
	}
	return nil
}

func (s *Service) apply(ctx context.Context, ev Event) error {
	switch ev.Type {
	case "account.updated":
		emp, err := s.employerOfAccount(ctx, ev.AccountID)
		if err != nil || emp == "" {
			return err
		}
		_, err = s.store.updateAccount(ctx, emp, func(a *Account) error {
			if ev.Created < a.LastEvent {
				return nil // an older state than the one applied
			}
			a.PayoutsEnabled, a.LastEvent, a.UpdatedAt = ev.PayoutsEnabled, ev.Created, s.clock()
			return nil
		})
		return err
	case "transfer.created", "transfer.reversed":
		if !ids.Valid(ev.PayoutID, "po_") {
			return nil
		}
		_, err := s.writePayout(ctx, system, ev.PayoutID, func(p *Payout) error {
			// A transfer event touches only the payout it paid: a Stripe
			// payout (never one that left in a SEPA file) whose own
			// transfer id the event carries.
			if ev.TransferID == "" || p.ExportID != "" || len(p.files()) > 0 {
				return errUnchanged
			}
			switch {
			case ev.Type == "transfer.created" && p.State == Submitted && p.outstanding() == 0:
				p.TransferID = ev.TransferID
				s.move(p, "stripe", Paid, ev.TransferID)
			case ev.Type == "transfer.reversed" && p.State == Paid && p.TransferID == ev.TransferID:
				s.move(p, "stripe", Failed, reversedPrefix+ev.TransferID)
			case ev.Type == "transfer.reversed" && p.State == Submitted && p.TransferID == "":
				// Out of order: the transfer we sent was reversed before
				// its creation reached us; its id is the payout's now.
				p.TransferID = ev.TransferID
				s.move(p, "stripe", Failed, reversedPrefix+ev.TransferID)
			default:
				return errUnchanged
			}
			return nil
		})
		if errors.Is(err, errUnchanged) || apperr.Is(err, apperr.NotFound) {
			return nil
		}
		return err
	}
	return nil
}

// employerOfAccount finds the employer of a connected account (the
// "stripe-accounts" list: one _id read).
func (s *Service) employerOfAccount(ctx context.Context, account string) (string, error) {
	if account == "" {
		return "", nil
	}
	es, err := s.store.entries(ctx, "stripe-accounts")
	if err != nil {
		return "", err
	}
	return es[account], nil
}

// ExportView is a SEPA file.
type ExportView struct {
	ID          string    `json:"id"`
	Payouts     []string  `json:"payouts"`
	TotalCents  int64     `json:"total_cents"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   string    `json:"created_by"`
	SkippedNote string    `json:"skipped,omitempty"`
}

type exportDoc struct {
	ID         string    `bson:"_id"`
	Candidates []string  `bson:"candidates"`
	CreatedAt  time.Time `bson:"created_at"`
	CreatedBy  string    `bson:"created_by"`
}

// Export puts every approved payout whose employer has a bank account in
// a new SEPA file (coordinators): each payout moves to exported with the
// file's id in one conditional write, so it is in at most one file.
// Errors: Unauthenticated, Forbidden, Invalid (no debtor account
// configured), Conflict (nothing to export).
func (s *Service) Export(ctx context.Context) (ExportView, error) {
	a, err := users.RequireRole(ctx, users.Coordinator)
	if err != nil {
		return ExportView{}, err
	}
	if sepa.CheckIBAN(s.Debtor.IBAN) != "" || s.Debtor.Name == "" {
		return ExportView{}, apperr.Errorf(apperr.Conflict, "No debtor account is configured (HERSTART_SEPA_DEBTOR_IBAN, HERSTART_SEPA_DEBTOR_NAME).")
	}
	// One export at a time, across instances: a lease taken before the
	// payouts are read, so the next export reads what this one left. A
	// stopped export's lease lapses after exportTakeover.
	holder := ids.New("x_")
	if ok, err := s.store.leases.Acquire(ctx, "sepa-export", holder, time.Now(), exportTakeover); err != nil {
		return ExportView{}, err
	} else if !ok {
		return ExportView{}, errExportUnderWay
	}
	defer func() { _ = s.store.leases.Release(context.WithoutCancel(ctx), "sepa-export", holder) }()
	open, err := s.store.payoutList(ctx, "open")
	if err != nil {
		return ExportView{}, err
	}
	doc := exportDoc{ID: ids.New("x_"), CreatedAt: s.clock(), CreatedBy: string(a.UserID)}
	skipped := 0
	for _, x := range open {
		if x.State != Approved {
			continue
		}
		acct, _, err := s.store.account(ctx, x.EmployerID)
		if err != nil {
			return ExportView{}, err
		}
		if acct.IBAN == "" {
			skipped++
			continue
		}
		doc.Candidates = append(doc.Candidates, x.ID)
	}
	if len(doc.Candidates) == 0 {
		return ExportView{}, apperr.Errorf(apperr.Conflict, "No approved payout with a bank account is waiting for export.")
	}
	// The file's record first: payouts that name it can always be found.
	// Its id derives from the payouts it is for, so exports started at
	// the same moment (a double click, two coordinators) claim the same
	// id and one of them makes the file; the others are 409 at once. A
	// claim older than exportTakeover whose maker stopped is taken over
	// with the next attempt number, as version claims are.
	if err := s.claimExport(ctx, &doc); err != nil {
		return ExportView{}, err
	}
	v := ExportView{ID: doc.ID, Payouts: []string{}, CreatedAt: doc.CreatedAt, CreatedBy: doc.CreatedBy}
	for _, id := range doc.Candidates {
		p, err := s.writePayout(ctx, a, id, func(p *Payout) error {
			if p.State != Approved || p.ExportID != "" || len(p.files()) > 0 || p.outstanding() > 0 {
				return errUnchanged // a payout leaves in at most one file
			}
			p.ExportID = doc.ID
			s.move(p, string(a.UserID), Exported, "SEPA file "+doc.ID)
			return nil
		})
		if errors.Is(err, errUnchanged) {
			continue
		}
		if err != nil {
			return ExportView{}, err
		}
		v.Payouts = append(v.Payouts, p.ID)
		v.TotalCents += p.AmountCents
	}
	if len(v.Payouts) == 0 {
		// Another export took them meanwhile: no empty file.
		if _, err := s.store.exports.DeleteOne(ctx, bson.M{"_id": doc.ID}); err != nil {
			return ExportView{}, fmt.Errorf("delete empty export: %w", err)
		}
		return ExportView{}, apperr.Errorf(apperr.Conflict, "No approved payout with a bank account is waiting for export.")
	}
	if skipped > 0 {
		v.SkippedNote = fmt.Sprintf("%d approved payouts wait for their employer's bank account", skipped)
	}
	return v, nil
}

// exportTakeover is how old an export's claim must be before another
// export of the same payouts may take over from a maker that stopped.
const exportTakeover = 2 * time.Minute

var errExportUnderWay = apperr.Errorf(apperr.Conflict, "An export of these payouts is under way already.")

// (Exports of the same payouts also claim one id, claimExport: should an
// export outlast its lease, the next one for the same payouts still makes
// no second file.)

// claimExport inserts doc under an id derived from its payouts (and the
// attempt): of several exports of the same payouts, one inserts it.
// Errors: Conflict (another export of these payouts is under way).
func (s *Service) claimExport(ctx context.Context, doc *exportDoc) error {
	sorted := slices.Sorted(slices.Values(doc.Candidates))
	for attempt := 0; attempt < 4; attempt++ {
		h := sha256.Sum256([]byte(strings.Join(sorted, ",") + "#" + strconv.Itoa(attempt)))
		doc.ID = "x_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h[:10]))
		_, err := s.store.exports.InsertOne(ctx, *doc)
		if err == nil {
			return nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("insert export: %w", err)
		}
		var held exportDoc
		if err := find(ctx, s.store.exports, doc.ID, &held, errExportUnderWay); err != nil {
			return err
		}
		if s.clock().Sub(held.CreatedAt) < exportTakeover {
			return errExportUnderWay
		}
	}
	return errExportUnderWay
}

// ExportFile writes a SEPA file as pain.001.001.03 XML: the payouts that
// moved to exported with it (coordinators). Errors: NotFound.
func (s *Service) ExportFile(ctx context.Context, id string) ([]byte, error) {
	if _, err := users.RequireRole(ctx, users.Coordinator); err != nil {
		return nil, err
	}
	var doc exportDoc
	if !ids.Valid(id, "x_") {
		return nil, apperr.Errorf(apperr.NotFound, "Export not found.")
	}
	if err := find(ctx, s.store.exports, id, &doc, apperr.Errorf(apperr.NotFound, "Export not found.")); err != nil {
		return nil, err
	}
	f := sepa.File{MessageID: doc.ID, CreatedAt: doc.CreatedAt, ExecutionDate: day(doc.CreatedAt).AddDate(0, 0, 1),
		Debtor: sepa.Party{Name: s.Debtor.Name, IBAN: s.Debtor.IBAN, BIC: s.Debtor.BIC}}
	sort.Strings(doc.Candidates)
	for _, pid := range doc.Candidates {
		p, err := s.store.payout(ctx, pid)
		if err != nil {
			return nil, err
		}
		if p.ExportID != doc.ID {
			continue
		}
		acct, _, err := s.store.account(ctx, p.EmployerID)
		if err != nil {
			return nil, err
		}
		f.Payments = append(f.Payments, sepa.Payment{EndToEndID: p.ID, AmountCents: p.AmountCents,
			Creditor: sepa.Party{Name: acct.Holder, IBAN: acct.IBAN, BIC: acct.BIC}, Remittance: "Herstart subsidie " + p.ID + " plaatsing " + p.PlacementID})
	}
	if len(f.Payments) == 0 {
		return nil, apperr.Errorf(apperr.NotFound, "Export not found.")
	}
	return f.Marshal()
}

// Difference is one line of a reconciliation.
type Difference struct {
	PayoutID   string `json:"payout_id"`
	TransferID string `json:"transfer_id,omitempty"`
	Problem    string `json:"problem"`
}

// Reconcile compares the ledger's transfers with the gateway's: a paid
// payout whose transfer the gateway does not have, or of another amount;
// a transfer for a payout the ledger does not show paid; two transfers for
// one payout.
func (s *Service) Reconcile(ctx context.Context) ([]Difference, int, error) {
	if s.Gateway == nil {
		return nil, 0, apperr.Errorf(apperr.Conflict, "Stripe is not configured here; there is nothing to reconcile with.")
	}
	trs, err := s.Gateway.Transfers(ctx)
	if err != nil {
		return nil, 0, err
	}
	byPayout := map[string][]Transfer{}
	for _, t := range trs {
		byPayout[t.PayoutID] = append(byPayout[t.PayoutID], t)
	}
	es, err := s.store.entries(ctx, "schemes")
	if err != nil {
		return nil, 0, err
	}
	var out []Difference
	checked := 0
	seen := map[string]bool{}
	for schemeID := range es {
		list, err := s.store.payoutList(ctx, "scheme:"+schemeID)
		if err != nil {
			return nil, 0, err
		}
		for _, x := range list {
			seen[x.ID] = true
			p, err := s.store.payout(ctx, x.ID)
			if err != nil {
				return nil, 0, err
			}
			got := byPayout[p.ID]
			if p.TransferID == "" && len(got) == 0 {
				continue
			}
			checked++
			switch {
			case len(got) > 1:
				out = append(out, Difference{p.ID, got[0].ID, fmt.Sprintf("%d transfers at Stripe for one payout", len(got))})
			case p.TransferID != "" && len(got) == 0:
				out = append(out, Difference{p.ID, p.TransferID, "paid in the ledger, no transfer at Stripe"})
			case p.TransferID == "" && p.State != Submitted:
				out = append(out, Difference{p.ID, got[0].ID, "a transfer at Stripe, the ledger says " + string(p.State)})
			case got[0].AmountCents != p.AmountCents:
				out = append(out, Difference{p.ID, got[0].ID, fmt.Sprintf("amount %d at Stripe, %d in the ledger", got[0].AmountCents, p.AmountCents)})
			case p.TransferID != "" && got[0].ID != p.TransferID:
				out = append(out, Difference{p.ID, got[0].ID, "another transfer id than the ledger's " + p.TransferID})
			}
		}
	}
	for pid, ts := range byPayout {
		if !seen[pid] {
			out = append(out, Difference{pid, ts[0].ID, "a transfer at Stripe for a payout the ledger does not know"})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PayoutID < out[j].PayoutID })
	return out, checked, nil
}

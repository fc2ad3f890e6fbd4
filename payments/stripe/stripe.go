// Package stripe is the payments Gateway on Stripe Connect, through
// stripe-go v76 (API version 2023-10-16): an Express account per
// employer, onboarding links, and a Transfer per payout with the payout's
// id as the idempotency key. ParseEvent verifies webhooks.
package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	stripe "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/herstart/herstart/payments"
)

// APIVersion is the Stripe API version this gateway speaks and the one
// the webhook endpoint must be pinned to: events of another version are
// refused (their objects would be read wrongly).
const APIVersion = stripe.APIVersion

// Gateway is payments.Gateway on Stripe.
type Gateway struct {
	api *client.API
}

// New returns a Gateway with the secret key; baseURL, when not empty,
// points it elsewhere than api.stripe.com (stripe-mock in tests).
func New(key, baseURL string) *Gateway {
	cfg := &stripe.BackendConfig{HTTPClient: &http.Client{Timeout: 30 * time.Second}, MaxNetworkRetries: stripe.Int64(2),
		LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelError}}
	if baseURL != "" {
		cfg.URL = stripe.String(baseURL)
	}
	backends := &stripe.Backends{API: stripe.GetBackendWithConfig(stripe.APIBackend, cfg), Connect: stripe.GetBackendWithConfig(stripe.ConnectBackend, cfg),
		Uploads: stripe.GetBackendWithConfig(stripe.UploadsBackend, cfg)}
	return &Gateway{api: client.New(key, backends)}
}

// refused maps Stripe's final answers (4xx) to payments.RefusedError.
func refused(err error) error {
	var se *stripe.Error
	if errors.As(err, &se) && se.HTTPStatusCode >= 400 && se.HTTPStatusCode < 500 && se.HTTPStatusCode != http.StatusTooManyRequests && se.HTTPStatusCode != http.StatusConflict {
		return &payments.RefusedError{Reason: fmt.Sprintf("stripe %d %s: %s", se.HTTPStatusCode, se.Code, se.Msg)}
	}
	return err
}

// CreateAccount opens an Express account in the Netherlands (idempotent
// per employer).
func (g *Gateway) CreateAccount(ctx context.Context, employerID, email string) (string, error) {
	p := &stripe.AccountParams{Type: stripe.String(string(stripe.AccountTypeExpress)), Country: stripe.String("NL"),
		Capabilities: &stripe.AccountCapabilitiesParams{Transfers: &stripe.AccountCapabilitiesTransfersParams{Requested: stripe.Bool(true)}},
		Metadata:     map[string]string{"employer_id": employerID}}
	if email != "" {
		p.Email = stripe.String(email)
	}
	p.Context = ctx
	p.SetIdempotencyKey("account-" + employerID)
	a, err := g.api.Accounts.New(p)
	if err != nil {
		return "", refused(err)
	}
	return a.ID, nil
}

// OnboardingLink is a fresh account link for the account's onboarding.
func (g *Gateway) OnboardingLink(ctx context.Context, accountID, returnURL string) (string, error) {
	p := &stripe.AccountLinkParams{Account: stripe.String(accountID), RefreshURL: stripe.String(returnURL), ReturnURL: stripe.String(returnURL),
		Type: stripe.String("account_onboarding")}
	p.Context = ctx
	l, err := g.api.AccountLinks.New(p)
	if err != nil {
		return "", refused(err)
	}
	return l.URL, nil
}

// Transfer pays t.AmountCents euro cents to t.AccountID with the key
// t.Key; Stripe answers a repeated key with the first transfer.
func (g *Gateway) Transfer(ctx context.Context, t payments.Transfer) (string, error) {
	p := &stripe.TransferParams{Amount: stripe.Int64(t.AmountCents), Currency: stripe.String(string(stripe.CurrencyEUR)), Destination: stripe.String(t.AccountID),
		Description: stripe.String("Herstart payout " + t.PayoutID), Metadata: map[string]string{"payout_id": t.PayoutID}}
	p.Context = ctx
	p.SetIdempotencyKey(t.Key)
	tr, err := g.api.Transfers.New(p)
	if err != nil {
		return "", refused(err)
	}
	return tr.ID, nil
}

// Transfers lists every transfer (newest first, paged by the library).
func (g *Gateway) Transfers(ctx context.Context) ([]payments.Transfer, error) {
	p := &stripe.TransferListParams{}
	p.Context = ctx
	p.Limit = stripe.Int64(100)
	it := g.api.Transfers.List(p)
	var out []payments.Transfer
	for it.Next() {
		t := it.Transfer()
		dest := ""
		if t.Destination != nil {
			dest = t.Destination.ID
		}
		out = append(out, payments.Transfer{ID: t.ID, AccountID: dest, AmountCents: t.Amount, PayoutID: t.Metadata["payout_id"]})
	}
	return out, it.Err()
}

// ParseEvent returns the webhook parser for secret: the signature is
// checked (and the timestamp, within 5 minutes), and so is the event's API
// version.
func ParseEvent(secret string) func(payload []byte, signature string) (payments.Event, error) {
	return func(payload []byte, signature string) (payments.Event, error) {
		// The library checks that the timestamp is not too old; a signed
		// timestamp from the future is refused here (the tolerance holds
		// both ways, so a leaked signature cannot be kept for later).
		if err := notFromTheFuture(signature, time.Now()); err != nil {
			return payments.Event{}, err
		}
		e, err := webhook.ConstructEvent(payload, signature, secret)
		if err != nil {
			return payments.Event{}, err
		}
		out := payments.Event{ID: e.ID, Type: string(e.Type), Created: e.Created}
		if e.Data == nil {
			return out, nil
		}
		switch e.Type {
		case "account.updated":
			var a stripe.Account
			if err := json.Unmarshal(e.Data.Raw, &a); err != nil {
				return payments.Event{}, err
			}
			out.AccountID, out.PayoutsEnabled = a.ID, a.PayoutsEnabled
		case "transfer.created", "transfer.reversed":
			var t stripe.Transfer
			if err := json.Unmarshal(e.Data.Raw, &t); err != nil {
				return payments.Event{}, err
			}
			out.TransferID, out.PayoutID = t.ID, t.Metadata["payout_id"]
		}
		return out, nil
	}
}

// errFutureTimestamp is a signature whose timestamp lies ahead of the
// clock by more than the tolerance.
var errFutureTimestamp = errors.New("webhook timestamp lies in the future")

// notFromTheFuture reads the t= field of a Stripe-Signature header and
// refuses a timestamp more than webhook.DefaultTolerance ahead of now. A
// header without one is left to the library (which refuses it).
func notFromTheFuture(header string, now time.Time) error {
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || k != "t" {
			continue
		}
		ts, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("webhook timestamp: %w", err)
		}
		if time.Unix(ts, 0).After(now.Add(webhook.DefaultTolerance)) {
			return errFutureTimestamp
		}
	}
	return nil
}

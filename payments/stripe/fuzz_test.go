package stripe_test

import (
	"encoding/json"
	"testing"
	"time"

	gostripe "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/herstart/herstart/payments/stripe"
)

// FuzzParseEvent: any payload, signed or not, is either refused or read
// as the event it names; a wrong signature is always refused; nothing
// panics on Stripe's event shapes with odd data.
func FuzzParseEvent(f *testing.F) {
	for _, s := range []string{
		`{"id":"evt_1","type":"account.updated","api_version":"` + gostripe.APIVersion + `","data":{"object":{"id":"acct_1","charges_enabled":true}}}`,
		`{"id":"evt_2","type":"transfer.reversed","api_version":"` + gostripe.APIVersion + `","data":{"object":{"id":"tr_1","amount":"x"}}}`,
		`{"id":"evt_3","type":"payout.paid","api_version":"` + gostripe.APIVersion + `","data":null}`,
		`{}`, `[]`, `null`, `{"id":1}`,
	} {
		f.Add([]byte(s), true)
	}
	const secret = "whsec_fuzz"
	parse := stripe.ParseEvent(secret)
	f.Fuzz(func(t *testing.T, payload []byte, sign bool) {
		header := "t=1,v1=00"
		if sign {
			header = webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: time.Now()}).Header
		}
		ev, err := parse(payload, header)
		if !sign {
			if err == nil {
				t.Fatalf("an unsigned payload was taken: %s", payload)
			}
			return
		}
		if err != nil {
			return
		}
		var head struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(payload, &head) != nil || head.ID != ev.ID {
			t.Fatalf("event %q read from %s", ev.ID, payload)
		}
	})
}

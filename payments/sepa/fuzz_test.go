package sepa_test

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/herstart/herstart/payments/sepa"
)

// FuzzCheckIBAN: an IBAN that passes is letters and digits of its
// country's length, and passes again written with spaces and in lower
// case; nothing panics.
func FuzzCheckIBAN(f *testing.F) {
	for _, s := range []string{"NL91ABNA0417164300", "nl91 abna 0417 1643 00", "DE89370400440532013000", "NL00", "", "NL91ABNA041716430Ü", "XX91ABNA0417164300"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if sepa.CheckIBAN(s) != "" {
			return
		}
		n := sepa.NormalizeIBAN(s)
		if len(n) < 15 || len(n) > 34 || strings.IndexFunc(n, func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') }) >= 0 {
			t.Fatalf("%q passed as an IBAN (%q)", s, n)
		}
		spaced := strings.ToLower(n[:4] + " " + n[4:])
		if msg := sepa.CheckIBAN(spaced); msg != "" {
			t.Fatalf("%q passes, %q not: %s", s, spaced, msg)
		}
	})
}

// FuzzMarshal: whatever the names, references and remittance texts, the
// pain.001 file is well-formed XML in the SEPA character set, with every
// text within its length.
func FuzzMarshal(f *testing.F) {
	for _, s := range []string{"Bakkerij De Ster & Zn.", "<script>", "]]>", "Café Ö", "\x00\xff", strings.Repeat("x", 200), "=1+1"} {
		f.Add(s, s, s)
	}
	f.Fuzz(func(t *testing.T, name, remittance, id string) {
		file := sepa.File{MessageID: id, CreatedAt: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC), ExecutionDate: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC),
			Debtor:   sepa.Party{Name: name, IBAN: "NL91ABNA0417164300"},
			Payments: []sepa.Payment{{EndToEndID: id, AmountCents: 12345, Creditor: sepa.Party{Name: name, IBAN: "NL91ABNA0417164300"}, Remittance: remittance}}}
		out, err := file.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.Valid(out) {
			t.Fatal("the file is not UTF-8")
		}
		var doc struct {
			XMLName xml.Name
			Names   []string `xml:"CstmrCdtTrfInitn>PmtInf>CdtTrfTxInf>Cdtr>Nm"`
			Ustrd   []string `xml:"CstmrCdtTrfInitn>PmtInf>CdtTrfTxInf>RmtInf>Ustrd"`
		}
		if err := xml.Unmarshal(out, &doc); err != nil {
			t.Fatalf("not well-formed XML for %q, %q, %q: %v", name, remittance, id, err)
		}
		for _, s := range append(doc.Names, doc.Ustrd...) {
			if len(s) > 140 || strings.IndexFunc(s, func(r rune) bool {
				return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/-?:().,'+ ", r))
			}) >= 0 {
				t.Fatalf("a text outside the SEPA character set or too long: %q", s)
			}
		}
	})
}

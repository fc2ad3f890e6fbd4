// Package sepa writes SEPA credit-transfer files (ISO 20022
// pain.001.001.03, the EPC's SEPA variant: euro only, BIC optional) for a
// bank, and checks IBANs (ISO 13616, check digits by ISO 7064 mod 97-10).
package sepa

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// ibanLengths are the IBAN lengths of the SEPA countries.
var ibanLengths = map[string]int{
	"AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22,
	"GI": 23, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18,
	"NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "VA": 22,
}

// NormalizeIBAN removes spaces and upper-cases.
func NormalizeIBAN(s string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
}

// CheckIBAN returns what is wrong with an IBAN ("" when it is valid): a
// SEPA country, its length, letters and digits only, and the check digits.
func CheckIBAN(iban string) string {
	s := NormalizeIBAN(iban)
	if len(s) < 5 {
		return "is too short for an IBAN"
	}
	n, ok := ibanLengths[s[:2]]
	switch {
	case !ok:
		return "is not an IBAN of a SEPA country"
	case len(s) != n:
		return fmt.Sprintf("must be %d characters for %s", n, s[:2])
	}
	var digits strings.Builder
	for _, r := range s[4:] + s[:4] {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			fmt.Fprintf(&digits, "%d", r-'A'+10)
		default:
			return "must hold only letters and digits"
		}
	}
	v, _ := new(big.Int).SetString(digits.String(), 10)
	if new(big.Int).Mod(v, big.NewInt(97)).Int64() != 1 {
		return "has wrong check digits"
	}
	return ""
}

// CheckBIC returns what is wrong with a BIC ("" when it is valid or empty).
func CheckBIC(bic string) string {
	b := strings.ToUpper(strings.TrimSpace(bic))
	if b == "" {
		return ""
	}
	if len(b) != 8 && len(b) != 11 {
		return "must be 8 or 11 characters"
	}
	for i, r := range b {
		letter := r >= 'A' && r <= 'Z'
		digit := r >= '0' && r <= '9'
		if (i < 6 && !letter) || (!letter && !digit) {
			return "is not a BIC"
		}
	}
	return ""
}

// Party is a payer or payee.
type Party struct {
	Name string
	IBAN string
	BIC  string // optional
}

// Payment is one credit transfer.
type Payment struct {
	EndToEndID  string // the payout's id
	AmountCents int64
	Creditor    Party
	Remittance  string // unstructured, at most 140 characters
}

// File is one payment order of the debtor.
type File struct {
	MessageID     string
	CreatedAt     time.Time
	ExecutionDate time.Time
	Debtor        Party
	Payments      []Payment
}

// Marshal writes the file as pain.001.001.03 XML.
func (f File) Marshal() ([]byte, error) {
	var total int64
	txs := make([]cdtTrfTxInf, 0, len(f.Payments))
	for _, p := range f.Payments {
		if p.AmountCents < 1 {
			return nil, fmt.Errorf("sepa: payment %s: amount %d", p.EndToEndID, p.AmountCents)
		}
		total += p.AmountCents
		tx := cdtTrfTxInf{PmtID: pmtID{EndToEndID: clean(p.EndToEndID, 35)}, Amt: amt{InstdAmt: instdAmt{Ccy: "EUR", Value: cents(p.AmountCents)}},
			Cdtr: party{Nm: clean(p.Creditor.Name, 70)}, CdtrAcct: account{ID: accountID{IBAN: NormalizeIBAN(p.Creditor.IBAN)}},
			RmtInf: &rmtInf{Ustrd: clean(p.Remittance, 140)}}
		if p.Creditor.BIC != "" {
			tx.CdtrAgt = &agent{FinInstnID: finInstnID{BIC: strings.ToUpper(p.Creditor.BIC)}}
		}
		txs = append(txs, tx)
	}
	dbtrAgt := agent{FinInstnID: finInstnID{Othr: &othr{ID: "NOTPROVIDED"}}}
	if f.Debtor.BIC != "" {
		dbtrAgt = agent{FinInstnID: finInstnID{BIC: strings.ToUpper(f.Debtor.BIC)}}
	}
	doc := document{Xmlns: "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03", CstmrCdtTrfInitn: initn{
		GrpHdr: grpHdr{MsgID: clean(f.MessageID, 35), CreDtTm: f.CreatedAt.UTC().Format("2006-01-02T15:04:05"), NbOfTxs: fmt.Sprint(len(txs)),
			CtrlSum: cents(total), InitgPty: party{Nm: clean(f.Debtor.Name, 70)}},
		PmtInf: pmtInf{PmtInfID: clean(f.MessageID, 35), PmtMtd: "TRF", BtchBookg: "true", NbOfTxs: fmt.Sprint(len(txs)), CtrlSum: cents(total),
			PmtTpInf: pmtTpInf{SvcLvl: svcLvl{Cd: "SEPA"}}, ReqdExctnDt: f.ExecutionDate.Format(time.DateOnly),
			Dbtr: party{Nm: clean(f.Debtor.Name, 70)}, DbtrAcct: account{ID: accountID{IBAN: NormalizeIBAN(f.Debtor.IBAN)}, Ccy: "EUR"},
			DbtrAgt: dbtrAgt, ChrgBr: "SLEV", CdtTrfTxInf: txs}}}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	buf.WriteString("\n")
	return buf.Bytes(), nil
}

func cents(n int64) string { return fmt.Sprintf("%d.%02d", n/100, n%100) }

// clean keeps the SEPA character set (Latin letters, digits, / - ? : ( ) . , ' + space) and a length.
func clean(s string, max int) string {
	repl := strings.NewReplacer("ö", "o", "ë", "e", "é", "e", "è", "e", "ï", "i", "ü", "u", "ä", "a", "á", "a", "à", "a", "ç", "c", "&", "+", "Ö", "O", "É", "E")
	s = repl.Replace(s)
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/-?:().,'+ ", r) {
			b.WriteRune(r)
		}
	}
	out := strings.TrimSpace(b.String())
	if len(out) > max {
		out = out[:max]
	}
	if out == "" {
		out = "NOTPROVIDED"
	}
	return out
}

type document struct {
	XMLName          xml.Name `xml:"Document"`
	Xmlns            string   `xml:"xmlns,attr"`
	CstmrCdtTrfInitn initn    `xml:"CstmrCdtTrfInitn"`
}

type initn struct {
	GrpHdr grpHdr `xml:"GrpHdr"`
	PmtInf pmtInf `xml:"PmtInf"`
}

type grpHdr struct {
	MsgID    string `xml:"MsgId"`
	CreDtTm  string `xml:"CreDtTm"`
	NbOfTxs  string `xml:"NbOfTxs"`
	CtrlSum  string `xml:"CtrlSum"`
	InitgPty party  `xml:"InitgPty"`
}

type pmtInf struct {
	PmtInfID    string        `xml:"PmtInfId"`
	PmtMtd      string        `xml:"PmtMtd"`
	BtchBookg   string        `xml:"BtchBookg"`
	NbOfTxs     string        `xml:"NbOfTxs"`
	CtrlSum     string        `xml:"CtrlSum"`
	PmtTpInf    pmtTpInf      `xml:"PmtTpInf"`
	ReqdExctnDt string        `xml:"ReqdExctnDt"`
	Dbtr        party         `xml:"Dbtr"`
	DbtrAcct    account       `xml:"DbtrAcct"`
	DbtrAgt     agent         `xml:"DbtrAgt"`
	ChrgBr      string        `xml:"ChrgBr"`
	CdtTrfTxInf []cdtTrfTxInf `xml:"CdtTrfTxInf"`
}

type pmtTpInf struct {
	SvcLvl svcLvl `xml:"SvcLvl"`
}

type svcLvl struct {
	Cd string `xml:"Cd"`
}

type party struct {
	Nm string `xml:"Nm"`
}

type account struct {
	ID  accountID `xml:"Id"`
	Ccy string    `xml:"Ccy,omitempty"`
}

type accountID struct {
	IBAN string `xml:"IBAN"`
}

type agent struct {
	FinInstnID finInstnID `xml:"FinInstnId"`
}

type finInstnID struct {
	BIC  string `xml:"BIC,omitempty"`
	Othr *othr  `xml:"Othr,omitempty"`
}

type othr struct {
	ID string `xml:"Id"`
}

type cdtTrfTxInf struct {
	PmtID    pmtID   `xml:"PmtId"`
	Amt      amt     `xml:"Amt"`
	CdtrAgt  *agent  `xml:"CdtrAgt,omitempty"`
	Cdtr     party   `xml:"Cdtr"`
	CdtrAcct account `xml:"CdtrAcct"`
	RmtInf   *rmtInf `xml:"RmtInf,omitempty"`
}

type pmtID struct {
	EndToEndID string `xml:"EndToEndId"`
}

type amt struct {
	InstdAmt instdAmt `xml:"InstdAmt"`
}

type instdAmt struct {
	Ccy   string `xml:"Ccy,attr"`
	Value string `xml:",chardata"`
}

type rmtInf struct {
	Ustrd string `xml:"Ustrd"`
}

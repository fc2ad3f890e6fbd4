// Package smtp is the mail transport over SMTP, through go-mail
// (github.com/wneessen/go-mail). It is configured by one URL:
//
//	smtp://user:password@host:587   STARTTLS when the server offers it (mandatory with a password)
//	smtps://user:password@host:465  TLS from the start
//	smtp://host:1025?tls=none       no TLS (a local relay, Mailpit in tests)
package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/herstart/herstart/mail"
)

// Transport sends over one SMTP server.
type Transport struct {
	opts   []gomail.Option
	host   string
	from   string
	domain string // of the Message-IDs
	// cut, when set, breaks the connection in the middle of the next
	// message's data, as a crash mid-send would (tests).
	cut atomic.Bool
}

// New returns the transport of the URL, sending from the address from.
// Errors: a URL or address it cannot use.
func New(rawURL, from string) (*Transport, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, errors.New("HERSTART_SMTP_URL must look like smtp://user:password@host:587")
	}
	if from == "" || !strings.Contains(from, "@") {
		return nil, errors.New("HERSTART_MAIL_FROM must be an e-mail address")
	}
	t := &Transport{host: u.Hostname(), from: from, domain: from[strings.LastIndexByte(from, '@')+1:]}
	port := 587
	switch u.Scheme {
	case "smtps":
		port = 465
		t.opts = append(t.opts, gomail.WithSSL())
	case "smtp":
	default:
		return nil, fmt.Errorf("HERSTART_SMTP_URL: scheme %q is not smtp or smtps", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("HERSTART_SMTP_URL: port %q", p)
		}
	}
	t.opts = append(t.opts, gomail.WithPort(port), gomail.WithTimeout(30*time.Second),
		gomail.WithTLSConfig(&tls.Config{ServerName: t.host, MinVersion: tls.VersionTLS12}))
	switch tlsMode := u.Query().Get("tls"); {
	case u.Scheme == "smtps":
	case tlsMode == "none":
		t.opts = append(t.opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case tlsMode == "" && u.User == nil:
		t.opts = append(t.opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	default:
		t.opts = append(t.opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		t.opts = append(t.opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(u.User.Username()), gomail.WithPassword(pw))
	}
	t.opts = append(t.opts, gomail.WithDialContextFunc(t.dial))
	return t, nil
}

// Send hands m to the server.
func (t *Transport) Send(ctx context.Context, m mail.Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(t.from); err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("mail to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.ID + "@" + t.domain)
	msg.SetDate()
	msg.SetBulk() // no auto-replies to the platform
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	c, err := gomail.NewClient(t.host, t.opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp send: %w", err)
	}
	return nil
}

// CutNext makes the next send break off in the middle of the message's
// data, as a crash of the sender would: the server must discard it. For
// tests.
func (t *Transport) CutNext() { t.cut.Store(true) }

func (t *Transport) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil || !t.cut.Swap(false) {
		return c, err
	}
	return &cutConn{Conn: c}, nil
}

// cutConn closes the connection halfway through the first write after the
// DATA command.
type cutConn struct {
	net.Conn
	data bool
}

var errCut = errors.New("connection cut mid-send (test)")

func (c *cutConn) Write(b []byte) (int, error) {
	if c.data && len(b) > 1 {
		n, _ := c.Conn.Write(b[:len(b)/2])
		_ = c.Conn.Close()
		return n, errCut
	}
	if strings.HasPrefix(strings.ToUpper(string(b)), "DATA") {
		c.data = true
	}
	return c.Conn.Write(b)
}

package main

import (
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/herstart/herstart/audit"
	"github.com/herstart/herstart/candidates"
	"github.com/herstart/herstart/mail/smtp"
	"github.com/herstart/herstart/payments"
	"github.com/herstart/herstart/payments/sepa"
	"github.com/herstart/herstart/placements"
	"github.com/herstart/herstart/web"
)

// Config is every setting, read from HERSTART_* (and the standard MONGODB_URI)
// environment variables at start and validated there.
type Config struct {
	Addr           string // HERSTART_ADDR
	DataDir        string // HERSTART_DATA_DIR
	MongoURI       string // MONGODB_URI
	PostgresURL    string // HERSTART_POSTGRES_URL
	Database       string // HERSTART_DB_NAME
	AdminEmail     string // HERSTART_ADMIN_EMAIL
	AdminPassword  string // HERSTART_ADMIN_PASSWORD
	LogLevel       slog.Level
	LogFormat      string // HERSTART_LOG_FORMAT: text or json
	CookieInsecure bool   // HERSTART_COOKIE_INSECURE=true: session cookie without Secure (plain-HTTP test setups only)
	ProxyHeader    string // HERSTART_PROXY_HEADER: client IP header set by a trusted load balancer
	TrustedProxies string // HERSTART_TRUSTED_PROXIES: the load balancers' addresses or CIDR prefixes, comma-separated
	Proxies        web.Proxies
	SecondApproval int64  // HERSTART_CLAIM_SECOND_APPROVAL_CENTS: claims above this need a second coordinator (default 250000, €2,500)
	PayoutApproval int64  // HERSTART_PAYOUT_SECOND_APPROVAL_CENTS: payouts above this need a second coordinator (default 500000, €5,000)
	StripeKey      string // STRIPE_SECRET_KEY: pay through Stripe Connect; without it approved payouts wait for a SEPA export
	StripeWebhook  string // STRIPE_WEBHOOK_SECRET: verifies POST /api/v1/webhooks/stripe
	StripeURL      string // STRIPE_API_URL: another Stripe API base (stripe-mock), for tests
	PublicURL      string // HERSTART_PUBLIC_URL: the platform's address, where Stripe's onboarding returns
	DebtorName     string // HERSTART_SEPA_DEBTOR_NAME: the payer named in SEPA files
	DebtorIBAN     string // HERSTART_SEPA_DEBTOR_IBAN: the account SEPA files pay from
	DebtorBIC      string // HERSTART_SEPA_DEBTOR_BIC: optional
	MeiliURL       string // MEILI_URL: use Meilisearch instead of the embedded Bleve index
	MeiliAPIKey    string // MEILI_API_KEY
	PprofAddr      string // HERSTART_PPROF_ADDR: serve's pprof profiles on this (loopback) address, for measurements; off by default
	EngineTurns    int    // HERSTART_ENGINE_TURNS: searches the embedded engine works on at once, the rest waiting their turn in order (default 0: one a core; -1: no limit)

	AuditKeyFile    string // HERSTART_AUDIT_KEY_FILE: the Ed25519 key that signs audit checkpoints (default <data dir>/audit-signing.key, made at first start)
	AuditPublicKey  string // HERSTART_AUDIT_PUBLIC_KEY: hex public key `audit verify` checks the checkpoints with (default: the key file's)
	CheckpointEvery int64  // HERSTART_AUDIT_CHECKPOINT_EVERY: events per signed checkpoint (default 1000; one more at shutdown)

	SMTPURL     string        // HERSTART_SMTP_URL: send mail through this server (smtp://user:password@host:587, smtps://…:465, smtp://host:1025?tls=none); without it mail waits in the coordinators' outbox view
	MailFrom    string        // HERSTART_MAIL_FROM: the sender address (required with HERSTART_SMTP_URL)
	DigestEvery time.Duration // HERSTART_MAIL_DIGEST_MINUTES: least time between two digests to one person (default 60)

	RetainExitedDays int64 // HERSTART_RETAIN_EXITED_DAYS: days a candidate who left the platform is kept before the retention job erases them (default 730)
}

// checkpointFile is where the newest signed audit checkpoint is kept
// outside the database.
func (c Config) checkpointFile() string { return filepath.Join(c.DataDir, "audit-checkpoint.json") }

func loadConfig(getenv func(string) string) (Config, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	cfg := Config{
		Addr:           get("HERSTART_ADDR", "127.0.0.1:8080"),
		DataDir:        get("HERSTART_DATA_DIR", "./data"),
		MongoURI:       get("MONGODB_URI", ""),
		PostgresURL:    get("HERSTART_POSTGRES_URL", ""),
		Database:       get("HERSTART_DB_NAME", "herstart"),
		AdminEmail:     get("HERSTART_ADMIN_EMAIL", ""),
		AdminPassword:  getenv("HERSTART_ADMIN_PASSWORD"),
		LogFormat:      get("HERSTART_LOG_FORMAT", "text"),
		ProxyHeader:    get("HERSTART_PROXY_HEADER", ""),
		TrustedProxies: get("HERSTART_TRUSTED_PROXIES", ""),
		MeiliURL:       get("MEILI_URL", ""),
		MeiliAPIKey:    getenv("MEILI_API_KEY"),
		PprofAddr:      get("HERSTART_PPROF_ADDR", ""),
	}
	cfg.AuditKeyFile = get("HERSTART_AUDIT_KEY_FILE", filepath.Join(cfg.DataDir, "audit-signing.key"))
	cfg.AuditPublicKey = get("HERSTART_AUDIT_PUBLIC_KEY", "")
	var problems []string
	// whole reads a whole-number setting of at least min (def when unset).
	whole := func(name string, def, min int64, unit string) int64 {
		v := get(name, "")
		if v == "" {
			return def
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < min {
			problems = append(problems, fmt.Sprintf("%s must be a whole number of %s, %d or more", name, unit, min))
		}
		return n
	}
	cfg.RetainExitedDays = whole("HERSTART_RETAIN_EXITED_DAYS", int64(candidates.DefaultRetainExited/(24*time.Hour)), 1, "days")
	cfg.EngineTurns = int(min(whole("HERSTART_ENGINE_TURNS", 0, -1, "searches"), 1<<20))
	cfg.CheckpointEvery = whole("HERSTART_AUDIT_CHECKPOINT_EVERY", audit.DefaultCheckpointEvery, 1, "events")
	if cfg.AuditPublicKey != "" {
		if _, err := audit.ParsePublicKey(cfg.AuditPublicKey); err != nil {
			problems = append(problems, "HERSTART_AUDIT_PUBLIC_KEY: "+err.Error())
		}
	}
	if err := cfg.LogLevel.UnmarshalText([]byte(get("HERSTART_LOG_LEVEL", "info"))); err != nil {
		problems = append(problems, "HERSTART_LOG_LEVEL must be debug, info, warn or error")
	}
	if cfg.LogFormat != "text" && cfg.LogFormat != "json" {
		problems = append(problems, "HERSTART_LOG_FORMAT must be text or json")
	}
	switch v := strings.ToLower(get("HERSTART_COOKIE_INSECURE", "false")); v {
	case "true", "1", "yes":
		cfg.CookieInsecure = true
	case "false", "0", "no":
	default:
		problems = append(problems, "HERSTART_COOKIE_INSECURE must be true or false")
	}
	if cfg.MongoURI != "" && cfg.PostgresURL != "" {
		problems = append(problems, "set MONGODB_URI or HERSTART_POSTGRES_URL, not both")
	}
	if (cfg.AdminEmail == "") != (cfg.AdminPassword == "") {
		problems = append(problems, "set HERSTART_ADMIN_EMAIL and HERSTART_ADMIN_PASSWORD together")
	}
	if strings.ContainsAny(cfg.Database, "/\\. \"$") || len(cfg.Database) > 60 {
		problems = append(problems, "HERSTART_DB_NAME must be a plain database name")
	}
	if p, err := web.ParseProxies(cfg.ProxyHeader, cfg.TrustedProxies); err != nil {
		problems = append(problems, "HERSTART_PROXY_HEADER / HERSTART_TRUSTED_PROXIES: "+err.Error())
	} else {
		cfg.Proxies = p
	}
	cfg.StripeKey, cfg.StripeWebhook, cfg.StripeURL = getenv("STRIPE_SECRET_KEY"), getenv("STRIPE_WEBHOOK_SECRET"), get("STRIPE_API_URL", "")
	cfg.PublicURL = get("HERSTART_PUBLIC_URL", "http://"+cfg.Addr)
	cfg.DebtorName, cfg.DebtorIBAN, cfg.DebtorBIC = get("HERSTART_SEPA_DEBTOR_NAME", ""), get("HERSTART_SEPA_DEBTOR_IBAN", ""), get("HERSTART_SEPA_DEBTOR_BIC", "")
	if cfg.DebtorIBAN != "" {
		if p := sepa.CheckIBAN(cfg.DebtorIBAN); p != "" {
			problems = append(problems, "HERSTART_SEPA_DEBTOR_IBAN "+p)
		}
	}
	cfg.SMTPURL, cfg.MailFrom = getenv("HERSTART_SMTP_URL"), get("HERSTART_MAIL_FROM", "")
	cfg.DigestEvery = time.Duration(whole("HERSTART_MAIL_DIGEST_MINUTES", 60, 1, "minutes")) * time.Minute
	if cfg.SMTPURL != "" {
		if _, err := smtp.New(cfg.SMTPURL, cfg.MailFrom); err != nil {
			problems = append(problems, err.Error())
		}
	}
	cfg.PayoutApproval = whole("HERSTART_PAYOUT_SECOND_APPROVAL_CENTS", payments.DefaultSecondApprovalAbove, 0, "euro cents")
	cfg.SecondApproval = whole("HERSTART_CLAIM_SECOND_APPROVAL_CENTS", placements.DefaultSecondApprovalAbove, 0, "euro cents")
	if len(problems) > 0 {
		return cfg, fmt.Errorf("configuration: %s", strings.Join(problems, "; "))
	}
	return cfg, nil
}

// LogValue shows the configuration with secrets masked.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("data_dir", c.DataDir),
		slog.String("mongodb_uri", maskURL(c.MongoURI)),
		slog.String("postgres_url", maskURL(c.PostgresURL)),
		slog.String("db_name", c.Database),
		slog.Bool("admin_bootstrap", c.AdminEmail != ""),
		slog.String("log_level", c.LogLevel.String()),
		slog.Bool("cookie_insecure", c.CookieInsecure),
		slog.String("proxy_header", c.ProxyHeader),
		slog.String("trusted_proxies", c.TrustedProxies),
		slog.String("meili_url", maskURL(c.MeiliURL)),
		slog.String("pprof_addr", c.PprofAddr),
		slog.Bool("meili_api_key", c.MeiliAPIKey != ""),
		slog.Bool("stripe", c.StripeKey != ""),
		slog.Bool("stripe_webhook_secret", c.StripeWebhook != ""),
		slog.String("stripe_api_url", c.StripeURL),
		slog.Bool("sepa_debtor", c.DebtorIBAN != ""),
		slog.String("smtp_url", maskURL(c.SMTPURL)),
		slog.String("mail_from", c.MailFrom),
		slog.Duration("mail_digest", c.DigestEvery),
	)
}

// maskURL hides the password in a connection URL.
func maskURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable, hidden)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.Redacted()
}

package web

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"github.com/herstart/herstart/apperr"
	"github.com/herstart/herstart/users"
)

// OnceField is the form field of a page form's one-use token: every form
// rendered gets its own, so a double click (or a reload that sends the
// form again) makes one record and the second answer is the first's
// redirect.
const OnceField = "_once"

// IdempotencyHeader is the API's header of the same promise.
const IdempotencyHeader = "Idempotency-Key"

// onceWait is how long a repeat waits for the first request to finish.
const onceWait = 10 * time.Second

// noOnce are the POSTs a repeat must run again: they set or end a session
// (a replayed redirect would not), or change a setting.
var noOnce = map[string]bool{"/signin": true, "/signout": true, "/setup": true, "/lang": true,
	"/api/v1/auth/token": true, "/api/v1/auth/session": true, "/api/v1/webhooks/stripe": true}

// once makes a POST with an Idempotency-Key (the API) or a one-use form
// token (the pages) safe to send twice (package idempotency): the first
// claims the key and its answer is kept — the API's status and body, a
// page's redirect; a repeat by the same person gets that answer. A first
// request that made nothing (an error, a form shown again with its
// problems) gives the key up, so a repeat runs again.
func (w *Web) once(c *fiber.Ctx) error {
	if w.cfg.Idempotency == nil || c.Method() != fiber.MethodPost || noOnce[c.Path()] {
		return c.Next()
	}
	api := strings.HasPrefix(c.Path(), "/api/")
	var key string
	if api {
		key = c.Get(IdempotencyHeader)
	} else {
		key = c.FormValue(OnceField)
	}
	if key == "" {
		return c.Next()
	}
	if len(key) > 128 || strings.ContainsFunc(key, func(r rune) bool { return !unicode.IsPrint(r) || r > unicode.MaxASCII }) {
		return apperr.InvalidField(IdempotencyHeader, "must be at most 128 printable ASCII characters")
	}
	// A key is its sender's alone. An anonymous API caller has no identity
	// to scope a key by (another could replay the first's answer), so its
	// key is not used; an anonymous form's token is the server's own,
	// random, and unguessable.
	owner := "anonymous"
	if a, err := users.ActorFrom(c.UserContext()); err == nil {
		owner = string(a.UserID)
	} else if api {
		return c.Next()
	}
	// A page form's token is the server's own, random and unguessable, and
	// names one form shown: it is not scoped by who sends it, since a form
	// that signs its sender in (an employer's application) has a second
	// copy arrive signed in. A repeat gets only the redirect.
	id := "form:" + key
	if api {
		id = "api:" + owner + ":" + key
	}
	sum := sha256.Sum256(append([]byte(c.Method()+" "+c.OriginalURL()+"\n"), c.Body()...))
	hash := hex.EncodeToString(sum[:])
	store := w.cfg.Idempotency
	ctx := c.UserContext()
	rec, first, err := store.Begin(ctx, id, owner, hash)
	if err != nil {
		return err
	}
	if !first {
		if api && rec.Hash != hash {
			return apperr.InvalidField(IdempotencyHeader, "was used for another request")
		}
		rec, found, err := store.Wait(ctx, id, onceWait)
		switch {
		case err != nil:
			return err
		case !found: // the first made nothing: this one runs
			return w.once(c)
		case !rec.Done:
			return apperr.Errorf(apperr.Conflict, "This request is being processed; try again in a moment.")
		}
		c.Set("Idempotent-Replayed", "true")
		if !api {
			return c.Redirect(rec.Location, fiber.StatusSeeOther)
		}
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
		return c.Status(rec.Status).Send(rec.Body)
	}
	err = c.Next()
	status := c.Response().StatusCode()
	location := string(c.Response().Header.Peek(fiber.HeaderLocation))
	keep := err == nil && status < 500 && (api || (status >= 300 && status < 400 && location != ""))
	if !keep {
		if aerr := store.Abandon(ctx, id); aerr != nil {
			w.log.WarnContext(ctx, "idempotency key not given up", "err", aerr)
		}
		return err
	}
	var body []byte
	if api {
		body = append([]byte(nil), c.Response().Body()...)
	}
	if ferr := store.Finish(ctx, rec, status, location, body); ferr != nil {
		w.log.WarnContext(ctx, "idempotency answer not kept", "err", ferr)
	}
	return nil
}

package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"golang.org/x/net/html"
)

// hostileSweep sends what a careless or hostile client sends to every row
// of the authorisation table, as a caller the row lets in (the owner where
// there is one): every path id replaced by ids that are none (too long,
// another kind's, an operator, a traversal), every documented query
// parameter and the row's own given values no number or date can be,
// every field of the documented request body (one level into objects and
// arrays) given each wrong type, an operator, a huge number, 70,000
// letters and a list of 5,000 items, bodies that are no object at all, and
// the row's own body under content types that are not JSON; page forms get
// the same on their fields. The rule (issue statement: "bad input gets a clear 4xx
// error with the field named, never a 500"): no answer is 5xx; and where
// the row's body is one the table accepts, a field refused with 400/422
// is named in the error, so the client can take the person to it. Every
// caller signs in again first (the matrix signs out and revokes), and a
// colleague takes over from an employer user at the search limit, so the
// input is what the requests meet: the test fails when more than one in
// twenty stop at the login or role gate. Runs after the matrix, on its
// fixtures.
func hostileSweep(t *testing.T, c *authzClient, rows []authzRow, fx, tokens map[string]string, routes []string) {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile("../../api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	done := map[string]bool{}        // route and body
	routesSwept := map[string]bool{} // route
	var fails, unnamed []string
	requests := 0
	ip := 0
	tok := maps.Clone(tokens)
	logins := 0
	// signIn signs a caller in again: the matrix (and this sweep) sign
	// out, reset passwords and revoke tokens on the way.
	signIn := func(who string) bool {
		email := tokens["login:"+who]
		if email == "" {
			return false
		}
		logins++
		b, _ := json.Marshal(map[string]any{"email": email, "password": DemoPassword})
		st, raw, _ := c.call("POST", "/api/v1/auth/token", "", string(b), fmt.Sprintf("198.18.%d.%d", logins/250, logins%250+1))
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		if st != 201 || m["token"] == nil {
			return false
		}
		tok[who] = m["token"].(string)
		return true
	}
	for _, who := range authzCallers {
		signIn(who)
	}
	type slowCall struct {
		d    time.Duration
		what string
	}
	var slow []slowCall
	colleagues := 0
	limited := map[string]int{}
	gate := 0 // answers of the login or role gate, where the row lets the caller in
	pages := 0
	var shownIDs []string
	send := func(r authzRow, who, path, body, what string) (int, []byte) {
		ip++
		began := time.Now()
		st, b, _ := c.call(r.method, path, tok[who], body, fmt.Sprintf("192.0.2.%d", ip%250+1))
		requests++
		slow = append(slow, slowCall{time.Since(began), fmt.Sprintf("%s %s as %s, %s: %d", r.method, r.path, who, what, st)})
		if st == 401 && signIn(who) {
			st, b, _ = c.call(r.method, path, tok[who], body, fmt.Sprintf("192.0.2.%d", ip%250+1))
			requests++
		}
		if st == 401 || st == 403 {
			gate++
		}
		if st == 429 && (who == "e1" || who == "ec") {
			// A user's searches are limited a minute: go on as a new
			// colleague at the same employer, so the input is what is met.
			colleagues++
			email := fmt.Sprintf("hostile-%d@demo.herstart.invalid", colleagues)
			c.must(201, "POST", "/api/v1/users", tok["c1"], map[string]any{"email": email, "name": fmt.Sprintf("Collega %d", colleagues),
				"password": DemoPassword, "role": "employer", "employer_id": fx["emp"]})
			tok[who] = c.login(email, DemoPassword, 200+colleagues)
			st, b, _ = c.call(r.method, path, tok[who], body, fmt.Sprintf("192.0.2.%d", ip%250+1))
			requests++
		}
		if st == 429 {
			limited[r.method+" "+r.path]++
		}
		if st >= 500 {
			fails = append(fails, fmt.Sprintf("%s %s as %s, %s: %d %.200s", r.method, path, who, what, st, b))
		}
		return st, b
	}
	for _, r := range rows {
		route := authzRouteOf(routes, r.method, r.path)
		who := hostileCaller(r)
		if route == "" || who == "" || done[route+" "+r.body] {
			continue
		}
		done[route+" "+r.body] = true
		first := !routesSwept[route] // the path and the query once a route, the body once a body
		routesSwept[route] = true
		fill := func(s string, escape bool) string {
			for k, v := range fx {
				if escape {
					v = url.PathEscape(v)
				}
				s = strings.ReplaceAll(s, "{"+k+"}", v)
			}
			return s
		}
		path, body := fill(r.path, true), fill(r.body, false)
		if r.method == "GET" && !strings.HasPrefix(r.path, "/api/") && first {
			// The page as its owner sees it: names, never record ids.
			if st, page := send(r, who, path, "", "as it is"); st == 200 {
				pages++
				if ids := idsShown(page); len(ids) > 0 && !strings.HasPrefix(r.path, "/audit") {
					shownIDs = append(shownIDs, fmt.Sprintf("%s as %s: %v", r.path, who, ids))
				}
			}
		}
		// Path ids that are none.
		for _, seg := range regexpFixture.FindAllString(r.path, -1) {
			if !first {
				break
			}
			for _, id := range hostileIDs {
				p := fill(strings.Replace(r.path, seg, url.PathEscape(id), 1), true)
				send(r, who, p, body, fmt.Sprintf("id %q", id))
			}
		}
		// Query values no number, date or choice can be.
		base, rawq, _ := strings.Cut(path, "?")
		q, _ := url.ParseQuery(rawq)
		keys := slices.Collect(func(yield func(string) bool) {
			for k := range q {
				if !yield(k) {
					return
				}
			}
		})
		_, tmpl, _ := strings.Cut(route, " ")
		op := (*openapi3.Operation)(nil)
		if item := doc.Paths.Find(tmpl); item != nil {
			op = item.GetOperation(r.method)
		}
		if op != nil {
			for _, p := range op.Parameters {
				if p.Value != nil && p.Value.In == "query" && !slices.Contains(keys, p.Value.Name) {
					keys = append(keys, p.Value.Name)
				}
			}
		}
		if r.method == "GET" {
			for _, k := range []string{"page", "lang"} { // read by every list and page
				if !slices.Contains(keys, k) {
					keys = append(keys, k)
				}
			}
		}
		sort.Strings(keys)
		if !first {
			keys = nil
		}
		for _, k := range keys {
			for _, v := range hostileQueryValues {
				q2, _ := url.ParseQuery(rawq)
				q2.Set(k, v)
				st, answer := send(r, who, base+"?"+q2.Encode(), body, fmt.Sprintf("query %s=%.20q", k, v))
				if strings.HasPrefix(r.path, "/api/") && r.want[who] >= 200 && r.want[who] < 300 && (st == 400 || st == 422) && !namesField(answer, k) {
					unnamed = append(unnamed, fmt.Sprintf("%s %s query %s=%.20q: %d %.160s", r.method, r.path, k, v, st, answer))
				}
			}
		}
		if r.method == "GET" || r.method == "DELETE" {
			continue
		}
		if !strings.HasPrefix(r.path, "/api/") {
			// A page's form: each field given what a form field should not hold.
			form, _ := url.ParseQuery(body)
			for k := range form {
				for _, v := range hostileFormValues {
					f2, _ := url.ParseQuery(body)
					f2.Set(k, v)
					send(r, who, path, f2.Encode(), fmt.Sprintf("form %s=%.20q", k, v))
				}
			}
			continue
		}
		for _, raw := range hostileBodies {
			send(r, who, path, raw, fmt.Sprintf("body %.20q", raw))
		}
		// The row's own body under a content type that is not JSON.
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin1"} {
			req, _ := http.NewRequest(r.method, c.base+path, strings.NewReader(cmp.Or(body, "{}")))
			req.Header.Set("Content-Type", ct)
			req.Header.Set("Authorization", "Bearer "+tok[who])
			resp, err := c.http.Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v", r.method, path, err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			requests++
			if resp.StatusCode >= 500 {
				fails = append(fails, fmt.Sprintf("%s %s as %s, content type %q: %d %.200s", r.method, path, who, ct, resp.StatusCode, b))
			}
		}
		var obj map[string]any
		if json.Unmarshal([]byte(body), &obj) != nil || obj == nil {
			obj = map[string]any{}
		}
		if op == nil || op.RequestBody == nil || op.RequestBody.Value == nil {
			continue
		}
		mt := op.RequestBody.Value.Content.Get("application/json")
		if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
			continue
		}
		// Where the row's body is one the table accepts, a refusal can only
		// be the field's: the error must name it. (From an empty body the
		// refusal names the required fields, rightly.)
		named := r.body != "" && r.want[who] >= 200 && r.want[who] < 300
		for _, field := range schemaFields(mt.Schema.Value, nil, 0) {
			for _, v := range hostileValues {
				b, err := json.Marshal(withField(obj, field, v))
				if err != nil {
					t.Fatal(err)
				}
				name := strings.Join(field, ".")
				st, answer := send(r, who, path, string(b), fmt.Sprintf("field %s=%.20v", name, v))
				if named && (st == 400 || st == 422) && !strings.Contains(string(answer), field[len(field)-1]) {
					unnamed = append(unnamed, fmt.Sprintf("%s %s field %s=%.20v: %d %.160s", r.method, r.path, name, v, st, answer))
				}
			}
		}
	}
	t.Logf("hostile input: %d requests over %d rows (%d employer colleagues made for the search limit, %d sign-ins again); at the gate %d; 5xx %d; a refused field not named %d", requests, len(done), colleagues, logins, gate, len(fails), len(unnamed))
	slices.SortFunc(slow, func(a, b slowCall) int { return int(b.d - a.d) })
	for _, s := range slow[:min(25, len(slow))] {
		t.Logf("slowest: %s %s", s.d.Round(time.Millisecond), s.what)
	}
	if len(limited) > 0 {
		t.Logf("hostile input: answered 429 (a limit, not the input, met): %v", limited)
	}
	if gate > requests/20 {
		t.Errorf("hostile input: %d of %d requests stopped at the login or role gate: the sweep met the gate, not the input", gate, requests)
	}
	if len(fails) > 0 {
		t.Errorf("%d hostile requests answered 5xx (want a 4xx naming the field):\n%s", len(fails), strings.Join(fails, "\n"))
	}
	t.Logf("hostile input: %d pages read as their owner for record ids in the text", pages)
	if len(shownIDs) > 0 {
		t.Errorf("%d pages show a person record ids where a name belongs:\n%s", len(shownIDs), strings.Join(shownIDs, "\n"))
	}
	if len(unnamed) > 0 {
		t.Errorf("%d refused fields the error does not name:\n%s", len(unnamed), strings.Join(unnamed, "\n"))
	}
}

// idsShown are the record ids (c_…, e_…, u_…) in the text of a page's
// main part as a person reads it: not in attributes (links, form values),
// scripts or what is hidden.
func idsShown(page []byte) []string {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		return nil
	}
	var out []string
	var walk func(n *html.Node, inMain bool)
	walk = func(n *html.Node, inMain bool) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "style", "template", "head":
				return
			case "main":
				inMain = true
			}
			for _, a := range n.Attr {
				if a.Key == "hidden" || (a.Key == "class" && strings.Contains(a.Val, "visually-hidden")) {
					return
				}
			}
		}
		if n.Type == html.TextNode && inMain {
			out = append(out, rawID.FindAllString(n.Data, -1)...)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch, inMain)
		}
	}
	walk(doc, false)
	return out
}

// namesField reports whether an error body names field k, or an element
// or part of it ("certificates[0]", "contact.email").
func namesField(body []byte, k string) bool {
	for _, end := range []string{`"`, `[`, `.`} {
		if strings.Contains(string(body), `"`+k+end) {
			return true
		}
	}
	return false
}

// hostileCaller is a caller the row lets in: the first of the owners (asked
// last by the matrix) whose status is neither 401, 403 nor 404.
func hostileCaller(r authzRow) string {
	for i := len(authzOrder) - 1; i >= 0; i-- {
		who := authzOrder[i]
		if st, ok := r.want[who]; ok && st != 401 && st != 403 && st != 404 && st != 405 {
			return who
		}
	}
	return ""
}

var hostileIDs = []string{"$ne", "../../healthz", "c_" + strings.Repeat("a", 600), "ünï\x00"}

var hostileQueryValues = []string{"-1", "99999999999999999999", "2026-13-45", "\x00", strings.Repeat("z", 3000)}

var hostileFormValues = []string{"", "-1", "99999999999999999999", "2026-02-30", "\x00\x01\u202e", "\xff\xfe", strings.Repeat("w", 70000)}

var hostileBodies = []string{"null", "[]", `"x"`, "{", `{"a":1}{"b":2}`, strings.Repeat("[", 5000) + strings.Repeat("]", 5000), "\xff\xfe"}

// manyItems is a list far longer than any field takes (a skill list, a
// check-in's actions).
var manyItems = func() []any {
	out := make([]any, 5000)
	for i := range out {
		out[i] = fmt.Sprintf("vaardigheid %d", i)
	}
	return out
}()

var hostileValues = []any{manyItems, nil, strings.Repeat("x", 70000), map[string]any{"$gt": ""}, -1, 1e300, "\x00\u202e<script>", "9999-99-99"}

var regexpFixture = regexp.MustCompile(`\{[a-z]+\}`)

// schemaFields are the paths of a request schema's fields: its own
// properties, and one level into objects and arrays of objects ("identity",
// "identity.first_name", "actions.0.due_date").
func schemaFields(s *openapi3.Schema, prefix []string, depth int) [][]string {
	var out [][]string
	names := make([]string, 0, len(s.Properties))
	for n := range s.Properties {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ref := s.Properties[n]
		p := append(slices.Clone(prefix), n)
		out = append(out, p)
		if ref == nil || ref.Value == nil || depth >= 1 {
			continue
		}
		v := ref.Value
		if v.Type.Is("object") {
			out = append(out, schemaFields(v, p, depth+1)...)
		} else if v.Type.Is("array") && v.Items != nil && v.Items.Value != nil && v.Items.Value.Type.Is("object") {
			out = append(out, schemaFields(v.Items.Value, append(p, "0"), depth+1)...)
		}
	}
	return out
}

// withField is a copy of body with the field at path set to v, the
// objects and the first array element on the way made where missing.
func withField(body map[string]any, path []string, v any) map[string]any {
	var cp map[string]any
	b, _ := json.Marshal(body)
	_ = json.Unmarshal(b, &cp)
	if cp == nil {
		cp = map[string]any{}
	}
	var set func(cur any, path []string) any
	set = func(cur any, path []string) any {
		if len(path) == 0 {
			return v
		}
		if path[0] == "0" {
			arr, _ := cur.([]any)
			if len(arr) == 0 {
				arr = []any{map[string]any{}}
			}
			arr[0] = set(arr[0], path[1:])
			return arr
		}
		m, _ := cur.(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		m[path[0]] = set(m[path[0]], path[1:])
		return m
	}
	return set(cp, path).(map[string]any)
}

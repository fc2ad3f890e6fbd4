package main

import (
	"fmt"
	"strings"
	"time"
)

// authzFixtures builds the matrix's lifecycle state on top of the demo
// data, through the API as each role would: the callers and their tokens,
// the objects the table names, and the planted identities.
func authzFixtures(t interface {
	Helper()
	Fatalf(string, ...any)
	Logf(string, ...any)
}, c *authzClient) (map[string]string, map[string]string, []planted) {
	t.Helper()
	tok := map[string]string{"anon": ""}
	n := 0
	login := func(who, email, password string) {
		n++
		tok[who] = c.login(email, password, n)
		tok["login:"+who] = email // for a caller to sign in again (hostileSweep)
	}
	login("w1", "reclassering.jansen@demo.herstart.nl", DemoPassword)
	login("w2", "reclassering.bakker@demo.herstart.nl", DemoPassword)
	login("e1", demoEmployerEmail, DemoPassword)
	login("m1", "mentor@demo.herstart.nl", DemoPassword)
	login("c1", "coordinator@demo.herstart.nl", DemoPassword)
	login("c2", "coordinator2@demo.herstart.nl", DemoPassword)
	fx := map[string]string{}

	// A second mentor, and a colleague at the demo employer.
	c.must(201, "POST", "/api/v1/users", tok["c1"], map[string]any{"email": "mentor2@example.nl", "name": "Mila Tweede", "password": DemoPassword, "role": "mentor"})
	login("m2", "mentor2@example.nl", DemoPassword)
	// An account for the account rows to (re)activate and reset.
	fx["spare"] = str(c.must(201, "POST", "/api/v1/users", tok["c1"], map[string]any{"email": "reserve@example.nl", "name": "Rens Reserve", "password": DemoPassword, "role": "probation_worker"}), "id")
	// An invited account (no password yet), for the invitation rows.
	fx["invited"] = str(c.must(201, "POST", "/api/v1/users", tok["c1"], map[string]any{"email": "uitgenodigd@example.nl", "name": "Ilse Uitgenodigd", "role": "mentor"}), "id")
	me := c.must(200, "GET", "/api/v1/users/me", tok["e1"], nil)
	fx["emp"] = me["employer_id"].(string)
	c.must(201, "POST", "/api/v1/employers/"+fx["emp"]+"/users", tok["e1"], map[string]any{"email": "collega@example.nl", "name": "Cas Collega", "password": DemoPassword})
	login("ec", "collega@example.nl", DemoPassword)

	// Three more organisations: approved, suspended, pending.
	register := func(who, name, kvk string) string {
		email := who + "@werkgever.example.nl"
		b := c.must(201, "POST", "/api/v1/employers", "", map[string]any{
			"name": name, "kvk": kvk, "sectors": []string{"construction", "logistics"},
			"locations": []any{map[string]any{"address": "Industrieweg 4", "place": "Utrecht"}},
			"contact":   map[string]any{"name": "Ans de Groot", "email": email, "phone": "+31 30 1234567"},
			"password":  DemoPassword, "code_of_conduct_accepted": true,
		})
		id := b["employer"].(map[string]any)["id"].(string)
		login(who, email, DemoPassword)
		return id
	}
	approve := func(id string) {
		c.must(200, "PATCH", "/api/v1/employers/"+id+"/vetting/checklist", tok["c1"], map[string]any{"kvk_checked": true, "site_visit_or_call": true, "references": true, "integrity_questions": true, "code_of_conduct_signed": true})
		c.must(200, "POST", "/api/v1/employers/"+id+"/vetting/approve", tok["c1"], nil)
		c.must(200, "POST", "/api/v1/employers/"+id+"/vetting/approve", tok["c2"], nil)
	}
	fx["eo"] = register("eo", "Schoonmaak Anders", "20000001")
	approve(fx["eo"])
	fx["es"] = register("es", "Transport Geschorst", "20000002")
	approve(fx["es"])
	c.must(200, "POST", "/api/v1/employers/"+fx["es"]+"/vetting/suspend", tok["c1"], map[string]any{"reason": "Klacht over arbeidsomstandigheden"})
	fx["ep"] = register("ep", "Bakkerij In Afwachting", "20000003")

	// The placement: one of w1's active ones from the demo's history,
	// mentored by m1, at the demo employer.
	pls := c.must(200, "GET", "/api/v1/placements", tok["w1"], nil)
	name := ""
	for _, p := range items(pls) { // the same one every run: by the candidate's name
		if p["state"] == "active" && (fx["pl"] == "" || str(p, "candidate") < name) {
			fx["pl"], name = p["id"].(string), str(p, "candidate")
		}
	}
	if fx["pl"] == "" {
		t.Fatalf("set-up: the demo gives w1 no active placement: %v", pls)
	}
	pl := c.must(200, "GET", "/api/v1/placements/"+fx["pl"], tok["w1"], nil)
	fx["cand"] = str(pl, "candidate_id")
	fx["pintro"] = str(pl, "introduction_id")

	// Planted identities: P (placed; the employer may see its last name,
	// e-mail and phone at level 2, the mentor its phone), I (in an
	// introduction at level 1: nobody but w1), B (w2's: nobody but w2).
	identity := func(first, last, email, phone, birth, address string) map[string]any {
		return map[string]any{"first_name": first, "last_name": last, "email": email, "phone": phone, "birth_date": birth, "address": address, "postcode": "3511 AB"}
	}
	expires := time.Now().AddDate(0, 6, 0).Format(time.DateOnly)
	cur := c.must(200, "GET", "/api/v1/candidates/"+fx["cand"], tok["w1"], nil)
	first := str(cur["identity"].(map[string]any), "first_name")
	c.must(200, "PATCH", "/api/v1/candidates/"+fx["cand"], tok["w1"], map[string]any{"identity": identity(first, "Zwaluwstaart", "plant.p@zwaluw.example.nl", "+31 6 90817263", "1981-07-23", "Kwikstraat 71")})
	if st, b := c.json("POST", "/api/v1/candidates/"+fx["cand"]+"/consents", tok["w1"], map[string]any{"employer_id": fx["emp"], "level": 2, "purpose": "Plaatsing", "expires_at": expires}); st != 201 && st != 409 {
		t.Fatalf("set-up: level-2 consent = %d %v", st, b)
	}
	// The placed candidate's own account (k1), invited by a printed code.
	inv := c.must(201, "POST", "/api/v1/candidates/"+fx["cand"]+"/account", tok["w1"], map[string]any{})
	code := inv["code"].(string)
	c.must(204, "POST", "/api/v1/auth/invitation", "", map[string]any{"code": code, "password": DemoPassword})
	login("k1", inv["login"].(string), DemoPassword)

	// Two approved partner organisations with a user each: p1 a housing
	// corporation accepted into {cand}'s circle for housing (with an
	// action of its own), p2 a care organisation in no circle. {pp} is a
	// pending one.
	partner := func(who, name, kind, kvk string) string {
		id := str(c.must(201, "POST", "/api/v1/partners", tok["c1"], map[string]any{"name": name, "kind": kind, "kvk": kvk, "place": "Utrecht",
			"contact": map[string]any{"name": "Piet Partner", "email": who + "@partner.example.nl"}}), "id")
		if who == "" {
			return id
		}
		c.must(200, "POST", "/api/v1/partners/"+id+"/vetting/approve", tok["c1"], nil)
		c.must(200, "POST", "/api/v1/partners/"+id+"/vetting/approve", tok["c2"], nil)
		u := str(c.must(201, "POST", "/api/v1/partners/"+id+"/users", tok["c1"], map[string]any{"email": who + "@partner.example.nl", "name": "Medewerker " + name}), "id")
		link := str(c.must(201, "POST", "/api/v1/users/"+u+"/invitation", tok["c1"], map[string]any{"by": "link"}), "link")
		_, code, _ := strings.Cut(link, "code=")
		c.must(204, "POST", "/api/v1/auth/invitation", "", map[string]any{"code": code, "password": DemoPassword})
		login(who, who+"@partner.example.nl", DemoPassword)
		return id
	}
	fx["p1"] = partner("p1", "Woonstichting Thuis", "housing", "30000001")
	fx["p2"] = partner("p2", "GGZ Zorgpunt", "care", "30000002")
	fx["pp"] = partner("", "Schuldhulp In Afwachting", "municipality", "30000003")
	c.must(201, "POST", "/api/v1/circles/"+fx["cand"]+"/members", tok["w1"], map[string]any{"partner_id": fx["p1"], "purpose": "housing", "basis": "consent", "consent": true, "need": "Een kamer in Utrecht."})
	c.must(200, "POST", "/api/v1/circles/"+fx["cand"]+"/members/1/accept", tok["p1"], nil)
	// A second membership for the rows that end one (withdraw, end).
	c.must(201, "POST", "/api/v1/circles/"+fx["cand"]+"/members", tok["w1"], map[string]any{"partner_id": fx["p1"], "purpose": "debt", "basis": "statutory", "statutory_task": "Wet gemeentelijke schuldhulpverlening"})
	c.must(201, "POST", "/api/v1/circles/"+fx["cand"]+"/actions", tok["p1"], map[string]any{"purpose": "housing", "title": "Woning aanbieden", "due_date": time.Now().AddDate(0, 0, 20).Format(time.DateOnly)})
	fx["due"] = time.Now().AddDate(0, 0, 30).Format(time.DateOnly)
	// {cand}'s exit trajectory, with a network that must never leave w1's
	// side (planted below: its person, firm and source reach w1 only).
	c.must(201, "POST", "/api/v1/candidates/"+fx["cand"]+"/trajectory", tok["w1"], map[string]any{"conditions": "Geen contact met de familie."})
	c.must(201, "POST", "/api/v1/candidates/"+fx["cand"]+"/trajectory/network", tok["w1"], map[string]any{"kind": "person", "name": "Oom Bertus Vlaskamp", "relation": "oom", "source": "Verklaring kandidaat 2026"})
	c.must(201, "POST", "/api/v1/candidates/"+fx["cand"]+"/trajectory/network", tok["w1"], map[string]any{"kind": "firm", "name": "Vlaskamp Sloopwerken", "kvk": "66600666", "source": "Verklaring kandidaat 2026"})
	fx["today"] = time.Now().Format(time.DateOnly)

	vs := c.must(200, "GET", "/api/v1/employers/"+fx["emp"]+"/vacancies", tok["e1"], nil)
	for _, v := range items(vs) {
		if strings.Contains(strings.ToLower(str(v, "title")), "magazijn") && fx["vac"] == "" {
			fx["vac"] = v["id"].(string)
		}
	}
	start := time.Now().AddDate(0, 0, 14).Format(time.DateOnly)
	vacancy := func(title string) map[string]any {
		return map[string]any{"title": title, "description": "Orderpicken in ploegendienst.", "required_skills": []string{"orderpicken"},
			"place": "Nieuwegein", "hours_per_week": 32, "sector": "logistics", "shifts": []any{map[string]any{"from": "06:00", "to": "14:30"}},
			"start_date": start, "risk_areas": []string{"goods"}, "vog_required": false}
	}
	fx["vacclose"] = str(c.must(201, "POST", "/api/v1/employers/"+fx["emp"]+"/vacancies", tok["e1"], vacancy("Orderpicker tijdelijk")), "id")
	fx["vacclose2"] = str(c.must(201, "POST", "/api/v1/employers/"+fx["emp"]+"/vacancies", tok["e1"], vacancy("Inpakker tijdelijk")), "id")

	candidate := func(tok, first, last, email, phone, birth, address string) string {
		b := c.must(201, "POST", "/api/v1/candidates", tok, map[string]any{
			"identity": identity(first, last, email, phone, birth, address),
			"skills":   []string{"orderpicken", "heftruck rijden"}, "desired_occupations": []string{"magazijnmedewerker"},
			"certificates": []string{"forklift"}, "languages": []string{"nl"}, "hours_per_week": 32,
			"available_from": time.Now().Format(time.DateOnly), "home_place": "Utrecht", "travel_radius_km": 25,
			"motivation": "Wil weer aan het werk.", "work_history": []string{"Orderpicker, 2 jaar"},
			"restrictions": map[string]any{"curfew": map[string]any{"from": "23:00", "to": "05:00"}},
		})
		id := str(b, "id")
		c.must(200, "PATCH", "/api/v1/candidates/"+id, tok, map[string]any{"status": "available"})
		return id
	}
	fx["candi"] = candidate(tok["w1"], "Ilse", "Roodborstje", "plant.i@roodborst.example.nl", "+31 6 71625344", "1990-11-05", "Merelhof 13")
	fx["candb"] = candidate(tok["w2"], "Bram", "Goudvinkje", "plant.b@goudvink.example.nl", "+31 6 52437189", "1978-02-14", "Vinkenweg 29")
	// Two more of w1's, for the erasure rows (API and page) to erase.
	fx["cande"] = candidate(tok["w1"], "Eva", "Wisser", "", "+31 6 10000001", "1992-01-01", "Wisweg 1")
	fx["cande2"] = candidate(tok["w1"], "Erik", "Wisser", "", "+31 6 10000002", "1992-01-02", "Wisweg 2")
	fx["intro"] = str(c.must(201, "POST", "/api/v1/introductions", tok["w1"], map[string]any{"candidate_id": fx["candi"], "vacancy_id": fx["vac"]}), "id")
	c.must(200, "POST", "/api/v1/introductions/"+fx["intro"]+"/interested", tok["e1"], nil)
	c.must(200, "POST", "/api/v1/introductions/"+fx["intro"]+"/consent", tok["w1"], map[string]any{"purpose": "Kennismaking"})
	fx["consent"] = str(c.must(201, "POST", "/api/v1/candidates/"+fx["candi"]+"/consents", tok["w1"], map[string]any{"employer_id": fx["eo"], "level": 1, "purpose": "Oriëntatie", "expires_at": expires}), "id")
	fx["consent2"] = str(c.must(201, "POST", "/api/v1/candidates/"+fx["candi"]+"/consents", tok["w1"], map[string]any{"employer_id": fx["eo"], "level": 2, "purpose": "Plaatsing", "expires_at": expires}), "id")
	fx["conflict2"] = str(c.must(201, "POST", "/api/v1/candidates/"+fx["candi"]+"/conflicts", tok["w1"], map[string]any{"employer_id": fx["eo"], "reason": "Buurman"}), "id")
	fx["expires"] = expires
	fx["yesterday"] = time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	fx["conflict"] = str(c.must(201, "POST", "/api/v1/candidates/"+fx["candi"]+"/conflicts", tok["w1"], map[string]any{"employer_id": fx["ep"], "reason": "Familie van de eigenaar"}), "id")

	// A guarantee with a claim on the placement; a check-in and an
	// escalation (the demo's, or one the mentor raises now).
	plStart, _ := time.Parse(time.DateOnly, str(pl, "start_date")[:10])
	if st, b := c.json("POST", "/api/v1/placements/"+fx["pl"]+"/guarantees", tok["c1"], map[string]any{"kind": "fidelity", "cover_cents": 500000,
		"start_date": plStart.Format(time.DateOnly), "end_date": plStart.AddDate(2, 0, 0).Format(time.DateOnly)}); st != 201 && st != 409 { // 409: the demo's
		t.Fatalf("set-up: guarantee = %d %v", st, b)
	}
	fx["g"] = "1"
	fx["claim"] = fmt.Sprint(c.must(201, "POST", "/api/v1/placements/"+fx["pl"]+"/guarantees/1/claims", tok["e1"], map[string]any{
		"amount_cents": 10000, "loss_date": time.Now().AddDate(0, 0, -1).Format(time.DateOnly), "description": "Kapotte scanner"})["n"])
	// The placement's last check-in and its first open escalation.
	scan := func() {
		pl := c.must(200, "GET", "/api/v1/placements/"+fx["pl"], tok["w1"], nil)
		for _, x := range asList(pl["checkins"]) {
			fx["checkin"] = fmt.Sprint(x["n"])
		}
		for _, x := range asList(pl["escalations"]) {
			if x["state"] == "open" && fx["esc"] == "" {
				fx["esc"] = fmt.Sprint(x["n"])
			}
		}
	}
	scan()
	if fx["checkin"] == "" || fx["esc"] == "" {
		c.must(201, "POST", "/api/v1/placements/"+fx["pl"]+"/checkins", tok["m1"], map[string]any{"date": time.Now().Format(time.DateOnly), "mode": "visit", "attended": true,
			"wellbeing": 1, "work": 2, "concerns": "Slaapt slecht.", "risk_flags": []string{"contact_old_network"}, "actions": []any{}})
		scan()
	}

	// Money: a scheme, a due payout of the demo employer's, a SEPA file.
	fx["scheme"] = str(items(c.must(200, "GET", "/api/v1/schemes", tok["c1"], nil))[0], "id")
	c.must(200, "PUT", "/api/v1/employers/"+fx["emp"]+"/bank-account", tok["e1"], map[string]any{"iban": "NL91ABNA0417164300", "holder": "Bouwbedrijf De Nieuwe Start"})
	pos := c.must(200, "GET", "/api/v1/payouts", tok["c1"], nil)
	var due []string
	for _, p := range items(pos) {
		if p["state"] == "due" {
			due = append(due, str(p, "id"))
		}
	}
	if len(due) < 2 {
		t.Fatalf("set-up: the demo has %d due payouts; want 2", len(due))
	}
	fx["payout"] = due[0]
	c.must(200, "POST", "/api/v1/payouts/"+due[1]+"/approve", tok["c2"], nil)
	st, ex := c.json("POST", "/api/v1/sepa-exports", tok["c1"], nil)
	if st != 201 {
		t.Fatalf("set-up: SEPA export = %d %v", st, ex)
	}
	fx["export"] = str(ex, "id")
	if items := items(c.must(200, "GET", "/api/v1/inbox", tok["w1"], nil)); len(items) > 0 {
		fx["inbox"] = str(items[0], "id")
	}
	fx["template"] = "default"
	if st, b, loc := c.call("POST", "/reindex", tok["c1"], "", "198.51.100.2"); st == 303 {
		fx["job"] = strings.TrimPrefix(loc, "/jobs/")
	} else {
		t.Fatalf("set-up: reindex = %d %s", st, b)
	}
	for k, v := range fx {
		if v == "" {
			t.Fatalf("set-up: no %s", k)
		}
	}

	// The planted values as stored (normalised), with who may see what.
	var marks []planted
	for _, m := range []struct {
		cand string
		may  map[string][]string
	}{
		{fx["cand"], map[string][]string{"w1": {"last_name", "email", "phone", "birth_date", "address"}, "e1": {"last_name", "email", "phone"}, "ec": {"last_name", "email", "phone"}, "m1": {"phone"}, "p1": {"last_name", "email", "phone"}}},
		{fx["candi"], map[string][]string{"w1": {"last_name", "email", "phone", "birth_date", "address"}}},
		{fx["candb"], map[string][]string{"w2": {"last_name", "email", "phone", "birth_date", "address"}}},
	} {
		owner := "w1"
		if m.cand == fx["candb"] {
			owner = "w2"
		}
		id := c.must(200, "GET", "/api/v1/candidates/"+m.cand, tok[owner], nil)["identity"].(map[string]any)
		p := planted{cand: m.cand, values: map[string]string{}, may: m.may}
		for _, f := range []string{"last_name", "email", "phone", "birth_date", "address"} {
			p.values[f] = str(id, f)
			if f == "phone" {
				p.values["phone_compact"] = strings.ReplaceAll(p.values[f], " ", "")
				for w, fs := range m.may {
					if contains(fs, "phone") {
						p.may[w] = append(p.may[w], "phone_compact")
					}
				}
			}
		}
		marks = append(marks, p)
	}
	marks = append(marks, planted{cand: fx["cand"], values: map[string]string{"network_person": "Oom Bertus Vlaskamp", "network_firm": "Vlaskamp Sloopwerken", "network_source": "Verklaring kandidaat 2026"},
		may: map[string][]string{"w1": {"network_person", "network_firm", "network_source"}}})
	t.Logf("fixtures: %v", fx)
	return fx, tok, marks
}

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }

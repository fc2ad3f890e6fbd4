package web

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// The message catalogue: every message a person reads, in Dutch (the
// platform's first language) and English. The services write English
// (apperr messages and field problems, code comments and logs too); the
// catalogue maps each English format to its Dutch form, and Translate picks
// by the person's language. A format's %d and %s stand for values, which
// carry over in order. TestCatalogue_Complete fails when a message in the
// code has no entry.
var catalogue = map[string]string{
	"You are hired. Say on your page whether your employer may see how to reach you.":  "U bent aangenomen. Zeg op uw pagina of uw werkgever mag zien hoe hij u kan bereiken.",
	"An employer would like to meet you. Give your answer on your page.":               "Een werkgever wil graag met u kennismaken. Geef uw antwoord op uw pagina.",
	"The candidate has chosen a password already: a new one goes by a password reset.": "De kandidaat heeft al een wachtwoord gekozen: een nieuw wachtwoord gaat via wachtwoordherstel.",
	"This candidate has left the platform.":                                            "Deze kandidaat heeft het platform verlaten.",
	"This candidate was invited at the same moment; reload the page.":                  "Deze kandidaat werd op hetzelfde moment uitgenodigd; laad de pagina opnieuw.",
	"is only allowed for role candidate":                                               "mag alleen bij de rol kandidaat",
	"is required for role candidate (the probation worker invites the candidate)":      "is verplicht bij de rol kandidaat (de reclasseringswerker nodigt de kandidaat uit)",
	"The account has chosen its password already: a new one goes by a password reset.": "Dit account heeft zijn wachtwoord al gekozen: een nieuw wachtwoord gaat via wachtwoordherstel.",
	"The account is deactivated: activate it first.":                                   "Dit account is geblokkeerd: laat het eerst weer toe.",
	"Too many requests. Try again in a few minutes.":                                   "Te veel verzoeken. Probeer het over een paar minuten opnieuw.",
	"another coordinator resets your own second factor":                                "een andere coördinator verwijdert uw eigen tweede factor",
	"must be mail or link": "moet mail of link zijn",
	"names an employer organisation, whose accounts have role employer":                  "noemt een werkgever, wiens accounts de rol werkgever hebben",
	"this link no longer works: it was used, has expired or was replaced by a newer one": "deze link werkt niet meer: hij is gebruikt, verlopen of vervangen door een nieuwere",
	"does not match the province after the place's name":                                 "past niet bij de provincie achter de plaatsnaam",
	"is not a known place":                   "is geen bekende plaats",
	"you cannot deactivate your own account": "u kunt uw eigen account niet blokkeren",
	// Messages (apperr).
	"%s":                                 "%s",
	"A query parameter is not valid.":    "Een parameter in de zoekopdracht klopt niet.",
	"A second factor is set up already.": "Er is al een tweede factor ingesteld.",
	"A user with this e-mail address exists already.":                  "Er is al een gebruiker met dit e-mailadres.",
	"An employer that is %s cannot be %s.":                             "Een werkgever met status %s kan niet %s worden.",
	"An employer with this KvK number is registered already.":          "Er is al een werkgever met dit KvK-nummer geregistreerd.",
	"At most %d candidates per import.":                                "Hoogstens %d kandidaten per import.",
	"The candidate is placed: end the placement first, then erase.":    "De kandidaat is geplaatst: beëindig eerst de plaatsing en wis daarna.",
	"The candidate is in an introduction: close it first, then erase.": "De kandidaat zit in een voorstel aan een werkgever: sluit dat eerst af en wis daarna.",
	"Record not found.":                         "Gegeven niet gevonden.",
	"Candidate not found.":                      "Kandidaat niet gevonden.",
	"Conflict-list entry not found.":            "Regel van de conflictlijst niet gevonden.",
	"Consent not found.":                        "Toestemming niet gevonden.",
	"Employer not found.":                       "Werkgever niet gevonden.",
	"If-Match must be the candidate's version.": "If-Match moet de versie van de kandidaat zijn.",
	"No such route.":                            "Deze pagina of route bestaat niet.",
	"No such vetting step: use approve, reject, suspend or reinstate.":                                "Deze screeningsstap bestaat niet: gebruik approve, reject, suspend of reinstate.",
	"Only an available candidate's availability can be confirmed; set the status to available first.": "Alleen de beschikbaarheid van een beschikbare kandidaat kan worden bevestigd; zet de status eerst op beschikbaar.",
	"Only your organisation's administrator may add colleagues.":                                      "Alleen de beheerder van uw organisatie mag collega's toevoegen.",
	"Say whose events to show.":                               "Geef aan van wie de gebeurtenissen getoond moeten worden.",
	"Send the body as JSON (Content-Type: application/json).": "Stuur de inhoud als JSON (Content-Type: application/json).",
	"Send the token as: Authorization: Bearer <token>.":       "Stuur het token als: Authorization: Bearer <token>.",
	"Sign in again.":             "Log opnieuw in.",
	"Sign in first.":             "Log eerst in.",
	"Some fields are not valid.": "Niet alle velden zijn goed ingevuld.",
	"The candidate was changed by someone else. Reload and try again.":      "De kandidaat is intussen door iemand anders gewijzigd. Laad opnieuw en probeer het nog eens.",
	"The conflict list is full (%d entries).":                               "De conflictlijst is vol (%d regels).",
	"The form has expired. Reload the page and try again.":                  "Het formulier is verlopen. Laad de pagina opnieuw en probeer het nog eens.",
	"The record was changed by someone else at the same moment. Try again.": "Iemand anders wijzigde dit op hetzelfde moment. Probeer het nog eens.",
	"The request body cannot be read.":                                      "De inhoud van het verzoek is niet te lezen.",
	"The request body holds more than one JSON value.":                      "De inhoud van het verzoek bevat meer dan één JSON-waarde.",
	"The request body is empty.":                                            "De inhoud van het verzoek is leeg.",
	"The request body is too large (at most 1 MiB).":                        "De inhoud van het verzoek is te groot (hoogstens 1 MiB).",
	"This method is not allowed here.":                                      "Deze methode is hier niet toegestaan.",
	"The vetting checklist is not complete.":                                "De screeningschecklist is niet compleet.",
	"This candidate has the maximum number of consent records.":             "Deze kandidaat heeft het maximale aantal toestemmingen.",
	"You have the maximum number of consent records.":                       "U heeft het maximale aantal toestemmingen.",
	"You gave this consent already.":                                        "Deze toestemming heeft u al gegeven.",
	"This consent was withdrawn already.":                                   "Deze toestemming is al ingetrokken.",
	"This employer has the maximum number of recorded concerns.":            "Voor deze werkgever is het maximale aantal signalen vastgelegd.",
	"This employer is on the conflict list already.":                        "Deze werkgever staat al op de conflictlijst.",
	"This vacancy is closed already.":                                       "Deze vacature is al gesloten.",
	"This vacancy is closed.":                                               "Deze vacature is gesloten.",
	"Too many login attempts. Try again in a few minutes.":                  "Te veel inlogpogingen. Probeer het over een paar minuten opnieuw.",
	"Too many registrations from this address. Try again later.":            "Te veel registraties vanaf dit adres. Probeer het later opnieuw.",
	"Too many searches. Wait a minute and try again.":                       "Te veel zoekopdrachten. Wacht een minuut en probeer het opnieuw.",
	"User not found.":    "Gebruiker niet gevonden.",
	"Vacancy not found.": "Vacature niet gevonden.",
	"You approved already: a second, different coordinator must approve.":          "U heeft al goedgekeurd: een tweede, andere coördinator moet goedkeuren.",
	"Your organisation has the maximum number of vacancies; close old ones first.": "Uw organisatie heeft het maximale aantal vacatures; sluit eerst oude vacatures.",
	"Your role may not do this.":                     "Uw rol mag dit niet.",
	"Your sign-in has expired. Sign in again.":       "Uw sessie is verlopen. Log opnieuw in.",
	"E-mail address, password or code is incorrect.": "E-mailadres, wachtwoord of code klopt niet.",
	"Message not found.":                             "Bericht niet gevonden.",
	"An organisation applied to Herstart with your e-mail address. If that was not you or your organisation, tell a coordinator.": "Een organisatie heeft zich bij Herstart aangemeld met uw e-mailadres. Was dat niet u of uw organisatie, meld het dan bij een coördinator.",
	"The request cannot be read.": "Het verzoek is niet te lezen.",
	"Internal error.":             "Interne fout.",
	"The e-mail address or password is wrong, or the account is locked for a while.":                                  "Het e-mailadres of wachtwoord klopt niet, of het account is tijdelijk geblokkeerd.",
	"Your organisation is not approved (yet): this is available once two coordinators have approved it.":              "Uw organisatie is (nog) niet goedgekeurd: dit kan zodra twee coördinatoren haar hebben goedgekeurd.",
	"Your organisation is suspended: candidate data and vacancies are unavailable until a coordinator reinstates it.": "Uw organisatie is geschorst: kandidaatgegevens en vacatures zijn niet beschikbaar tot een coördinator haar herstelt.",
	"Your organisation's approval has expired: ask a coordinator to renew it.":                                        "De goedkeuring van uw organisatie is verlopen: vraag een coördinator die te vernieuwen.",
	"Your organisation's application was rejected.":                                                                   "De aanmelding van uw organisatie is afgewezen.",

	"This candidate is being introduced for this vacancy already.":        "Deze kandidaat wordt al voor deze vacature voorgesteld.",
	"This candidate cannot be introduced for this vacancy.":               "Deze kandidaat kan niet voor deze vacature worden voorgesteld.",
	"A hard rule rules this introduction out.":                            "Een harde regel sluit deze kennismaking uit.",
	"Introduction not found.":                                             "Kennismaking niet gevonden.",
	"Placement not found.":                                                "Plaatsing niet gevonden.",
	"This placement has ended.":                                           "Deze plaatsing is beëindigd.",
	"This placement has ended already.":                                   "Deze plaatsing is al beëindigd.",
	"The placement was changed at the same moment. Reload and try again.": "De plaatsing is op hetzelfde moment gewijzigd. Laad opnieuw en probeer het nog eens.",
	"A consent of this level for this employer is in force already; withdraw it first to record a new one.":    "Er geldt al een toestemming van dit niveau voor deze werkgever; trek die eerst in om een nieuwe vast te leggen.",
	"This payout was paid (it left in a SEPA file or its transfer was not reversed); it cannot be paid again.": "Deze uitbetaling is al betaald (ze ging mee in een SEPA-bestand of de overboeking is niet teruggedraaid); ze kan niet nog eens betaald worden.",
	"An export of these payouts is under way already.":                                                         "Een export van deze uitbetalingen is al bezig.",
	"This request is being processed; try again in a moment.":                                                  "Dit verzoek wordt nog verwerkt; probeer het zo opnieuw.",
	"was used for another request":                                                                             "is al gebruikt voor een ander verzoek",
	"must be at most 128 printable ASCII characters":                                                           "mag hoogstens 128 leesbare ASCII-tekens bevatten",
	"This payout was paid already.":                                                                            "Deze uitbetaling is al betaald.",
	"The introduction was changed at the same moment. Reload and try again.":                                   "De kennismaking is op hetzelfde moment gewijzigd. Laad opnieuw en probeer het nog eens.",
	"The employer is not approved at the moment: the introduction is paused.":                                  "De werkgever is op dit moment niet goedgekeurd: de kennismaking ligt stil.",
	"This candidate has an active placement already.":                                                          "Deze kandidaat heeft al een lopende plaatsing.",
	"This step is not possible now: the introduction is %s.":                                                   "Deze stap kan nu niet: de kennismaking is %s.",
	"An employer would like to meet a candidate of yours. Record the candidate's consent, or withdraw.":        "Een werkgever wil kennismaken met een kandidaat van u. Leg de toestemming van de kandidaat vast, of trek de kennismaking in.",
	"A probation worker proposed a candidate for one of your vacancies.":                                       "Een reclasseringswerker heeft een kandidaat voorgesteld voor een van uw vacatures.",
	"The candidate consented to the introduction: you can see more of them now and plan an interview.":         "De kandidaat heeft toestemming gegeven voor de kennismaking: u ziet nu meer en kunt een gesprek plannen.",
	"An interview is planned.":                                                                                 "Er is een gesprek gepland.",
	"The candidate was placed. Assign a mentor before the start date, and record the candidate's consent if the employer may see their contact details (level 2).": "De kandidaat is geplaatst. Wijs vóór de startdatum een mentor toe, en leg de toestemming van de kandidaat vast als de werkgever de contactgegevens mag zien (niveau 2).",
	"The employer declined after the interview.":                                "De werkgever heeft na het gesprek afgezien.",
	"The introduction was withdrawn.":                                           "De kennismaking is ingetrokken.",
	"A check-in of a placement on your caseload was missed.":                    "Een check-in van een plaatsing in uw caseload is gemist.",
	"A candidate on your caseload scored low on wellbeing twice in a row.":      "Een kandidaat in uw caseload scoorde twee keer achter elkaar laag op welzijn.",
	"A mentor flagged a risk at a check-in.":                                    "Een mentor meldde een risico bij een check-in.",
	"A placement on your caseload starts soon and has no mentor.":               "Een plaatsing in uw caseload begint binnenkort en heeft geen mentor.",
	"must be 1 (regular), 2 (multi-agency) or 3 (conference-led)":               "moet 1 (regulier), 2 (multidisciplinair) of 3 (casusoverleg) zijn",
	"A partner organisation with this KvK number is registered already.":        "Er is al een partnerorganisatie met dit KvK-nummer geregistreerd.",
	"Only a suspended partner organisation can be reinstated.":                  "Alleen een geschorste partnerorganisatie kan weer worden toegelaten.",
	"This circle has as many memberships as it may have.":                       "Deze kring heeft het maximale aantal deelnames.",
	"This consent is recorded already.":                                         "Deze toestemming is al vastgelegd.",
	"is not a purpose your organisation is in this circle for":                  "is geen doel waarvoor uw organisatie in deze kring zit",
	"must be worker or an organisation accepted in this circle for the purpose": "moet de reclassering zijn of een organisatie die voor dit doel in de kring is toegelaten",
	"Someone else changed this at the same moment; try again.":                  "Iemand anders wijzigde dit op hetzelfde moment; probeer het opnieuw.",
	"This circle is closed.":                                                    "Deze kring is gesloten.",
	"needs the consent for the partner and purpose too":                         "vraagt ook de toestemming voor deze partner en dit doel",
	"This plan has as many actions as it may have.":                             "Dit plan heeft het maximale aantal acties.",
	"Action not found.":                            "Actie niet gevonden.",
	"applies to the purposes care and safety only": "geldt alleen voor de doelen zorg en veiligheid",
	"must be a date such as 2026-03-31":            "moet een datum zijn, zoals 2026-03-31",
	"There is no consent to withdraw here: this membership rests on a statutory task.":                  "Hier is geen toestemming in te trekken: deze deelname berust op een wettelijke taak.",
	"at least one partner organisation took part":                                                       "er nam minstens één partnerorganisatie deel",
	"at most 20 topics, 20 decisions and 20 dissents":                                                   "hoogstens 20 onderwerpen, 20 besluiten en 20 afwijkende meningen",
	"You approved this organisation already; a second coordinator must approve it.":                     "U heeft deze organisatie al goedgekeurd; een tweede coördinator moet goedkeuren.",
	"must be an e-mail address":                                                                         "moet een e-mailadres zijn",
	"This invitation is no longer open.":                                                                "Deze uitnodiging staat niet meer open.",
	"Only a pending partner organisation can be approved.":                                              "Alleen een partnerorganisatie in afwachting kan worden goedgekeurd.",
	"Only a pending partner organisation can be rejected.":                                              "Alleen een partnerorganisatie in afwachting kan worden afgewezen.",
	"Membership not found.":                                                                             "Deelname niet gevonden.",
	"The circle is at this level already.":                                                              "De kring staat al op dit niveau.",
	"Circle not found.":                                                                                 "Kring niet gevonden.",
	"must be consent or statutory":                                                                      "moet toestemming (consent) of wettelijke taak (statutory) zijn",
	"is only allowed for role partner":                                                                  "mag alleen bij de rol partner",
	"This membership has ended.":                                                                        "Deze deelname is beëindigd.",
	"is not an organisation accepted in this circle":                                                    "is geen organisatie die in deze kring is toegelaten",
	"is required for role partner":                                                                      "is verplicht bij de rol partner",
	"is not an approved partner organisation":                                                           "is geen goedgekeurde partnerorganisatie",
	"a partner adds actions of its own":                                                                 "een partner voegt alleen eigen acties toe",
	"Only an approved partner organisation can be suspended.":                                           "Alleen een goedgekeurde partnerorganisatie kan worden geschorst.",
	"Your organisation is not registered.":                                                              "Uw organisatie is niet geregistreerd.",
	"Your organisation is not approved (or is suspended): circles are closed to it.":                    "Uw organisatie is niet goedgekeurd (of geschorst): kringen zijn voor haar gesloten.",
	"Unknown section.":                                                                                  "Onbekend onderdeel.",
	"is only given with basis statutory":                                                                "wordt alleen gegeven bij grondslag wettelijke taak",
	"only the probation worker cancels an action":                                                       "alleen de reclasseringswerker annuleert een actie",
	"This organisation is in the circle for this purpose already.":                                      "Deze organisatie zit al voor dit doel in de kring.",
	"This organisation is on the candidate's conflict list: it is never invited.":                       "Deze organisatie staat op de conflictlijst van de kandidaat: zij wordt nooit uitgenodigd.",
	"Partner organisation not found.":                                                                   "Partnerorganisatie niet gevonden.",
	"This circle has as many conferences or actions as it may have.":                                    "Deze kring heeft het maximale aantal overleggen of acties.",
	"Your organisation was invited into a candidate's circle.":                                          "Uw organisatie is uitgenodigd in de kring rond een kandidaat.",
	"A partner organisation accepted your invitation into a circle.":                                    "Een partnerorganisatie heeft uw uitnodiging in een kring aanvaard.",
	"A partner organisation declined your invitation into a circle.":                                    "Een partnerorganisatie heeft uw uitnodiging in een kring afgewezen.",
	"Consent was withdrawn: your organisation no longer sees this circle.":                              "De toestemming is ingetrokken: uw organisatie ziet deze kring niet meer.",
	"Your organisation's part in a circle has ended.":                                                   "De deelname van uw organisatie aan een kring is beëindigd.",
	"An action of a joint plan is overdue.":                                                             "Een actie uit een gezamenlijk plan is over de datum.",
	"An action of a joint plan is overdue for a week or more.":                                          "Een actie uit een gezamenlijk plan is een week of langer over de datum.",
	"An action of a joint plan is overdue for two weeks or more.":                                       "Een actie uit een gezamenlijk plan is twee weken of langer over de datum.",
	"A case conference was recorded; see the circle.":                                                   "Er is een casusoverleg vastgelegd; zie de kring.",
	"A joint plan has a new action for your organisation.":                                              "Een gezamenlijk plan heeft een nieuwe actie voor uw organisatie.",
	"A partner organisation completed an action of a joint plan.":                                       "Een partnerorganisatie heeft een actie uit een gezamenlijk plan afgerond.",
	"must be one of coordinator, probation_worker, employer, mentor, candidate, partner":                "moet een van coordinator, probation_worker, employer, mentor, candidate, partner zijn",
	"A transfer is waiting for the receiving worker already.":                                           "Er wacht al een overdracht op de ontvangende werker.",
	"As many relatives as may be linked are linked.":                                                    "Er zijn al zoveel familieleden gekoppeld als mag.",
	"Network entry not found.":                                                                          "Netwerkgegeven niet gevonden.",
	"Nothing to change.":                                                                                "Er is niets te wijzigen.",
	"Set the destination region first: the case moves there.":                                           "Stel eerst de bestemmingsregio in: de zaak gaat daarheen.",
	"The network has as many entries as it may have.":                                                   "Het netwerk heeft het maximale aantal gegevens.",
	"The trajectory is in this phase already.":                                                          "Het traject is al in deze fase.",
	"This candidate has an open exit trajectory.":                                                       "Deze kandidaat heeft al een lopend uitsteptraject.",
	"This entry is recorded already.":                                                                   "Dit gegeven is al vastgelegd.",
	"This relative is linked already.":                                                                  "Dit familielid is al gekoppeld.",
	"This trajectory is closed.":                                                                        "Dit traject is afgesloten.",
	"Trajectory not found.":                                                                             "Traject niet gevonden.",
	"is not a candidate of your caseload":                                                               "is geen kandidaat uit uw caseload",
	"is not a probation worker":                                                                         "is geen reclasseringswerker",
	"lies within a place of the network":                                                                "ligt binnen een plaats van het netwerk",
	"list what is handed over":                                                                          "noem wat wordt overgedragen",
	"must be among recruited, forced, debts":                                                            "moet een van recruited, forced, debts zijn",
	"must be person, firm or place":                                                                     "moet person, firm of place zijn",
	"name at least one: recruited, forced, debts":                                                       "noem er minstens één: recruited, forced, debts",
	"names another candidate":                                                                           "noemt een andere kandidaat",
	"names another probation worker":                                                                    "noemt een andere reclasseringswerker",
	"An exit trajectory is due for its three-monthly review.":                                           "Een uitsteptraject is toe aan de driemaandelijkse evaluatie.",
	"A case is handed over to you: accept it to take it on.":                                            "Er wordt een zaak aan u overgedragen: aanvaard haar om haar over te nemen.",
	"The receiving probation worker accepted the case.":                                                 "De ontvangende reclasseringswerker heeft de zaak aanvaard.",
	"You are the case manager of an exit trajectory.":                                                   "U bent casemanager van een uitsteptraject.",
	"A mentor flagged contact with the old network at a check-in of a candidate in an exit trajectory.": "Een mentor meldde bij een check-in contact met het oude netwerk van een kandidaat in een uitsteptraject.",
	"must be between 1 and 50":                                                                          "moet tussen 1 en 50 liggen",
	"must be between 1 and 150":                                                                         "moet tussen 1 en 150 liggen",
	"The employer added a note from the workplace.":                                                     "De werkgever heeft een notitie van de werkvloer toegevoegd.",
	"A placement reached a retention milestone.":                                                        "Een plaatsing heeft een mijlpaal in behoud bereikt.",
	"You are the mentor of a new placement.":                                                            "U bent de mentor van een nieuwe plaatsing.",
	"is not a candidate id":                                                                             "is geen kandidaat-id",
	"is not a vacancy id":                                                                               "is geen vacature-id",
	"is not a mentor":                                                                                   "is geen mentor",
	"must be after the start date":                                                                      "moet na de begindatum liggen",
	"is only for a fixed_term contract":                                                                 "hoort alleen bij een contract voor bepaalde tijd (fixed_term)",
	"must be a date and time such as 2026-12-10T14:00:00+01:00":                                         "moet een datum en tijd zijn, zoals 2026-12-10T14:00:00+01:00",
	"is required (a date and time such as 2026-12-10T14:00:00+01:00)":                                   "is verplicht (een datum en tijd, zoals 2026-12-10T14:00:00+01:00)",
	"allowed now: %s":                                                                                   "nu mogelijk: %s",
	"no step is open to you now":                                                                        "er staat nu geen stap voor u open",
	"must be json or csv":                                                                               "moet json of csv zijn",

	"A check-in can be edited for 24 hours after it was recorded.": "Een check-in kan tot 24 uur na het vastleggen worden gewijzigd.",
	"Approving this claim would exceed the cover.":                 "Met deze goedkeuring zou de dekking worden overschreden.",
	"Check-in not found.":   "Check-in niet gevonden.",
	"Claim not found.":      "Claim niet gevonden.",
	"Escalation not found.": "Escalatie niet gevonden.",
	"Guarantee not found.":  "Garantie niet gevonden.",
	"Not found.":            "Niet gevonden.",
	"Only the mentor who recorded a check-in may edit it.": "Alleen de mentor die de check-in vastlegde, mag hem wijzigen.",
	"Template not found.":                                                                     "Sjabloon niet gevonden.",
	"The claim is above the remaining cover.":                                                 "De claim is hoger dan de resterende dekking.",
	"The cover had ended by the date of the loss.":                                            "De dekking was op de datum van de schade al afgelopen.",
	"The cover had not started by the date of the loss.":                                      "De dekking was op de datum van de schade nog niet begonnen.",
	"This claim has been decided.":                                                            "Over deze claim is al besloten.",
	"This escalation is closed already.":                                                      "Deze escalatie is al gesloten.",
	"This escalation was acknowledged already.":                                               "Deze escalatie is al bevestigd.",
	"This guarantee has as many claims as it may have.":                                       "Deze garantie heeft het maximale aantal claims.",
	"This placement has a guarantee of this kind already.":                                    "Deze plaatsing heeft al een garantie van deze soort.",
	"This placement has as many guarantees as it may have.":                                   "Deze plaatsing heeft het maximale aantal garanties.",
	"You approved this claim already; a second coordinator must approve it.":                  "U hebt deze claim al goedgekeurd; een tweede coördinator moet hem goedkeuren.",
	"Export not found.":                                                                       "Export niet gevonden.",
	"No approved payout with a bank account is waiting for export.":                           "Er wacht geen goedgekeurde uitbetaling met een bankrekening op export.",
	"No debtor account is configured (HERSTART_SEPA_DEBTOR_IBAN, HERSTART_SEPA_DEBTOR_NAME).": "Er is geen betalersrekening ingesteld (HERSTART_SEPA_DEBTOR_IBAN, HERSTART_SEPA_DEBTOR_NAME).",
	"Only a due payout can be approved; this one is %s.":                                      "Alleen een opeisbare uitbetaling kan worden goedgekeurd; deze is %s.",
	"Only a failed payout can be retried; this one is %s.":                                    "Alleen een mislukte uitbetaling kan opnieuw worden geprobeerd; deze is %s.",
	"Only an exported payout can be marked paid; this one is %s.":                             "Alleen een geëxporteerde uitbetaling kan als betaald worden gemarkeerd; deze is %s.",
	"Only your organisation's administrator may do this.":                                     "Alleen de beheerder van uw organisatie mag dit.",
	"Payout not found.":                                                                       "Uitbetaling niet gevonden.",
	"Scheme not found.":                                                                       "Regeling niet gevonden.",
	"Stripe is not configured here; payouts go by SEPA file to the bank account.":             "Stripe is hier niet ingesteld; uitbetalingen gaan per SEPA-bestand naar de bankrekening.",
	"Stripe is not configured here; there is nothing to reconcile with.":                      "Stripe is hier niet ingesteld; er is niets om mee af te stemmen.",
	"The payout was changed at the same moment. Reload and try again.":                        "De uitbetaling werd tegelijk gewijzigd. Laad opnieuw en probeer het nog eens.",
	"The scheme's budget does not cover these payouts.":                                       "Het budget van de regeling dekt deze uitbetalingen niet.",
	"The webhook's signature does not verify.":                                                "De handtekening van de webhook klopt niet.",
	"This scheme is attached to this placement already.":                                      "Deze regeling is al aan deze plaatsing gekoppeld.",
	"You approved this payout already; a second coordinator must approve it.":                 "U hebt deze uitbetaling al goedgekeurd; een tweede coördinator moet hem goedkeuren.",
	"You scheduled this payout; another coordinator must approve it.":                         "U hebt deze uitbetaling ingepland; een andere coördinator moet hem goedkeuren.",
	"The payout's condition no longer holds: the placement was not active on the due date.":   "De voorwaarde van de uitbetaling geldt niet meer: de plaatsing liep niet op de vervaldatum.",
	"The payout's condition no longer holds: the check-ins are not up to date.":               "De voorwaarde van de uitbetaling geldt niet meer: de check-ins zijn niet bij.",
	"The payout's condition no longer holds: the milestone is not reached.":                   "De voorwaarde van de uitbetaling geldt niet meer: de mijlpaal is niet bereikt.",
	"The payout's condition no longer holds: the claim is not approved.":                      "De voorwaarde van de uitbetaling geldt niet meer: de claim is niet goedgekeurd.",
	"The payout's condition no longer holds.":                                                 "De voorwaarde van de uitbetaling geldt niet meer.",
	// Field problems.
	"is not a known Dutch place (places of 1,000 or more inhabitants, municipalities, 4-digit postcodes)": "is geen bekende Nederlandse plaats (plaatsen van 1.000 of meer inwoners, gemeenten, postcodes van 4 cijfers)",
	"is not a known Dutch postcode":                                               "is geen bekende Nederlandse postcode",
	"is not a known place in that municipality":                                   "is geen bekende plaats in die gemeente",
	"means more than one place: write one of %s":                                  "betekent meer dan één plaats: schrijf een van %s",
	"is only with a place":                                                        "kan alleen met een plaats",
	"a claims scheme has no months or milestones":                                 "een claimregeling heeft geen maanden of mijlpalen",
	"is not a scheme id":                                                          "is geen regeling-id",
	"is not a scheme":                                                             "is geen regeling",
	"is not for a claims scheme (a payout is the claim's amount)":                 "hoort niet bij een claimregeling (een uitbetaling is het bedrag van de claim)",
	"is only for a milestone scheme":                                              "hoort alleen bij een mijlpaalregeling",
	"is only for a monthly scheme":                                                "hoort alleen bij een maandregeling",
	"is required (euro cents)":                                                    "is verplicht (eurocent)",
	"must be 1, 3, 6 or 12 (months)":                                              "moet 1, 3, 6 of 12 zijn (maanden)",
	"must be a whole number of euro cents from 1 to %d":                           "moet een geheel aantal eurocent zijn van 1 tot en met %d",
	"the budget has %d euro cents left; these payouts need %d":                    "het budget heeft nog %d eurocent; deze uitbetalingen vragen %d",
	"is too short for an IBAN":                                                    "is te kort voor een IBAN",
	"is not an IBAN of a SEPA country":                                            "is geen IBAN van een SEPA-land",
	"must be %d characters for %s":                                                "moet %d tekens zijn voor %s",
	"must hold only letters and digits":                                           "mag alleen letters en cijfers bevatten",
	"has wrong check digits":                                                      "heeft verkeerde controlecijfers",
	"must be 8 or 11 characters":                                                  "moet 8 of 11 tekens zijn",
	"is not a BIC":                                                                "is geen BIC",
	"is only given when the candidate attended":                                   "wordt alleen gegeven als de kandidaat aanwezig was",
	"is required (true or false)":                                                 "is verplicht (true of false)",
	"is required when the candidate attended (1 to 5)":                            "is verplicht als de kandidaat aanwezig was (1 tot en met 5)",
	"must be a number of weeks or months, such as 2w or 1m (at most 104w or 24m)": "moet een aantal weken of maanden zijn, zoals 2w of 1m (hoogstens 104w of 24m)",
	"must be at least 1 (euro cents)":                                             "moet minstens 1 zijn (eurocent)",
	"must be between 1 and %d (euro cents)":                                       "moet tussen 1 en %d liggen (eurocent)",
	"must be at most %d (euro cents)":                                             "mag hoogstens %d zijn (eurocent)",
	"must be later than the phase before":                                         "moet later zijn dan de fase ervoor",
	"must be within 2 years of the placement's start date":                        "moet binnen 2 jaar na de begindatum van de plaatsing liggen",
	"a consent of this level for this employer is in force already":               "er geldt al een toestemming van dit niveau voor deze werkgever",
	"must be within 2 years of the start date":                                    "moet binnen 2 jaar na de begindatum liggen",
	"must be within a year":                                                       "moet binnen een jaar liggen",
	"must have 1 to 10 entries":                                                   "moet 1 tot en met 10 items hebben",
	"must make at most %d check-ins":                                              "mag hoogstens %d check-ins opleveren",
	"must not be before the check-in's date":                                      "mag niet vóór de datum van de check-in liggen",
	"must not be before the placement's start date":                               "mag niet vóór de begindatum van de plaatsing liggen",
	"only the default template exists (the template every new placement gets)":    "alleen het standaardsjabloon bestaat (het sjabloon dat elke nieuwe plaatsing krijgt)",
	"at least one is required":                                                    "minstens één is verplicht",
	"at least one location is required":                                           "minstens één vestiging is verplicht",
	"cannot change from %s to %s here":                                            "kan hier niet van %s naar %s",
	"give a place or a point (lat, lon)":                                          "geef een plaats of een punt (lat, lon)",
	"give a place or a point (lat, lon), not both":                                "geef een plaats of een punt (lat, lon), niet beide",
	"give an employer id or a KvK number":                                         "geef een werkgever-id of een KvK-nummer",
	"is not a Dutch province":                                                     "is geen Nederlandse provincie",
	"is not a known Dutch place":                                                  "is geen bekende Nederlandse plaats",
	"is not a known Dutch place (places of 1,000 or more inhabitants)":            "is geen bekende Nederlandse plaats (plaatsen met 1.000 of meer inwoners)",
	"is not a known code (one of %s)":                                             "is geen bekende code (een van %s)",
	"is not a known employer":                                                     "is geen bekende werkgever",
	"is not a known place in that province":                                       "is geen bekende plaats in die provincie",
	"is not a known sector":                                                       "is geen bekende sector",
	"is not a valid employer id":                                                  "is geen geldig werkgever-id",
	"is not an approved employer":                                                 "is geen goedgekeurde werkgever",
	"is not the current code of your authenticator app":                           "is niet de huidige code van uw authenticator-app",
	"is only allowed for role employer":                                           "mag alleen bij de rol werkgever",
	"tick the box: only the candidate can ask for an erasure":                     "vink het vakje aan: alleen de kandidaat kan om wissen vragen",
	"is required":                                         "is verplicht",
	"is required (1 to 60)":                               "is verplicht (1 tot 60)",
	"is required (YYYY-MM-DD)":                            "is verplicht (JJJJ-MM-DD)",
	"is required and must be false":                       "is verplicht en moet false zijn",
	"is required for role employer":                       "is verplicht bij de rol werkgever",
	"is not a known field":                                "is geen bekend veld",
	"must be 1 (introduction) or 2 (placement)":           "moet 1 (kennismaking) of 2 (plaatsing) zijn",
	"must be a 6-digit code":                              "moet een code van 6 cijfers zijn",
	"must be a Dutch postcode such as 1234AB":             "moet een Nederlandse postcode zijn, zoals 1234AB",
	"must be a date written YYYY-MM-DD":                   "moet een datum zijn, geschreven als JJJJ-MM-DD",
	"must be a phone number such as +31 20 1234567":       "moet een telefoonnummer zijn, zoals +31 20 1234567",
	"must be a phone number such as +31 6 12345678":       "moet een telefoonnummer zijn, zoals +31 6 12345678",
	"must be a time such as %s":                           "moet een tijd zijn, zoals %s",
	"must be after today":                                 "moet na vandaag liggen",
	"must be an e-mail address such as naam@voorbeeld.nl": "moet een e-mailadres zijn, zoals naam@voorbeeld.nl",
	"must be at least %d characters":                      "moet minstens %d tekens lang zijn",
	"must be at most %d characters":                       "mag hoogstens %d tekens lang zijn",
	"must be at most one year ahead":                      "mag hoogstens een jaar vooruit liggen",
	"must be between %d and %d":                           "moet tussen %d en %d liggen",
	"must be a whole number from %d to %d":                "moet een geheel getal van %d tot %d zijn",
	"must be exactly 8 digits":                            "moet precies 8 cijfers zijn",
	"must be one of %s":                                   "moet een van deze zijn: %s",
	"must be JSON":                                        "moet JSON zijn",
	"must be one JSON object":                             "moet één JSON-object zijn",
	"must be a JSON list":                                 "moet een JSON-lijst zijn",
	"is not valid JSON":                                   "is geen geldige JSON",
	"is not a valid JSON object":                          "is geen geldig JSON-object",
	"must be %s, not %s":                                  "moet %s zijn, niet %s",
	"must be within the last 100 years":                   "moet binnen de laatste 100 jaar liggen",
	"must be within the last 5 years":                     "moet binnen de laatste 5 jaar liggen",
	"must be within the next 2 years":                     "moet binnen de komende 2 jaar liggen",
	"must differ from the start":                          "moet verschillen van het begin",
	"must have at most %d entries":                        "mag hoogstens %d regels hebben",
	"must not be in the future":                           "mag niet in de toekomst liggen",
	"must not be in the past":                             "mag niet in het verleden liggen",
	"must not contain control characters":                 "mag geen stuurtekens bevatten",
	"must be checked before approval":                     "moet zijn afgevinkt voor goedkeuring",
	"is in use":                                           "is al in gebruik",
	"is registered already":                               "is al geregistreerd",
	"start the set-up first":                              "begin eerst met het instellen",
	"the candidate must be at least 16 years old":         "de kandidaat moet minstens 16 jaar oud zijn",
	"the code of conduct must be accepted: no VOG is asked, no exploitation, concerns are reported": "de gedragscode moet worden aanvaard: er wordt geen VOG gevraagd, geen uitbuiting, signalen worden gemeld",
	"the point must lie in the Netherlands":                                                         "het punt moet in Nederland liggen",
	"must not contain the candidate's name: it is shown to employers before any consent":            "mag de naam van de kandidaat niet bevatten: werkgevers zien dit vóór elke toestemming",
	"must not contain an e-mail address: it is shown to employers before any consent":               "mag geen e-mailadres bevatten: werkgevers zien dit vóór elke toestemming",
	"must not contain a phone number: it is shown to employers before any consent":                  "mag geen telefoonnummer bevatten: werkgevers zien dit vóór elke toestemming",
	"must not contain a citizen service number (BSN) or other personal number":                      "mag geen burgerservicenummer (BSN) of ander persoonsnummer bevatten",
	"must not contain an address (postcode and house number, or street and number)":                 "mag geen adres bevatten (postcode en huisnummer, of straat en nummer)",
}

type pattern struct {
	re *regexp.Regexp
	nl string
}

var (
	patternsOnce sync.Once
	exact        map[string]string
	patterns     []pattern
)

var verb = regexp.MustCompile(`%[ds]`)

func compile() {
	exact = map[string]string{}
	for en, nl := range catalogue {
		if !verb.MatchString(en) {
			exact[en] = nl
			continue
		}
		var b strings.Builder
		b.WriteString("^")
		last := 0
		for _, loc := range verb.FindAllStringIndex(en, -1) {
			b.WriteString(regexp.QuoteMeta(en[last:loc[0]]))
			if en[loc[0]:loc[1]] == "%d" {
				b.WriteString(`(-?\d+)`)
			} else {
				b.WriteString(`(.+?)`)
			}
			last = loc[1]
		}
		b.WriteString(regexp.QuoteMeta(en[last:]) + "$")
		patterns = append(patterns, pattern{re: regexp.MustCompile(b.String()), nl: verb.ReplaceAllString(nl, "%s")})
	}
	// The most specific format first: the one with the most fixed text.
	sort.Slice(patterns, func(i, j int) bool {
		return len(verb.ReplaceAllString(patterns[i].re.String(), "")) > len(verb.ReplaceAllString(patterns[j].re.String(), ""))
	})
}

// Translate returns msg (a message or field problem as the services write
// it, in English) in lang: "nl" looks it up in the catalogue, anything
// else keeps the English. A message the catalogue lacks stays English (the
// completeness test keeps that from happening).
func Translate(lang, msg string) string {
	if lang != "nl" || msg == "" {
		return msg
	}
	patternsOnce.Do(compile)
	if nl, ok := exact[msg]; ok {
		return nl
	}
	for _, p := range patterns {
		if m := p.re.FindStringSubmatch(msg); m != nil {
			args := make([]any, len(m)-1)
			for i, a := range m[1:] {
				args[i] = a
			}
			return fmt.Sprintf(p.nl, args...)
		}
	}
	return msg
}

// Languages the platform speaks, Dutch first.
var Languages = []string{"nl", "en"}

// Lang picks the person's language from an Accept-Language header: the
// first of Dutch and English it names, by preference; Dutch when it names
// neither. (A remembered setting per user takes precedence once pages
// store one.)
func Lang(acceptLanguage string) string {
	best, bestQ := "nl", -1.0
	for i, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			fmt.Sscanf(v, "%g", &q)
		}
		q -= float64(i) * 1e-6 // earlier wins a tie
		base, _, _ := strings.Cut(tag, "-")
		if (base == "nl" || base == "en") && q > bestQ && q > 0 {
			best, bestQ = base, q
		}
	}
	return best
}

// TranslateFormat returns the catalogue's form of format (a text with %s
// and %d still in it) in lang, for a page to fill in; format itself when
// lang is not Dutch or the catalogue lacks it.
func TranslateFormat(lang, format string) string {
	if lang != "nl" {
		return format
	}
	if nl, ok := catalogue[format]; ok {
		return nl
	}
	return format
}

// Known reports whether msg is a text of the catalogue.
func Known(msg string) bool {
	_, ok := catalogue[msg]
	return ok
}

// Package taxonomy holds the project's fixed vocabularies: sectors, the
// eight Justis risk areas, certificates and languages. Each code has a Dutch
// and an English label. (Skills and occupations follow with matching.)
package taxonomy

import "sort"

// Term is a code with its labels.
type Term struct {
	Code string
	NL   string
	EN   string
}

// Sectors are the work sectors vacancies belong to and candidates may be
// barred from.
var Sectors = []Term{
	{"logistics", "Logistiek", "Logistics"},
	{"construction", "Bouw", "Construction"},
	{"installation", "Installatietechniek", "Installation"},
	{"hospitality", "Horeca", "Hospitality"},
	{"cleaning", "Schoonmaak", "Cleaning"},
	{"manufacturing", "Productie en industrie", "Manufacturing"},
	{"agriculture", "Land- en tuinbouw", "Agriculture and horticulture"},
	{"transport", "Transport", "Transport"},
	{"retail", "Detailhandel", "Retail"},
	{"green_maintenance", "Groenvoorziening", "Green maintenance"},
	{"childcare", "Kinderopvang", "Childcare"},
	{"education", "Onderwijs", "Education"},
	{"healthcare", "Zorg", "Healthcare"},
	{"cash_handling", "Geldverwerking", "Cash handling"},
	{"security", "Beveiliging", "Security"},
	{"finance", "Financiële dienstverlening", "Financial services"},
	{"public_sector", "Overheid", "Public sector"},
	{"automotive", "Autotechniek", "Automotive"},
	{"food_processing", "Voedingsindustrie", "Food processing"},
	{"facility_services", "Facilitaire dienstverlening", "Facility services"},
}

// RiskAreas are the eight areas Justis screens a VOG application against.
var RiskAreas = []Term{
	{"information", "Informatie", "Information"},
	{"money", "Geld", "Money"},
	{"goods", "Goederen", "Goods"},
	{"services", "Diensten", "Services"},
	{"business_transactions", "Zakelijke transacties", "Business transactions"},
	{"process", "Proces", "Process"},
	{"directing_organisation", "Aansturen organisatie", "Directing an organisation"},
	{"persons", "Personen", "Persons"},
}

// Certificates are the vocational certificates and licences candidates hold
// and vacancies ask for.
var Certificates = []Term{
	{"vca_basis", "VCA Basis", "VCA Basic safety"},
	{"vca_vol", "VCA VOL", "VCA Full safety"},
	{"forklift", "Heftruckcertificaat", "Forklift certificate"},
	{"reach_truck", "Reachtruckcertificaat", "Reach truck certificate"},
	{"aerial_platform", "Hoogwerkercertificaat", "Aerial work platform certificate"},
	{"bhv", "BHV (bedrijfshulpverlening)", "Company emergency response (BHV)"},
	{"first_aid", "EHBO", "First aid"},
	{"haccp", "HACCP / hygiënecode", "HACCP food hygiene"},
	{"social_hygiene", "Sociale Hygiëne", "Social hygiene (hospitality licence)"},
	{"driving_b", "Rijbewijs B", "Driving licence B"},
	{"driving_be", "Rijbewijs BE", "Driving licence BE"},
	{"driving_c", "Rijbewijs C", "Driving licence C"},
	{"driving_ce", "Rijbewijs CE", "Driving licence CE"},
	{"driving_d", "Rijbewijs D", "Driving licence D"},
	{"code95", "Code 95", "Code 95 (professional driver)"},
	{"tachograph", "Digitale tachograaf", "Digital tachograph card"},
	{"nen3140", "NEN 3140", "NEN 3140 electrical safety"},
	{"welding", "Lasdiploma", "Welding certificate"},
	{"chainsaw", "Motorkettingzaag", "Chainsaw certificate"},
	{"spray_licence", "Spuitlicentie", "Crop protection licence"},
	{"mbo2", "MBO niveau 2", "Vocational diploma level 2"},
	{"mbo3", "MBO niveau 3", "Vocational diploma level 3"},
}

// Languages are the ISO 639-1 codes candidates may list.
var Languages = []Term{
	{"nl", "Nederlands", "Dutch"}, {"en", "Engels", "English"}, {"de", "Duits", "German"},
	{"fr", "Frans", "French"}, {"es", "Spaans", "Spanish"}, {"pl", "Pools", "Polish"},
	{"ro", "Roemeens", "Romanian"}, {"bg", "Bulgaars", "Bulgarian"}, {"tr", "Turks", "Turkish"},
	{"ar", "Arabisch", "Arabic"}, {"ber", "Berbers (Tamazight)", "Berber (Tamazight)"},
	{"pap", "Papiaments", "Papiamento"}, {"srn", "Sranantongo", "Sranan Tongo"},
	{"fy", "Fries", "Frisian"}, {"uk", "Oekraïens", "Ukrainian"}, {"ru", "Russisch", "Russian"},
	{"so", "Somalisch", "Somali"}, {"ti", "Tigrinya", "Tigrinya"}, {"fa", "Perzisch", "Persian"},
	{"pt", "Portugees", "Portuguese"}, {"it", "Italiaans", "Italian"}, {"hi", "Hindi", "Hindi"},
	{"zh", "Chinees", "Chinese"}, {"sq", "Albanees", "Albanian"}, {"hu", "Hongaars", "Hungarian"},
	{"lt", "Litouws", "Lithuanian"}, {"ku", "Koerdisch", "Kurdish"},
}

// Set is a lookup of codes.
type Set map[string]Term

// NewSet indexes terms by code.
func NewSet(terms []Term) Set {
	s := make(Set, len(terms))
	for _, t := range terms {
		s[t.Code] = t
	}
	return s
}

// Has reports whether code is in the set.
func (s Set) Has(code string) bool { _, ok := s[code]; return ok }

// Codes returns the set's codes, sorted.
func (s Set) Codes() []string {
	out := make([]string, 0, len(s))
	for c := range s {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Package employers will hold organisations, four-eyes vetting, vacancies and
// conflict lists (issue "Employers"). Until then an employer user's
// employer_id is not checked against an organisation, and employer users see
// no candidate data at all.
package employers

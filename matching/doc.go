// Package matching will hold the skill taxonomy, hard rules, scoring and the
// search Index interface with its engines (bleve/, meili/). Its subpackages
// places (the Dutch place table) and taxonomy (fixed vocabularies) are used by
// the domain packages already.
package matching

// Package frontend will hold the server-rendered pages for the four roles
// (Dutch first, English available), their static assets and the browser tests
// that drive them in headless Chromium. Like api, it calls the domain services
// and never touches storage or vendor SDKs itself (see api/imports_test.go).
package frontend

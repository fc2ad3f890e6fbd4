//go:build !linux

package mailpittest

import "os/exec"

// dieWithParent: elsewhere the server outlives the test binary until the
// OS or the user ends it.
func dieWithParent(*exec.Cmd) {}

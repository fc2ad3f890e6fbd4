package mailpittest

import (
	"os/exec"
	"syscall"
)

// dieWithParent ends the server when the test binary ends.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

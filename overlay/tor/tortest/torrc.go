package tortest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Voting schedule of the authorities: a consensus appears about one
// interval after launch. Delays of 2 s (tor's testing minimum) lose votes
// on a loaded machine, and then no consensus forms at all; tor wants the
// two delays below half the interval.
const (
	votingInterval = 20
	voteDelay      = 4
	distDelay      = 4
)

// writeTorrcs writes one torrc per relay from the shared template.
func (n *Network) writeTorrcs() error {
	var exits []string
	for _, r := range n.Exits() {
		exits = append(exits, "$"+r.Fingerprint)
	}
	for _, r := range n.Relays {
		lines := append(n.common(r.dir), relayLines(r, strings.Join(exits, ","))...)
		switch {
		case r.DirPort != 0:
			lines = append(lines, authorityLines(r)...)
		case r.Exit:
			lines = append(lines, exitLines...)
		default:
			lines = append(lines, "ExitRelay 0")
		}
		if err := os.WriteFile(filepath.Join(r.dir, "torrc"), []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			return fmt.Errorf("tortest: %w", err)
		}
	}
	return nil
}

// common lines every tor of the network shares.
func (n *Network) common(dir string) []string {
	return append([]string{
		"TestingTorNetwork 1",
		"DataDirectory " + dir,
		"RunAsDaemon 0",
		"ShutdownWaitLength 0",
		"Log notice file " + filepath.Join(dir, "notice.log"),
		"SafeLogging 0",
		"PathsNeededToBuildCircuits 0.67",
	}, n.dirAuths...)
}

func relayLines(r *Relay, exits string) []string {
	return []string{
		"Nickname " + r.Name,
		"ContactInfo " + r.Name + "@test.invalid",
		"SocksPort 0",
		fmt.Sprintf("ORPort 127.0.0.1:%d", r.ORPort),
		"Address 127.0.0.1",
		"AssumeReachable 1",
		"TestingDirAuthVoteGuard *",
		"TestingDirAuthVoteHSDir *",
		"TestingDirAuthVoteExit " + exits,
		"TestingMinExitFlagThreshold 0",
		"V3AuthNIntervalsValid 2",
	}
}

func authorityLines(r *Relay) []string {
	return []string{
		fmt.Sprintf("DirPort 127.0.0.1:%d", r.DirPort),
		"AuthoritativeDirectory 1",
		"V3AuthoritativeDirectory 1",
		fmt.Sprintf("TestingV3AuthInitialVotingInterval %d", votingInterval),
		fmt.Sprintf("TestingV3AuthInitialVoteDelay %d", voteDelay),
		fmt.Sprintf("TestingV3AuthInitialDistDelay %d", distDelay),
		fmt.Sprintf("V3AuthVotingInterval %d", votingInterval),
		fmt.Sprintf("V3AuthVoteDelay %d", voteDelay),
		fmt.Sprintf("V3AuthDistDelay %d", distDelay),
		"ExitRelay 0",
	}
}

// exitLines: exits to loopback. The default policy stays after the
// explicit accepts because clients judge exits by the microdescriptor's
// port summary, which counts only "accept *:port" rules.
var exitLines = []string{
	"ExitRelay 1",
	"ExitPolicyRejectPrivate 0",
	"ExitPolicy accept 127.0.0.0/8:*",
	"ExitPolicy accept private:*",
}

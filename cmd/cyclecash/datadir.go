package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// A data directory that exists but cannot be one (a file, a directory
// this user may not read, a loop of symbolic links) is named for what it
// is, in one line, before a command looks for a node or a store in it:
// "no running node recorded" would send the user to start a node there.

// dataDirUnusable says why dir, when it exists, cannot be a node's data
// directory; nil when it can, or does not exist yet (a node creates it;
// a lookup then says no node is recorded there).
func dataDirUnusable(cmd, dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("%s: data directory: %w", cmd, err)
	case !fi.IsDir():
		return fmt.Errorf("%s: data directory %s is not a directory", cmd, dir)
	}
	f, err := os.Open(dir)
	if err == nil {
		_, err = f.Readdirnames(1)
		f.Close()
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: data directory: %w", cmd, err)
	}
	return nil
}

// runningNodeDir checks a --data DIR given to find a running node.
func runningNodeDir(cmd, dir string) error {
	if err := dataDirUnusable(cmd, dir); err != nil {
		return err
	}
	_, err := os.ReadFile(filepath.Join(dir, "api.addr"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: data directory: %w", cmd, err)
	}
	return nil
}

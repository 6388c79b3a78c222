package node

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(or(s, "info")))); err != nil {
		return l, fmt.Errorf("node: config: log_level: %q is not debug, info, warn or error", s)
	}
	return l, nil
}

// NewLogger returns the text logger a node started from the CLI uses.
func NewLogger(w io.Writer, level string) (*slog.Logger, error) {
	l, err := parseLevel(level)
	if err != nil {
		return nil, err
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

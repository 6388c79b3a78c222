package compute

import "io"

// ChildMain placeholder.
func ChildMain(stdin io.Reader, stdout io.Writer) error { return nil }

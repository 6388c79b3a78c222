package worker

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// The worker's on-disk caches (modules by hash, wazero's compiled code)
// are bounded by compute.cache_bytes each: a gateway can hand out any
// number of modules, so without a bound they fill the disk. Files are
// least-recently-used first by modification time, which a cache hit
// renews (touch).

// touch marks path as just used.
func touch(path string) {
	now := time.Now()
	_ = os.Chtimes(path, now, now)
}

// trimDir deletes the least recently used files under dir until the rest
// fit in max bytes; keep is never deleted. max 0 or less means no bound.
func trimDir(dir string, max int64, keep string) error {
	if max <= 0 {
		return nil
	}
	type file struct {
		path string
		size int64
		used time.Time
	}
	var files []file
	var total int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		files = append(files, file{path, info.Size(), info.ModTime()})
		total += info.Size()
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	sort.Slice(files, func(i, j int) bool { return files[i].used.Before(files[j].used) })
	for _, f := range files {
		if total <= max {
			break
		}
		if f.path == keep {
			continue
		}
		if err := os.Remove(f.path); err != nil && !os.IsNotExist(err) {
			return err
		}
		total -= f.size
	}
	return nil
}

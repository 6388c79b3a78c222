package compute

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

type manifestVector struct {
	Name     string          `json:"name"`
	Error    string          `json:"error"`
	Manifest json.RawMessage `json:"manifest"`
}

func loadManifestVectors(t testing.TB) []manifestVector {
	b, err := os.ReadFile("testdata/manifests.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []manifestVector
	if err := json.Unmarshal(b, &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

func TestParseManifestVectors(t *testing.T) {
	t.Parallel()
	for _, v := range loadManifestVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			m, err := ParseManifest(v.Manifest)
			if v.Error == "" {
				if err != nil {
					t.Fatalf("ParseManifest: %v", err)
				}
				checkManifestRoundTrip(t, m)
				return
			}
			if err == nil || !errors.Is(err, ErrManifest) || !strings.Contains(err.Error(), v.Error) {
				t.Fatalf("err = %v, want ErrManifest mentioning %q", err, v.Error)
			}
		})
	}
}

func TestParseManifestLimits(t *testing.T) {
	t.Parallel()
	big := make([]byte, MaxManifestSize+1)
	if _, err := ParseManifest(big); !errors.Is(err, ErrManifest) {
		t.Errorf("oversize: err = %v", err)
	}
	m := validManifest()
	m.Inputs = [][]byte{make([]byte, MaxInputSize+1)}
	b, _ := json.Marshal(m)
	if _, err := ParseManifest(b); err == nil || !strings.Contains(err.Error(), "inputs[0]") {
		t.Errorf("oversize input: err = %v", err)
	}
	good, _ := validManifest().Marshal()
	if _, err := ParseManifest(append(good, []byte(" {}")...)); err == nil {
		t.Error("trailing data accepted")
	}
	if _, err := ReadManifest(bytes.NewReader(good)); err != nil {
		t.Errorf("ReadManifest: %v", err)
	}
}

func validManifest() *Manifest {
	return &Manifest{
		Version: ManifestVersion, Module: ModuleHash([]byte("x")),
		Inputs: [][]byte{[]byte("1 10")}, UnitsPerTask: 10, Replication: 2,
		TaskTimeoutMS: 1000, DeadlineUnix: 1_900_000_000,
	}
}

func checkManifestRoundTrip(t *testing.T, m *Manifest) {
	t.Helper()
	b, err := m.Marshal()
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	m2, err := ParseManifest(b)
	if err != nil {
		t.Fatalf("reparse: %v\n%s", err, b)
	}
	if !reflect.DeepEqual(m, m2) {
		t.Fatalf("round trip changed manifest:\n%+v\n%+v", m, m2)
	}
	b2, _ := m2.Marshal()
	if !bytes.Equal(b, b2) {
		t.Fatalf("encoding not canonical:\n%s\n%s", b, b2)
	}
}

func FuzzParseManifest(f *testing.F) {
	for _, v := range loadManifestVectors(f) {
		f.Add([]byte(v.Manifest))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseManifest(b)
		if err != nil {
			if !errors.Is(err, ErrManifest) {
				t.Fatalf("error not wrapping ErrManifest: %v", err)
			}
			return
		}
		checkManifestRoundTrip(t, m)
	})
}

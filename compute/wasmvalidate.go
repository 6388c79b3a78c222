package compute

import (
	"context"
	"fmt"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// validator is a wazero runtime used only to validate modules: the
// interpreter decodes and type-checks a module as fully as the compiler
// but compiles it far faster. The features are those the sandbox runs.
var validator = sync.OnceValue(func() wazero.Runtime {
	cfg := wazero.NewRuntimeConfigInterpreter().WithCoreFeatures(api.CoreFeaturesV2)
	return wazero.NewRuntimeWithConfig(context.Background(), cfg)
})

// validateRaw type-checks a module that parseModule has bounded. It is
// called on the raw module, so that an index which only instrumentation
// would make valid (the fuel global, the charge function) is refused.
func validateRaw(module []byte) error {
	ctx := context.Background()
	cm, err := validator().CompileModule(ctx, module)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, firstLine(err.Error()))
	}
	return cm.Close(ctx)
}

// Package all registers every socc compilation target; import it for its
// side effect.
package all

import (
	_ "github.com/socc-dev/socc/compiler/emit/eventbridge" // the "eventbridge" target
	_ "github.com/socc-dev/socc/compiler/emit/irjson"      // the "ir" target
)

// Package all registers every socc compilation target; import it for its
// side effect.
package all

import (
	_ "github.com/socc-dev/socc/compiler/emit/athena"      // the "athena" target
	_ "github.com/socc-dev/socc/compiler/emit/eventbridge" // the "eventbridge" target
	_ "github.com/socc-dev/socc/compiler/emit/irjson"      // the "ir" target
	_ "github.com/socc-dev/socc/compiler/emit/opensearch"  // the "opensearch" target
	_ "github.com/socc-dev/socc/compiler/emit/sentinel"    // the "sentinel" target
	_ "github.com/socc-dev/socc/compiler/emit/splunk"      // the "splunk" target
)

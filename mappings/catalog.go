// Package mappings embeds the reference catalogs that socc checks content
// against: the ISO/IEC 27001:2022 Annex A control identifiers and the MITRE
// ATT&CK Enterprise techniques.
package mappings

import (
	"bufio"
	"bytes"
	_ "embed"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

//go:embed annex-a.yaml
var annexA []byte

//go:embed attack-enterprise.tsv
var attackTSV []byte

// Control is one Annex A control.
type Control struct {
	ID    string `yaml:"id"`
	Title string `yaml:"title"`
	Theme string `yaml:"theme"`
}

// Technique is one ATT&CK technique or sub-technique.
type Technique struct {
	ID        string
	Name      string
	Tactics   []string
	Platforms []string
}

var (
	once       sync.Once
	controls   map[string]*Control
	controlIDs []string
	techniques map[string]*Technique
)

func parse() {
	var doc struct {
		Catalog struct {
			Controls []*Control `yaml:"controls"`
		} `yaml:"catalog"`
	}
	if err := yaml.Unmarshal(annexA, &doc); err != nil {
		panic("mappings: embedded Annex A catalog: " + err.Error())
	}
	controls = map[string]*Control{}
	for _, c := range doc.Catalog.Controls {
		controls[c.ID] = c
		controlIDs = append(controlIDs, c.ID)
	}
	techniques = map[string]*Technique{}
	sc := bufio.NewScanner(bytes.NewReader(attackTSV))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "id\t") || line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		for len(f) < 4 {
			f = append(f, "")
		}
		techniques[f[0]] = &Technique{ID: f[0], Name: f[1], Tactics: strings.Split(f[2], ","), Platforms: strings.Split(f[3], ",")}
	}
}

// LookupControl returns the Annex A control with id ("A.8.16"), or nil.
func LookupControl(id string) *Control {
	once.Do(parse)
	return controls[id]
}

// ControlIDs returns every Annex A control ID in catalog order.
func ControlIDs() []string {
	once.Do(parse)
	return controlIDs
}

// LookupTechnique returns the ATT&CK technique with id ("T1078.004"), or nil.
func LookupTechnique(id string) *Technique {
	once.Do(parse)
	return techniques[id]
}

// AttackVersion is the ATT&CK release of the embedded catalog.
const AttackVersion = "18.1"

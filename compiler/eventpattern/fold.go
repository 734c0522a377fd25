package eventpattern

import (
	"bytes"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// foldChar is one UTF-16 code unit of an equals-ignore-case operand: the
// UTF-8 bytes of its lower-case and upper-case forms (upper is nil when both
// are the same).
type foldChar struct {
	lower, upper []byte
}

// foldSeq matches values case-insensitively the way event-ruler does: each
// UTF-16 code unit of the operand may appear in the value as its lower-case
// or its upper-case form (Java's String.toLowerCase and toUpperCase in the
// root locale, so "ß" matches "ß" and "SS"). An unpaired surrogate becomes
// "?" as in Java's UTF-8 encoder, so characters outside the Basic
// Multilingual Plane only match literal question marks.
type foldSeq struct {
	chars []foldChar
	// ascii holds the lower-cased operand when it is pure ASCII, which
	// allows a plain byte comparison.
	ascii []byte
}

func newFoldSeq(s string) foldSeq {
	var f foldSeq
	isASCII := true
	for _, r := range s {
		if r >= utf8.RuneSelf {
			isASCII = false
		}
		units := []rune{r}
		if r > 0xFFFF {
			r1, r2 := utf16.EncodeRune(r)
			units = []rune{r1, r2}
		}
		for _, u := range units {
			lower, upper := []byte(foldLower(u)), []byte(foldUpper(u))
			if bytes.Equal(lower, upper) {
				upper = nil
			}
			f.chars = append(f.chars, foldChar{lower: lower, upper: upper})
		}
	}
	if isASCII {
		f.ascii = []byte(s)
		for i, c := range f.ascii {
			if 'A' <= c && c <= 'Z' {
				f.ascii[i] = c + 'a' - 'A'
			}
		}
	}
	return f
}

// foldLower returns Java's String.valueOf(u).toLowerCase(Locale.ROOT).
func foldLower(u rune) string {
	switch {
	case utf16.IsSurrogate(u):
		return "?"
	case u == 0x0130: // LATIN CAPITAL LETTER I WITH DOT ABOVE
		return "i\u0307"
	}
	return string(unicode.ToLower(u))
}

// foldUpper returns Java's String.valueOf(u).toUpperCase(Locale.ROOT).
func foldUpper(u rune) string {
	if utf16.IsSurrogate(u) {
		return "?"
	}
	if s, ok := specialUpper[u]; ok {
		return s
	}
	return string(unicode.ToUpper(u))
}

// asciiEqualFold compares b with the lower-case ASCII operand a.
func asciiEqualFold(b, a []byte) bool {
	if len(b) != len(a) {
		return false
	}
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != a[i] {
			return false
		}
	}
	return true
}

// matchFull reports whether all of v spells the operand.
func (f *foldSeq) matchFull(v []byte) bool {
	if f.ascii != nil {
		return asciiEqualFold(v, f.ascii)
	}
	n, ok := f.forward(v)
	return ok && n == len(v)
}

// matchPrefix reports whether v starts with a spelling of the operand.
func (f *foldSeq) matchPrefix(v []byte) bool {
	if f.ascii != nil {
		return len(v) >= len(f.ascii) && asciiEqualFold(v[:len(f.ascii)], f.ascii)
	}
	_, ok := f.forward(v)
	return ok
}

// matchSuffix reports whether v ends with a spelling of the operand.
func (f *foldSeq) matchSuffix(v []byte) bool {
	if f.ascii != nil {
		return len(v) >= len(f.ascii) && asciiEqualFold(v[len(v)-len(f.ascii):], f.ascii)
	}
	end := len(v)
	for k := len(f.chars) - 1; k >= 0; k-- {
		c := &f.chars[k]
		switch {
		case bytes.HasSuffix(v[:end], c.lower):
			end -= len(c.lower)
		case c.upper != nil && bytes.HasSuffix(v[:end], c.upper):
			end -= len(c.upper)
		default:
			return false
		}
	}
	return true
}

// forward returns the length of the spelling of the operand that starts v.
// Neither case form of a character is a prefix of the other, so at most one
// of them matches at any position.
func (f *foldSeq) forward(v []byte) (int, bool) {
	pos := 0
	for k := range f.chars {
		c := &f.chars[k]
		switch {
		case bytes.HasPrefix(v[pos:], c.lower):
			pos += len(c.lower)
		case c.upper != nil && bytes.HasPrefix(v[pos:], c.upper):
			pos += len(c.upper)
		default:
			return 0, false
		}
	}
	return pos, true
}

// specialUpper lists the characters of the Basic Multilingual Plane whose
// upper-case form is more than one character (the unconditional mappings of
// Unicode's SpecialCasing.txt, which Java's String.toUpperCase applies).
var specialUpper = map[rune]string{
	0x00DF: "SS",                 // LATIN SMALL LETTER SHARP S
	0x0149: "\u02BCN",            // LATIN SMALL LETTER N PRECEDED BY APOSTROPHE
	0x01F0: "J\u030C",            // LATIN SMALL LETTER J WITH CARON
	0x0390: "\u0399\u0308\u0301", // GREEK SMALL LETTER IOTA WITH DIALYTIKA AND TONOS
	0x03B0: "\u03A5\u0308\u0301", // GREEK SMALL LETTER UPSILON WITH DIALYTIKA AND TONOS
	0x0587: "\u0535\u0552",       // ARMENIAN SMALL LIGATURE ECH YIWN
	0x1E96: "H\u0331",            // LATIN SMALL LETTER H WITH LINE BELOW
	0x1E97: "T\u0308",            // LATIN SMALL LETTER T WITH DIAERESIS
	0x1E98: "W\u030A",            // LATIN SMALL LETTER W WITH RING ABOVE
	0x1E99: "Y\u030A",            // LATIN SMALL LETTER Y WITH RING ABOVE
	0x1E9A: "A\u02BE",            // LATIN SMALL LETTER A WITH RIGHT HALF RING
	0x1F50: "\u03A5\u0313",       // GREEK SMALL LETTER UPSILON WITH PSILI
	0x1F52: "\u03A5\u0313\u0300", // GREEK SMALL LETTER UPSILON WITH PSILI AND VARIA
	0x1F54: "\u03A5\u0313\u0301", // GREEK SMALL LETTER UPSILON WITH PSILI AND OXIA
	0x1F56: "\u03A5\u0313\u0342", // GREEK SMALL LETTER UPSILON WITH PSILI AND PERISPOMENI
	0x1F80: "\u1F08\u0399",       // GREEK SMALL LETTER ALPHA WITH PSILI AND YPOGEGRAMMENI
	0x1F81: "\u1F09\u0399",       // GREEK SMALL LETTER ALPHA WITH DASIA AND YPOGEGRAMMENI
	0x1F82: "\u1F0A\u0399",       // GREEK SMALL LETTER ALPHA WITH PSILI AND VARIA AND YPOGEGRAMMENI
	0x1F83: "\u1F0B\u0399",       // GREEK SMALL LETTER ALPHA WITH DASIA AND VARIA AND YPOGEGRAMMENI
	0x1F84: "\u1F0C\u0399",       // GREEK SMALL LETTER ALPHA WITH PSILI AND OXIA AND YPOGEGRAMMENI
	0x1F85: "\u1F0D\u0399",       // GREEK SMALL LETTER ALPHA WITH DASIA AND OXIA AND YPOGEGRAMMENI
	0x1F86: "\u1F0E\u0399",       // GREEK SMALL LETTER ALPHA WITH PSILI AND PERISPOMENI AND YPOGEGRAMMENI
	0x1F87: "\u1F0F\u0399",       // GREEK SMALL LETTER ALPHA WITH DASIA AND PERISPOMENI AND YPOGEGRAMMENI
	0x1F88: "\u1F08\u0399",       // GREEK CAPITAL LETTER ALPHA WITH PSILI AND PROSGEGRAMMENI
	0x1F89: "\u1F09\u0399",       // GREEK CAPITAL LETTER ALPHA WITH DASIA AND PROSGEGRAMMENI
	0x1F8A: "\u1F0A\u0399",       // GREEK CAPITAL LETTER ALPHA WITH PSILI AND VARIA AND PROSGEGRAMMENI
	0x1F8B: "\u1F0B\u0399",       // GREEK CAPITAL LETTER ALPHA WITH DASIA AND VARIA AND PROSGEGRAMMENI
	0x1F8C: "\u1F0C\u0399",       // GREEK CAPITAL LETTER ALPHA WITH PSILI AND OXIA AND PROSGEGRAMMENI
	0x1F8D: "\u1F0D\u0399",       // GREEK CAPITAL LETTER ALPHA WITH DASIA AND OXIA AND PROSGEGRAMMENI
	0x1F8E: "\u1F0E\u0399",       // GREEK CAPITAL LETTER ALPHA WITH PSILI AND PERISPOMENI AND PROSGEGRAMMENI
	0x1F8F: "\u1F0F\u0399",       // GREEK CAPITAL LETTER ALPHA WITH DASIA AND PERISPOMENI AND PROSGEGRAMMENI
	0x1F90: "\u1F28\u0399",       // GREEK SMALL LETTER ETA WITH PSILI AND YPOGEGRAMMENI
	0x1F91: "\u1F29\u0399",       // GREEK SMALL LETTER ETA WITH DASIA AND YPOGEGRAMMENI
	0x1F92: "\u1F2A\u0399",       // GREEK SMALL LETTER ETA WITH PSILI AND VARIA AND YPOGEGRAMMENI
	0x1F93: "\u1F2B\u0399",       // GREEK SMALL LETTER ETA WITH DASIA AND VARIA AND YPOGEGRAMMENI
	0x1F94: "\u1F2C\u0399",       // GREEK SMALL LETTER ETA WITH PSILI AND OXIA AND YPOGEGRAMMENI
	0x1F95: "\u1F2D\u0399",       // GREEK SMALL LETTER ETA WITH DASIA AND OXIA AND YPOGEGRAMMENI
	0x1F96: "\u1F2E\u0399",       // GREEK SMALL LETTER ETA WITH PSILI AND PERISPOMENI AND YPOGEGRAMMENI
	0x1F97: "\u1F2F\u0399",       // GREEK SMALL LETTER ETA WITH DASIA AND PERISPOMENI AND YPOGEGRAMMENI
	0x1F98: "\u1F28\u0399",       // GREEK CAPITAL LETTER ETA WITH PSILI AND PROSGEGRAMMENI
	0x1F99: "\u1F29\u0399",       // GREEK CAPITAL LETTER ETA WITH DASIA AND PROSGEGRAMMENI
	0x1F9A: "\u1F2A\u0399",       // GREEK CAPITAL LETTER ETA WITH PSILI AND VARIA AND PROSGEGRAMMENI
	0x1F9B: "\u1F2B\u0399",       // GREEK CAPITAL LETTER ETA WITH DASIA AND VARIA AND PROSGEGRAMMENI
	0x1F9C: "\u1F2C\u0399",       // GREEK CAPITAL LETTER ETA WITH PSILI AND OXIA AND PROSGEGRAMMENI
	0x1F9D: "\u1F2D\u0399",       // GREEK CAPITAL LETTER ETA WITH DASIA AND OXIA AND PROSGEGRAMMENI
	0x1F9E: "\u1F2E\u0399",       // GREEK CAPITAL LETTER ETA WITH PSILI AND PERISPOMENI AND PROSGEGRAMMENI
	0x1F9F: "\u1F2F\u0399",       // GREEK CAPITAL LETTER ETA WITH DASIA AND PERISPOMENI AND PROSGEGRAMMENI
	0x1FA0: "\u1F68\u0399",       // GREEK SMALL LETTER OMEGA WITH PSILI AND YPOGEGRAMMENI
	0x1FA1: "\u1F69\u0399",       // GREEK SMALL LETTER OMEGA WITH DASIA AND YPOGEGRAMMENI
	0x1FA2: "\u1F6A\u0399",       // GREEK SMALL LETTER OMEGA WITH PSILI AND VARIA AND YPOGEGRAMMENI
	0x1FA3: "\u1F6B\u0399",       // GREEK SMALL LETTER OMEGA WITH DASIA AND VARIA AND YPOGEGRAMMENI
	0x1FA4: "\u1F6C\u0399",       // GREEK SMALL LETTER OMEGA WITH PSILI AND OXIA AND YPOGEGRAMMENI
	0x1FA5: "\u1F6D\u0399",       // GREEK SMALL LETTER OMEGA WITH DASIA AND OXIA AND YPOGEGRAMMENI
	0x1FA6: "\u1F6E\u0399",       // GREEK SMALL LETTER OMEGA WITH PSILI AND PERISPOMENI AND YPOGEGRAMMENI
	0x1FA7: "\u1F6F\u0399",       // GREEK SMALL LETTER OMEGA WITH DASIA AND PERISPOMENI AND YPOGEGRAMMENI
	0x1FA8: "\u1F68\u0399",       // GREEK CAPITAL LETTER OMEGA WITH PSILI AND PROSGEGRAMMENI
	0x1FA9: "\u1F69\u0399",       // GREEK CAPITAL LETTER OMEGA WITH DASIA AND PROSGEGRAMMENI
	0x1FAA: "\u1F6A\u0399",       // GREEK CAPITAL LETTER OMEGA WITH PSILI AND VARIA AND PROSGEGRAMMENI
	0x1FAB: "\u1F6B\u0399",       // GREEK CAPITAL LETTER OMEGA WITH DASIA AND VARIA AND PROSGEGRAMMENI
	0x1FAC: "\u1F6C\u0399",       // GREEK CAPITAL LETTER OMEGA WITH PSILI AND OXIA AND PROSGEGRAMMENI
	0x1FAD: "\u1F6D\u0399",       // GREEK CAPITAL LETTER OMEGA WITH DASIA AND OXIA AND PROSGEGRAMMENI
	0x1FAE: "\u1F6E\u0399",       // GREEK CAPITAL LETTER OMEGA WITH PSILI AND PERISPOMENI AND PROSGEGRAMMENI
	0x1FAF: "\u1F6F\u0399",       // GREEK CAPITAL LETTER OMEGA WITH DASIA AND PERISPOMENI AND PROSGEGRAMMENI
	0x1FB2: "\u1FBA\u0399",       // GREEK SMALL LETTER ALPHA WITH VARIA AND YPOGEGRAMMENI
	0x1FB3: "\u0391\u0399",       // GREEK SMALL LETTER ALPHA WITH YPOGEGRAMMENI
	0x1FB4: "\u0386\u0399",       // GREEK SMALL LETTER ALPHA WITH OXIA AND YPOGEGRAMMENI
	0x1FB6: "\u0391\u0342",       // GREEK SMALL LETTER ALPHA WITH PERISPOMENI
	0x1FB7: "\u0391\u0342\u0399", // GREEK SMALL LETTER ALPHA WITH PERISPOMENI AND YPOGEGRAMMENI
	0x1FBC: "\u0391\u0399",       // GREEK CAPITAL LETTER ALPHA WITH PROSGEGRAMMENI
	0x1FC2: "\u1FCA\u0399",       // GREEK SMALL LETTER ETA WITH VARIA AND YPOGEGRAMMENI
	0x1FC3: "\u0397\u0399",       // GREEK SMALL LETTER ETA WITH YPOGEGRAMMENI
	0x1FC4: "\u0389\u0399",       // GREEK SMALL LETTER ETA WITH OXIA AND YPOGEGRAMMENI
	0x1FC6: "\u0397\u0342",       // GREEK SMALL LETTER ETA WITH PERISPOMENI
	0x1FC7: "\u0397\u0342\u0399", // GREEK SMALL LETTER ETA WITH PERISPOMENI AND YPOGEGRAMMENI
	0x1FCC: "\u0397\u0399",       // GREEK CAPITAL LETTER ETA WITH PROSGEGRAMMENI
	0x1FD2: "\u0399\u0308\u0300", // GREEK SMALL LETTER IOTA WITH DIALYTIKA AND VARIA
	0x1FD3: "\u0399\u0308\u0301", // GREEK SMALL LETTER IOTA WITH DIALYTIKA AND OXIA
	0x1FD6: "\u0399\u0342",       // GREEK SMALL LETTER IOTA WITH PERISPOMENI
	0x1FD7: "\u0399\u0308\u0342", // GREEK SMALL LETTER IOTA WITH DIALYTIKA AND PERISPOMENI
	0x1FE2: "\u03A5\u0308\u0300", // GREEK SMALL LETTER UPSILON WITH DIALYTIKA AND VARIA
	0x1FE3: "\u03A5\u0308\u0301", // GREEK SMALL LETTER UPSILON WITH DIALYTIKA AND OXIA
	0x1FE4: "\u03A1\u0313",       // GREEK SMALL LETTER RHO WITH PSILI
	0x1FE6: "\u03A5\u0342",       // GREEK SMALL LETTER UPSILON WITH PERISPOMENI
	0x1FE7: "\u03A5\u0308\u0342", // GREEK SMALL LETTER UPSILON WITH DIALYTIKA AND PERISPOMENI
	0x1FF2: "\u1FFA\u0399",       // GREEK SMALL LETTER OMEGA WITH VARIA AND YPOGEGRAMMENI
	0x1FF3: "\u03A9\u0399",       // GREEK SMALL LETTER OMEGA WITH YPOGEGRAMMENI
	0x1FF4: "\u038F\u0399",       // GREEK SMALL LETTER OMEGA WITH OXIA AND YPOGEGRAMMENI
	0x1FF6: "\u03A9\u0342",       // GREEK SMALL LETTER OMEGA WITH PERISPOMENI
	0x1FF7: "\u03A9\u0342\u0399", // GREEK SMALL LETTER OMEGA WITH PERISPOMENI AND YPOGEGRAMMENI
	0x1FFC: "\u03A9\u0399",       // GREEK CAPITAL LETTER OMEGA WITH PROSGEGRAMMENI
	0xFB00: "FF",                 // LATIN SMALL LIGATURE FF
	0xFB01: "FI",                 // LATIN SMALL LIGATURE FI
	0xFB02: "FL",                 // LATIN SMALL LIGATURE FL
	0xFB03: "FFI",                // LATIN SMALL LIGATURE FFI
	0xFB04: "FFL",                // LATIN SMALL LIGATURE FFL
	0xFB05: "ST",                 // LATIN SMALL LIGATURE LONG S T
	0xFB06: "ST",                 // LATIN SMALL LIGATURE ST
	0xFB13: "\u0544\u0546",       // ARMENIAN SMALL LIGATURE MEN NOW
	0xFB14: "\u0544\u0535",       // ARMENIAN SMALL LIGATURE MEN ECH
	0xFB15: "\u0544\u053B",       // ARMENIAN SMALL LIGATURE MEN INI
	0xFB16: "\u054E\u0546",       // ARMENIAN SMALL LIGATURE VEW NOW
	0xFB17: "\u0544\u053D",       // ARMENIAN SMALL LIGATURE MEN XEH
}

package eventpattern

import (
	"bytes"
	"strconv"
	"strings"
)

// looksLikeIP reports whether s has the shape event-ruler accepts as an IP
// address literal: four dot-separated decimal numbers, or hex digits and
// colons with at least one colon.
func looksLikeIP(s []byte) bool {
	if bytes.IndexByte(s, ':') >= 0 {
		for _, c := range s {
			if c != ':' && !isHex(c) {
				return false
			}
		}
		return true
	}
	parts := 0
	digits := 0
	for _, c := range s {
		switch {
		case '0' <= c && c <= '9':
			digits++
		case c == '.' && digits > 0:
			parts++
			digits = 0
		default:
			return false
		}
	}
	return parts == 3 && digits > 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// parseIP parses an address that looksLikeIP into its 4 or 16 bytes. As in
// Java's InetAddress, an IPv4-mapped IPv6 address is an IPv4 address, and
// IPv4 parts are decimal numbers up to 255 without leading zeros.
func parseIP(s []byte) ([16]byte, int, bool) {
	if bytes.IndexByte(s, ':') < 0 {
		return parseIPv4(s)
	}
	ip, ok := parseIPv6(s)
	if !ok {
		return ip, 0, false
	}
	if ip == [16]byte{10: 0xff, 11: 0xff, 12: ip[12], 13: ip[13], 14: ip[14], 15: ip[15]} {
		copy(ip[:], ip[12:])
		return ip, 4, true
	}
	return ip, 16, true
}

func parseIPv4(s []byte) ([16]byte, int, bool) {
	var ip [16]byte
	for i := 0; i < 4; i++ {
		if i > 0 {
			if len(s) == 0 || s[0] != '.' {
				return ip, 0, false
			}
			s = s[1:]
		}
		n, v := 0, 0
		for n < len(s) && '0' <= s[n] && s[n] <= '9' {
			if n == 1 && s[0] == '0' {
				return ip, 0, false
			}
			v = v*10 + int(s[n]-'0')
			if v > 255 {
				return ip, 0, false
			}
			n++
		}
		if n == 0 {
			return ip, 0, false
		}
		ip[i] = byte(v)
		s = s[n:]
	}
	return ip, 4, len(s) == 0
}

func parseIPv6(s []byte) ([16]byte, bool) {
	var ip [16]byte
	ellipsis := -1
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		ellipsis = 0
		s = s[2:]
		if len(s) == 0 {
			return ip, true
		}
	}
	i := 0
	for i < 16 {
		n, v := 0, 0
		for n < len(s) && isHex(s[n]) {
			if n == 4 {
				return ip, false
			}
			c := s[n]
			switch {
			case c <= '9':
				c -= '0'
			case c <= 'F':
				c = c - 'A' + 10
			default:
				c = c - 'a' + 10
			}
			v = v<<4 | int(c)
			n++
		}
		if n == 0 {
			return ip, false
		}
		ip[i], ip[i+1] = byte(v>>8), byte(v)
		i += 2
		s = s[n:]
		if len(s) == 0 {
			break
		}
		if s[0] != ':' || len(s) == 1 {
			return ip, false
		}
		s = s[1:]
		if s[0] == ':' {
			if ellipsis >= 0 {
				return ip, false
			}
			ellipsis = i
			s = s[1:]
			if len(s) == 0 {
				break
			}
		}
	}
	if len(s) != 0 {
		return ip, false
	}
	if i < 16 {
		if ellipsis < 0 {
			return ip, false
		}
		n := 16 - i
		copy(ip[ellipsis+n:], ip[ellipsis:i])
		clear(ip[ellipsis : ellipsis+n])
	} else if ellipsis >= 0 {
		return ip, false
	}
	return ip, true
}

// ipToBytes converts the address part of a CIDR the way event-ruler does,
// with its error reasons.
func ipToBytes(s string) ([]byte, error) {
	if !looksLikeIP([]byte(s)) {
		return nil, reason("Nonstandard IP address: " + s)
	}
	ip, n, ok := parseIP([]byte(s))
	if !ok {
		return nil, reason("Invalid IP address: " + s)
	}
	return ip[:n:n], nil
}

// ipMatcher matches string values holding an IP address whose leading
// bytes lie in [lo, hi]. Like event-ruler, which compares hex-digit strings
// and stops as soon as the pattern's digits are exhausted, an IPv6 address
// is compared on its first four bytes against an IPv4 range.
type ipMatcher struct {
	lo, hi []byte
}

func (m *ipMatcher) match(v *leaf) bool {
	ip, ok := v.ip()
	if !ok || len(ip) < len(m.lo) {
		return false
	}
	ip = ip[:len(m.lo)]
	return bytes.Compare(ip, m.lo) >= 0 && bytes.Compare(ip, m.hi) <= 0
}

// newCIDR compiles a cidr operand with event-ruler's checks and reasons.
func newCIDR(cidr string) (*ipMatcher, error) {
	parts := strings.Split(cidr, "/")
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1] // Java's String.split drops trailing empty strings
	}
	if len(parts) != 2 {
		return nil, reason("Malformed CIDR, one '/' required")
	}
	bits, err := strconv.ParseInt(parts[1], 10, 32)
	if err != nil {
		return nil, reason("Malformed CIDR, mask bits must be an integer")
	}
	if bits < 0 {
		return nil, reason("Malformed CIDR, mask bits must not be negative")
	}
	ip, err := ipToBytes(parts[0])
	if err != nil {
		return nil, err
	}
	if len(ip) == 4 && bits > 31 {
		return nil, reason("IPv4 mask bits must be < 32")
	}
	if len(ip) == 16 && bits > 127 {
		return nil, reason("IPv6 mask bits must be < 128")
	}
	lo := make([]byte, len(ip))
	hi := make([]byte, len(ip))
	for i := range ip {
		fixed := int(bits) - 8*i // leading bits of this byte that are fixed
		var mask byte
		switch {
		case fixed >= 8:
			mask = 0xff
		case fixed > 0:
			mask = ^byte(0xff >> fixed)
		}
		lo[i] = ip[i] & mask
		hi[i] = ip[i] | ^mask
	}
	return &ipMatcher{lo: lo, hi: hi}, nil
}

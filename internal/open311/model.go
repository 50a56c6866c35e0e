// Package open311 speaks Open311 GeoReport v2 (with its Service Discovery document and
// FixMyStreet's service request updates) over the cases capability: services are the leaf case
// categories, a posted request becomes a case of channel open311 through the cases service, and
// requests are read back from the cases' public feed. No rule of the case loop lives here; this
// package owns the clients' API keys, the jurisdictions and the protocol's shapes.
package open311

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf8"

	"linli/internal/errs"
)

// Channel is the case channel of requests posted over Open311.
const Channel = "open311"

// The spec's limits on GET requests: by default the last 90 days, at most 1,000 requests.
const (
	DefaultSpan = 90 * 24 * time.Hour
	MaxRequests = 1000
	// MaxDescription is the spec's longest description, in characters.
	MaxDescription = 4000
)

// Key is a client's API key as the security admin sees it: never the key itself.
type Key struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	Hint        string     `json:"hint"`
	RegionID    int64      `json:"region_id"`
	RegionName  string     `json:"region_name"`
	ReadOnly    bool       `json:"read_only"`
	CreatedAt   time.Time  `json:"created_at"`
	RevokedAt   *time.Time `json:"revoked_at"`
	LastUsedAt  *time.Time `json:"last_used_at"`
	Calls       int64      `json:"calls"`
	Posts       int64      `json:"posts"`
	regionPath  string
	regionLevel string
}

// Active reports whether the key may still be used.
func (k *Key) Active() bool { return k.RevokedAt == nil }

// NewKey is what the security admin fills in to issue a key.
type NewKey struct {
	Name     string `json:"name"`
	RegionID int64  `json:"region_id"`
	ReadOnly bool   `json:"read_only"`
}

// Validate trims the name and checks what needs no database.
func (n *NewKey) Validate() error {
	f := errs.Fields{}
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" {
		f.Add("name", "请填写接入方名称")
	} else if utf8.RuneCountInString(n.Name) > 100 {
		f.Add("name", "接入方名称不能超过100字")
	}
	if n.RegionID <= 0 {
		f.Add("region_id", "请选择服务范围")
	}
	return f.Err()
}

// Issued is a new key with its secret, shown once.
type Issued struct {
	Key
	Secret string `json:"api_key"`
}

// newSecret returns a random key and its stored hash.
func newSecret() (secret, hash string) {
	secret = "o311_" + strings.ToLower(rand.Text())
	return secret, hashKey(secret)
}

func hashKey(secret string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(secret)))
	return hex.EncodeToString(sum[:])
}

// Jurisdiction maps a jurisdiction_id to the region it selects.
type Jurisdiction struct {
	Code        string `json:"jurisdiction_id"`
	RegionID    int64  `json:"region_id"`
	RegionName  string `json:"region_name"`
	regionPath  string
	regionLevel string
}

// ValidJurisdictionCode reports whether code is a usable jurisdiction_id: a domain-like token.
func ValidJurisdictionCode(code string) bool {
	if code == "" || len(code) > 100 {
		return false
	}
	for _, r := range code {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Status is the spec's status of a request: open or closed.
func Status(open bool) string {
	if open {
		return "open"
	}
	return "closed"
}

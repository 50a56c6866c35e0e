// Package party keeps the party organisation: the community committee, grid branches and groups,
// members (including in-service members registered with the community), and liaison households
// with the households each covers.
package party

import (
	"linli/internal/db"
	"linli/internal/pii"
	"linli/internal/register"
)

// Service is the party organisation's use cases.
type Service struct {
	db       *db.DB
	sealer   *pii.Sealer
	register *register.Service
}

// NewService returns the party service.
func NewService(d *db.DB, sealer *pii.Sealer, reg *register.Service) *Service {
	return &Service{db: d, sealer: sealer, register: reg}
}

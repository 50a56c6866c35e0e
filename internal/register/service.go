// Package register keeps the register of a community: regions, grids and their roster (多网合一),
// buildings, households, residents with their focus tags, and the ledger import and export.
package register

import (
	"linli/internal/db"
	"linli/internal/pii"
)

// Service is the register's use cases.
type Service struct {
	db     *db.DB
	sealer *pii.Sealer
}

// NewService returns the register service.
func NewService(d *db.DB, sealer *pii.Sealer) *Service {
	return &Service{db: d, sealer: sealer}
}

// Package register keeps the register of a community: regions, grids and their roster (多网合一),
// buildings, households, and residents with their focus tags. The ledger import and export is
// internal/ledger.
package register

import (
	"linli/internal/db"
	"linli/internal/geo"
	"linli/internal/pii"
)

// Service is the register's use cases.
type Service struct {
	db     *db.DB
	sealer *pii.Sealer
	geo    geo.Live // the point-in-grid index, replaced whenever a boundary changes
}

// NewService returns the register service. The point-in-grid index is built on first use or by
// LoadGridIndex.
func NewService(d *db.DB, sealer *pii.Sealer) *Service {
	return &Service{db: d, sealer: sealer}
}

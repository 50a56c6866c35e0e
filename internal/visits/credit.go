package visits

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"linli/internal/audit"
	"linli/internal/db"
)

// ActivityCredit is a volunteer's approved service at a community activity (internal/activities),
// to be credited to the in-service party member who gave it.
type ActivityCredit struct {
	VolunteerID int64     // the activity_volunteers row
	CommunityID int64     // the activity's community
	PhoneIndex  string    // the volunteer's phone blind index
	ServedOn    string    // YYYY-MM-DD, the activity's day
	Minutes     int       // approved minutes
	Note        string    // what was done, at which activity
	By          int64     // the approver
	At          time.Time // the approval
}

// CreditActivityHours credits approved activity service, in tx (the approval's transaction), to
// the active in-service party member of the activity's community with the volunteer's phone, as
// approved hours that count in the member's hours, points and unit roll-up. It returns the
// member's id, or 0 when the volunteer is no such member (residents' hours stay with the activity).
func CreditActivityHours(ctx context.Context, tx *db.Tx, c ActivityCredit) (int64, error) {
	if c.PhoneIndex == "" || c.Minutes <= 0 {
		return 0, nil
	}
	var member, region int64
	err := tx.QueryRowContext(ctx, `SELECT m.id, m.region_id FROM party_members m
		WHERE m.phone_index = $1 AND m.kind = 'in_service' AND m.active
			AND m.region_id IN (SELECT r.id FROM regions r JOIN regions c ON r.path LIKE c.path || '%' WHERE c.id = $2)
		ORDER BY m.id LIMIT 1`, c.PhoneIndex, c.CommunityID).Scan(&member, &region)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("find in-service member: %w", err)
	}
	mins := min(c.Minutes, MaxServiceMins)
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO service_hours (region_id, member_id, served_on, minutes, note, status, decided_by,
		decided_at, created_by, created_at, activity_volunteer_id) VALUES ($1, $2, $3, $4, $5, 'approved', $6, $7, $6, $7, $8)
		RETURNING id`, region, member, c.ServedOn, mins, c.Note, c.By, c.At, c.VolunteerID).Scan(&id); err != nil {
		return 0, fmt.Errorf("credit service hours: %w", err)
	}
	return member, audit.Record(ctx, tx, audit.Entry{Action: "volunteer.hours_credited", ObjectType: "service_hours", ObjectID: id,
		RegionID: region, Detail: fmt.Sprintf("活动志愿服务%d分钟计入在职党员服务时长", mins),
		After: map[string]any{"member_id": member, "activity_volunteer_id": c.VolunteerID, "minutes": mins, "served_on": c.ServedOn}})
}

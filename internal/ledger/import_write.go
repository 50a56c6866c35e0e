package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"linli/internal/clock"
	"linli/internal/db"
	"linli/internal/pii"
	"linli/internal/register"
	"linli/internal/search"
)

// ledgerWriter writes a plan inside one transaction with multi-row INSERTs through statements
// prepared once per batch shape.
type ledgerWriter struct {
	ctx      context.Context
	tx       *db.Tx
	sealer   *pii.Sealer
	st       *registerState
	batch    int
	now      time.Time
	progress func(done int) error
	done     int
	stmts    map[string]*sql.Stmt
	tags     []tagRow // queued for insertion
}

// valuesSQL returns "(…), (…)" for n rows of one placeholder tuple; row builds a tuple from ph,
// which returns the next placeholder. SQLite gets anonymous "?" placeholders: its driver looks
// every numbered one up by name, which costs quadratic time in a statement with thousands.
func valuesSQL(d db.Dialect, n int, row func(ph func() string) string) string {
	var b strings.Builder
	next := 0
	ph := func() string {
		next++
		if d == db.SQLite {
			return "?"
		}
		return "$" + strconv.Itoa(next)
	}
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row(ph))
	}
	return b.String()
}

// stmt prepares a statement once per transaction and text.
func (w *ledgerWriter) stmt(query string) (*sql.Stmt, error) {
	if s, ok := w.stmts[query]; ok {
		return s, nil
	}
	if w.stmts == nil {
		w.stmts = map[string]*sql.Stmt{}
	}
	s, err := w.tx.PrepareContext(w.ctx, query)
	if err != nil {
		return nil, err
	}
	w.stmts[query] = s
	return s, nil
}

func (w *ledgerWriter) close() {
	for _, s := range w.stmts {
		s.Close()
	}
}

// write creates the missing households, then the new residents, then applies the updates.
func (w *ledgerWriter) write(pl *plan) (created, updated int, err error) {
	defer w.close()
	if err := w.households(pl.newHouseholds); err != nil {
		return 0, 0, fmt.Errorf("import households: %w", err)
	}
	var creates, updates []*step
	for i := range pl.steps {
		s := &pl.steps[i]
		if s.hhID == 0 {
			h := w.st.households[s.household]
			s.hhID, s.hhRegion = h.id, h.regionID
		}
		switch s.action {
		case actionCreate:
			creates = append(creates, s)
		case actionUpdate:
			updates = append(updates, s)
		default:
			w.done++
		}
	}
	for i := 0; i < len(creates); i += w.batch {
		if err := w.createBatch(creates[i:min(i+w.batch, len(creates))]); err != nil {
			return 0, 0, fmt.Errorf("import residents: %w", err)
		}
	}
	for i := 0; i < len(updates); i += w.batch {
		batch := updates[i:min(i+w.batch, len(updates))]
		for _, s := range batch {
			if err := w.update(s); err != nil {
				return 0, 0, fmt.Errorf("import row %d: %w", s.row.num, err)
			}
		}
		if err := w.step(len(batch)); err != nil {
			return 0, 0, err
		}
	}
	if err := w.flushTags(); err != nil {
		return 0, 0, fmt.Errorf("import tags: %w", err)
	}
	return len(creates), len(updates), nil
}

func (w *ledgerWriter) step(n int) error {
	w.done += n
	return w.progress(w.done)
}

func (w *ledgerWriter) households(keys []householdKey) error {
	const per = 200
	for i := 0; i < len(keys); i += per {
		part := keys[i:min(i+per, len(keys))]
		q := `INSERT INTO households (region_id, community_id, building_id, unit, room, kind, created_at, updated_at) VALUES ` +
			valuesSQL(w.tx.Dialect, len(part), func(ph func() string) string {
				return "(" + ph() + ", " + ph() + ", " + ph() + ", " + ph() + ", " + ph() + ", " + ph() + ", " + ph() + ", " + ph() + ")"
			}) + ` RETURNING id, building_id, unit, room`
		args := make([]any, 0, len(part)*8)
		for _, k := range part {
			args = append(args, w.st.buildingOf[k.building].regionID, w.st.communityID, k.building, k.unit, k.room,
				string(register.HouseholdOwner), w.now, w.now)
		}
		stmt, err := w.stmt(q)
		if err != nil {
			return err
		}
		rows, err := stmt.QueryContext(w.ctx, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, building int64
			var unit, room string
			if err := rows.Scan(&id, &building, &unit, &room); err != nil {
				rows.Close()
				return err
			}
			w.st.households[householdKey{building, unit, room}] = existingHousehold{id: id, regionID: w.st.buildingOf[building].regionID}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

const residentInsertColumns = `region_id, community_id, household_id, name, gender, birth_date, id_enc, id_index,
	id_masked, phone_enc, phone_index, phone_masked, relation, residence_type, ethnicity, note, created_at, updated_at`

func residentKey(idIndex string, household int64, name string) string {
	if idIndex != "" {
		return "i" + idIndex
	}
	return "h" + strconv.FormatInt(household, 10) + "|" + name
}

// createBatch inserts one batch of new residents, their search tokens and their tags.
func (w *ledgerWriter) createBatch(batch []*step) error {
	q := `INSERT INTO residents (` + residentInsertColumns + `) VALUES ` +
		valuesSQL(w.tx.Dialect, len(batch), func(ph func() string) string {
			p := make([]string, 18)
			for i := range p {
				p[i] = ph()
			}
			return "(" + strings.Join(p, ", ") + ")"
		}) + ` RETURNING id, household_id, name, id_index`
	args := make([]any, 0, len(batch)*18)
	for _, s := range batch {
		// Sealed here, a batch at a time, so that a 100,000-row ledger never holds every ciphertext.
		r := w.seal(s.row)
		args = append(args, s.hhRegion, w.st.communityID, s.hhID, r.Name, r.Gender, r.BirthDate, r.IDEnc, r.IDIndex,
			r.IDMasked, r.PhoneEnc, r.PhoneIndex, r.PhoneMasked, r.Relation, r.ResidenceType, r.Ethnicity, r.Note, w.now, w.now)
	}
	stmt, err := w.stmt(q)
	if err != nil {
		return err
	}
	rows, err := stmt.QueryContext(w.ctx, args...)
	if err != nil {
		return err
	}
	ids := make(map[string]int64, len(batch))
	for rows.Next() {
		var id, household int64
		var name string
		var idIndex sql.NullString
		if err := rows.Scan(&id, &household, &name, &idIndex); err != nil {
			rows.Close()
			return err
		}
		ids[residentKey(packIndex(idIndex.String), household, name)] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	fts := make([]ftsRow, 0, len(batch))
	var tags []tagRow
	for _, s := range batch {
		id, ok := ids[residentKey(s.row.idIndex, s.hhID, s.row.in.Name)]
		if !ok {
			return fmt.Errorf("row %d: inserted resident not returned", s.row.num)
		}
		fts = append(fts, ftsRow{id, w.tokens(s)})
		for _, t := range s.addTags() {
			tags = append(tags, tagRow{id, t, s.hhRegion})
		}
	}
	if err := w.insertFTS(fts); err != nil {
		return err
	}
	if err := w.queueTags(tags); err != nil {
		return err
	}
	return w.step(len(batch))
}

type ftsRow struct {
	id     int64
	tokens string
}

type tagRow struct {
	resident int64
	tag      string
	region   int64
}

// tokens is a resident's search entry exactly as refreshResidentFTS writes it: the bigrams of the
// name, the building's name and address, and the unit and room.
func (w *ledgerWriter) tokens(s *step) string {
	b := w.st.buildingOf[s.household.building]
	return search.Tokens(strings.Join([]string{s.row.in.Name, b.name, b.address,
		register.HouseholdAddress("", s.household.unit, s.household.room)}, " "))
}

func (w *ledgerWriter) insertFTS(rows []ftsRow) error {
	if len(rows) == 0 {
		return nil
	}
	q := `INSERT INTO resident_fts (rowid, tokens) VALUES ` + valuesSQL(w.tx.Dialect, len(rows), func(ph func() string) string {
		return "(" + ph() + ", " + w.tx.Dialect.FTSValue(ph()) + ")"
	})
	args := make([]any, 0, len(rows)*2)
	for _, r := range rows {
		args = append(args, r.id, r.tokens)
	}
	stmt, err := w.stmt(q)
	if err != nil {
		return err
	}
	_, err = stmt.ExecContext(w.ctx, args...)
	return err
}

// tagChunk is the number of tags per INSERT: tags are queued across batches so that one prepared
// statement serves every full chunk.
const tagChunk = 100

// queueTags adds tags to write, writing every full chunk.
func (w *ledgerWriter) queueTags(rows []tagRow) error {
	w.tags = append(w.tags, rows...)
	n := len(w.tags) / tagChunk * tagChunk
	if n == 0 {
		return nil
	}
	if err := w.insertTags(w.tags[:n]); err != nil {
		return err
	}
	w.tags = append(w.tags[:0], w.tags[n:]...)
	return nil
}

// flushTags writes the tags still queued.
func (w *ledgerWriter) flushTags() error {
	err := w.insertTags(w.tags)
	w.tags = w.tags[:0]
	return err
}

func (w *ledgerWriter) insertTags(rows []tagRow) error {
	since := w.now.In(clock.Shanghai()).Format("2006-01-02")
	for i := 0; i < len(rows); i += tagChunk {
		part := rows[i:min(i+tagChunk, len(rows))]
		q := `INSERT INTO resident_tags (resident_id, tag, region_id, since) VALUES ` +
			valuesSQL(w.tx.Dialect, len(part), func(ph func() string) string {
				return "(" + ph() + ", " + ph() + ", " + ph() + ", " + ph() + ")"
			})
		args := make([]any, 0, len(part)*4)
		for _, r := range part {
			args = append(args, r.resident, r.tag, r.region, since)
		}
		stmt, err := w.stmt(q)
		if err != nil {
			return err
		}
		if _, err := stmt.ExecContext(w.ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

// seal is ResidentInput.Seal with the blind indexes the check already computed for the row: the
// HMACs are the costliest part of a row after the encryption itself.
func (w *ledgerWriter) seal(r *ledgerRow) register.SealedResident {
	in := r.in
	in.IDNumber, in.Phone = "", ""
	out := in.Seal(w.sealer)
	if id := r.in.IDNumber; id != "" {
		out.IDEnc = w.sealer.Seal(id)
		out.IDIndex = sql.NullString{String: unpackIndex(r.idIndex), Valid: true}
		out.IDMasked = pii.MaskID(id)
	}
	if phone := r.in.Phone; phone != "" {
		out.PhoneEnc = w.sealer.Seal(phone)
		out.PhoneIndex = sql.NullString{String: unpackIndex(r.phoneIndex), Valid: true}
		out.PhoneMasked = pii.MaskPhone(phone)
	}
	return out
}

// update rewrites the fields a row changes; numbers the row leaves empty keep their stored value.
func (w *ledgerWriter) update(s *step) error {
	r, e, given := w.seal(s.row), s.existing, s.row.given
	gender, birth := e.gender, e.birth
	if r.Gender != "" {
		gender = r.Gender
	}
	if r.BirthDate != "" {
		birth = r.BirthDate
	}
	relation, rtype, ethnicity, note := e.relation, e.residenceType, e.ethnicity, e.note
	if given.has("relation") {
		relation = r.Relation
	}
	if given.has("residence_type") {
		rtype = r.ResidenceType
	}
	if given.has("ethnicity") {
		ethnicity = r.Ethnicity
	}
	if given.has("note") {
		note = r.Note
	}
	var idEnc, phoneEnc []byte
	var idIndex, idMasked, phoneIndex, phoneMasked any
	if r.IDIndex.Valid && s.row.idIndex != e.idIndex {
		idEnc, idIndex, idMasked = r.IDEnc, r.IDIndex.String, r.IDMasked
	}
	if r.PhoneIndex.Valid && s.row.phoneIndex != e.phoneIndex {
		phoneEnc, phoneIndex, phoneMasked = r.PhoneEnc, r.PhoneIndex.String, r.PhoneMasked
	}
	stmt, err := w.stmt(`UPDATE residents SET household_id = $1, region_id = $2, name = $3, gender = $4,
		birth_date = $5, relation = $6, residence_type = $7, ethnicity = $8, note = $9,
		id_enc = COALESCE($10, id_enc), id_index = COALESCE($11, id_index), id_masked = COALESCE($12, id_masked),
		phone_enc = COALESCE($13, phone_enc), phone_index = COALESCE($14, phone_index),
		phone_masked = COALESCE($15, phone_masked), updated_at = $16 WHERE id = $17`)
	if err != nil {
		return err
	}
	if _, err := stmt.ExecContext(w.ctx, s.hhID, s.hhRegion, r.Name, gender, birth, relation,
		rtype, ethnicity, note, idEnc, idIndex, idMasked, phoneEnc, phoneIndex, phoneMasked, w.now, e.id); err != nil {
		return err
	}
	if s.hhID != e.householdID || r.Name != e.name {
		del, err := w.stmt(`DELETE FROM resident_fts WHERE rowid = $1`)
		if err != nil {
			return err
		}
		if _, err := del.ExecContext(w.ctx, e.id); err != nil {
			return err
		}
		if err := w.insertFTS([]ftsRow{{e.id, w.tokens(s)}}); err != nil {
			return err
		}
	}
	if s.hhRegion != e.regionID {
		mv, err := w.stmt(`UPDATE resident_tags SET region_id = $1 WHERE resident_id = $2`)
		if err != nil {
			return err
		}
		if _, err := mv.ExecContext(w.ctx, s.hhRegion, e.id); err != nil {
			return err
		}
	}
	for _, t := range s.dropTags() {
		del, err := w.stmt(`DELETE FROM resident_tags WHERE resident_id = $1 AND tag = $2`)
		if err != nil {
			return err
		}
		if _, err := del.ExecContext(w.ctx, e.id, t); err != nil {
			return err
		}
	}
	var add []tagRow
	for _, t := range s.addTags() {
		add = append(add, tagRow{e.id, t, s.hhRegion})
	}
	return w.queueTags(add)
}

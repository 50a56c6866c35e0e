package mediation

import (
	"slices"

	"linli/internal/errs"
)

// Action is one thing done to a case; each is a timeline row and an audit entry.
type Action string

// The actions (API and code names).
const (
	ActConsent     Action = "consent"      // a party agrees or refuses (Art. 17), 告知书 given
	ActAccept      Action = "accept"       // 受理: every party agreed
	ActRefuse      Action = "refuse"       // 不予受理/终止, with the referral
	ActAssign      Action = "assign"       // mediators, one lead
	ActRecord      Action = "record"       // 调查记录 or 调解记录
	ActInvite      Action = "invite"       // an expert, relative or neighbour joins (Art. 20)
	ActExtend      Action = "extend"       // the parties agree to more time
	ActAgree       Action = "agree"        // written agreement (Art. 29)
	ActAgreeOral   Action = "agree_oral"   // oral agreement (Art. 28)
	ActFail        Action = "fail"         // 调解不成, with the referral
	ActFollowUp    Action = "follow_up"    // 回访: performance and satisfaction
	ActReopen      Action = "reopen"       // an agreement not performed is mediated again
	ActConfirm     Action = "confirm"      // 司法确认 applied for / granted
	ActJudge       Action = "judge"        // 防止民转刑 / 防止群体性上访, with the reason
	ActAddDocument Action = "add_document" // a document placed in the file
	ActArchive     Action = "archive"      // 归档: the file is complete, then read-only
)

var actionLabels = map[Action]string{ActConsent: "当事人意愿", ActAccept: "受理", ActRefuse: "不予受理/终止",
	ActAssign: "指派调解员", ActRecord: "调查/调解记录", ActInvite: "邀请参加调解", ActExtend: "延期", ActAgree: "达成书面协议",
	ActAgreeOral: "达成口头协议", ActFail: "调解不成", ActFollowUp: "回访", ActReopen: "重新调解", ActConfirm: "司法确认",
	ActJudge: "防激化研判", ActAddDocument: "归入卷宗材料", ActArchive: "归档"}

// Label is the action's Chinese name.
func (a Action) Label() string { return actionLabels[a] }

// Actions lists every action in the order the case page offers them.
var Actions = []Action{ActConsent, ActAccept, ActRefuse, ActAssign, ActRecord, ActInvite, ActExtend, ActAgree,
	ActAgreeOral, ActFail, ActFollowUp, ActReopen, ActConfirm, ActJudge, ActAddDocument, ActArchive}

// from lists the states each action may start from.
var from = map[Action][]State{
	ActConsent:     {Registered},
	ActAccept:      {Registered},
	ActRefuse:      {Registered, Accepted, Mediating},
	ActAssign:      {Registered, Accepted, Mediating},
	ActRecord:      {Accepted, Mediating},
	ActInvite:      {Accepted, Mediating},
	ActExtend:      {Accepted, Mediating},
	ActAgree:       {Accepted, Mediating},
	ActAgreeOral:   {Accepted, Mediating},
	ActFail:        {Accepted, Mediating},
	ActFollowUp:    {Agreed},
	ActReopen:      {Agreed},
	ActConfirm:     {Agreed, Performed},
	ActJudge:       {Registered, Accepted, Mediating, Agreed, Performed, Failed, Refused},
	ActAddDocument: {Registered, Accepted, Mediating, Agreed, Performed, Failed, Refused},
	ActArchive:     {Performed, Failed, Refused},
}

// Allowed reports whether action a may be taken on a case in state s; it answers a Chinese reason
// when not.
func Allowed(a Action, s State) error {
	states, ok := from[a]
	if !ok {
		return errs.E(errs.NotFound, "未知的操作：%s", a)
	}
	if s == Archived {
		return errs.E(errs.Conflict, "卷宗已归档，不能再修改")
	}
	if !slices.Contains(states, s) {
		return errs.E(errs.Conflict, "案件当前为“%s”，不能进行“%s”", s.Label(), a.Label())
	}
	return nil
}

// ActionInput is the body of an action; each action reads the fields it needs.
type ActionInput struct {
	Version int    `json:"version,omitempty"`
	On      string `json:"on,omitempty"` // the date it happened; today when empty
	Note    string `json:"note,omitempty"`
	// consent
	PartyID    int64  `json:"party_id,omitempty"`
	Consent    string `json:"consent,omitempty"` // agreed, refused
	ConsentHow string `json:"consent_how,omitempty"`
	Notified   bool   `json:"notified,omitempty"` // 权利义务告知书 given now
	// refuse, fail
	Referral string `json:"referral,omitempty"`
	// assign
	Mediators    []int64 `json:"mediator_ids,omitempty"`
	LeadMediator int64   `json:"lead_mediator_id,omitempty"`
	// record
	Record *Record `json:"record,omitempty"`
	// invite
	Participant *Participant `json:"participant,omitempty"`
	// extend
	Until string `json:"until,omitempty"`
	// agree, agree_oral
	Agreement *Agreement `json:"agreement,omitempty"`
	// follow_up
	Followup *Followup `json:"followup,omitempty"`
	// confirm: applied, confirmed
	Confirmation string `json:"confirmation,omitempty"`
	// judge
	PreventedCriminal bool `json:"prevented_criminal,omitempty"`
	PreventedPetition bool `json:"prevented_petition,omitempty"`
	PreventedPeople   int  `json:"prevented_people,omitempty"`
	// add_document
	DocumentKind string `json:"document_kind,omitempty"`
}

// Document is one entry of the case file's contents (卷宗目录) in the ministry's order.
type Document struct {
	Kind     string `json:"kind"`
	Label    string `json:"label"`
	Required bool   `json:"required"`
	Present  bool   `json:"present"`
	// Manual documents are placed in the file by hand; the others derive from the records.
	Manual  bool   `json:"manual"`
	AddedOn string `json:"added_on,omitempty"`
	Note    string `json:"note,omitempty"`
}

// docKinds is the contents list in the ministry's order; manual marks documents placed by hand.
var docKinds = []struct {
	kind, label string
	manual      bool
}{
	{"application", "申请书／受理登记表", false},
	{"notice", "权利义务告知书", false},
	{"identity", "当事人身份证明", true},
	{"authorization", "授权委托书", true},
	{"investigation", "调查记录", false},
	{"evidence", "证据材料", true},
	{"session", "调解记录", false},
	{"agreement", "调解协议书／口头协议登记", false},
	{"performance", "履行凭证", true},
	{"followup", "回访记录", false},
	{"confirmation", "司法确认材料", true},
	{"explanation", "卷宗情况说明", true},
	{"cover", "封底", true},
}

// ManualDocument reports whether kind is a document placed in the file by hand, with its label.
func ManualDocument(kind string) (string, bool) {
	for _, d := range docKinds {
		if d.kind == kind && d.manual {
			return d.label, true
		}
	}
	return "", false
}

// ManualDocuments lists the kinds and labels of documents placed by hand, for forms.
func ManualDocuments() [][2]string {
	var out [][2]string
	for _, d := range docKinds {
		if d.manual {
			out = append(out, [2]string{d.kind, d.label})
		}
	}
	return out
}

// requiredDocs says which documents the file of a case with this outcome must hold before it is
// archived: the six the ministry requires, the agreement and its follow-up only when there is one,
// and for a refusal the explanation instead of the session record.
func requiredDocs(o Outcome) map[string]bool {
	req := map[string]bool{"application": true, "identity": true, "cover": true}
	switch o {
	case OutcomeRefused:
		req["explanation"] = true
	case OutcomeFailed:
		req["notice"], req["session"] = true, true
	default:
		req["notice"], req["session"], req["agreement"], req["followup"] = true, true, true, true
	}
	return req
}

// contents builds the file's contents list from what the case holds.
func contents(d *Detail, manual map[string]Document) (docs []Document, missing []string) {
	notified := len(d.Parties) > 0
	for _, p := range d.Parties {
		if p.NotifiedOn == "" {
			notified = false
		}
	}
	has := func(kind string) bool {
		for _, r := range d.Records {
			if r.Kind == kind {
				return true
			}
		}
		return false
	}
	derived := map[string]bool{"application": true, "notice": notified, "investigation": has("investigation"),
		"session": has("session"), "agreement": d.Outcome.Success(), "followup": len(d.Followups) > 0,
		"confirmation": d.Confirmation != ""}
	req := requiredDocs(d.Outcome)
	for _, k := range docKinds {
		doc := Document{Kind: k.kind, Label: k.label, Required: req[k.kind], Manual: k.manual}
		if k.manual {
			if m, ok := manual[k.kind]; ok {
				doc.Present, doc.AddedOn, doc.Note = true, m.AddedOn, m.Note
			}
		}
		if derived[k.kind] {
			doc.Present = true
		}
		if doc.Required && !doc.Present {
			missing = append(missing, doc.Label)
		}
		docs = append(docs, doc)
	}
	return docs, missing
}

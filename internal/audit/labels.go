package audit

import (
	"sort"
	"strings"
)

// actionLabels are the Chinese names of the actions the audit log shows most.
var actionLabels = map[string]string{
	"auth.login":                 "登录",
	"auth.login_failed":          "登录失败",
	"auth.locked":                "账号锁定",
	"auth.login_locked":          "锁定期间尝试登录",
	"auth.rate_limited":          "登录频率受限",
	"auth.logout":                "退出登录",
	"user.create":                "创建账号",
	"user.update":                "修改账号",
	"user.password_change":       "修改密码",
	"user.password_reset":        "重置密码",
	"user.unlock":                "解除锁定",
	"user.deactivate":            "停用账号",
	"user.activate":              "启用账号",
	"user.session_end":           "强制下线",
	"pii.reveal":                 "查看个人信息",
	"pii.export":                 "导出个人信息",
	"region.create":              "新建区划",
	"audit.export":               "导出审计日志",
	"grid.boundary":              "修改网格边界",
	"resident.status":            "变更居民状态",
	"import.upload":              "上传台账",
	"import.mapping":             "设置导入列对应",
	"import.commit":              "提交台账导入",
	"import.fail":                "台账导入失败",
	"ledger.export":              "导出台账",
	"liaison.cover":              "增加联系户覆盖户",
	"liaison.uncover":            "移除联系户覆盖户",
	"calendar.day_save":          "设置工作日历",
	"calendar.day_delete":        "删除工作日历日期",
	"calendar.hours":             "修改工作时间",
	"calendar.import":            "导入工作日历",
	"demo.seed":                  "写入演示数据",
	"demo.reset_passwords":       "重置演示账号密码",
	"case.intake":                "登记诉求",
	"case.accept":                "受理诉求",
	"case.reject":                "不予受理",
	"case.merge":                 "并单",
	"case.dispatch":              "派遣诉求",
	"case.sign":                  "签收诉求",
	"case.return":                "退单",
	"case.escalate":              "上报诉求",
	"case.suspend":               "挂起诉求",
	"case.deny_suspend":          "驳回挂起申请",
	"case.resume":                "恢复办理",
	"case.extend":                "申请延期",
	"case.approve_extension":     "批准延期",
	"case.deny_extension":        "驳回延期",
	"case.note":                  "添加诉求备注",
	"case.report":                "反馈办理结果",
	"case.verify":                "核查结案",
	"case.rework":                "返工",
	"case.callback":              "回访",
	"case.reopen":                "重办",
	"case.supervise":             "督办",
	"case.export":                "导出诉求",
	"case.import":                "导入12345工单",
	"case.reveal":                "查看诉求人电话",
	"visit.create":               "记录走访",
	"visit.to_case":              "走访转诉求",
	"visit.export":               "导出走访台账",
	"care_plan.cadences":         "设置关爱走访频次",
	"volunteer.hours":            "登记志愿服务时长",
	"volunteer.hours_approve":    "确认志愿服务时长",
	"volunteer.hours_reject":     "退回志愿服务时长",
	"volunteer.export":           "导出志愿服务记录",
	"volunteer.post":             "发布志愿岗位",
	"volunteer.signup":           "报名志愿岗位",
	"volunteer.points_per_hour":  "设置志愿积分",
	"mediation.register":         "登记调解案件",
	"mediation.view":             "查看调解案件",
	"mediation.screening.create": "登记纠纷排查",
	"mediation.expert.create":    "新增智库专家",
	"mediation.expert.update":    "修改智库专家",
	"mediation.committee.update": "修改调解委员会",
	"activity.create":            "发布活动",
	"activity.signup":            "活动报名",
	"activity.signup_cancel":     "取消活动报名",
	"activity.checkin":           "活动签到",
	"activity.summary":           "填写活动总结",
	"activity.photo":             "上传活动照片",
	"activity_series.create":     "发布系列活动",
	"venue.create":               "新增阵地",
	"venue.book":                 "预约阵地",
	"venue.booking_approve":      "批准阵地预约",
	"venue.booking_reject":       "驳回阵地预约",
	"venue.booking_cancel":       "取消阵地预约",
	"cobuild.unit.update":        "修改共建单位",
	"party_member.deactivate":    "党员减少",
	"party_member.transfer":      "党员组织关系转接",
	"user.request":               "申请开设账号",
	"user.request_approve":       "批准账号申请",
	"user.token_revoke":          "吊销接口令牌",
	"gen.city":                   "生成测试数据",
}

// objectLabels name the kinds of record; with verbLabels they name actions not listed above.
var objectLabels = map[string]string{
	"user": "账号", "region": "区划", "grid": "网格", "building": "楼院", "household": "户",
	"resident": "居民", "roster": "网格力量", "grid_roster": "网格力量", "party_org": "党组织",
	"party_member": "党员", "liaison": "党员联系户", "liaison_household": "党员联系户",
	"import": "台账导入", "export": "台账导出", "case": "诉求", "visit": "走访", "care_plan": "关爱计划",
	"mediation": "调解案件", "setting": "系统设置", "tag": "标签", "contact": "联系记录",
	"account_request": "账号申请", "activity": "活动", "activity_registration": "活动报名", "activity_series": "系列活动",
	"activity_volunteer": "活动志愿者", "audit_log": "审计日志", "cobuild_unit": "共建单位", "mediation_expert": "智库专家",
	"mediation_party": "调解当事人", "mediation_screening": "纠纷排查", "service_hours": "志愿服务时长",
	"settings": "系统设置", "venue": "阵地", "venue_booking": "阵地预约", "volunteer_post": "志愿岗位",
	"workday_calendar": "工作日历",
}

var verbLabels = map[string]string{
	"create": "新建", "update": "修改", "delete": "删除", "deactivate": "停用", "activate": "启用",
	"transfer": "转移", "commit": "提交", "import": "导入", "export": "导出", "move": "迁移",
	"merge": "合并", "assign": "指派", "remove": "移除", "add": "添加", "restore": "恢复", "reveal": "查看",
}

// ActionLabel is the Chinese name of an action: from the table, or composed from a known object
// and verb ("party_member.update" → 修改党员); an action it does not know is returned as it is.
func ActionLabel(action string) string {
	if l, ok := actionLabels[action]; ok {
		return l
	}
	obj, verb, ok := strings.Cut(action, ".")
	if ol, vl := objectLabels[obj], verbLabels[verb]; ok && ol != "" && vl != "" {
		return vl + ol
	}
	return action
}

// ObjectLabel is the Chinese name of an object type, or the type as it is.
func ObjectLabel(objectType string) string {
	if l, ok := objectLabels[objectType]; ok {
		return l
	}
	return objectType
}

// ActionOption is an action offered in the reader's filter.
type ActionOption struct {
	Value string
	Label string
}

// actionGroups are the filter's whole-kind choices: every action whose code starts with the prefix.
var actionGroups = []ActionOption{{"auth.", "全部登录类操作"}, {"user.", "全部账号管理操作"}, {"pii.", "全部个人信息访问"},
	{"case.", "全部诉求办理操作"}, {"visit.", "全部走访操作"}, {"mediation.", "全部调解操作"}, {"activity.", "全部活动操作"},
	{"venue.", "全部阵地预约操作"}, {"volunteer.", "全部志愿服务操作"}, {"party_member.", "全部党员操作"},
	{"resident.", "全部居民信息操作"}, {"import.", "全部台账导入操作"}}

// KnownActions lists the filter's choices: each kind of action as a whole, then every labelled
// action, grouped by kind (sign-in first).
func KnownActions() []ActionOption {
	out := append([]ActionOption{}, actionGroups...)
	codes := make([]string, 0, len(actionLabels))
	for a := range actionLabels {
		codes = append(codes, a)
	}
	sort.Strings(codes)
	for _, a := range codes {
		out = append(out, ActionOption{Value: a, Label: actionLabels[a]})
	}
	return out
}

// KnownObjects lists the object types for the filter's select box, by their Chinese names.
func KnownObjects() []ActionOption {
	out := make([]ActionOption, 0, len(objectLabels))
	for t, l := range objectLabels {
		out = append(out, ActionOption{Value: t, Label: l})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value < out[j].Value })
	return out
}

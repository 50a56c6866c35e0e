package audit

import "strings"

// actionLabels are the Chinese names of the actions the audit log shows most.
var actionLabels = map[string]string{
	"auth.login":             "登录",
	"auth.login_failed":      "登录失败",
	"auth.locked":            "账号锁定",
	"auth.login_locked":      "锁定期间尝试登录",
	"auth.rate_limited":      "登录频率受限",
	"auth.logout":            "退出登录",
	"user.create":            "创建账号",
	"user.update":            "修改账号",
	"user.password_change":   "修改密码",
	"user.password_reset":    "重置密码",
	"user.unlock":            "解除锁定",
	"user.deactivate":        "停用账号",
	"user.activate":          "启用账号",
	"user.session_end":       "强制下线",
	"pii.reveal":             "查看个人信息",
	"pii.export":             "导出个人信息",
	"region.create":          "新建区划",
	"audit.export":           "导出审计日志",
	"grid.boundary":          "修改网格边界",
	"resident.status":        "变更居民状态",
	"import.upload":          "上传台账",
	"import.mapping":         "设置导入列对应",
	"import.commit":          "提交台账导入",
	"import.fail":            "台账导入失败",
	"ledger.export":          "导出台账",
	"liaison.cover":          "增加联系户覆盖户",
	"liaison.uncover":        "移除联系户覆盖户",
	"calendar.day_save":      "设置工作日历",
	"calendar.day_delete":    "删除工作日历日期",
	"calendar.hours":         "修改工作时间",
	"calendar.import":        "导入工作日历",
	"demo.seed":              "写入演示数据",
	"demo.reset_passwords":   "重置演示账号密码",
	"case.intake":            "登记诉求",
	"case.accept":            "受理诉求",
	"case.reject":            "不予受理",
	"case.merge":             "并单",
	"case.dispatch":          "派遣诉求",
	"case.sign":              "签收诉求",
	"case.return":            "退单",
	"case.escalate":          "上报诉求",
	"case.suspend":           "挂起诉求",
	"case.deny_suspend":      "驳回挂起申请",
	"case.resume":            "恢复办理",
	"case.extend":            "申请延期",
	"case.approve_extension": "批准延期",
	"case.deny_extension":    "驳回延期",
	"case.note":              "添加诉求备注",
	"case.report":            "反馈办理结果",
	"case.verify":            "核查结案",
	"case.rework":            "返工",
	"case.callback":          "回访",
	"case.reopen":            "重办",
	"case.supervise":         "督办",
}

// objectLabels name the kinds of record; with verbLabels they name actions not listed above.
var objectLabels = map[string]string{
	"user": "账号", "region": "区划", "grid": "网格", "building": "楼院", "household": "户",
	"resident": "居民", "roster": "网格力量", "grid_roster": "网格力量", "party_org": "党组织",
	"party_member": "党员", "liaison": "党员联系户", "liaison_household": "党员联系户",
	"import": "台账导入", "export": "台账导出", "case": "诉求", "visit": "走访", "care_plan": "关爱计划",
	"mediation": "调解案件", "setting": "系统设置", "tag": "标签", "contact": "联系记录",
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

// KnownActions lists the labelled actions for the filter's select box, sign-in first.
func KnownActions() []ActionOption {
	order := []string{"auth.login", "auth.login_failed", "auth.locked", "auth.login_locked", "auth.rate_limited",
		"auth.logout", "user.create", "user.update", "user.password_change", "user.password_reset", "user.unlock",
		"user.deactivate", "user.activate", "user.session_end", "pii.reveal", "pii.export", "region.create"}
	out := make([]ActionOption, 0, len(order))
	for _, a := range order {
		out = append(out, ActionOption{Value: a, Label: actionLabels[a]})
	}
	return out
}

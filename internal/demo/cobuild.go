package demo

import (
	"context"
	"fmt"
	"time"

	"linli/internal/auth"
	"linli/internal/clock"
	"linli/internal/cobuild"
	"linli/internal/db"
)

// The demo's co-building alliance 共驻共建 大党委: twelve member units with their agreements and
// liaison accounts unit01…unit12; the fixed record of 2024-01-01..10-15 the news report summed up —
// exactly 21 needs, 6 resources, 4 projects, 2 joint meetings and 20 co-building activities — and a
// year of ordinary work up to today: quarterly meetings (the next one coming up), decisions open
// and closed, needs in every state (a few open for units to claim), projects with milestones, some
// overdue. Everything is drawn from fixed tables and day arithmetic, so it is deterministic for a
// given today.

// demoUnit is one member unit and its contact.
type demoUnit struct {
	name, kind, prefix, org, party, secretary, contact, commitments, address string
}

var demoUnits = []demoUnit{
	{"张掖市甘州区南关小学", "school", "12", "620702001", "南关小学党支部", "赵文博", "马晓燕", "开放操场和教室，组织教师志愿者开展课后托管、关爱未成年人", "南关街118号"},
	{"甘州区南街社区卫生服务中心", "hospital", "12", "620702002", "南街社区卫生服务中心党支部", "孙立新", "杨慧", "家庭医生签约、高龄老人上门巡诊、健康讲座", "南街中段66号"},
	{"中国农业银行张掖南街支行", "bank", "91", "MA71C0K3X", "农行南街支行党支部", "钱国栋", "吴丽娟", "金融知识宣传、反诈宣传，每年提供党建共建经费", "县府街23号"},
	{"国网张掖供电公司南街供电所", "utility", "91", "MA71D2L8Y", "南街供电所党支部", "郑海涛", "冯志强", "老旧小区用电安全检查，困难家庭线路免费维修", "南关西路9号"},
	{"张掖市安居物业服务有限公司", "property", "91", "MA71E5N1P", "安居物业党支部", "陈建军", "褚丽华", "楼院保洁、环境整治、停车秩序维护", "南关小区物业楼"},
	{"张掖市公安局甘州分局南街派出所", "police", "11", "620702006", "南街派出所党支部", "卫东", "蒋涛", "社区民警进网格，防诈宣传，校园周边护学", "南街99号"},
	{"甘州区民政局", "government", "11", "620702007", "甘州区民政局机关党支部", "沈玉兰", "韩磊", "困难群众帮扶、养老服务、助餐点建设", "甘州区政务中心"},
	{"甘州区人力资源和社会保障局", "government", "11", "620702008", "甘州区人社局机关党支部", "杨帆", "朱婷", "就业岗位推送、职业技能培训", "甘州区政务中心"},
	{"张掖市丝路通信有限公司南关营业部", "enterprise", "91", "MA71F7Q4R", "丝路通信党支部", "秦明", "尤佳", "老年人智能手机培训、宽带义务检修", "南关街56号"},
	{"甘肃河西走廊商贸有限公司", "enterprise", "91", "MA71G9T6U", "河西走廊商贸党支部", "许志远", "何静", "助残助老物资捐赠、无障碍改造资金", "南关东路31号"},
	{"甘州区第三中学", "school", "12", "620702011", "第三中学党总支", "吕文华", "施洋", "中学生志愿服务、文体场地开放", "南关中路2号"},
	{"甘肃金张掖律师事务所", "social", "31", "620702012", "金张掖律师事务所党支部", "张德厚", "孔令", "律师驻点法律咨询、人民调解法律支持", "县府街7号"},
}

// demoNeed is a need of the demo, raised on a day and claimed by a unit (index into demoUnits).
type demoNeed struct {
	day, title, category string
	unit, grid           int // grid -1: the whole community
}

var needs2024 = []demoNeed{
	{"2024-01-08", "春节前走访慰问困难老人", "助老", 6, 0}, {"2024-01-15", "寒假未成年人托管辅导", "助学/关爱未成年人", 0, -1},
	{"2024-01-22", "老旧小区冬季用电安全检查", "其他", 3, 2}, {"2024-02-26", "防范电信诈骗宣传", "政策宣讲", 5, -1},
	{"2024-03-05", "学雷锋志愿服务月环境清扫", "环境整治", 4, 4}, {"2024-03-12", "高龄老人上门健康体检", "医疗健康", 1, -1},
	{"2024-03-20", "背街小巷垃圾死角清理", "环境整治", 4, 6}, {"2024-04-02", "清明节文明祭扫宣传", "文明实践", 10, -1},
	{"2024-04-18", "就业困难人员技能培训", "就业", 7, -1}, {"2024-05-09", "居民法律咨询进社区", "法律服务", 11, -1},
	{"2024-05-20", "老年人智能手机使用培训", "助老", 8, 1}, {"2024-05-28", "六一留守儿童关爱活动", "助学/关爱未成年人", 0, -1},
	{"2024-06-12", "夏季防溺水安全教育", "助学/关爱未成年人", 5, -1}, {"2024-06-25", "残疾人家庭无障碍改造", "助老", 9, 3},
	{"2024-07-08", "社区文艺汇演场地与器材", "文体", 2, -1}, {"2024-07-22", "高温季节独居老人送清凉", "助老", 2, 5},
	{"2024-08-06", "金融知识与反假币宣传", "政策宣讲", 2, -1}, {"2024-08-20", "楼院停车秩序整治", "环境整治", 5, 7},
	{"2024-09-03", "敬老月助餐服务点建设", "助老", 6, -1}, {"2024-09-18", "中秋邻里文化节", "文体", 10, -1},
	{"2024-10-09", "重阳节义诊", "医疗健康", 1, 8},
}

// demoResource is a resource of the demo: its unit, kind, category, what, quantity and measure.
type demoResource struct {
	day                             string
	unit                            int
	kind, category, title, measure  string
	quantity                        int
	availability, conditions, until string
}

var resources2024 = []demoResource{
	{"2024-01-10", 0, "venue", "助学/关爱未成年人", "课后托管教室及教师志愿者", "小时", 200, "寒暑假工作日下午", "需提前一周预约", ""},
	{"2024-02-01", 1, "service", "医疗健康", "家庭医生上门巡诊", "人次", 120, "每月第二、四周周四", "限本社区高龄、失能老人", ""},
	{"2024-03-01", 2, "funds", "", "党建共建经费", "元", 20000, "年度一次性", "专款专用，凭票据核销", "2024-12-31"},
	{"2024-03-15", 4, "service", "环境整治", "保洁人员及清运车辆", "小时", 300, "每周六上午", "", ""},
	{"2024-04-10", 7, "expertise", "就业", "职业技能培训课程", "人次", 60, "每季度一期", "限登记失业人员", ""},
	{"2024-06-01", 11, "expertise", "法律服务", "律师驻点法律咨询", "小时", 48, "每月第一个周三下午", "", ""},
}

// projects2024 are the 2024 needs that became projects (index into needs2024), with the resource
// (index into resources2024) and amount each used.
var projects2024 = []struct{ need, resource, amount int }{{5, 1, 80}, {8, 4, 45}, {13, 2, 12000}, {18, 2, 6000}}

// activities2024 are the 20 co-building activities of the 2024 record: day, title, need served
// (index into needs2024), participants, service hours.
var activities2024 = []struct {
	day, title         string
	need, people, hour int
}{
	{"2024-01-12", "新春送温暖走访慰问", 0, 26, 52}, {"2024-01-26", "寒假托管开班仪式", 1, 48, 96}, {"2024-01-30", "冬季用电安全入户检查", 2, 18, 54},
	{"2024-03-01", "反诈宣传进楼院", 3, 65, 130}, {"2024-03-09", "学雷锋环境清扫日", 4, 80, 240}, {"2024-03-23", "高龄老人健康体检首站", 5, 42, 126},
	{"2024-04-03", "背街小巷集中清理", 6, 56, 168}, {"2024-04-04", "文明祭扫宣传劝导", 7, 35, 70}, {"2024-05-10", "法律咨询进社区", 9, 40, 80},
	{"2024-05-24", "银发族智能手机课堂", 10, 32, 64}, {"2024-05-31", "六一关爱留守儿童", 11, 60, 120}, {"2024-06-18", "防溺水安全教育课", 12, 90, 90},
	{"2024-07-12", "社区夏季文艺汇演", 14, 120, 240}, {"2024-07-26", "送清凉进独居老人家", 15, 24, 48}, {"2024-08-09", "金融知识宣传日", 16, 55, 55},
	{"2024-08-24", "楼院停车秩序整治", 17, 30, 90}, {"2024-09-08", "助餐服务点揭牌", 18, 45, 90}, {"2024-09-14", "就业技能培训结业", 8, 38, 114},
	{"2024-09-20", "中秋邻里文化节", 19, 150, 300}, {"2024-10-11", "重阳节义诊", 20, 70, 140},
}

// cobuild is the writer's step: the alliance relative to now.
func (w *writer) cobuild(ctx context.Context, tx *db.Tx) error {
	return seedCobuild(ctx, tx, w, time.Now())
}

// cb holds what the co-building step has written so far.
type cb struct {
	tx        *db.Tx
	community int64
	grids     []int64
	admin     int64
	units     []int64
}

func (c *cb) region(grid int) int64 {
	if grid < 0 || grid >= len(c.grids) {
		return c.community
	}
	return c.grids[grid]
}

// stamp is a day's 09:00 in Shanghai as a UTC instant.
func stamp(day string) time.Time { return mustParse(day).Add(time.Hour) }

func (c *cb) id(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := c.tx.QueryRowContext(ctx, query+" RETURNING id", args...).Scan(&id)
	return id, err
}

func seedCobuild(ctx context.Context, tx *db.Tx, w *writer, now time.Time) error {
	c := &cb{tx: tx, community: w.community.ID, grids: w.gridIDs, admin: w.userIDs["admin"]}
	svc := auth.NewService(w.d, auth.Config{})
	for i, u := range demoUnits {
		first := u.prefix + "620702" + u.org
		credit := first + string(cobuild.CreditCheckChar(first))
		signed := fmt.Sprintf("2023-%02d-%02d", 5+i%6, 8+i)
		id, err := c.id(ctx, `INSERT INTO cobuild_units (region_id, name, kind, credit_code, address, party_org, secretary,
			signed_on, term_years, commitments, reported_on, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 5, $9, $8, $10, $10)`, c.community, u.name, u.kind, credit, u.address,
			u.party, u.secretary, signed, u.commitments, stamp(signed))
		if err != nil {
			return fmt.Errorf("unit %s: %w", u.name, err)
		}
		c.units = append(c.units, id)
		username := fmt.Sprintf("unit%02d", i+1)
		uid, err := svc.CreateUser(ctx, tx, auth.NewUser{Username: username, Name: u.contact, PasswordHash: w.hash,
			Role: auth.UnitContact, RegionID: c.community, OrgName: u.name})
		if err != nil {
			return fmt.Errorf("user %s: %w", username, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO cobuild_unit_contacts (user_id, unit_id, created_at) VALUES ($1, $2, $3)`,
			uid, id, stamp(signed)); err != nil {
			return err
		}
	}
	if err := c.members(ctx); err != nil {
		return err
	}
	if err := c.record2024(ctx); err != nil {
		return err
	}
	return c.pastYear(ctx, clock.Date(now))
}

// members links the community's in-service party members to the units, in turn, so their service
// hours roll up to a unit.
func (c *cb) members(ctx context.Context) error {
	rows, err := c.tx.QueryContext(ctx, `SELECT m.id FROM party_members m JOIN regions r ON r.id = m.region_id
		WHERE m.kind = 'in_service' AND (r.id = $1 OR r.parent_id = $1) ORDER BY m.id`, c.community)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for i, id := range ids {
		if _, err := c.tx.ExecContext(ctx, `INSERT INTO cobuild_unit_members (member_id, unit_id, created_at) VALUES ($1, $2, $3)`,
			id, c.units[i%len(c.units)], stamp("2023-09-01")); err != nil {
			return err
		}
	}
	return rows.Err()
}

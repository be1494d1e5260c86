"""Word lists for the demo party organisation (gongzhi.party.demo): what committees meet about, what
reported-in members do in their community, what units and communities agree to build together, what
linked leaders find and take on. People's names come from gongzhi.registry.demo_names."""

# Activities of reported-in members (双报到 服务), with the hours one turn usually takes.
ACTIVITIES = (
    ("垃圾分类督导", 2.0), ("文明劝导", 2.0), ("疫苗接种引导", 3.0), ("关爱独居老人", 1.5), ("社区环境清扫", 2.0),
    ("反诈宣传", 1.5), ("政策宣讲", 2.0), ("矛盾纠纷调解", 2.5), ("助老助残", 2.0), ("青少年课后辅导", 2.0),
    ("创文创卫志愿服务", 3.0), ("防汛值守", 4.0), ("交通文明引导", 2.0), ("义诊义剪", 3.0), ("楼栋走访", 1.5),
)

# A unit's co-building projects for the year (共建项目), and where one usually stands.
PROJECTS = (
    "共建社区老年食堂", "楼道照明改造", "暑期青少年托管班", "垃圾分类宣传周", "义诊进社区", "法律咨询服务日",
    "困难家庭结对帮扶", "小区停车秩序整治", "老旧小区加装电梯协调", "党员先锋岗创建", "社区书屋共建",
    "健康知识讲座", "就业招聘进社区", "消防安全演练", "慰问退役军人和优抚对象", "背街小巷环境整治",
)
PROJECT_NOTES = {
    "planned": "已列入年度共建清单，待启动",
    "under_way": "已召开协调会，正在推进",
    "done": "已完成并通过社区验收",
    "dropped": "因场地调整暂缓实施",
}

AGREEMENT = ("{unit}与{community}本着“资源共享、优势互补、共驻共建”的原则，签订共建协议：单位党组织到社区报到，"
             "在职党员到居住地社区报到；单位每年向社区提供{offers}等资源，参与社区议事协商，认领社区服务项目；"
             "社区为单位党员开展志愿服务提供岗位，每季度向单位反馈党员服务情况。")
OFFER_WORDS = {"venue": "活动场地", "funds": "共建资金", "people": "志愿者", "skills": "专业技能服务"}

# Committee meetings of the big committees, month by month.
MEETINGS = (
    "大党委联席会议：研究年度共建项目清单", "组织生活会", "主题党日：学习贯彻会议精神", "研究双报到党员积分管理",
    "专题研究老旧小区改造", "大党委成员单位资源对接会", "研究创文创卫重点任务", "研究防汛和安全生产工作",
    "研究困难群众帮扶工作", "民主评议党员", "研究“三单制”服务需求清单", "年终述职评议会",
)

# Linked leaders (挂点联系领导).
DISTRICT_LEADER_TITLES = ("区委常委、组织部部长", "区委常委、政法委书记", "区人大常委会副主任", "副区长",
                          "区政协副主席", "区委常委、宣传部部长")
STREET_LEADER_TITLES = ("街道党工委书记", "街道办事处主任", "街道党工委副书记", "街道人大工委主任",
                        "街道党工委委员、武装部部长", "街道办事处副主任", "街道纪工委书记")
VISIT_SUMMARIES = (
    "走访社区党群服务中心，听取社区工作汇报", "到网格实地查看环境整治情况", "参加社区大党委联席会议",
    "走访困难党员和独居老人", "调研老旧小区改造进展", "察看垃圾分类投放点", "与双报到单位座谈共建项目",
    "检查防汛准备和安全隐患", "接待居民来访，了解诉求",
)
PROBLEMS = (
    "小区雨污管网破损，雨天积水", "背街小巷路灯缺失", "老旧小区缺少停车位", "社区党员活动阵地面积不足",
    "物业服务不到位，居民投诉多", "独居老人助餐需求未解决", "农贸市场周边占道经营", "楼道堆放杂物存在消防隐患",
    "社区卫生服务站设备老化", "学校周边交通拥堵",
)
RESOLUTIONS = ("协调区住建局立项改造，已完工", "协调共建单位解决，居民满意", "纳入区民生实事项目，已落实",
               "督促物业整改到位", "联合城管执法中队整治完毕")

DECLINE_REASONS = ("不在本社区居住", "重复报到", "信息有误，请核对后重新报到")
TRANSFER_OUTSIDE = ("武汉市江岸区委组织部", "孝感市孝昌县委组织部", "黄冈市黄州区委组织部", "随州市曾都区委组织部",
                    "广东省深圳市宝安区委组织部")
TRANSFER_REASONS = ("工作调动", "居住地变更", "退休后转回居住地")
RENAMED_REASONS = ("网格调整后更名", "按规范统一名称")

# Units of the area with a party organisation not taken from the registry (事业单位 and 国企).
STATE_UNITS = ("国网孝感供电公司{street}供电所", "中国邮政孝感分公司{street}支局", "孝感市自来水公司{street}营业所",
               "中国移动孝感分公司{street}营业部")
INSTITUTION_UNITS = ("{street}中心小学", "{street}社区卫生服务中心", "{street}文化站")
PART_TIME_TITLES = ("副局长", "党组成员", "机关党委书记", "副主任")

"""The catalogue a new deployment starts with: the digital city-management classes of things
(部件) and events (事件), after GB/T 30428, and the community matters residents raise.

Each sub-category: code, Chinese and English names, keywords residents use, response limit,
handling limit (amount, "hours"|"days" of working time), routing (rule, department kind) and
what counts as done. Administrators change all of this afterwards; seeding never overwrites.
"""

# (class code, class, 中文, English, [sub-categories])
# sub-category: (code, 中文, English, keywords, response, handling, (rule, department kind), close criteria)
H, D = "hours", "days"
T, C, S = "territory", "community", "street"

CATALOGUE = [
    ("thing-utilities", "thing", "公用设施", "Public utilities", [
        ("manhole-cover", "井盖", "Manhole cover missing or broken", "井盖 窨井 下水井 缺失 破损 松动",
         (2, H), (1, D), (T, "water"), "井盖已补齐或更换，周边无安全隐患，附处置后照片。"),
        ("street-light", "路灯", "Street light out or damaged", "路灯 不亮 灯杆 灯泡 照明",
         (4, H), (3, D), (T, "city_management"), "路灯恢复照明，灯杆稳固，附夜间照片。"),
        ("fire-hydrant", "消火栓", "Fire hydrant damaged or leaking", "消火栓 消防栓 漏水",
         (4, H), (3, D), (T, "water"), "消火栓完好可用、无渗漏。"),
        ("utility-box", "电力通信设施", "Power or telecom box damaged", "电箱 电线 光缆 通信 配电箱 电线杆",
         (4, H), (5, D), (S, ""), "设施已由产权单位修复，无裸露线缆。"),
    ]),
    ("thing-roads", "thing", "道路交通", "Roads and traffic", [
        ("road-damage", "道路破损", "Damaged road surface", "坑洼 路面 破损 坑 人行道 道板 松动",
         (4, H), (5, D), (T, "transport"), "路面修补平整，无积水绊脚隐患，附处置后照片。"),
        ("traffic-signal", "交通信号设施", "Traffic light or sign faulty", "红绿灯 信号灯 交通标志 标线 护栏",
         (2, H), (2, D), (T, "police"), "信号灯、标志或护栏恢复正常。"),
        ("bus-shelter", "公交站亭", "Bus shelter damaged", "公交站 站亭 站牌 候车亭",
         (4, H), (5, D), (T, "transport"), "站亭、站牌修复完好。"),
    ]),
    ("thing-appearance", "thing", "市容环境设施", "City appearance facilities", [
        ("public-toilet", "公共厕所", "Public toilet dirty or out of order", "公厕 厕所 卫生间",
         (4, H), (2, D), (T, "city_management"), "公厕清洁、设施可用。"),
        ("trash-bin", "垃圾箱", "Litter bin full or broken", "垃圾桶 垃圾箱 果皮箱 满溢",
         (4, H), (2, D), (T, "city_management"), "垃圾箱清运或更换，周边整洁。"),
    ]),
    ("thing-greenery", "thing", "园林绿化", "Greenery", [
        ("street-tree", "行道树", "Street tree fallen, dead or in the way", "树 倒伏 枯死 树枝 修剪 断枝",
         (4, H), (3, D), (T, "city_management"), "倒伏或枯死树木已处理，树枝不再妨碍通行。"),
        ("green-space", "绿地", "Green space damaged or occupied", "绿地 草坪 毁绿 绿化带 花坛",
         (8, H), (5, D), (T, "city_management"), "绿地恢复，占用已清除。"),
    ]),
    ("thing-housing", "thing", "房屋土地", "Housing and land", [
        ("dangerous-building", "危险房屋", "Building in danger of collapse", "危房 裂缝 外墙 脱落 坠落",
         (2, H), (3, D), (T, "housing"), "危险已排除或已设警戒并启动鉴定。"),
    ]),
    ("event-appearance", "event", "市容环境", "City appearance", [
        ("litter", "暴露垃圾", "Rubbish left in the open", "垃圾 乱扔 堆放 积存 脏乱",
         (2, H), (1, D), (T, "city_management"), "垃圾清运完毕，现场整洁，附处置后照片。"),
        ("construction-waste", "乱倒渣土", "Building waste dumped", "渣土 建筑垃圾 偷倒 撒漏",
         (2, H), (2, D), (T, "city_management"), "渣土清运完毕，查处倾倒者。"),
        ("sewage-overflow", "污水冒溢", "Sewage overflowing", "污水 冒溢 下水道 堵塞 臭",
         (2, H), (1, D), (T, "water"), "管道疏通，污水不再冒溢，路面清洗。"),
    ]),
    ("event-advertising", "event", "宣传广告", "Advertising", [
        ("illegal-flyers", "非法小广告", "Illegal flyers and graffiti", "小广告 牛皮癣 张贴 涂写 喷涂",
         (4, H), (2, D), (T, "city_management"), "小广告清除干净。"),
        ("illegal-billboard", "违规户外广告", "Unauthorised billboard or sign", "广告牌 招牌 横幅 灯箱",
         (4, H), (5, D), (T, "city_management"), "违规广告拆除或补办手续。"),
    ]),
    ("event-construction", "event", "施工管理", "Construction", [
        ("night-construction", "夜间施工扰民", "Construction work at night", "施工 夜间施工 打桩 噪音 工地",
         (2, H), (1, D), (T, "city_management"), "夜间施工已停止或核实持有夜间施工许可。"),
        ("site-dust", "工地扬尘", "Dust from a building site", "扬尘 工地 围挡 裸土 未覆盖",
         (4, H), (3, D), (T, "housing"), "裸土覆盖、围挡完好、洒水降尘。"),
    ]),
    ("event-emergency", "event", "突发事件", "Emergencies", [
        ("road-collapse", "路面塌陷", "Road collapse", "塌陷 地陷 下沉 大坑",
         (1, H), (1, D), (T, "transport"), "设置警戒，塌陷已回填修复。"),
        ("flooding", "道路积水", "Flooded street", "积水 内涝 水淹 排水",
         (1, H), (1, D), (T, "water"), "积水排除，排水设施疏通。"),
    ]),
    ("event-street-order", "event", "街面秩序", "Street order", [
        ("street-vending", "占道经营", "Street vending on the pavement", "摆摊 占道经营 游商 流动摊贩 夜市",
         (2, H), (1, D), (T, "city_management"), "占道经营已劝离或规范。"),
        ("shop-overflow", "店外经营", "Shop trading outside its front", "店外 出店经营 门前 堆放",
         (2, H), (1, D), (T, "city_management"), "商户退回店内经营。"),
        ("market-order", "市场秩序", "Market order and food safety", "食品 过期 价格 无证 市场 缺斤短两",
         (4, H), (5, D), (T, "market"), "违法经营已查处，结果告知反映人。"),
    ]),
    ("community-matters", "community", "社区事项", "Community matters", [
        ("property-management", "物业管理", "Property management", "物业 电梯 保洁 维修 门禁 物业费",
         (8, H), (5, D), (C, ""), "物业问题已解决或形成书面整改承诺，居民知晓。"),
        ("neighbour-dispute", "邻里纠纷", "Dispute between neighbours", "邻居 纠纷 矛盾 漏水 吵架 调解",
         (4, H), (3, D), (C, ""), "双方达成调解或明确后续途径。"),
        ("elderly-care", "养老服务", "Elderly care", "老人 养老 独居 助餐 失能 探访",
         (8, H), (5, D), (C, ""), "服务需求已对接落实。"),
        ("noise", "噪声扰民", "Noise nuisance", "噪音 噪声 吵 广场舞 装修 音响",
         (2, H), (2, D), (T, "police"), "噪声已制止，反映人确认。"),
        ("parking", "停车管理", "Parking problems", "停车 车位 乱停 僵尸车 充电 电动车",
         (8, H), (3, D), (C, ""), "车辆已规范停放或清理。"),
        ("hallway-clutter", "楼道堆物", "Clutter in stairwells", "楼道 堆物 杂物 消防通道 飞线充电",
         (8, H), (2, D), (C, ""), "楼道清理干净，消防通道畅通。"),
        ("pets", "犬只管理", "Dogs and pets", "狗 犬 宠物 遛狗 狗屎 咬人",
         (8, H), (3, D), (C, ""), "已劝导或依规处理。"),
    ]),
]

"""The extra questions the seeded catalogue's services ask through Open311 (GeoReport service
definitions). Each answers something the handling unit would otherwise phone the reporter to ask;
none asks for personal data. Keyed by the sub-category code of gongzhi/cases/catalogue_seed.py.

attribute: (code, datatype, required, (中文, English) question, [(key, 中文, English) values],
            options) — options may set "variable": False (information only) and a
            "datatype_description": (中文, English).
"""

YES_NO = [("yes", "是", "Yes"), ("no", "否", "No")]

ATTRIBUTES: dict[str, list[tuple]] = {
    "manhole-cover": [
        ("condition", "singlevaluelist", True, ("井盖是什么情况？", "What is wrong with the cover?"),
         [("missing", "缺失", "Missing"), ("broken", "破损", "Broken"), ("loose", "松动或响动", "Loose or rattling"),
          ("sunken", "下沉或凸起", "Sunken or raised")], {}),
        ("in_roadway", "singlevaluelist", False, ("是否在车行道上？", "Is it in the roadway?"), YES_NO, {}),
    ],
    "street-light": [
        ("problem", "singlevaluelist", True, ("路灯是什么情况？", "What is wrong with the light?"),
         [("out", "不亮", "Out"), ("flickering", "闪烁", "Flickering"), ("on_by_day", "白天常亮", "On during the day"),
          ("pole_damaged", "灯杆损坏", "Pole damaged")], {}),
        ("lights_out", "number", False, ("有几盏灯不亮？", "How many lights are out?"), [],
         {"datatype_description": ("填写数字，如 3", "A whole number, e.g. 3")}),
    ],
    "road-damage": [
        ("size", "singlevaluelist", True, ("破损有多大？", "How large is the damage?"),
         [("small", "小于半米", "Under half a metre"), ("medium", "半米到两米", "Half a metre to two metres"),
          ("large", "两米以上", "Over two metres")], {}),
        ("surface", "singlevaluelist", False, ("在哪里？", "Where is it?"),
         [("carriageway", "车行道", "Carriageway"), ("pavement", "人行道", "Pavement"),
          ("cycle_lane", "非机动车道", "Cycle lane")], {}),
    ],
    "trash-bin": [
        ("problem", "singlevaluelist", True, ("垃圾箱是什么情况？", "What is wrong with the bin?"),
         [("full", "满溢", "Overflowing"), ("broken", "损坏", "Broken"), ("missing", "缺失", "Missing")], {}),
    ],
    "street-tree": [
        ("problem", "multivaluelist", True,
         ("树木有什么问题？（可多选）", "What is wrong with the tree? (choose all that apply)"),
         [("fallen", "倒伏", "Fallen"), ("dead", "枯死", "Dead"), ("blocking", "妨碍通行", "Blocking the way"),
          ("wires", "碰触电线", "Touching wires"), ("broken_branch", "断枝悬挂", "Broken branch hanging")], {}),
    ],
    "dangerous-building": [
        ("emergency", "string", False, ("如有人员被困或正在坠落，请立即拨打119。",
                                         "If anyone is trapped or debris is falling, call 119 now."), [],
         {"variable": False}),
        ("people_at_risk", "singlevaluelist", True, ("附近是否有人员面临危险？", "Are people near it at risk?"),
         YES_NO, {}),
    ],
    "litter": [
        ("amount", "singlevaluelist", True, ("垃圾有多少？", "How much rubbish is there?"),
         [("bags", "几袋", "A few bags"), ("cart", "一车左右", "About a cartload"),
          ("truck", "一卡车以上", "A truckload or more")], {}),
    ],
    "sewage-overflow": [
        ("since", "datetime", False, ("从什么时候开始冒溢？", "Since when has it been overflowing?"), [],
         {"datatype_description": ("ISO 8601 时间，如 2026-03-09T08:00:00+08:00",
                                   "ISO 8601 date and time, e.g. 2026-03-09T08:00:00+08:00")}),
    ],
    "illegal-flyers": [
        ("surface", "multivaluelist", False, ("贴在或涂在哪里？（可多选）", "Where are they? (choose all that apply)"),
         [("wall", "墙面", "Walls"), ("pole", "电线杆或灯杆", "Poles"), ("ground", "地面", "The ground"),
          ("stairwell", "楼道", "Stairwells")], {}),
    ],
    "night-construction": [
        ("started", "datetime", False, ("施工从几点开始？", "When did the work start?"), [],
         {"datatype_description": ("ISO 8601 时间，如 2026-03-09T23:30:00+08:00",
                                   "ISO 8601 date and time, e.g. 2026-03-09T23:30:00+08:00")}),
        ("ongoing", "singlevaluelist", True, ("现在还在施工吗？", "Is the work still going on?"), YES_NO, {}),
    ],
    "flooding": [
        ("depth_cm", "number", False, ("积水大约多深（厘米）？", "About how deep is the water (cm)?"), [],
         {"datatype_description": ("填写数字，单位厘米", "A number, in centimetres")}),
    ],
    "neighbour-dispute": [
        ("tried", "text", False, ("已经尝试过哪些办法？", "What has already been tried?"), [], {}),
    ],
    "elderly-care": [
        ("need", "multivaluelist", True, ("需要哪些帮助？（可多选）", "What help is needed? (choose all that apply)"),
         [("meals", "助餐", "Meals"), ("visits", "探访", "Visits"), ("cleaning", "助洁", "Cleaning"),
          ("medical", "就医", "Medical"), ("other", "其他", "Other")], {}),
    ],
    "noise": [
        ("time_of_day", "singlevaluelist", True, ("噪声通常在什么时段？", "When does the noise usually happen?"),
         [("morning", "清晨（6—8时）", "Early morning (6–8)"), ("daytime", "白天（8—18时）", "Daytime (8–18)"),
          ("evening", "傍晚（18—22时）", "Evening (18–22)"), ("night", "夜间（22—6时）", "Night (22–6)")], {}),
        ("source", "singlevaluelist", False, ("噪声来自哪里？", "Where does the noise come from?"),
         [("square_dancing", "广场舞", "Square dancing"), ("renovation", "装修", "Renovation"),
          ("shop", "商铺音响", "A shop's loudspeakers"), ("traffic", "车辆", "Vehicles"), ("other", "其他", "Other")],
         {}),
    ],
    "parking": [
        ("vehicle", "multivaluelist", True, ("涉及哪类车辆？（可多选）", "Which vehicles? (choose all that apply)"),
         [("car", "汽车", "Cars"), ("ebike", "电动车", "E-bikes"), ("bicycle", "自行车", "Bicycles"),
          ("abandoned", "僵尸车", "Abandoned vehicles")], {}),
    ],
    "hallway-clutter": [
        ("fire_exit_blocked", "singlevaluelist", True, ("消防通道是否被堵？", "Is a fire exit blocked?"), YES_NO, {}),
    ],
    "pets": [
        ("problem", "singlevaluelist", True, ("是什么问题？", "What is the problem?"),
         [("barking", "犬吠扰民", "Barking"), ("fouling", "粪便未清理", "Fouling"),
          ("off_lead", "未拴绳", "Off the lead"), ("bite", "咬人或伤人", "Bit someone")], {}),
    ],
}

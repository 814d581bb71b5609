"""Word lists of Chinese government writing used by the initiative, quantity and agency rules.

Each list holds words of one kind; the rules that use them live in ``kg.extract.initiatives``,
``kg.extract.quantities`` and ``kg.extract.agencies``. Nothing here names one report.
"""
from __future__ import annotations

import re

# Verbs and adverbs that open a clause of a work report (完成…, 持续做强…, 学习运用…). A named
# thing never starts with one: they are stripped from the front of a candidate name.
CLAUSE_VERBS = tuple(sorted({
    "完成", "抓好", "抓实", "狠抓", "学习", "运用", "持续", "做强", "做优", "做大", "做实", "做好", "丰富", "积累",
    "支持", "坚持", "落实", "落细", "建强", "建好", "建设", "建成", "新建", "扩建", "续建", "改造", "搭", "搭建",
    "形成", "强化", "统筹", "引入", "引进", "招引", "促进", "壮大", "力争", "争取", "实施", "推进", "推动", "加快",
    "加强", "深化", "开展", "启动", "打造", "构建", "培育", "发展", "提升", "优化", "完善", "扩大", "谋划", "储备",
    "开工", "竣工", "投产", "实现", "确保", "聚焦", "围绕", "用好", "用活", "盘活", "发挥", "依托", "通过", "利用",
    "借助", "上线", "推出", "升级", "迭代", "部署", "运行", "运营", "开通", "对接", "接入", "杜绝", "防止", "搞",
    "入选", "获得", "荣获", "获评", "纳入", "列入", "落地", "签约", "擦亮", "叫响", "办好", "创建", "创新", "举办",
    "组织", "参与", "加入", "融入", "服务", "保障", "巩固", "拓展", "拓宽", "增强", "提高", "提速", "加速", "全力",
    "大力", "着力", "积极", "稳步", "扎实", "深入", "全面", "高标准", "高质量", "高水平地", "谋划实施", "加紧",
    "抓紧", "力促", "助力", "带动", "引导", "鼓励", "探索", "试行", "推广", "复制", "总结", "用足", "争创",
    "新开工", "再", "又", "并", "还", "也", "均", "已", "获", "以", "把", "将", "让", "建", "严格", "规范",
    "整合", "重塑", "投用", "新增", "新建成", "精准布局", "布局", "引育", "加力", "提质", "扩容", "深耕",
    "组建", "成立", "设立", "吸引", "集聚", "聚集", "筹建", "改组", "重组", "整合组建", "挂牌",
}, key=len, reverse=True))
CLAUSE_VERB_RE = re.compile("^(?:" + "|".join(map(re.escape, CLAUSE_VERBS)) + ")+")

# Verbs before a quoted name that show the text runs, builds or launches the named thing.
RUNNING_VERBS = ("谋划打造", "创新打造", "打造", "推出", "上线", "开展", "实施", "启动", "升级", "举办", "创建",
                 "共建", "推广", "开通", "深化", "推进", "培育", "建设", "建成", "发布", "开设", "设立",
                 "组建", "成立", "叫响", "擦亮", "迭代", "运营", "建立")

# Kind words: a name ending in one (or a quote followed by one) names a programme, platform,
# campaign, brand or product.
NAMED_KINDS = ("工程", "计划", "行动", "平台", "项目", "工作台", "专区", "小程序", "客户端", "品牌", "机制", "工作法",
               "改革", "试点", "活动", "系列活动", "大赛", "赛事", "大礼包", "礼包", "服务专区", "热线", "助手",
               "倡议", "系统", "模式", "经验", "专项", "示范区", "APP", "App", "app")
# Nouns right before a quote that show the quote is that thing's name (政务助手“深小i”, 服务“跨城通办”).
NAME_AFTER_NOUNS = ("助手", "服务", "品牌", "平台", "系统", "产品", "应用", "小程序", "专栏", "栏目", "热线", "机制",
                    "模式", "工程", "行动", "计划", "活动")

# Words before a quote that show it is criticised or to be avoided, not run (搞“形象工程”).
CRITICISING_VERBS = ("杜绝", "防止", "反对", "整治", "纠治", "纠正", "破除", "克服", "力戒", "防范", "警惕", "搞",
                     "不搞", "禁止", "摒弃", "遏制", "根治", "打击", "治理", "存在", "避免", "严控", "严格控制", "严禁",
                     "限制", "淘汰", "控制")
# Pejorative kinds: 形象工程, 政绩工程 are criticised wherever they stand.
PEJORATIVE_NAMES = ("形象工程", "政绩工程", "面子工程", "豆腐渣工程", "内卷式", "四风", "新官不理旧账",
                    "一刀切", "层层加码", "文山会海", "指尖上的形式主义")

# A numeral abbreviation (两重, 三保, 一老一小, 十四五, 双一流) is a slogan unless it names a
# programme by its kind word (千万工程, 双高计划, 三北工程).
NUMERAL_LEAD = re.compile(r"^[一二三四五六七八九十百千万两双]")
NUMERAL_NAMED_KINDS = ("工程", "计划", "行动", "倡议")
# Kind words after a numeral abbreviation that name it without joining its name (“一数一源一标准”试点).
NUMERAL_NAMING_AFTER = ("试点", "改革", "模式", "机制", "工作法", "品牌")
# Words of counting and listing: a phrase holding one is a set of things, not one named thing.
LISTING_WORDS = ("一批", "一系列", "多个", "多种", "若干", "各类", "更多", "签约", "共同", "省级", "市级", "区级",
                 "县级", "重点", "重大")
# Words after a kind word that make it part of a longer noun (平台经济, 平台公司, 项目化).
KIND_CONTINUES = ("经济", "公司", "企业", "化", "型", "类", "级", "思维", "理念", "储备", "库", "支撑", "资金", "用地")
# Words right after a quote that make it a kind of enterprise or a quality, not a name (“头羊”企业).
CATEGORY_AFTER = ("企业", "型", "式", "类", "级", "的", "精神", "理念", "品质")

# Modifiers of a category, not of one named thing: 重点项目, 示范项目, 产业类项目.
CATEGORY_TAILS = ("重点", "重大", "示范", "试点", "优质", "标志性", "骨干", "省级", "市级", "区级", "县级", "国家级",
                  "类", "级", "型", "性", "化", "批", "种", "些", "多", "各")
CATEGORY_HEADS = ("产业", "科技", "民生", "公共服务", "创新", "融资", "招商", "供应链", "头部", "开放", "贸易",
                  "引导", "转型发展", "特色人才", "人才", "工业互联网", "共性技术", "高水平创新", "高水平",
                  "基础设施", "重点", "重大", "标志性", "优质", "疏解", "示范", "新质", "新功能", "新要素",
                  "科创", "工程化", "技术", "数字化", "信息化", "智能化", "颠覆性", "增资扩产", "存量", "增量",
                  "攻关", "技改", "工业", "民间投资", "城市更新", "高能级", "创业", "科技创新", "地方", "地方政府",
                  "农村供水", "涉企服务", "跨境电商", "电商", "农村产权流转交易", "产权交易", "公共资源交易", "研发", "高校", "外资", "民营", "中小企业",
                  # channels every government keeps: not named programmes
                  "政府信息公开", "政务公开", "政府网站", "政务新媒体", "政府门户")

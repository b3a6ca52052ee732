"""Small Chinese regulation-like texts written for the tests: regulations of one kind by different issuers
that share most of their articles (as cities copy a province's), and the chrome of a government portal."""

from __future__ import annotations

import random

SUBJECTS = ("公民", "机关、团体、企业事业单位", "市民和游客", "机动车驾驶人", "经营者", "村民委员会和居民委员会", "学校",
            "新闻媒体", "志愿服务组织", "物业服务企业", "公共场所管理单位", "医疗机构")
TAILS = ("具体办法由有关部门制定", "违反本条规定的，由有关部门责令改正", "情节严重的，依法予以处罚", "并将相关情况纳入信用记录",
         "有关部门应当加强指导和监督", "鼓励社会各方面积极参与", "对表现突出的给予表彰和奖励", "所需经费列入本级财政预算")
# what the clauses are made of: two-character words drawn from these, so two articles share set phrases only
CHARACTERS = ("文明行为促进社会公共秩序管理服务环境卫生交通安全教育宣传志愿组织单位部门政府机关企业事业村民居民委员会学校医疗"
              "家庭道德诚信法治和谐友善健康节约保护监督检查举报投诉奖励表彰处罚责任义务权利活动建设发展规划资金保障制度标准措施")
DIGITS = "一二三四五六七八九"


def numeral(n: int) -> str:
    """1..99 in Chinese numerals (第十二条)."""
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else DIGITS[tens - 1] + "十")) + (DIGITS[ones - 1] if ones else "")


def provision(seed: int) -> str:
    """One article's body: two or three clauses, each a subject, an obligation and a set phrase."""
    rng = random.Random(seed)
    clauses = []
    for _ in range(rng.randint(2, 3)):
        words = "".join(rng.choice(CHARACTERS) + rng.choice(CHARACTERS) for _ in range(rng.randint(5, 9)))
        clauses.append(f"{rng.choice(SUBJECTS)}应当{words}，{rng.choice(TAILS)}")
    return "；".join(clauses) + "。"


def regulation(place: str, shared: list[int], own: list[int]) -> str:
    """`place`'s 文明行为促进条例: the template articles `shared` (seeds) and articles of its own, one per line."""
    bodies = [provision(s) for s in shared] + [f"{place}人民政府" + provision(s) for s in own]
    order = sorted(range(len(bodies)), key=lambda k: ((shared + own)[k] * 37) % 101)
    lines = [f"{place}文明行为促进条例",
             f"第一条 为了培育和践行社会主义核心价值观，提升{place}公民文明素质，根据有关法律法规，结合{place}实际，制定本条例。"]
    lines += [f"第{numeral(n)}条 {bodies[k]}" for n, k in enumerate(order, start=2)]
    lines.append(f"第{numeral(len(order) + 2)}条 本条例自2021年{len(place)}月1日起施行。")
    return "\n".join(lines)


def portal(site: str, body: str) -> str:
    """`body` as a page of `site`'s government portal: menus above, the portal's footer below."""
    head = ["首页", "政务公开", "政策文件", "互动交流", f"{site}人民政府门户网站", "当前位置：首页 > 政策法规"]
    foot = [f"主办单位：{site}人民政府办公室 承办单位：{site}大数据局", "网站标识码3700000001 鲁ICP备05001234号",
            f"本网站所有内容，未经{site}人民政府办公室书面授权，不得转载、摘编或者以其他方式使用，违者依法追究法律责任。"]
    return "\n".join([*head, body, *foot])

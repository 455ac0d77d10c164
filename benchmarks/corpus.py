"""A synthetic bilingual corpus of agent/customer chats for the benchmarks.

Sentences are written the way live-chat agents write (courtesy, questions,
steps of an SOP, plain information), combined at random with a fixed seed, so
every run measures the same text.
"""

from __future__ import annotations

import random
from typing import Any

EN_AGENT = [
    "Hello {name}, thank you for contacting us.",
    "Hi there, my name is Sam and I'll be helping you today.",
    "I'm so sorry for the delay with order {order}.",
    "I apologise for the inconvenience this has caused.",
    "I understand how frustrating this must be.",
    "Let me check the tracking with the carrier right now.",
    "The parcel is held at the sorting centre because of the holiday backlog.",
    "I've added a $10 coupon to your account.",
    "I'll follow up tomorrow and email you as soon as it moves.",
    "How would you like us to resolve this?",
    "Is there anything else I can help you with today?",
    "Could you confirm the email address on the account?",
    "Your refund of $45.90 has been processed.",
    "It should arrive within 3 to 5 business days.",
    "The warranty covers two years, battery included.",
    "Which size would you like to exchange it for?",
    "Your booking has been confirmed for Friday at 6 pm.",
    "Thanks for your patience while I looked into this.",
    "You're welcome, have a great day!",
    "I can see the payment was taken twice on {date}.",
    "I've escalated this to our billing team.",
    "Unfortunately that item is out of stock until next month.",
    "Would you prefer a refund or a replacement?",
    "Please calm down, it's not my problem.",
    "Let me know if there is anything else.",
    "The store opens at 9 am and closes at 8 pm.",
    "Okay, one moment please.",
    "Sure thing.",
]
EN_CUSTOMER = [
    "Hi, my order {order} still hasn't arrived.",
    "I was charged twice for the same thing.",
    "Can you tell me when it will be delivered?",
    "That's not good enough, I need it by Saturday.",
    "OK, thanks.",
    "Yes, it's {order}.",
    "I'd like a refund please.",
    "No, that's all. Thank you!",
]
ZH_AGENT = [
    "您好，很高兴为您服务。",
    "{name}您好，请问有什么可以帮您？",
    "非常抱歉让您久等了。",
    "给您带来不便，我们深表歉意。",
    "非常理解您着急的心情。",
    "我马上帮您核实一下物流信息。",
    "包裹因为节假日件量大，在分拣中心滞留了。",
    "为了表示歉意，给您账户发放一张优惠券。",
    "我会跟进物流，一有更新第一时间短信通知您。",
    "您希望如何解决这个问题？",
    "请问还有什么可以帮您？",
    "麻烦提供一下订单号 {order}。",
    "退款会在3-5个工作日原路退回。",
    "签收7天内的质量问题可以退货退款。",
    "快递员24小时内上门取件。",
    "感谢您的耐心等待。",
    "不客气，祝您生活愉快，再见！",
    "这个不归我管，我也没办法。",
    "好的，请稍等。",
    "已经帮您登记好了。",
    "您是想退款还是换新呢？",
    "这款产品支持七天无理由退货。",
    "我们的营业时间是早上九点到晚上八点。",
]
ZH_CUSTOMER = [
    "你好，我的订单 {order} 三天没更新物流了。",
    "我被重复扣款了。",
    "什么时候能到？",
    "我要退款。",
    "好的，谢谢。",
    "订单号是 {order}。",
    "这态度也太差了吧！",
    "没有了，谢谢你。",
]
NAMES_EN = ["Dana", "Mr Lee", "Priya", "Tom", "Ms Garcia"]
NAMES_ZH = ["王女士", "陈先生", "李女士", "张先生"]


def conversation(rng: random.Random, i: int, locale: str, timed: bool = False) -> dict[str, Any]:
    agent, customer = (EN_AGENT, EN_CUSTOMER) if locale == "en" else (ZH_AGENT, ZH_CUSTOMER)
    name = rng.choice(NAMES_EN if locale == "en" else NAMES_ZH)
    order = f"DS-{rng.randint(100000, 999999)}"
    fill = {"name": name, "order": order, "date": "12 March"}
    turns = []
    for _ in range(rng.randint(3, 6)):
        turns.append({"role": "customer", "text": rng.choice(customer).format(**fill)})
        sentences = rng.sample(agent, 1 if rng.random() < 0.65 else 2)  # ~12 words, like live chat
        sep = " " if locale == "en" else ""
        turns.append({"role": "agent", "text": sep.join(s.format(**fill) for s in sentences)})
    if timed:
        for k, turn in enumerate(turns):
            turn["at"] = f"2026-11-23T10:{k:02d}:{rng.randint(0, 59):02d}Z"
    return {"id": f"{locale}-{i:06d}", "locale": locale, "turns": turns}


def corpus(count: int, locale: str, seed: int = 11) -> list[dict[str, Any]]:
    rng = random.Random(f"{seed}-{locale}")
    return [conversation(rng, i, locale, timed=i % 2 == 0) for i in range(count)]

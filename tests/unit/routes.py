"""Scripted replies shared by tests: routes through the bundled scenarios."""

GOOD = [  # the bundled scenario's own full-SOP route (its golden test)
    "Hello Dana, thank you for contacting us, and I'm so sorry your parcel is late. I understand"
    " how worrying that is with the party coming up. Let me check the tracking with the carrier"
    " right now.",
    "I've checked with the carrier: the parcel is held at their sorting centre because of the"
    " holiday backlog, which is why the tracking hasn't updated.",
    "To make up for it I'll add a coupon to your account, and I'll follow up with the carrier"
    " tomorrow and email you as soon as it moves. How would you like us to handle it if it is"
    " not with you by Friday?",
    "You're welcome, Dana. Thank you for your patience, and have a great day!",
]
